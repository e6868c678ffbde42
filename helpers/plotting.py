"""Plotting: training curves, image grids, heatmaps, confusion matrices."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
}


def use_style() -> None:
    """Apply the course's matplotlib style (called by ``setup``)."""
    plt.rcParams.update(STYLE)


def plot_history(
    history: dict[str, list[float]],
    keys: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Plot per-epoch curves from a ``fit`` history; return the figure.

    Losses and other metrics are drawn side by side.
    """
    keys = (
        [k for k in history if k != "step_loss" and history[k]]
        if keys is None
        else list(keys)
    )
    unknown = [k for k in keys if k not in history]
    if unknown:
        raise ValueError(f"history has no {unknown}; it has {sorted(history)}")
    losses = [k for k in keys if k.endswith("loss")]
    others = [k for k in keys if k not in losses]
    fig, axes = plt.subplots(
        1,
        1 + bool(others),
        figsize=(6.4 * (1 + bool(others)), 3.6),
        squeeze=False,
    )
    for ax, group, label in zip(axes[0], (losses, others), ("loss", "metric")):
        for key in group:
            epochs = range(1, len(history[key]) + 1)
            ax.plot(epochs, history[key], marker="o", label=key)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_grid(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    size: float = 1.3,
) -> Figure:
    """Show images in a grid; return the figure.

    Images are ``[N, H, W]``, ``[N, 1, H, W]`` or ``[N, 3, H, W]``.
    """
    images = images.detach().float().cpu()
    if images.dim() == 4 and images.shape[1] == 1:
        images = images[:, 0]
    elif images.dim() == 4 and images.shape[1] == 3:
        images = images.permute(0, 2, 3, 1)
    elif images.dim() != 3:
        raise ValueError(
            "images must have shape [N, H, W], [N, 1, H, W] or [N, 3, H, W], "
            f"got {list(images.shape)}"
        )
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * ncols, size * nrows * 1.15),
        squeeze=False,
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(
                (
                    images[i].clamp(0, 1) if images.dim() == 4 else images[i]
                ).numpy(),
                cmap=cmap,
            )
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def heatmap(
    matrix: torch.Tensor,
    xlabels: Sequence[str] | None = None,
    ylabels: Sequence[str] | None = None,
    title: str | None = None,
    annotate: bool = False,
    cmap: str = "viridis",
    ax: Axes | None = None,
) -> Axes:
    """Draw a 2-D tensor as a heatmap with a colour bar; return the axes.

    For example attention weights or confusion counts.
    """
    matrix = torch.as_tensor(matrix).detach().float().cpu()
    if matrix.dim() != 2:
        raise ValueError(
            f"heatmap needs a 2-D matrix, got shape {list(matrix.shape)}"
        )
    if ax is None:
        _, ax = plt.subplots(
            figsize=(
                max(4, 0.45 * matrix.shape[1] + 2),
                max(3, 0.45 * matrix.shape[0] + 1),
            )
        )
    image = ax.imshow(matrix.numpy(), cmap=cmap, aspect="auto")
    ax.figure.colorbar(image, ax=ax)
    ax.grid(False)
    if xlabels is not None:
        ax.set_xticks(
            range(len(xlabels)),
            xlabels,
            rotation=90 if max(map(len, map(str, xlabels))) > 3 else 0,
        )
    if ylabels is not None:
        ax.set_yticks(range(len(ylabels)), ylabels)
    if annotate:
        threshold = matrix.max().item() / 2
        for (i, j), value in zip(
            torch.cartesian_prod(
                torch.arange(matrix.shape[0]), torch.arange(matrix.shape[1])
            ).tolist(),
            matrix.flatten().tolist(),
        ):
            text = (
                f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
            )
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="black" if value > threshold else "white",
            )
    if title:
        ax.set_title(title)
    return ax


def confusion_matrix(
    predictions: torch.Tensor, targets: torch.Tensor, num_classes: int
) -> torch.Tensor:
    """Return the ``[num_classes, num_classes]`` count matrix.

    Row = true class, column = predicted.
    """
    predictions, targets = predictions.cpu().long(), targets.cpu().long()
    if predictions.shape != targets.shape:
        raise ValueError(
            f"predictions {list(predictions.shape)} and targets "
            f"{list(targets.shape)} differ in shape"
        )
    for label, values in (("predictions", predictions), ("targets", targets)):
        if values.numel() and (
            values.min() < 0 or values.max() >= num_classes
        ):
            raise ValueError(
                f"{label} must be class indices in [0, {num_classes}), got "
                f"values from {values.min().item()} to {values.max().item()}"
            )
    index = targets * num_classes + predictions
    return torch.bincount(index, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )


def plot_confusion(
    predictions: torch.Tensor,
    targets: torch.Tensor,
    class_names: Sequence[str],
    title: str = "confusion matrix",
) -> Axes:
    """Draw the confusion matrix with counts; return the axes.

    Predictions are counted against targets.
    """
    counts = confusion_matrix(predictions, targets, len(class_names))
    ax = heatmap(
        counts,
        class_names,
        class_names,
        title=title,
        annotate=True,
        cmap="Blues",
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return ax
