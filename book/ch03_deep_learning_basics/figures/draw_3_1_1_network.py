"""Draw the layered network of chapter 3.1.1 (network.svg next to this file).

Run from the repository root:
python book/ch03_deep_learning_basics/figures/draw_3_1_1_network.py
Add ``--png /tmp/x.png`` to also write a PNG (no SVG viewer is needed).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import diagrams

INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7f7f7f"
HERE = Path(__file__).resolve().parent


def layer_positions(n: int, x: float) -> list[tuple[float, float]]:
    """Centres of ``n`` units stacked at horizontal position ``x``."""
    return [(x, (i - (n - 1) / 2) * 1.0) for i in range(n)]


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(9.6, 4.6))
    sizes, xs = [3, 4, 4, 2], [0.0, 3.4, 6.8, 10.2]
    colours = [INPUT, HIDDEN, HIDDEN, OUTPUT]
    layers = [layer_positions(n, x) for n, x in zip(sizes, xs)]
    # weights: every unit of layer l-1 feeds every unit of layer l
    for below, above in zip(layers[:-1], layers[1:]):
        for x0, y0 in below:
            for x1, y1 in above:
                ax.plot(
                    [x0 + 0.28, x1 - 0.28],
                    [y0, y1],
                    color=OPERATION,
                    lw=0.8,
                    alpha=0.6,
                    zorder=1,
                )
    for units, colour in zip(layers, colours):
        for x, y in units:
            ax.add_patch(
                plt.Circle((x, y), 0.28, color=colour, ec="black", zorder=2)
            )
    # what each layer holds, above it
    names = [
        "input layer\nh⁽⁰⁾ = x ∈ ℝ³",
        "hidden layer 1\nh⁽¹⁾ ∈ ℝ⁴",
        "hidden layer 2\nh⁽²⁾ ∈ ℝ⁴",
        "output layer\nŷ = h⁽³⁾ ∈ ℝ²",
    ]
    for x, name, colour in zip(xs, names, colours):
        ax.text(
            x, 2.55, name, ha="center", va="center", fontsize=12, color=colour
        )
    # the parameters and the operation of each layer, between the layers
    operations = [
        "W⁽¹⁾: 4×3, b⁽¹⁾: 4\nh⁽¹⁾ = σ(W⁽¹⁾h⁽⁰⁾ + b⁽¹⁾)",
        "W⁽²⁾: 4×4, b⁽²⁾: 4\nh⁽²⁾ = σ(W⁽²⁾h⁽¹⁾ + b⁽²⁾)",
        "W⁽³⁾: 2×4, b⁽³⁾: 2\nŷ = g(W⁽³⁾h⁽²⁾ + b⁽³⁾)",
    ]
    for x0, x1, text in zip(xs[:-1], xs[1:], operations):
        ax.text(
            (x0 + x1) / 2,
            -2.65,
            text,
            ha="center",
            va="center",
            fontsize=11,
            color="black",
            bbox=dict(boxstyle="round", fc="#eeeeee", ec=OPERATION),
        )
    ax.annotate(
        "",
        xy=(10.6, -3.55),
        xytext=(-0.4, -3.55),
        arrowprops=dict(arrowstyle="->", color=OPERATION, lw=1.5),
    )
    ax.text(
        5.1,
        -3.8,
        "forward propagation: each layer transforms the one before it",
        ha="center",
        va="center",
        fontsize=11,
        color=OPERATION,
    )
    ax.set(xlim=(-1.3, 11.5), ylim=(-4.1, 3.1), aspect="equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "network.svg", dpi=80)


if __name__ == "__main__":
    main()
