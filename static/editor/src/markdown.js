// Markdown in and out of the editor's document, read by markdown-it configured as the server's markdown-it-py
// (CommonMark with raw HTML, tables, strikethrough, footnotes), so both sides read the same text the same way.
//
// The normalised form `toMarkdown` writes: ATX headings (`## `), `*emphasis*`, `**strong**`, `~~struck~~`,
// `-` bullets (`*` for a list right after another one), `1.` numbers, `---` separators, inline links and images,
// fenced code, footnote definitions at the end, tables and HTML blocks exactly as written. A text is
// "representable" when what readers see from it and from its normalised form is the same; only then does the
// visual editor take it, so opening a text in the editor never changes what readers get.

import MarkdownIt from "markdown-it";
import Token from "markdown-it/lib/token.mjs";
import footnotes from "markdown-it-footnote";
import { Schema, Slice } from "prosemirror-model";
import { MarkdownParser, MarkdownSerializer, defaultMarkdownParser, defaultMarkdownSerializer,
         schema as commonmark } from "prosemirror-markdown";

const markdownIt = MarkdownIt("commonmark", { html: true }).enable(["table", "strikethrough"]).use(footnotes);

// Links the editor shows as links; others (javascript:, data:, Word's file:/// and #_Toc anchors) are dropped.
const SAFE_HREF = /^(https?:|mailto:|tel:|\/(?!\/)|\.\.?\/)/i;
const SAFE_SRC = /^(https?:|\/(?!\/))/i;

// A pasted list is tight (no blank lines between items) unless an item holds more than one paragraph.
function listRules(tag, order) {
  return [{ tag, getAttrs: (dom) => ({
    ...(order ? { order: dom.hasAttribute("start") ? +dom.getAttribute("start") : 1 } : {}),
    tight: !Array.from(dom.children).some((item) => item.querySelectorAll(":scope > p").length > 1),
  }) }];
}

function headingRules() {
  // Pasted headings move one level down: the article's title is the page's only first-level heading.
  return [1, 2, 3, 4, 5, 6].map((level) => ({ tag: "h" + level, attrs: { level: Math.min(level + 1, 6) } }));
}

const nodes = commonmark.spec.nodes
  .update("heading", { ...commonmark.spec.nodes.get("heading"), parseDOM: headingRules() })
  .update("bullet_list", { ...commonmark.spec.nodes.get("bullet_list"), attrs: { tight: { default: true } },
                           parseDOM: listRules("ul", false) })
  .update("ordered_list", { ...commonmark.spec.nodes.get("ordered_list"),
                            attrs: { order: { default: 1 }, tight: { default: true } }, parseDOM: listRules("ol", true) })
  .update("image", {
    ...commonmark.spec.nodes.get("image"),
    parseDOM: [{ tag: "img[src]", getAttrs: (dom) => SAFE_SRC.test(dom.getAttribute("src"))
      && { src: dom.getAttribute("src"), alt: dom.getAttribute("alt"), title: dom.getAttribute("title") } }],
  })
  .addToEnd("markdown_block", {
    // Markdown the editor shows as written (a table, an HTML block): kept exactly, editable as text.
    content: "text*", group: "block", code: true, defining: true, marks: "",
    attrs: { kind: { default: "Markdown" } },
    parseDOM: [{ tag: "pre.markdown-block", preserveWhitespace: "full", priority: 60,
                 getAttrs: (dom) => ({ kind: dom.getAttribute("data-kind") || "Markdown" }) }],
    toDOM: (node) => ["pre", { class: "markdown-block", "data-kind": node.attrs.kind }, ["code", 0]],
  })
  .addToEnd("html_inline", {
    inline: true, group: "inline", atom: true, attrs: { html: {} },
    parseDOM: [{ tag: "code.markdown-inline[data-html]", priority: 60,
                 getAttrs: (dom) => ({ html: dom.getAttribute("data-html") }) }],
    toDOM: (node) => ["code", { class: "markdown-inline", "data-html": node.attrs.html }, node.attrs.html],
  })
  .addToEnd("footnote_ref", {
    inline: true, group: "inline", atom: true, attrs: { label: {} },
    parseDOM: [{ tag: "sup.footnote-ref[data-label]", getAttrs: (dom) => ({ label: dom.getAttribute("data-label") }) }],
    toDOM: (node) => ["sup", { class: "footnote-ref", "data-label": node.attrs.label,
                               title: "Footnote " + node.attrs.label }, node.attrs.label],
  })
  .addToEnd("footnote", {
    content: "block+", group: "block", defining: true, isolating: true, attrs: { label: {} },
    parseDOM: [{ tag: "div.footnote[data-label]", getAttrs: (dom) => ({ label: dom.getAttribute("data-label") }) }],
    toDOM: (node) => ["div", { class: "footnote", "data-label": node.attrs.label }, 0],
  });

const marks = commonmark.spec.marks
  .update("link", {
    ...commonmark.spec.marks.get("link"),
    parseDOM: [{ tag: "a[href]", getAttrs: (dom) => SAFE_HREF.test(dom.getAttribute("href"))
      && { href: dom.getAttribute("href"), title: dom.getAttribute("title") } }],
    toDOM: (mark) => ["a", { href: SAFE_HREF.test(mark.attrs.href) ? mark.attrs.href : null,
                             title: mark.attrs.title }],
  })
  .addToEnd("strike", {
    parseDOM: [{ tag: "s" }, { tag: "del" }, { tag: "strike" },
               { style: "text-decoration", getAttrs: (value) => value.includes("line-through") && null }],
    toDOM: () => ["s"],
  });

