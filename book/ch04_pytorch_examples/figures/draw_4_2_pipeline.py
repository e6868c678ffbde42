"""Draw figure fig-4-2-pipeline: the LSTM text classifier, token to class.

Run from the repository root:
    python book/ch04_pytorch_examples/figures/draw_4_2_pipeline.py [--png x]
It writes classifier_pipeline.svg next to this file (and a PNG, if asked).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from helpers import diagrams

HERE = Path(__file__).resolve().parent
INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7F7F7F"
PADDING = "#BBBBBB"

TOKENS = ["stocks", "fell", "sharply", ".", "<pad>", "<pad>"]
NUM_REAL = 4  # the sentence's length; the rest is padding


def box(ax, x, y, text, color, *, width=1.3, height=0.6, dashed=False,
        fontsize=12, bold=False):  # fmt: skip
    """A rounded box centred at (x, y) with its text inside."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor="white",
            edgecolor=color,
            linewidth=2,
            linestyle="--" if dashed else "-",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize,
            color=color if dashed else "black",
            weight="bold" if bold else "normal")  # fmt: skip


def arrow(ax, start, stop, color="#444444", dashed=False):
    ax.annotate(
        "",
        xy=stop,
        xytext=start,
        arrowprops=dict(
            arrowstyle="-|>",
            color=color,
            lw=1.6,
            linestyle="--" if dashed else "-",
            shrinkA=0,
            shrinkB=0,
        ),
    )


def draw():

    fig, ax = plt.subplots(figsize=(10, 4.3))
    xs = [2.0 * i for i in range(len(TOKENS))]
    for i, (x, token) in enumerate(zip(xs, TOKENS)):
        pad = i >= NUM_REAL
        box(ax, x, 0, token, PADDING if pad else INPUT, dashed=pad)
        box(ax, x, 1.5, "embed", PADDING if pad else OPERATION, dashed=pad)
        box(ax, x, 3, "LSTM", PADDING if pad else HIDDEN, dashed=pad,
            bold=not pad)  # fmt: skip
        color = PADDING if pad else "#444444"
        arrow(ax, (x, 0.3), (x, 1.2), color, dashed=pad)
        arrow(ax, (x, 1.8), (x, 2.7), color, dashed=pad)
        if i > 0:
            arrow(ax, (xs[i - 1] + 0.65, 3), (x - 0.65, 3), color, dashed=pad)
            ax.text((xs[i - 1] + x) / 2, 3.05, f"h{i}\nc{i}", ha="center",
                    va="bottom", fontsize=10, color=color)  # fmt: skip

    note = "packed: the LSTM stops\nat the text's length"
    ax.text(xs[-2] + 1.0, 3.7, note, ha="center", va="bottom", fontsize=11,
            color=OPERATION)  # fmt: skip
    ax.text(-1.2, 0, "tokens\n[B, T]", ha="right", va="center", fontsize=11)
    ax.text(-1.2, 1.5, "embeddings\n[B, T, E]", ha="right", va="center",
            fontsize=11)  # fmt: skip
    ax.text(-1.2, 3, "hidden states\n[B, T, H]", ha="right", va="center",
            fontsize=11)  # fmt: skip

    # the classifier reads the state after the last real token
    last = xs[NUM_REAL - 1]
    arrow(ax, (last, 3.3), (last, 4.75))
    ax.text(last - 0.15, 4.0, "last state h4 [B, H]\n(or the mean of h1 … h4)",
            ha="right", va="center", fontsize=11, color=HIDDEN)  # fmt: skip
    box(ax, last, 5.05, "dropout + linear", OPERATION, width=2.4)
    arrow(ax, (last + 1.2, 5.05), (last + 1.9, 5.05))
    box(ax, last + 2.9, 5.05, "logits [B, 4]", OUTPUT, width=2.0)
    arrow(ax, (last + 3.9, 5.05), (last + 4.6, 5.05))
    box(ax, last + 5.5, 5.05, "Business", OUTPUT, width=1.8, bold=True)

    ax.set_xlim(-3.0, last + 6.6)
    ax.set_ylim(-0.5, 5.6)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "classifier_pipeline.svg", dpi=70)


if __name__ == "__main__":
    main()
