"""Draw the schematic of chapter 3.2.3: scaled dot-product attention and
multi-head attention.

Run from the repository root:
``python book/ch03_nlp/figures/draw_3_2_3_attention.py [--png /tmp/x.png]``.
It writes ``multi_head_attention.svg`` next to this file.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from helpers import diagrams

INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#BBBBBB"
HERE = Path(__file__).resolve().parent


def box(ax, x, y, width, height, text, color, *, stack=0, size=10.5):
    """A rounded box centred at (x, y); ``stack`` draws copies behind it."""
    for shift in range(stack, -1, -1):
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2 + 0.8 * shift, y - height / 2 + 0.8 * shift),
                width,
                height,
                boxstyle="round,pad=0.3,rounding_size=0.8",
                facecolor=color,
                edgecolor="black",
                linewidth=1.0,
                alpha=1.0 if color == OPERATION else 0.9,
            )
        )
    light = color in (OPERATION,)
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=size,
        color="black" if light else "white",
    )


def arrow(ax, start, end, **style):
    """An arrow from ``start`` to ``end`` (data coordinates)."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(arrowstyle="-|>", color="black", lw=1.2, **style),
    )


def scaled_dot_product(ax):
    """Left panel: one head, scores -> softmax weights -> weighted values."""
    ax.text(20, 98, "scaled dot-product attention", ha="center", size=12)
    box(ax, 7, 8, 10, 5, "Q  (m × $d_k$)", INPUT, size=9.5)
    box(ax, 20, 8, 10, 5, "K  (n × $d_k$)", INPUT, size=9.5)
    box(ax, 34, 8, 10, 5, "V  (n × $d_v$)", INPUT, size=9.5)
    box(ax, 13.5, 21, 18, 4.5, "scores  $QK^{\\top}$", OPERATION)
    box(ax, 13.5, 32, 18, 4.5, "scale by $1/\\sqrt{d_k}$", OPERATION)
    box(
        ax, 13.5, 43, 18, 4.5, "mask: $-\\infty$ where\nnot allowed", OPERATION
    )
    box(ax, 13.5, 54, 18, 4.5, "softmax per row", OPERATION)
    box(
        ax,
        13.5,
        66,
        20,
        5,
        "weights $\\alpha$  (m × n),\nrows sum to 1",
        HIDDEN,
    )
    box(ax, 24, 79, 18, 4.5, "weighted sum  $\\alpha V$", OPERATION)
    box(ax, 24, 90.5, 18, 4.5, "output  (m × $d_v$)", OUTPUT)
    arrow(ax, (7, 10.8), (11, 18.4))
    arrow(ax, (20, 10.8), (16, 18.4))
    for y in (23.6, 34.6, 45.6):
        arrow(ax, (13.5, y), (13.5, y + 5.8))
    arrow(ax, (13.5, 56.6), (13.5, 63.2))
    arrow(ax, (13.5, 68.8), (20, 76.4))
    arrow(ax, (34, 10.8), (28.5, 76.4))
    arrow(ax, (24, 81.6), (24, 88))


def multi_head(ax):
    """Right panel: h projections, h heads in parallel, concatenation."""
    ax.text(
        75,
        98,
        "multi-head attention: h heads of width d/h",
        ha="center",
        size=12,
    )
    xs = (59, 75, 91)
    names = ("$W^Q_a$", "$W^K_a$", "$W^V_a$")
    for x, name in zip(xs, ("$X_q$", "$X_k$", "$X_v$")):
        box(ax, x, 8, 9, 5, name, INPUT)
    for x, name in zip(xs, names):
        box(ax, x, 24, 10, 5, f"linear {name}", OPERATION, stack=2)
        arrow(ax, (x, 10.8), (x, 21.2))
        arrow(ax, (x, 27.8), (75 + (x - 75) * 0.5, 41.2))
    box(
        ax,
        75,
        45,
        30,
        6,
        "scaled dot-product attention,\nheads a = 1 … h in parallel",
        OPERATION,
        stack=2,
    )
    box(ax, 75, 60, 30, 4.5, "$head_1$ … $head_h$  (each m × d/h)", HIDDEN)
    box(ax, 75, 71, 24, 4.5, "concatenate heads  (m × d)", OPERATION)
    box(ax, 75, 81, 16, 4.5, "linear $W^O$", OPERATION)
    box(ax, 75, 90.5, 28, 4.5, "MultiHead$(X_q, X_k, X_v)$", OUTPUT)
    arrow(ax, (75, 49.8), (75, 57.4))
    arrow(ax, (75, 62.6), (75, 68.4))
    arrow(ax, (75, 73.6), (75, 78.4))
    arrow(ax, (75, 83.6), (75, 88))


def draw():
    fig, ax = plt.subplots(figsize=(10, 6.2))
    ax.set(xlim=(0, 101), ylim=(3, 100))
    ax.axis("off")
    scaled_dot_product(ax)
    multi_head(ax)
    ax.plot([44, 44], [5, 98], color="#DDDDDD", lw=1)
    fig.tight_layout(pad=0.2)
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "multi_head_attention.svg", dpi=70)


if __name__ == "__main__":
    main()
