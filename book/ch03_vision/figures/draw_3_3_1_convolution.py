"""Draw convolution.svg, a kernel sliding over an image, for chapter 3.3.1.

Run from the repository root:
``python book/ch03_vision/figures/draw_3_3_1_convolution.py [--png x.png]``.
"""

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, Rectangle

from helpers import diagrams

INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7F7F7F"
HERE = Path(__file__).resolve().parent
CELL = 0.5  # side of one pixel in data units


def grid(ax, left, bottom, size, colour):
    """A size x size grid of pixels; returns a function (row, col) -> (x, y).

    Row 0 is the top row; (x, y) is the lower-left corner of the pixel.
    """
    for row in range(size):
        for col in range(size):
            ax.add_patch(
                Rectangle(
                    (left + col * CELL, bottom + (size - 1 - row) * CELL),
                    CELL,
                    CELL,
                    facecolor=(*to_rgb(colour), 0.12),
                    edgecolor=colour,
                    linewidth=0.8,
                )
            )
    return lambda row, col: (
        left + col * CELL,
        bottom + (size - 1 - row) * CELL,
    )


def region(ax, corner, rows, cols, colour, fill, width=2.5, style="-"):
    """Outline (and optionally fill) a block of pixels from a corner."""
    x, y = corner
    ax.add_patch(
        Rectangle(
            (x, y - (rows - 1) * CELL),
            cols * CELL,
            rows * CELL,
            facecolor=(*to_rgb(colour), fill),
            edgecolor=colour,
            linewidth=width,
            linestyle=style,
        )
    )


def arrow(ax, start, end, colour="#333333"):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=14,
            color=colour,
            linewidth=1.3,
            shrinkA=3,
            shrinkB=3,
        )
    )


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(9.6, 4.3))
    fig.subplots_adjust(0, 0, 1, 1)
    ax.set_xlim(-0.2, 13.0)
    ax.set_ylim(-1.2, 4.1)
    ax.set_aspect("equal")
    ax.axis("off")

    # input 7x7, feature map 1 5x5, feature map 2 3x3, bottoms aligned
    x_in = grid(ax, 0.0, 0.0, 7, INPUT)
    x_1 = grid(ax, 5.6, 0.5, 5, HIDDEN)
    x_2 = grid(ax, 10.4, 1.0, 3, OUTPUT)

    # receptive field of the centre output of layer 2: rows 1-5 of input
    region(ax, x_in(1, 1), 5, 5, HIDDEN, 0.0, width=2.0, style="--")
    # one 3x3 window of the input and the feature-map pixel it makes
    region(ax, x_in(1, 1), 3, 3, HIDDEN, 0.35)
    region(ax, x_1(1, 1), 1, 1, HIDDEN, 0.75, width=1.5)
    # the 3x3 window of feature map 1 read by the centre of layer 2
    region(ax, x_1(1, 1), 3, 3, OUTPUT, 0.0, width=2.5)
    region(ax, x_2(1, 1), 1, 1, OUTPUT, 0.75, width=1.5)

    # from the right edge of each window to the pixel it makes
    arrow(ax, (2.0, 2.25), (6.1, 2.25))
    arrow(ax, (7.6, 1.75), (10.9, 1.75))
    ax.text(
        4.0,
        2.35,
        "3×3 kernel W",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    ax.text(
        9.25,
        1.85,
        "3×3 kernel W′",
        ha="center",
        va="bottom",
        fontsize=10,
    )

    ax.text(1.75, 3.75, "input X (7×7)", ha="center", fontsize=11)
    ax.text(6.85, 3.25, "feature map 1 (5×5)", ha="center", fontsize=11)
    ax.text(11.15, 2.75, "feature map 2 (3×3)", ha="center", fontsize=11)

    ax.text(
        0.0,
        -0.5,
        "solid: the 3×3 window one pixel of map 1 reads\n"
        "dashed: the 5×5 receptive field of the centre of map 2",
        ha="left",
        va="top",
        fontsize=9.5,
        color="#333333",
    )
    ax.text(
        5.6,
        -0.5,
        "the same kernel W slides over every position\n"
        "(stride 1, no padding): local and shared weights",
        ha="left",
        va="top",
        fontsize=9.5,
        color="#333333",
    )
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "convolution.svg", dpi=73)


if __name__ == "__main__":
    main()