export const schema = new Schema({ nodes, marks });

/** Raised when a text uses Markdown the editor cannot hold without changing it. */
export class Unrepresentable extends Error {}

function listIsTight(tokens, index) {
  for (let i = index + 1; i < tokens.length; i++) {
    if (tokens[i].type !== "list_item_open") { return tokens[i].hidden; }
  }
  return false;
}

// A table is kept as its source lines, which markdown-it's line map gives exactly at the top level only.
function tablesAsSource(tokens, lines) {
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type !== "table_open") { out.push(token); continue; }
    if (token.level !== 0) { throw new Unrepresentable("a table inside a list or a quote"); }
    let end = i;
    while (!(tokens[end].type === "table_close" && tokens[end].level === 0)) { end++; }
    const source = new Token("markdown_block", "", 0);
    source.content = lines.slice(token.map[0], token.map[1]).join("\n");
    source.info = "Table";
    out.push(source);
    i = end;
  }
  return out;
}

// An inline footnote (`^[note]`) has no label to write back, so such a text stays Markdown.
function withoutInlineFootnotes(tokens) {
  for (const token of tokens) {
    if ((token.children || []).some((child) => child.type === "footnote_ref" && child.meta.label === undefined)) {
      throw new Unrepresentable("an inline footnote");
    }
  }
  return tokens;
}

const tokenizer = {
  parse(source, env) {
    const text = source.replace(/\r\n?/g, "\n");
    return withoutInlineFootnotes(tablesAsSource(markdownIt.parse(text, env), text.split("\n")));
  },
};

const parser = new MarkdownParser(schema, tokenizer, {
  ...defaultMarkdownParser.tokens,
  bullet_list: { block: "bullet_list", getAttrs: (_, tokens, i) => ({ tight: listIsTight(tokens, i) }) },
  ordered_list: { block: "ordered_list", getAttrs: (token, tokens, i) => ({
    order: +token.attrGet("start") || 1, tight: listIsTight(tokens, i) }) },
  s: { mark: "strike" },
  html_inline: { node: "html_inline", getAttrs: (token) => ({ html: token.content }) },
  html_block: { block: "markdown_block", noCloseToken: true, attrs: { kind: "HTML" } },
  markdown_block: { block: "markdown_block", noCloseToken: true, getAttrs: (token) => ({ kind: token.info }) },
  footnote_ref: { node: "footnote_ref", getAttrs: (token) => ({ label: token.meta.label }) },
  footnote_block: { ignore: true },
  footnote: { block: "footnote", getAttrs: (token) => ({ label: token.meta.label }) },
  footnote_anchor: { ignore: true, noCloseToken: true },
});

function sameTypeBefore(node, parent, index) {
  return Boolean(parent && index > 0 && parent.child(index - 1).type === node.type);
}

const serializer = new MarkdownSerializer({
  ...defaultMarkdownSerializer.nodes,
  // Two lists in a row with the same marker would read back as one list.
  bullet_list(state, node, parent, index) {
    const bullet = sameTypeBefore(node, parent, index) ? "* " : "- ";
    state.renderList(node, "  ", () => bullet);
  },
  ordered_list(state, node, parent, index) {
    const delimiter = sameTypeBefore(node, parent, index) ? ") " : ". ";
    const start = node.attrs.order;
    const width = String(start + node.childCount - 1).length;
    state.renderList(node, state.repeat(" ", width + 2), (i) => {
      const number = String(start + i);
      return state.repeat(" ", width - number.length) + number + delimiter;
    });
  },
  markdown_block(state, node) {
    state.text(node.textContent, false);
    state.closeBlock(node);
  },
  html_inline(state, node) { state.write(node.attrs.html); },
  footnote_ref(state, node) { state.write("[^" + node.attrs.label + "]"); },
  footnote(state, node) {
    state.wrapBlock("    ", "[^" + node.attrs.label + "]: ", node, () => state.renderContent(node));
  },
}, {
  ...defaultMarkdownSerializer.marks,
  strike: { open: "~~", close: "~~", mixable: true, expelEnclosingWhitespace: true },
}, {
  // Typed `<b>` or `&amp;` stays text, instead of becoming markup or an entity in the source.
  escapeExtraCharacters: /<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)/g,
});

/** The Markdown of `doc`, in the normalised form described at the top. */
export function toMarkdown(doc) {
  return serializer.serialize(doc);
}

function rendered(source) {
  return markdownIt.render(source).replace(/\s+/g, " ").trim();
}

/** The document for Markdown `source`; raises Unrepresentable when readers would see a difference. */
export function fromMarkdown(source) {
  let doc;
  try {
    doc = parser.parse(source);
  } catch (error) {
    if (error instanceof Unrepresentable) { throw error; }
    throw new Unrepresentable("Markdown the editor does not know");
  }
  if (rendered(toMarkdown(doc)) !== rendered(source)) {
    throw new Unrepresentable("Markdown the editor would have to change");
  }
  return doc;
}

/** Pasted plain text read as Markdown, when it reads back the same; otherwise null (pasted as plain text). */
export function sliceFromMarkdown(text) {
  try {
    const doc = fromMarkdown(text);
    return Slice.maxOpen(doc.content);
  } catch (error) {
    return null;
  }
}
