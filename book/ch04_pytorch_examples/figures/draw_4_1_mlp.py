"""Draw figure fig-4-1-mlp: the survey's 784-128-64-10 network.

Run from the repository root:
    python book/ch04_pytorch_examples/figures/draw_4_1_mlp.py [--png x.png]
It writes mlp.svg next to this file (and a PNG to look at, if asked).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import diagrams

HERE = Path(__file__).resolve().parent
INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7F7F7F"


def column(ax, x, shown, color, gap=None):
    """Draw `shown` node slots from height 4.5 down to 0.5.

    The slot `gap` holds a vertical ellipsis instead of a node. Returns the
    centres of the nodes drawn.
    """
    spacing = 4.0 / max(shown - 1, 1)
    centres = []
    for i in range(shown):
        y = 4.5 - i * spacing
        if i == gap:
            ax.text(x, y, "⋮", ha="center", va="center", fontsize=16)
            continue
        ax.add_patch(plt.Circle((x, y), 0.13, color=color, zorder=3))
        centres.append((x, y))
    return centres


def connect(ax, left, right):
    """Join every node of `left` to every node of `right` (one SVG path)."""
    xs, ys = [], []
    for x0, y0 in left:
        for x1, y1 in right:
            xs += [x0, x1, float("nan")]
            ys += [y0, y1, float("nan")]
    ax.plot(xs, ys, color="#BBBBBB", lw=0.5, zorder=1)


def label(ax, x, y, title, detail, color):
    """A bold title with a smaller detail line under it."""
    ax.text(x, y, title, ha="center", fontsize=12, color=color, weight="bold")
    ax.text(x, y - 0.35, detail, ha="center", va="top", fontsize=10)


def draw():

    fig, ax = plt.subplots(figsize=(10, 5.4))
    xs = [1.0, 3.8, 6.6, 9.4]
    layers = [
        column(ax, xs[0], 11, INPUT, gap=5),
        column(ax, xs[1], 9, HIDDEN, gap=4),
        column(ax, xs[2], 7, HIDDEN, gap=3),
        column(ax, xs[3], 10, OUTPUT),
    ]
    for left, right in zip(layers, layers[1:]):
        connect(ax, left, right)
    for digit, (x, y) in enumerate(layers[3]):
        ax.text(x + 0.25, y, str(digit), va="center", fontsize=10)

    label(ax, xs[0], 5.45, "input x", "784 = 28×28 pixels", INPUT)
    label(ax, xs[1], 5.45, "hidden h1", "128 units", HIDDEN)
    label(ax, xs[2], 5.45, "hidden h2", "64 units", HIDDEN)
    label(ax, xs[3], 5.45, "logits z", "one per digit", OUTPUT)

    operations = [
        ("fc1 + ReLU", "784·128 + 128\n= 100,480"),
        ("fc2 + ReLU", "128·64 + 64\n= 8,256"),
        ("fc3", "64·10 + 10\n= 650"),
    ]
    for x0, x1, (name, count) in zip(xs, xs[1:], operations):
        ax.text((x0 + x1) / 2, -0.1, name, ha="center", fontsize=11,
                color=OPERATION, weight="bold")  # fmt: skip
        ax.text((x0 + x1) / 2, -0.45, count, ha="center", va="top",
                fontsize=10, color=OPERATION)  # fmt: skip
    ax.text(5.2, -1.7, "109,386 parameters in all", ha="center", fontsize=11)

    ax.set_xlim(0.0, 10.4)
    ax.set_ylim(-2.0, 5.8)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "mlp.svg", dpi=70)


if __name__ == "__main__":
    main()
