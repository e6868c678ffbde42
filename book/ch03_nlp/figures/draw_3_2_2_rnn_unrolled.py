"""Draw a recurrent network, folded and unrolled over time (chapter 3.2.2).

Run from the repository root: ``python book/ch03_nlp/figures/
draw_3_2_2_rnn_unrolled.py [--png /tmp/x.png]``. Writes ``rnn_unrolled.svg``
next to this script.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from helpers import diagrams

HERE = Path(__file__).resolve().parent
INPUT, STATE, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#8C8C8C"


def node(ax, x, y, text, colour, w=0.9, h=0.6):
    """A rounded box centred at (x, y) with white text."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=colour,
            edgecolor=colour,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=12)


def arrow(ax, start, end, label=None, offset=(0.0, 0.0), **kwargs):
    """An arrow from start to end with an optional label at its middle."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=13,
            color="black",
            linewidth=1.3,
            **kwargs,
        )
    )
    if label:
        ax.text(
            (start[0] + end[0]) / 2 + offset[0],
            (start[1] + end[1]) / 2 + offset[1],
            label,
            ha="center",
            va="center",
            fontsize=10,
            color=OPERATION,
        )


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(10, 3.8))
    ax.set_xlim(-0.2, 11.2)
    ax.set_ylim(-0.3, 4.0)
    ax.axis("off")

    # folded: one cell with a loop
    node(ax, 0.8, 0.4, "$x_t$", INPUT)
    node(ax, 0.8, 1.8, "$h_t$", STATE)
    node(ax, 0.8, 3.2, "$z_t$", OUTPUT)
    arrow(ax, (0.8, 0.7), (0.8, 1.5), "$W_{xh}$", (-0.45, 0))
    arrow(ax, (0.8, 2.1), (0.8, 2.9), "$W_{hy}$", (-0.45, 0))
    arrow(
        ax,
        (1.25, 1.95),
        (1.25, 1.65),
        connectionstyle="arc,angleA=0,angleB=0,armA=30,armB=30,rad=10",
    )
    ax.text(1.95, 2.3, "$W_{hh}$", fontsize=10, color=OPERATION, va="center")
    ax.text(2.75, 1.8, "=", fontsize=22, ha="center", va="center")

    # unrolled over four steps, h_0 = 0 on the left
    node(ax, 3.6, 1.8, "$h_0 = 0$", STATE, w=1.1)
    xs = [5.3, 7.0, 8.7, 10.4]
    previous = (4.15, 1.8)
    for t, x in enumerate(xs, start=1):
        node(ax, x, 0.4, f"$x_{t}$", INPUT)
        node(ax, x, 1.8, f"$h_{t}$", STATE)
        node(ax, x, 3.2, f"$z_{t}$", OUTPUT)
        arrow(ax, (x, 0.7), (x, 1.5), "$W_{xh}$", (-0.42, 0))
        arrow(ax, (x, 2.1), (x, 2.9), "$W_{hy}$", (-0.42, 0))
        arrow(ax, previous, (x - 0.45, 1.8), "$W_{hh}$", (0, 0.22))
        previous = (x + 0.45, 1.8)
    ax.text(
        7.85,
        -0.2,
        "the same weights at every step",
        ha="center",
        fontsize=10,
        color=OPERATION,
    )
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "rnn_unrolled.svg", dpi=70, tight=True)


if __name__ == "__main__":
    main()
