"""What one request may cost: rendering time per KB of body from 1 KB to 1 MB, and a 10 MB animated upload.

    python -m tests.bench.bench_limits [--sizes 1,10,100,1000]

Each body kind is rendered through `rendering.render` (the pipeline of saving, importing, restoring and the
live preview) at each size; the time per KB must stay flat, and bodies the pipeline refuses must be refused
as quickly. Times are CPU seconds of this process, so other work on the machine disturbs them less. The upload
rows run `uploads.save` with the default limits on a 10 MB animated GIF (kept) and on the 786 KB GIF of 200
frames of 2000 x 2000 pixels that once took 31 s (refused); each must finish within 2 s. Not collected by
pytest (the name does not start with test_).
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from cms import create_app
from cms.config import Defaults
from cms.core import rendering
from cms.core.errors import InvalidInput
from cms.extensions import db
from cms.models import MediaVariant
from cms.services import uploads

DEMO = Path(__file__).resolve().parents[2] / "cms" / "demo"
UPLOAD_BUDGET_S = 2.0
FLAT_RATIO = 2.5  # time per KB at the largest size over the lowest, that still counts as flat


def _prose() -> str:
    return "\n\n".join(path.read_text(encoding="utf-8").split("---", 2)[-1] for path in sorted(DEMO.glob("*.md")))


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _nested_lists() -> str:  # markdown-it drops all that follows past its nesting limit (20: ten list levels)
    return "".join("  " * depth + f"- item at depth {depth}\n" for depth in range(9)) + "\nA paragraph.\n\n"


def _nested_quotes() -> str:
    return "".join(">" * depth + f" quoted at depth {depth}\n" for depth in range(1, 12)) + "\n"


def _table() -> str:
    return "| when | what |\n|:--|--:|\n" + "| Tuesday | a session |\n" * 200 + "\n"


KINDS: dict[str, Callable[[int], str]] = {
    "article prose (the demo site)": _repeat(_prose() + "\n\n"),
    "nested lists, 9 deep": _repeat(_nested_lists()),
    "nested quotes, 11 deep": _repeat(_nested_quotes()),
    "tables of 200 rows": _repeat(_table()),
    '"<b>" * N (unclosed)': _repeat("<b>"),
    '"<p><b title=k>x</p>" (reopened)': lambda size: "".join(f"<p><b title={k}>x</p>\n"
                                                              for k in range(size // 20 + 1))[:size],
}


def render_row(make: Callable[[int], str], sizes: list[int]) -> tuple[list[str], float]:
    cells, rates = [], []
    for kilobytes in sizes:
        body = make(kilobytes * 1024)
        started = time.process_time()
        try:
            rendering.render(body)
            outcome = ""
        except InvalidInput:
            outcome = " refused"
        per_kb = (time.process_time() - started) * 1000 / kilobytes
        rates.append(per_kb)
        cells.append(f"{per_kb:7.2f}{outcome}")
    return cells, rates[-1] / max(min(rates), 0.01)


def _gif(frames: list[Image.Image]) -> bytes:
    output = io.BytesIO()
    frames[0].save(output, format="GIF", save_all=True, append_images=frames[1:], loop=0)
    return output.getvalue()


def _photo(width: int, height: int) -> bytes:
    """A camera-like JPEG: smooth gradients with fine noise, which costs encoders what photographs do."""
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 8)
    output = io.BytesIO()
    Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT))).save(
        output, format="JPEG", quality=88)
    return output.getvalue()


def upload_row(name: str, data: bytes) -> tuple[str, float]:
    """Store `data` as an upload (original, copies and WebP, in a throwaway SQLite database) and time it."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            try:
                stored = uploads.save(io.BytesIO(data), by=None, now=datetime.now(UTC),
                                      max_bytes=Defaults.UPLOAD_MAX_BYTES, max_pixels=Defaults.UPLOAD_MAX_PIXELS,
                                      max_animation_pixels=Defaults.UPLOAD_MAX_ANIMATION_PIXELS)
                kept = sum(len(data) for data in db.session.scalars(select(MediaVariant.data)))
                outcome = (f"kept ({stored.width} x {stored.height}, {len(stored.variants)} copies, "
                           f"{kept / 1024 / 1024:.1f} MB in all)")
            except InvalidInput as error:
                outcome = f"refused: {error}"
            elapsed = time.perf_counter() - started
            db.session.rollback()
            db.engine.dispose()
    print(f"{name:44} {len(data) / 1024 / 1024:5.1f} MB {elapsed:6.2f} s  {outcome}")
    return outcome, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,100,1000", help="body sizes in KB (default 1,10,100,1000)")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    print(f"Rendering, ms of CPU per KB of body (body limit {rendering.MAX_BODY_CHARS:,} characters)")
    print(f"{'':40}" + "".join(f"{f'{size} KB':>16}" for size in sizes) + f"{'largest/lowest':>17}")
    flat = True
    for name, make in KINDS.items():
        cells, ratio = render_row(make, sizes)
        flat &= ratio <= FLAT_RATIO
        print(f"{name:40}" + "".join(f"{cell:>16}" for cell in cells) + f"{ratio:16.1f}x")
    print(f"Per-KB time {'flat' if flat else 'NOT flat'} (within {FLAT_RATIO}x from smallest to largest).\n")
    print(f"Uploads through uploads.save with the default limits (budget {UPLOAD_BUDGET_S:.0f} s each)")
    # Greyscale noise with a real palette: palette-less "P" noise is written by Pillow as one flat colour.
    noise = [Image.frombytes("L", (1000, 1000), os.urandom(1000 * 1000)).convert("P") for _ in range(7)]
    _, kept = upload_row("10 MB animated GIF, 7 frames of 1000 x 1000", _gif(noise))
    stall = [Image.new("P", (2000, 2000), index % 250) for index in range(200)]
    _, refused = upload_row("GIF of 200 frames of 2000 x 2000", _gif(stall))
    _, photo = upload_row("JPEG photo of 6000 x 4000 (24 megapixels)", _photo(6000, 4000))
    within = max(kept, refused, photo) <= UPLOAD_BUDGET_S
    print(f"Uploads {'within' if within else 'OVER'} {UPLOAD_BUDGET_S:.0f} s.")


if __name__ == "__main__":
    main()
