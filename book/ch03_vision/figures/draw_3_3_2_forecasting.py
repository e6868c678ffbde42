"""Draw forecasting.svg, windows and the unrolled forecaster, for 3.3.2.

Run from the repository root:
``python book/ch03_vision/figures/draw_3_3_2_forecasting.py [--png x.png]``.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from helpers import diagrams

INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7F7F7F"
HERE = Path(__file__).resolve().parent


def arrow(ax, start, end, colour="#333333"):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=13,
            color=colour,
            linewidth=1.3,
            shrinkA=2,
            shrinkB=2,
        )
    )


def node(ax, x, y, text, colour, width=0.9, height=0.62):
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=(*to_rgb(colour), 0.2),
            edgecolor=colour,
            linewidth=1.5,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def draw_series(ax) -> None:
    """Top panel: a series, one input window and its target."""
    rng = np.random.default_rng(3)
    days = np.arange(40)
    values = 10 + 4 * np.sin(days / 6) + rng.normal(0, 0.9, len(days))
    start, window = 14, 10
    target = start + window
    ax.plot(days, values, color="#333333", lw=1.0, marker="o", ms=3)
    ax.add_patch(
        Rectangle(
            (start - 0.5, values.min() - 1),
            window,
            np.ptp(values) + 2,
            facecolor=(*to_rgb(INPUT), 0.15),
            edgecolor=INPUT,
            linewidth=1.5,
        )
    )
    ax.plot(days[start:target], values[start:target], "o", color=INPUT, ms=5)
    ax.plot(target, values[target], "o", color=OUTPUT, ms=9)
    ax.text(
        start + window / 2 - 0.5,
        values.max() + 1.4,
        "input window: the last L values  y(t−L), …, y(t−1)",
        ha="center",
        fontsize=10.5,
        color=INPUT,
    )
    ax.annotate(
        "target y(t):\nhorizon 1 day",
        (target, values[target]),
        xytext=(target + 4, values.max() - 0.8),
        fontsize=10.5,
        color=OUTPUT,
        arrowprops=dict(arrowstyle="-|>", color=OUTPUT),
    )
    ax.annotate(
        "",
        (start + 3.5, values.min() - 1.9),
        xytext=(start - 0.5, values.min() - 1.9),
        arrowprops=dict(arrowstyle="-|>", color=OPERATION),
    )
    ax.text(
        start + 4.0,
        values.min() - 1.9,
        "next pair: slide by one day",
        va="center",
        fontsize=9.5,
        color=OPERATION,
    )
    ax.set_ylim(values.min() - 2.6, values.max() + 2.4)
    ax.set_xlim(-1, 40)
    ax.set_xlabel("day")
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def draw_unrolled(ax) -> None:
    """Bottom panel: the recurrent forecaster unrolled over one window."""
    ax.set_xlim(-0.3, 12.7)
    ax.set_ylim(-0.5, 2.6)
    ax.axis("off")
    inputs = ["y(t−L)", "y(t−L+1)", None, "y(t−1)"]
    xs = [1.5, 3.5, 5.5, 7.5]
    for x, label in zip(xs, inputs):
        if label is None:
            ax.text(x, 1.7, "…", ha="center", va="center", fontsize=16)
            ax.text(x, 0.2, "…", ha="center", va="center", fontsize=16)
            continue
        node(ax, x, 0.2, label, INPUT, width=1.5)
        node(ax, x, 1.7, "cell", HIDDEN, width=1.1)
        arrow(ax, (x, 0.52), (x, 1.38))
    ax.text(-0.25, 1.7, "h(0) = 0", va="center", fontsize=10)
    arrow(ax, (0.6, 1.7), (0.95, 1.7))
    for left, right in zip(xs, xs[1:]):
        arrow(ax, (left + 0.55, 1.7), (right - 0.55, 1.7))
    ax.text(2.5, 1.85, "h(1)", fontsize=10, ha="center", va="bottom")
    node(ax, 9.7, 1.7, "linear", OPERATION, width=1.2)
    arrow(ax, (8.05, 1.7), (9.1, 1.7))
    ax.text(8.55, 1.85, "h(L)", fontsize=10, ha="center", va="bottom")
    node(ax, 11.8, 1.7, "ŷ(t)", OUTPUT, width=1.2)
    arrow(ax, (10.3, 1.7), (11.2, 1.7))
    ax.text(
        9.9,
        0.6,
        "the same weights at every step;\nonly the last state is read out",
        ha="center",
        va="center",
        fontsize=9.5,
        color="#333333",
    )


def draw() -> plt.Figure:
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(9.6, 5.6), gridspec_kw=dict(height_ratios=[1.25, 1])
    )
    draw_series(top)
    draw_unrolled(bottom)
    fig.subplots_adjust(left=0.03, right=0.98, top=0.97, bottom=0.02)
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "forecasting.svg", dpi=73)


if __name__ == "__main__":
    main()
