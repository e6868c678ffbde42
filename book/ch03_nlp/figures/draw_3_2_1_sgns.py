"""Draw the schematic of skip-gram with negative sampling (chapter 3.2.1).

Run from the repository root: ``python book/ch03_nlp/figures/
draw_3_2_1_sgns.py [--png /tmp/x.png]``. Writes
``skipgram_negative_sampling.svg`` next to this script.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

from helpers import diagrams

HERE = Path(__file__).resolve().parent
INPUT, STATE, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#8C8C8C"
NEGATIVE = "#C44E52"


def box(ax, x, y, w, h, text, colour, filled=True, size=11, **kwargs):
    """A rounded-free box with centred text; filled boxes get white text."""
    ax.add_patch(
        Rectangle(
            (x, y),
            w,
            h,
            facecolor=colour if filled else "white",
            edgecolor=colour,
            linewidth=1.5,
        )
    )
    ax.text(
        x + w / 2,
        y + h / 2,
        text,
        ha="center",
        va="center",
        fontsize=size,
        color="white" if filled else "black",
        **kwargs,
    )


def arrow(ax, start, end, colour="black", style="-|>", **kwargs):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=12,
            color=colour,
            linewidth=1.3,
            **kwargs,
        )
    )


def table(ax, x, y, name, rows, highlight):
    """An embedding table: a column of rows, some highlighted."""
    w, h = 2.3, 0.32
    ax.text(x + w / 2, y + 0.25, name, ha="center", fontsize=11)
    centres = {}
    for k, word in enumerate(rows):
        top = y - (k + 1) * h
        colour = highlight.get(word)
        ax.add_patch(
            Rectangle(
                (x, top),
                w,
                h,
                facecolor=colour or "white",
                edgecolor="#BBBBBB",
                linewidth=1,
            )
        )
        ax.text(
            x - 0.1, top + h / 2, word, ha="right", va="center", fontsize=10
        )
        centres[word] = (x + w, top + h / 2)
    return centres


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(9.6, 5.6))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 7.2)
    ax.axis("off")

    # the text, the centre word and its window
    words = ["the", "cat", "sat", "on", "the", "mat"]
    colours = {1: OUTPUT, 2: INPUT, 3: OUTPUT}
    for k, word in enumerate(words):
        colour = colours.get(k, OPERATION)
        box(ax, 1.2 + k * 1.35, 6.0, 1.15, 0.55, word, colour, k in colours)
    ax.annotate(
        "",
        xy=(2.55, 6.72),
        xytext=(6.4, 6.72),
        arrowprops=dict(arrowstyle="|-|", color="black", linewidth=1),
    )
    ax.text(
        4.475,
        6.85,
        "window of the centre word (b = 1 on each side)",
        ha="center",
        fontsize=10,
    )
    ax.text(9.6, 6.27, "text", ha="left", va="center", fontsize=11)

    # the noise distribution
    ax.text(
        9.6,
        5.2,
        "K noise words\n$n_k \\sim P_n(w) \\propto \\mathrm{count}(w)^{3/4}$",
        ha="left",
        va="center",
        fontsize=10,
        color=NEGATIVE,
    )

    # the two tables
    vocabulary = ["the", "cat", "sat", "king", "of", "night", "..."]
    centre_rows = table(
        ax, 1.0, 4.5, "centre table V  (V x D)", vocabulary, {"sat": INPUT}
    )
    context_rows = table(
        ax,
        5.3,
        4.5,
        "context table U  (V x D)",
        vocabulary,
        {"cat": OUTPUT, "king": NEGATIVE, "of": NEGATIVE, "night": NEGATIVE},
    )
    arrow(ax, (4.475, 5.95), (2.2, 4.55), INPUT)
    arrow(ax, (3.125, 5.95), (6.4, 4.55), OUTPUT)
    arrow(ax, (9.5, 5.0), (7.7, 3.0), NEGATIVE)

    # scores: one positive and K negative pairs
    pairs = [
        ("cat", OUTPUT, "1  (real)"),
        ("king", NEGATIVE, "0  (noise)"),
        ("of", NEGATIVE, "0  (noise)"),
        ("night", NEGATIVE, "0  (noise)"),
    ]
    for k, (word, colour, label) in enumerate(pairs):
        y = 3.7 - k * 0.72
        box(
            ax,
            8.5,
            y - 0.27,
            1.55,
            0.54,
            f"$u_{{\\mathrm{{{word}}}}}^\\top v_{{\\mathrm{{sat}}}}$",
            OPERATION,
            False,
            size=10,
        )
        arrow(ax, context_rows[word], (8.5, y), colour)
        arrow(ax, (10.05, y), (10.5, y))
        ax.text(10.55, y, "$\\sigma$  vs " + label, va="center", fontsize=10)
    # the centre vector goes into every score
    sat = centre_rows["sat"]
    ax.plot([sat[0], 3.9, 3.9], [sat[1], sat[1], 0.55], color=INPUT, lw=1.3)
    ax.plot([3.9, 8.1], [0.55, 0.55], color=INPUT, lw=1.3)
    ax.plot([8.1, 8.1], [0.55, 3.7], color=INPUT, lw=1.3)
    for k in range(len(pairs)):
        arrow(ax, (8.1, 3.7 - k * 0.72), (8.5, 3.7 - k * 0.72 - 0.12), INPUT)
    ax.text(4.0, 0.7, "$v_{\\mathrm{sat}}$", color=INPUT, fontsize=11)
    ax.text(
        6.0,
        0.1,
        "loss = $-\\log\\sigma(u_o^\\top v_c)"
        " - \\sum_k \\log\\sigma(-u_{n_k}^\\top v_c)$",
        ha="center",
        fontsize=11,
    )
    return fig


def main() -> None:
    diagrams.main(
        draw, HERE / "skipgram_negative_sampling.svg", dpi=80, tight=True
    )


if __name__ == "__main__":
    main()
