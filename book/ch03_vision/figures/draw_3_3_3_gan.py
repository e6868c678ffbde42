"""Draw gan.svg, the two players of a GAN, for chapter 3.3.3.

Run from the repository root:
``python book/ch03_vision/figures/draw_3_3_3_gan.py [--png /tmp/x.png]``.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from helpers import diagrams

INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7F7F7F"
HERE = Path(__file__).resolve().parent


def box(ax, x, y, width, height, text, colour, fill=0.18, size=11):
    """A rounded box centred at (x, y) with a label."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=(*plt.matplotlib.colors.to_rgb(colour), fill),
            edgecolor=colour,
            linewidth=1.6,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=size)


def arrow(ax, start, end, colour="#333333", style="-|>", dashed=False):
    """An arrow from start to end."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=14,
            color=colour,
            linewidth=1.4,
            linestyle=(0, (4, 3)) if dashed else "-",
            shrinkA=2,
            shrinkB=2,
        )
    )


def digit(noise: float, seed: int) -> np.ndarray:
    """A 14x14 picture of a ring (a "0"), with some pixel noise."""
    yy, xx = np.mgrid[-1:1:14j, -1:1:14j]
    radius = np.hypot(xx / 0.7, yy)
    image = np.exp(-(((radius - 0.7) / 0.18) ** 2))
    rng = np.random.default_rng(seed)
    return np.clip(image + noise * rng.standard_normal(image.shape), 0, 1)


def image(fig, ax, x, y, picture, colour):
    """Show a small greyscale picture centred at data point (x, y)."""
    to_figure = ax.transData + fig.transFigure.inverted()
    (left, bottom), (right, top) = to_figure.transform(
        [(x - 0.45, y - 0.45), (x + 0.45, y + 0.45)]
    )
    inset = fig.add_axes((left, bottom, right - left, top - bottom))
    inset.imshow(picture, cmap="gray", vmin=0, vmax=1)
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor(colour)
        spine.set_linewidth(2)


def draw() -> plt.Figure:
    fig = plt.figure(figsize=(9.6, 4.4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 5.5)
    ax.axis("off")

    # generator path (top)
    box(ax, 0.95, 4.0, 1.6, 0.9, "noise z\n~ N(0, I)", INPUT)
    box(ax, 3.2, 4.0, 1.8, 0.9, "generator G\n(transposed convs)", HIDDEN)
    image(fig, ax, 5.3, 4.0, digit(0.35, 1), HIDDEN)
    ax.text(5.3, 3.3, "fake image G(z)", ha="center", fontsize=10)
    arrow(ax, (1.75, 4.0), (2.3, 4.0))
    arrow(ax, (4.1, 4.0), (4.8, 4.0))

    # real data (bottom)
    image(fig, ax, 5.3, 1.5, digit(0.0, 0), INPUT)
    ax.text(5.3, 0.8, "real image x ~ data", ha="center", fontsize=10)

    # discriminator
    box(ax, 7.6, 2.75, 1.9, 0.9, "discriminator D\n(strided convs)", HIDDEN)
    arrow(ax, (5.8, 4.0), (6.8, 3.2))
    arrow(ax, (5.8, 1.5), (6.8, 2.3))
    box(
        ax,
        10.3,
        2.75,
        2.5,
        0.9,
        "D(·) in (0, 1):\nprobability of 'real'",
        OUTPUT,
    )
    arrow(ax, (8.55, 2.75), (9.05, 2.75))

    # the two losses
    box(
        ax,
        10.0,
        4.85,
        3.6,
        0.8,
        "G minimises  −log D(G(z))\n(non-saturating loss)",
        OPERATION,
        fill=0.12,
        size=10,
    )
    box(
        ax,
        9.9,
        0.65,
        4.1,
        0.8,
        "D minimises  −log D(x) − log(1 − D(G(z)))\n(real → 1, fake → 0)",
        OPERATION,
        fill=0.12,
        size=10,
    )
    arrow(ax, (10.3, 3.2), (10.3, 4.45))
    arrow(ax, (10.3, 2.3), (10.3, 1.05))
    # gradients: loss_G flows back through D into G; loss_D into D only
    arrow(ax, (8.2, 4.95), (3.2, 4.5), colour=HIDDEN, dashed=True)
    ax.text(
        5.9,
        5.05,
        "gradient of G's loss, through D, updates G",
        ha="center",
        fontsize=9,
        color=HIDDEN,
    )
    arrow(ax, (7.85, 0.65), (7.5, 2.3), colour=HIDDEN, dashed=True)
    ax.text(
        7.0,
        0.3,
        "updates D",
        ha="center",
        fontsize=9,
        color=HIDDEN,
    )
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "gan.svg", dpi=73)


if __name__ == "__main__":
    main()
