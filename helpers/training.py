"""Training: one ``fit`` loop that chapters reuse once they have written the loop by hand.

``fit`` shows a progress bar, keeps a history of metrics, evaluates after each epoch,
uses mixed precision on CUDA (bf16 where supported, else fp16 with a gradient scaler),
can ``torch.compile`` the model, and saves a checkpoint after every epoch so that a
restarted session resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Callable, Iterable

import torch
from torch import nn
from tqdm.auto import tqdm

from .data import user_cache_dir
from .env import profile, seed

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
History = dict[str, list[float]]


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Return the fraction of rows whose arg-max equals the target class."""
    return (logits.argmax(dim=-1) == targets).float().mean()


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """Return the mixed-precision dtype for ``device``: bf16 or fp16 on CUDA, None elsewhere."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _autocast(dtype: torch.dtype | None):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast("cuda", dtype=dtype)


@torch.no_grad()
def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable, metrics: dict[str, Metric] | None = None,
             amp: bool = True) -> dict[str, float]:
    """Return the mean loss and metrics of ``model`` over ``loader`` (weighted by batch size)."""
    metrics = {"accuracy": accuracy} if metrics is None else metrics
    device = next(model.parameters()).device
    dtype = autocast_dtype(device) if amp else None
    was_training = model.training
    model.eval()
    totals = {"loss": 0.0, **{name: 0.0 for name in metrics}}
    count = 0
    for inputs, targets in loader:
        with _autocast(dtype):
            outputs = model(inputs)
        outputs = outputs.float()
        n = len(targets)
        totals["loss"] += loss_fn(outputs, targets).item() * n
        for name, metric in metrics.items():
            totals[name] += float(metric(outputs, targets)) * n
        count += n
    model.train(was_training)
    if count == 0:
        raise ValueError("evaluate() got an empty loader")
    return {name: total / count for name, total in totals.items()}


@torch.no_grad()
def predict(model: nn.Module, loader: Iterable) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(outputs, targets)`` of ``model`` over ``loader``, concatenated, on the CPU."""
    was_training = model.training
    model.eval()
    outputs, targets = [], []
    for inputs, target in loader:
        outputs.append(model(inputs).float().cpu())
        targets.append(target.cpu())
    model.train(was_training)
    return torch.cat(outputs), torch.cat(targets)


def checkpoint_path(name: str, config: object | None = None) -> Path:
    """Return a checkpoint file for ``name`` under ``COURSE_CHECKPOINTS`` (else ``<user cache>/checkpoints``).

    The file name carries the profile, the seed and a hash of ``config``, so a run with
    other settings never resumes from a checkpoint that does not belong to it.
    """
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise ValueError(f"checkpoint name must be letters, digits, '-', '_' or '.', got {name!r}")
    folder = os.environ.get("COURSE_CHECKPOINTS") or user_cache_dir() / "checkpoints"
    settings = vars(config) if hasattr(config, "__dict__") else config
    tag = hashlib.sha256(repr(sorted((settings or {}).items())).encode()).hexdigest()[:8]
    return Path(folder) / f"{name}-{profile()}-seed{seed()}-{tag}.pt"


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Write ``state`` to ``path`` atomically (a temporary file, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict:
    """Return the state saved by ``save_checkpoint`` (tensors and plain Python values only)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def fit(model: nn.Module, train_loader: Iterable, *, loss_fn: Callable, optimizer: torch.optim.Optimizer,
        num_epochs: int, val_loader: Iterable | None = None, metrics: dict[str, Metric] | None = None,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None = None, checkpoint: str | Path | None = None,
        amp: bool = True, compile: bool = False, max_grad_norm: float | None = None,
        progress: bool = True) -> History:
    """Train ``model`` for ``num_epochs`` epochs and return the history of metrics.

    The history maps ``"train_loss"`` and, with ``val_loader``, ``"val_loss"`` and
    ``"val_<metric>"`` to one value per epoch, and ``"step_loss"`` to one value per step.
    ``scheduler`` is stepped after every optimizer step. With ``checkpoint``, the model,
    optimizer, scheduler, gradient scaler, random state, loader order and history are
    saved after every epoch; if the file exists, training resumes after its last epoch.
    """
    if not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive integer, got {num_epochs!r}")
    if max_grad_norm is not None and max_grad_norm <= 0:
        raise ValueError(f"max_grad_norm must be positive or None, got {max_grad_norm!r}")
    metrics = {"accuracy": accuracy} if metrics is None else metrics
    device = next(model.parameters()).device
    dtype = autocast_dtype(device) if amp else None
    scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16)
    forward = torch.compile(model) if compile else model
    history: History = {"train_loss": [], "step_loss": []}
    start_epoch = 0

    def state() -> dict:
        return {
            "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler else None, "scaler": scaler.state_dict(),
            "rng": torch.get_rng_state(), "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else [],
            "loader": train_loader.state_dict() if hasattr(train_loader, "state_dict") else None,
            "history": history, "epoch": epoch,
        }

    if checkpoint is not None and Path(checkpoint).exists():
        saved = load_checkpoint(checkpoint)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        if scheduler is not None and saved["scheduler"] is not None:
            scheduler.load_state_dict(saved["scheduler"])
        scaler.load_state_dict(saved["scaler"])
        torch.set_rng_state(saved["rng"])
        if saved["cuda_rng"]:
            torch.cuda.set_rng_state_all(saved["cuda_rng"])
        if saved["loader"] is not None:
            train_loader.load_state_dict(saved["loader"])
        history = saved["history"]
        start_epoch = saved["epoch"] + 1
        print(f"resumed from {checkpoint} after epoch {start_epoch} of {num_epochs}")

    steps_per_epoch = len(train_loader) if hasattr(train_loader, "__len__") else None
    remaining = max(num_epochs - start_epoch, 0)
    bar = tqdm(total=steps_per_epoch * remaining if steps_per_epoch else None, disable=not progress,
               desc="training", unit="step")
    model.train()
    for epoch in range(start_epoch, num_epochs):
        total, count = 0.0, 0
        for inputs, targets in train_loader:
            with _autocast(dtype):
                loss = loss_fn(forward(inputs), targets)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if max_grad_norm is not None:
                scaler.unscale_(optimizer)
                nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            scaler.step(optimizer)
            scaler.update()
            if scheduler is not None:
                scheduler.step()
            value = loss.item()
            history["step_loss"].append(value)
            total, count = total + value * len(targets), count + len(targets)
            bar.set_postfix(epoch=epoch + 1, loss=f"{value:.4f}", refresh=False)  # update() redraws, rate-limited
            bar.update(1)
        history["train_loss"].append(total / max(count, 1))
        if val_loader is not None:
            for name, value in evaluate(model, val_loader, loss_fn, metrics, amp).items():
                history.setdefault(f"val_{name}", []).append(value)
        if checkpoint is not None:
            save_checkpoint(checkpoint, state())
    bar.close()
    return history
