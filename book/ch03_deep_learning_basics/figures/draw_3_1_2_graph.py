"""Draw chapter 3.1.2's computational graph (graph.svg next to this file).

The graph is the chapter's small example, u = w x + b, h = tanh u,
L = (h - t)^2 + lambda w^2, with the same numbers as its code cell.
Run from the repository root:
python book/ch03_deep_learning_basics/figures/draw_3_1_2_graph.py
Add ``--png /tmp/x.png`` to also write a PNG.
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import diagrams

INPUT, HIDDEN, OUTPUT, OPERATION = "#4C72B0", "#DD8452", "#55A868", "#7f7f7f"
GRADIENT = "#C44E52"
HERE = Path(__file__).resolve().parent


def values() -> dict[str, float]:
    """Forward values and gradients of the example (as in the notebook)."""
    x, w, b, t, lam = 1.5, 0.8, -0.3, 0.2, 0.1
    u = w * x + b
    h = math.tanh(u)
    e, r = (h - t) ** 2, lam * w**2
    h_bar = 2 * (h - t)
    u_bar = h_bar * (1 - h**2)
    return dict(
        x=x,
        w=w,
        b=b,
        t=t,
        lam=lam,
        u=u,
        h=h,
        e=e,
        r=r,
        L=e + r,
        h_bar=h_bar,
        u_bar=u_bar,
        w_bar=u_bar * x + 2 * lam * w,
    )


def node(ax, xy, text, colour, gradient=None) -> None:
    """A box with the node's forward value, and its gradient below."""
    ax.text(
        *xy,
        text,
        ha="center",
        va="center",
        fontsize=11,
        color="white",
        bbox=dict(boxstyle="round,pad=0.4", fc=colour, ec="black"),
        zorder=3,
    )
    if gradient:
        ax.text(
            xy[0],
            xy[1] - 0.62,
            gradient,
            ha="center",
            va="top",
            fontsize=11,
            color=GRADIENT,
            zorder=3,
        )


def edge(ax, start, end, label=None, shift=(0.0, 0.15)) -> None:
    """A forward edge with its local derivative written next to it."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle="->", color=OPERATION, lw=1.4, shrinkA=30, shrinkB=34
        ),
        zorder=1,
    )
    if label:
        ax.text(
            (start[0] + end[0]) / 2 + shift[0],
            (start[1] + end[1]) / 2 + shift[1],
            label,
            ha="center",
            va="bottom",
            fontsize=10,
            color="black",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"),
            zorder=2,
        )


def draw() -> plt.Figure:
    v = values()
    fig, ax = plt.subplots(figsize=(10.0, 5.0))
    at = dict(
        x=(0.0, 2.3),
        b=(0.0, 0.6),
        w=(0.0, -1.7),
        u=(3.9, 0.6),
        h=(7.5, 0.6),
        e=(11.1, 0.6),
        r=(7.5, -1.7),
        L=(14.2, -0.55),
    )
    edge(ax, at["x"], at["u"])
    edge(ax, at["b"], at["u"], "∂u/∂b = 1")
    edge(ax, at["w"], at["u"], f"∂u/∂w = x = {v['x']:g}", (1.0, -0.6))
    edge(ax, at["u"], at["h"], f"∂h/∂u = 1 − h²\n= {1 - v['h'] ** 2:.3f}")
    edge(ax, at["h"], at["e"], f"∂e/∂h = 2(h − t)\n= {v['h_bar']:.3f}")
    edge(ax, at["e"], at["L"], "∂L/∂e = 1", (0.9, -0.05))
    edge(
        ax,
        at["w"],
        at["r"],
        f"∂r/∂w = 2λw = {2 * v['lam'] * v['w']:g}",
        (1.3, 0.15),
    )
    edge(ax, at["r"], at["L"], "∂L/∂r = 1", (0.6, -0.75))
    node(ax, at["x"], f"x = {v['x']:g}", INPUT)
    node(
        ax,
        at["w"],
        f"w = {v['w']:g}",
        INPUT,
        f"w̄ = ū·x + r̄·2λw\n= {v['w_bar']:.3f}",
    )
    node(ax, at["b"], f"b = {v['b']:g}", INPUT, f"b̄ = ū = {v['u_bar']:.3f}")
    node(
        ax,
        at["u"],
        f"u = wx + b\n= {v['u']:.2f}",
        HIDDEN,
        f"ū = h̄ (1 − h²)\n= {v['u_bar']:.3f}",
    )
    node(
        ax,
        at["h"],
        f"h = tanh u\n= {v['h']:.3f}",
        HIDDEN,
        f"h̄ = ē·2(h − t)\n= {v['h_bar']:.3f}",
    )
    node(
        ax,
        at["e"],
        f"e = (h − t)²\n= {v['e']:.3f}",
        HIDDEN,
        "ē = L̄·1 = 1",
    )
    node(ax, at["r"], f"r = λw²\n= {v['r']:.3f}", HIDDEN, "r̄ = L̄·1 = 1")
    node(ax, at["L"], f"L = e + r\n= {v['L']:.3f}", OUTPUT, "L̄ = 1")
    ax.annotate(
        "",
        xy=(15.2, 3.3),
        xytext=(-1.0, 3.3),
        arrowprops=dict(arrowstyle="->", color=OPERATION, lw=1.8),
    )
    ax.text(
        7.1,
        3.5,
        "forward: values, left to right (t = 0.2, λ = 0.1)",
        ha="center",
        fontsize=11,
        color=OPERATION,
    )
    ax.annotate(
        "",
        xy=(-1.0, -3.55),
        xytext=(15.2, -3.55),
        arrowprops=dict(arrowstyle="->", color=GRADIENT, lw=1.8),
    )
    ax.text(
        7.1,
        -4.05,
        "backward: gradients v̄ = ∂L/∂v, right to left; "
        "each v̄ = Σ over children c of c̄ · ∂c/∂v",
        ha="center",
        fontsize=11,
        color=GRADIENT,
    )
    ax.set(xlim=(-1.6, 15.8), ylim=(-4.4, 3.9))
    ax.axis("off")
    fig.tight_layout()
    return fig


def main() -> None:
    diagrams.main(draw, HERE / "graph.svg", dpi=75)


if __name__ == "__main__":
    main()
