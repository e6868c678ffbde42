"""Draw one step of GD, heavy ball and Nesterov (momentum.svg, next to this).

The loss is the quadratic f = (theta_1^2 + 10 theta_2^2) / 2, with
lr 0.08 and momentum 0.7 so that every vector is long enough to see.
Run from the repository root:
python book/ch03_deep_learning_basics/figures/draw_3_1_3_momentum.py
Add ``--png /tmp/x.png`` to also write a PNG.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from helpers import diagrams

OPERATION = "#7f7f7f"
GD, HEAVY_BALL, NESTEROV = "#4C72B0", "#DD8452", "#55A868"
HERE = Path(__file__).resolve().parent
CURVATURE = np.array([1.0, 10.0])  # the Hessian's diagonal
LR, BETA = 0.08, 0.7


def gradient(theta: np.ndarray) -> np.ndarray:
    return CURVATURE * theta


def arrow(ax, start, end, colour, lw=2.0, style="-|>", ls="-") -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle=style,
            color=colour,
            lw=lw,
            ls=ls,
            shrinkA=0,
            shrinkB=0,
            mutation_scale=16,
        ),
        zorder=3,
    )


def label(ax, xy, text, colour, **kwargs) -> None:
    ax.text(*xy, text, color=colour, fontsize=11, zorder=4, **kwargs)


def draw() -> plt.Figure:
    previous = np.array([-3.3, 1.0])
    theta = np.array([-2.6, -0.7])
    momentum_term = BETA * (theta - previous)
    lookahead = theta + momentum_term  # y_t, where Nesterov evaluates
    gd_next = theta - LR * gradient(theta)
    heavy_ball_next = lookahead - LR * gradient(theta)
    nesterov_next = lookahead - LR * gradient(lookahead)

    fig, ax = plt.subplots(figsize=(8.0, 7.0))
    grid_x, grid_y = np.meshgrid(
        np.linspace(-4, 1, 300), np.linspace(-2.6, 1.8, 300)
    )
    loss = 0.5 * (CURVATURE[0] * grid_x**2 + CURVATURE[1] * grid_y**2)
    ax.contour(
        grid_x,
        grid_y,
        loss,
        levels=[0.5, 2, 4.5, 8, 12.5, 18],
        colors=OPERATION,
        linewidths=0.7,
        alpha=0.7,
    )
    ax.plot(0, 0, "k*", ms=12)
    label(ax, (0.1, 0.1), "minimum", "black")

    arrow(ax, previous, theta, OPERATION, lw=1.2, ls="--")
    label(ax, (-3.95, 0.15), "previous step\nθₜ − θₜ₋₁", OPERATION)
    arrow(ax, theta, gd_next, GD)
    label(ax, (-2.3, 0.0), "GD: −η∇f(θₜ)", GD)
    arrow(ax, theta, lookahead, OPERATION, lw=1.4, ls=":")
    label(ax, (-3.95, -1.75), "momentum term\nβ(θₜ − θₜ₋₁)", OPERATION)
    # both momentum methods add a gradient step at the look-ahead point y_t;
    # the heavy ball takes it from the old point, Nesterov from y_t
    arrow(ax, lookahead, heavy_ball_next, HEAVY_BALL, lw=1.2)
    arrow(ax, lookahead, nesterov_next, NESTEROV, lw=1.2)
    arrow(ax, theta, heavy_ball_next, HEAVY_BALL, lw=2.4)
    arrow(ax, theta, nesterov_next, NESTEROV, lw=2.4)
    label(
        ax,
        (heavy_ball_next[0] + 0.1, heavy_ball_next[1] - 0.35),
        "heavy ball: y − η∇f(θₜ)",
        HEAVY_BALL,
    )
    label(
        ax,
        (nesterov_next[0] + 0.12, nesterov_next[1] - 0.12),
        "Nesterov: y − η∇f(y)",
        NESTEROV,
    )
    for point, colour in (
        (previous, OPERATION),
        (theta, "black"),
        (lookahead, OPERATION),
    ):
        ax.plot(*point, "o", color=colour, ms=6, zorder=5)
    label(ax, (previous[0] + 0.1, previous[1] + 0.1), "θₜ₋₁", OPERATION)
    label(ax, (theta[0] - 0.35, theta[1] + 0.05), "θₜ", "black")
    label(
        ax,
        (lookahead[0] - 0.2, lookahead[1] - 0.4),
        "y = θₜ + β(θₜ − θₜ₋₁)",
        OPERATION,
    )
    ax.set(
        xlim=(-4.1, 1.1),
        ylim=(-2.7, 1.9),
        aspect="equal",
        xlabel="θ₁ (flat direction)",
        ylabel="θ₂ (steep direction)",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "momentum.svg", dpi=80)


if __name__ == "__main__":
    main()
