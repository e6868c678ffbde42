"""Draw the schematic of chapter 3.2.4: the GPT stack and one pre-LayerNorm
Transformer block.

Run from the repository root:
``python book/ch03_nlp/figures/draw_3_2_4_gpt.py [--png /tmp/x.png]``.
It writes ``gpt_block.svg`` next to this file.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Ellipse, FancyBboxPatch, Rectangle  # noqa: E402

from helpers import diagrams

INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#BBBBBB"
HERE = Path(__file__).resolve().parent


def box(ax, x, y, width, height, text, color, *, size=10.5):
    """A rounded box centred at (x, y) with ``text`` in it."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.3,rounding_size=0.8",
            facecolor=color,
            edgecolor="black",
            linewidth=1.0,
        )
    )
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=size,
        color="black" if color == OPERATION else "white",
    )


def arrow(ax, start, end, color="black", lw=1.2):
    """An arrow from ``start`` to ``end`` (data coordinates)."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(arrowstyle="-|>", color=color, lw=lw),
    )


def plus(ax, x, y):
    """The residual addition: a circled plus on the stream."""
    ax.add_patch(
        Ellipse((x, y), 2.6, 3.6, facecolor="white", edgecolor="black")
    )
    ax.text(x, y, "+", ha="center", va="center", fontsize=12)


def stack(ax):
    """Left panel: embeddings, L blocks, final LayerNorm, tied output."""
    ax.text(19, 98, "GPT: the whole model", ha="center", size=12)
    box(ax, 19, 6, 24, 4.5, "token ids $x_1 \\dots x_T$", INPUT)
    box(ax, 11, 17, 13, 4.5, "token emb. $E$", OPERATION, size=9.5)
    box(ax, 27, 17, 13, 4.5, "position emb. $P$", OPERATION, size=9.5)
    arrow(ax, (15, 8.6), (11.5, 14.4))
    arrow(ax, (23, 8.6), (26.5, 14.4))
    plus(ax, 19, 26)
    arrow(ax, (11, 19.6), (17.6, 25))
    arrow(ax, (27, 19.6), (20.4, 25))
    ax.text(
        16.5, 31, "residual stream $h^{(0)}$", ha="right", size=9, color=HIDDEN
    )
    box(ax, 19, 38, 20, 4.5, "block 1", HIDDEN)
    ax.text(19, 46.5, "⋮", ha="center", va="center", size=14)
    box(ax, 19, 55, 20, 4.5, "block L", HIDDEN)
    box(ax, 19, 66, 20, 4.5, "final LayerNorm", OPERATION)
    box(ax, 19, 77, 24, 4.5, "linear $E^{\\top}$ (tied to $E$)", OPERATION)
    box(
        ax,
        19,
        89,
        28,
        5,
        "next-token logits $z_t$\nsoftmax: $p(x_{t+1})$",
        OUTPUT,
    )
    arrow(ax, (19, 27.6), (19, 35.4))
    arrow(ax, (19, 40.6), (19, 44))
    arrow(ax, (19, 49), (19, 52.4))
    for y in (57.6, 68.6):
        arrow(ax, (19, y), (19, y + 5.8))
    arrow(ax, (19, 79.6), (19, 86.2))
    # block 1 is drawn in detail on the right
    for y_left, y_right in ((40.3, 96), (35.7, 3)):
        ax.plot([29.3, 44], [y_left, y_right], color="#999999", ls="--", lw=1)


def mask_icon(ax, x0, y0, cell=1.1, n=6):
    """A small causal mask: filled where position t may attend to s <= t."""
    for t in range(n):
        for s in range(n):
            ax.add_patch(
                Rectangle(
                    (x0 + s * cell, y0 + (n - 1 - t) * cell),
                    cell,
                    cell,
                    facecolor=HIDDEN if s <= t else "white",
                    edgecolor="#777777",
                    linewidth=0.4,
                )
            )
    ax.text(x0 + n * cell / 2, y0 - 1.8, "causal mask", ha="center", size=8.5)


def block(ax):
    """Right panel: pre-LN block, two sub-layers added to the stream."""
    ax.text(72, 98, "one pre-LayerNorm block", ha="center", size=12)
    x_stream, x_branch = 55, 79
    ax.plot([x_stream, x_stream], [4, 92], color=HIDDEN, lw=4, zorder=0)
    ax.text(x_stream - 1.5, 5, "h", ha="right", size=11, color=HIDDEN)
    ax.text(
        x_stream - 1.5,
        30,
        "residual\nstream",
        ha="right",
        size=9.5,
        color=HIDDEN,
    )
    arrow(ax, (x_stream, 92), (x_stream, 95.5), color=HIDDEN, lw=2)
    ax.text(x_stream + 2, 94.5, "h′ (to the next block)", size=9.5)
    # attention sub-layer
    ax.plot([x_stream, x_branch], [8, 8], color="black", lw=1.2)
    arrow(ax, (x_branch, 8), (x_branch, 12.4))
    box(ax, x_branch, 15, 14, 4.5, "LayerNorm 1", OPERATION)
    box(
        ax,
        x_branch,
        28,
        26,
        7,
        "causal multi-head\nself-attention ($n_h$ heads)",
        OPERATION,
    )
    arrow(ax, (x_branch, 17.6), (x_branch, 24.2))
    plus(ax, x_stream, 42)
    ax.plot([x_branch, x_branch], [31.8, 42], color="black", lw=1.2)
    arrow(ax, (x_branch, 42), (x_stream + 1.8, 42))
    ax.text(x_stream + 3, 44, "a", size=11)
    mask_icon(ax, 93.5, 24.5)
    # MLP sub-layer
    ax.plot([x_stream, x_branch], [49, 49], color="black", lw=1.2)
    arrow(ax, (x_branch, 49), (x_branch, 52.4))
    box(ax, x_branch, 55, 14, 4.5, "LayerNorm 2", OPERATION)
    box(ax, x_branch, 64.5, 20, 4.5, "linear $d \\to 4d$", OPERATION)
    box(ax, x_branch, 73.5, 10, 4.5, "GELU", OPERATION)
    box(ax, x_branch, 82.5, 20, 4.5, "linear $4d \\to d$", OPERATION)
    for y in (57.6, 67.1, 76.1):
        arrow(ax, (x_branch, y), (x_branch, y + 4.2))
    ax.text(
        x_branch + 13,
        73.5,
        "MLP: the\nsame at\nevery\nposition",
        va="center",
        size=9,
    )
    plus(ax, x_stream, 90)
    ax.plot([x_branch, x_branch], [85.1, 90], color="black", lw=1.2)
    arrow(ax, (x_branch, 90), (x_stream + 1.8, 90))


def draw():
    fig, ax = plt.subplots(figsize=(10, 6.6))
    ax.set(xlim=(0, 102), ylim=(1, 100))
    ax.axis("off")
    stack(ax)
    block(ax)
    fig.tight_layout(pad=0.2)
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "gpt_block.svg", dpi=70)


if __name__ == "__main__":
    main()
