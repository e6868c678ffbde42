"""What the scripts that draw the book's schematic figures share.

Each ``book/<chapter>/figures/draw_*.py`` defines ``draw() -> Figure`` and
ends with ``diagrams.main(draw, HERE / "name.svg")``: the SVG is written with
text kept as text and no date or random ids, so drawing it again gives the
same file, and ``--png PATH`` also writes a PNG to look at.
"""

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, scales cleanly
    "svg.hashsalt": "course",  # the same element ids on every run
    # DejaVu Sans (matplotlib's own font, which sets the layout) and, in the
    # SVG, a list of fallbacks for a browser without it
    "font.family": "sans-serif",
}


def save(
    fig: Figure,
    svg: str | Path,
    png: str | Path | None = None,
    *,
    dpi: float = 75,
    tight: bool = False,
) -> Path:
    """Write ``fig`` to ``svg`` (no date), and to ``png`` if given."""
    svg = Path(svg)
    if svg.suffix != ".svg":
        raise ValueError(f"expected a path ending in .svg, got {svg}")
    extra = {"bbox_inches": "tight"} if tight else {}
    with plt.rc_context(STYLE):
        fig.savefig(svg, metadata={"Date": None}, **extra)
        if png is not None:
            fig.savefig(png, dpi=dpi, **extra)
    return svg


def main(
    draw: Callable[[], Figure],
    svg: str | Path,
    *,
    dpi: float = 75,
    tight: bool = False,
    argv: Sequence[str] | None = None,
) -> Path:
    """The command line of a figure script: draw, write the SVG (and --png)."""
    parser = argparse.ArgumentParser(description=f"Write {Path(svg).name}.")
    parser.add_argument("--png", help="also write a PNG to this path")
    args = parser.parse_args(argv)
    with plt.rc_context(STYLE):
        fig = draw()
    out = save(fig, svg, args.png, dpi=dpi, tight=tight)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return out
