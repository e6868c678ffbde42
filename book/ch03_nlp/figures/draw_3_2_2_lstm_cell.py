"""Draw one step of an LSTM cell: gates and the cell-state path (3.2.2).

Run from the repository root: ``python book/ch03_nlp/figures/
draw_3_2_2_lstm_cell.py [--png /tmp/x.png]``. Writes ``lstm_cell.svg`` next
to this script.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import (  # noqa: E402
    Circle,
    FancyArrowPatch,
    FancyBboxPatch,
)

from helpers import diagrams

HERE = Path(__file__).resolve().parent
INPUT, STATE, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#8C8C8C"


def node(ax, x, y, text, colour, w=1.0, h=0.6, size=12):
    """A rounded box centred at (x, y) with white text."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.1",
            facecolor=colour,
            edgecolor=colour,
            zorder=3,
        )
    )
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        color="white",
        fontsize=size,
        zorder=4,
    )


def operation(ax, x, y, text, r=0.25):
    """A grey circle for a pointwise operation."""
    ax.add_patch(
        Circle((x, y), r, facecolor="white", edgecolor=OPERATION, zorder=3)
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=12, zorder=4)


def line(ax, points, colour="black", arrow_end=True, width=1.4):
    """A polyline through points, with an arrow head on the last segment."""
    xs, ys = zip(*points)
    ax.plot(xs[:-1], ys[:-1], color=colour, linewidth=width, zorder=2)
    ax.plot(xs[-2:], ys[-2:], color=colour, linewidth=width, zorder=2)
    if arrow_end:
        ax.add_patch(
            FancyArrowPatch(
                points[-2],
                points[-1],
                arrowstyle="-|>",
                mutation_scale=13,
                color=colour,
                linewidth=width,
                zorder=2,
            )
        )


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(10, 5.4))
    ax.set_xlim(-0.3, 11.0)
    ax.set_ylim(-0.6, 5.7)
    ax.axis("off")
    ax.add_patch(
        FancyBboxPatch(
            (1.4, 0.7),
            7.4,
            4.5,
            boxstyle="round,pad=0.05,rounding_size=0.3",
            facecolor="#F4F4F4",
            edgecolor="#CCCCCC",
            zorder=0,
        )
    )

    # the cell-state path along the top: one multiply, one add
    top = 4.6
    node(ax, 0.5, top, "$c_{t-1}$", STATE)
    node(ax, 10.2, top, "$c_t$", STATE)
    operation(ax, 3.0, top, "×")
    operation(ax, 4.8, top, "+")
    line(ax, [(1.0, top), (2.75, top)], STATE, width=2.5)
    line(ax, [(3.25, top), (4.55, top)], STATE, width=2.5)
    line(ax, [(5.05, top), (9.7, top)], STATE, width=2.5)
    ax.text(
        5.2,
        top + 0.75,
        "cell state: no weight matrix on this path",
        fontsize=10,
        color=STATE,
    )

    # inputs: h_{t-1} and x_t feed every gate
    bus = 1.3
    node(ax, 0.5, bus, "$h_{t-1}$", STATE)
    node(ax, 2.0, -0.2, "$x_t$", INPUT)
    line(ax, [(1.0, bus), (7.0, bus)], "black", arrow_end=False)
    line(ax, [(2.0, 0.1), (2.0, bus)], INPUT, arrow_end=False)

    # the four gate layers (sigmoid or tanh of W_i x_t + W_h h_{t-1} + b)
    gates = [
        (3.0, "$f_t$ ($\\sigma$)", "forget"),
        (4.2, "$i_t$ ($\\sigma$)", "input"),
        (5.4, "$g_t$ (tanh)", "candidate"),
        (6.9, "$o_t$ ($\\sigma$)", "output"),
    ]
    level = 2.5
    for x, label, name in gates:
        node(ax, x, level, f"{name}\n{label}", OPERATION, 1.1, 0.8, 10)
        line(ax, [(x, bus), (x, level - 0.4)])
    # f multiplies the old cell
    line(ax, [(3.0, level + 0.4), (3.0, top - 0.25)])
    # i * g is added
    operation(ax, 4.8, 3.55, "×")
    line(ax, [(4.2, level + 0.4), (4.2, 3.55), (4.55, 3.55)])
    line(ax, [(5.4, level + 0.4), (5.4, 3.55), (5.05, 3.55)])
    line(ax, [(4.8, 3.8), (4.8, top - 0.25)])
    # h_t = o * tanh(c_t)
    operation(ax, 7.9, 3.55, "tanh", r=0.33)
    operation(ax, 7.9, 2.5, "×")
    line(ax, [(7.9, top), (7.9, 3.88)], STATE)
    line(ax, [(7.9, 3.22), (7.9, 2.75)])
    line(ax, [(7.45, level), (7.65, level)])
    node(ax, 10.2, 1.3, "$h_t$", STATE)
    line(ax, [(7.9, 2.25), (7.9, 1.3), (9.7, 1.3)], STATE)
    node(ax, 10.2, 2.7, "read-out", OUTPUT, w=1.2, size=10)
    line(ax, [(10.2, 1.6), (10.2, 2.4)], OUTPUT)
    ax.text(
        5.1,
        0.85,
        "each gate: its own $W_{i\\cdot} x_t + W_{h\\cdot} h_{t-1} + b$",
        fontsize=9,
        color=OPERATION,
        ha="center",
    )
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "lstm_cell.svg", dpi=70, tight=True)


if __name__ == "__main__":
    main()
