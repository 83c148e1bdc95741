// Builds src/editor.js into one minified file: `node build.mjs OUTFILE`. The same lockfile gives the same bytes.
import { build } from "esbuild";

const outfile = process.argv[2];
if (!outfile) {
  console.error("Usage: node build.mjs OUTFILE");
  process.exit(2);
}

await build({
  entryPoints: ["src/editor.js"],
  outfile,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  charset: "utf8",
  // markdown-it needs only entities' decoder; its package entry would also bring 23 kB of encoding tables.
  alias: { entities: "entities/lib/decode.js" },
  logLevel: "warning",
  banner: { js: "/* Built from static/editor by `make editor`; do not edit. ProseMirror and markdown-it: MIT. */" },
});
