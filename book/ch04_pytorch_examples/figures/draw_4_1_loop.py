"""Draw figure fig-4-1-loop: the training loop as a cycle.

Run from the repository root:
    python book/ch04_pytorch_examples/figures/draw_4_1_loop.py [--png x.png]
It writes training_loop.svg next to this file (and a PNG, if asked).
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from helpers import diagrams

HERE = Path(__file__).resolve().parent
INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7F7F7F"

# (title, code, colour): the five stages of one step, clockwise from the top
STAGES = [
    ("batch", "images, labels\nfrom train_loader", INPUT),
    ("forward", "logits = model(images)", OPERATION),
    ("loss", "loss = F.cross_entropy(\n    logits, labels)", OUTPUT),
    ("backward", "optimizer.zero_grad()\nloss.backward()", OPERATION),
    ("optimizer step", "optimizer.step()\nupdates the weights", HIDDEN),
]


def draw():

    fig, ax = plt.subplots(figsize=(10, 6.2))
    width, height = 3.3, 1.25
    centres = []
    for k, (title, code, color) in enumerate(STAGES):
        angle = math.pi / 2 - 2 * math.pi * k / len(STAGES)
        x, y = 4.2 * math.cos(angle), 2.35 * math.sin(angle)
        centres.append((x, y))
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.05,rounding_size=0.2",
                facecolor="white",
                edgecolor=color,
                linewidth=2.5,
            )
        )
        ax.text(x, y + 0.33, title, ha="center", va="center", fontsize=13,
                color=color, weight="bold")  # fmt: skip
        ax.text(x, y - 0.2, code, ha="center", va="center", fontsize=10,
                family="DejaVu Sans Mono")  # fmt: skip

    for k, (x0, y0) in enumerate(centres):
        x1, y1 = centres[(k + 1) % len(centres)]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        # leave the boxes: start and stop short of the centres
        shrink = 0.5 * min(width / abs(dx or 1e-9), height / abs(dy or 1e-9))
        shrink = min(shrink * length, 0.45 * length) + 0.15
        start = (x0 + dx * shrink / length, y0 + dy * shrink / length)
        stop = (x1 - dx * shrink / length, y1 - dy * shrink / length)
        ax.add_patch(
            FancyArrowPatch(
                start,
                stop,
                arrowstyle="-|>",
                mutation_scale=18,
                color="#444444",
                linewidth=1.8,
                connectionstyle="arc3,rad=-0.15",
            )
        )

    ax.text(0, 0.15, "one step", ha="center", fontsize=13, weight="bold")
    ax.text(
        0,
        -0.15,
        "repeated for every batch;\none pass over train_loader\nis one epoch",
        ha="center",
        va="top",
        fontsize=10,
    )
    ax.text(
        0,
        -3.55,
        "after each epoch: accuracy on the test split, "
        "with model.eval() and no gradients",
        ha="center",
        fontsize=11,
        color=OUTPUT,
    )

    ax.set_xlim(-6.0, 6.0)
    ax.set_ylim(-3.8, 3.1)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "training_loop.svg", dpi=70)


if __name__ == "__main__":
    main()
