"""Training: one ``fit`` loop for chapters that wrote the loop by hand.

``fit`` shows a progress bar, keeps a history of metrics, evaluates after each
epoch, uses mixed precision on CUDA (bf16 where the GPU has it natively, else
fp16 with a gradient scaler), can ``torch.compile`` the model, and saves a
checkpoint after every epoch so that a restarted session resumes where it
stopped. A checkpoint records what was trained (a fingerprint of the model,
optimiser and loss); a run that does not match it starts afresh instead of
resuming someone else's weights.

Losses stay on the device during an epoch: ``fit`` and ``evaluate`` copy them
to the host once per epoch (and the progress bar's loss at most every few
seconds), so a GPU never waits for Python between steps.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

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


def amp_dtype(device: torch.device | str) -> torch.dtype | None:
    """Return the autocast dtype for ``device``: bf16, fp16 or None.

    None means no mixed precision.

    bf16 only where the GPU computes it natively (compute capability 8.0 and
    later: A100, L4, H100); older GPUs such as Colab's T4 (7.5) report bf16 as
    supported but emulate it slowly, so they get fp16, which ``fit`` pairs with
    a gradient scaler. None on the CPU and on Apple MPS.
    """
    device = torch.device(device)
    if device.type != "cuda":
        return None
    if torch.version.hip:  # ROCm: the capability numbers mean something else
        return (
            torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        )
    major, _ = torch.cuda.get_device_capability(device)
    return torch.bfloat16 if major >= 8 else torch.float16


autocast_dtype = amp_dtype  # the name used before version 0.2


def _autocast(dtype: torch.dtype | None):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast("cuda", dtype=dtype)


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable,
    loss_fn: Callable,
    metrics: dict[str, Metric] | None = None,
    amp: bool = True,
) -> dict[str, float]:
    """Return the mean loss and metrics of ``model`` over ``loader``.

    Means are weighted by batch size.

    The sums stay on the device and are copied to the host once, at the end.
    """
    metrics = {"accuracy": accuracy} if metrics is None else metrics
    device = next(model.parameters()).device
    dtype = amp_dtype(device) if amp else None
    was_training = model.training
    model.eval()
    names = ["loss", *metrics]
    totals = torch.zeros(len(names), device=device)
    count = 0
    for inputs, targets in loader:
        with _autocast(dtype):
            outputs = model(inputs)
        outputs = outputs.float()
        n = len(targets)
        values = [
            loss_fn(outputs, targets),
            *(metric(outputs, targets) for metric in metrics.values()),
        ]
        totals += (
            torch.stack(
                [
                    torch.as_tensor(v, device=device)
                    .detach()
                    .float()
                    .reshape(())
                    for v in values
                ]
            )
            * n
        )
        count += n
    model.train(was_training)
    if count == 0:
        raise ValueError("evaluate() got an empty loader")
    return {name: total / count for name, total in zip(names, totals.tolist())}


@torch.no_grad()
def predict(
    model: nn.Module, loader: Iterable
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(outputs, targets)`` of ``model`` over ``loader``.

    They are concatenated, on the CPU.
    """
    was_training = model.training
    model.eval()
    outputs, targets = [], []
    for inputs, target in loader:
        outputs.append(model(inputs).float().cpu())
        targets.append(target.cpu())
    model.train(was_training)
    return torch.cat(outputs), torch.cat(targets)


def checkpoint_path(name: str, config: object | None = None) -> Path:
    """Return a checkpoint file for ``name``.

    It lies under ``COURSE_CHECKPOINTS`` (else ``<user cache>/checkpoints``).

    The file name carries the profile, the seed and a hash of ``config``, so a
    run with other settings never resumes from a checkpoint that does not
    belong to it.
    """
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise ValueError(
            "checkpoint name must be letters, digits, '-', '_' or '.', got "
            f"{name!r}"
        )
    folder = (
        os.environ.get("COURSE_CHECKPOINTS")
        or user_cache_dir() / "checkpoints"
    )
    settings = vars(config) if hasattr(config, "__dict__") else config
    tag = hashlib.sha256(
        repr(sorted((settings or {}).items())).encode()
    ).hexdigest()[:8]
    return Path(folder) / f"{name}-{profile()}-seed{seed()}-{tag}.pt"


def save_checkpoint(path: str | Path, state: dict) -> None:
    """Write ``state`` to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path) -> dict:
    """Return the state saved by ``save_checkpoint``.

    Tensors and plain Python values only.
    """
    return torch.load(path, map_location="cpu", weights_only=True)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# Keys a learning-rate or momentum schedule rewrites, and switches that pick an
# implementation without changing the arithmetic: neither tells two optimisers
# apart.
_SCHEDULED_KEYS = {
    "params",
    "lr",
    "initial_lr",
    "max_lr",
    "min_lr",
    "base_lr",
    "momentum",
    "betas",
    "base_momentum",
    "max_momentum",
    "foreach",
    "fused",
    "capturable",
    "differentiable",
}


def _is_torch(obj: object) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] == "torch"


def _code(function: Callable) -> str:
    """A short hash of a function's source (or byte code, if it has none)."""
    try:
        text = inspect.getsource(function)
    except (OSError, TypeError):
        code = getattr(function, "__code__", None)
        text = (
            repr((code.co_code, code.co_names, code.co_consts))
            if code is not None
            else ""
        )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _describe(value: object) -> str:
    """A description of ``value`` that is the same in every session.

    It holds no memory addresses.
    """
    if isinstance(value, nn.Module):
        text = repr(value)
    elif isinstance(value, functools.partial):
        keywords = sorted(value.keywords.items())
        text = (
            f"partial({_describe(value.func)}, {value.args!r}, {keywords!r})"
        )
    elif inspect.isfunction(value) or inspect.ismethod(value):
        function = getattr(value, "__func__", value)
        text = f"{function.__module__}.{function.__qualname__}"
        if not _is_torch(function):
            text += f" [code {_code(function)}]"
    elif callable(value) and not isinstance(value, type):
        # torch.tanh: "torch"
        module = getattr(value, "__module__", None) or type(value).__module__
        name = getattr(value, "__qualname__", None) or type(value).__qualname__
        text = f"{module}.{name}"
    elif isinstance(value, torch.Tensor):
        text = f"tensor{list(value.shape)} {value.dtype}"
    elif isinstance(value, (set, frozenset)):
        # their order changes with Python's string hashing
        text = f"{type(value).__name__}({sorted(_describe(v) for v in value)})"
    else:
        text = repr(value)
        # e.g. a vocabulary kept on the model: its hash is enough
        if len(text) > 300:
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            text = f"{text[:100]}... [sha256 {digest}]"
    return _ADDRESS.sub("", text)


def _describe_class(cls: type) -> str:
    """The class's name, and outside torch a hash of every method's code.

    The code is part of it so that two models with the same layers but another
    ``forward`` (post-LN instead of pre-LN) differ.
    """
    parts = []
    for klass in cls.__mro__:
        if klass is nn.Module or klass is object:
            break
        parts.append(f"{klass.__module__}.{klass.__qualname__}")
        if not _is_torch(klass):
            methods = sorted(
                (name, _code(f))
                for name, f in vars(klass).items()
                if inspect.isfunction(f)
            )
            parts.append(repr(methods))
    return " ".join(parts)


def _modules(module: nn.Module) -> str:
    """One line per submodule: its class (and code) and its plain attributes,
    which repr() leaves out (an activation function passed in,
    ``label_smoothing`` of a loss)."""
    lines = []
    for name, sub in module.named_modules():
        attributes = {
            k: _describe(v)
            for k, v in sorted(vars(sub).items())
            if not k.startswith("_") and k != "training"
        }
        lines.append(
            f"{name or '(top)'}: {_describe_class(type(sub))} {attributes}"
        )
    return "\n".join(lines)


def fingerprint(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable,
    scheduler: object | None = None,
    max_grad_norm: float | None = None,
) -> dict[str, str]:
    """Return a description of what ``fit`` trains.

    It is stored in checkpoints to refuse a mismatch.

    It covers the model (every module's class and code, its printed layers, and
    its plain attributes, e.g. an activation function), the names, shapes and
    dtypes of its weights, the optimiser's class and hyper-parameters (those a
    schedule changes are left out), the scheduler's class, the loss function
    and the clipping norm.
    """
    groups = [
        {
            k: _describe(v)
            for k, v in sorted(group.items())
            if k not in _SCHEDULED_KEYS
        }
        | {"params": len(group["params"])}
        for group in optimizer.param_groups
    ]
    defaults = {
        k: _describe(v)
        for k, v in sorted(optimizer.defaults.items())
        if k not in _SCHEDULED_KEYS - {"lr", "betas", "momentum"}
    }
    return {
        "model": _describe(model) + "\n" + _modules(model),
        "parameters": "\n".join(
            f"{k}: {list(v.shape)} {v.dtype}"
            for k, v in model.state_dict().items()
        ),
        "optimizer": (
            f"{_describe_class(type(optimizer))} defaults={defaults} "
            f"groups={groups}"
        ),
        "scheduler": _describe_class(type(scheduler))
        if scheduler is not None
        else "None",
        "loss": _describe(loss_fn)
        + ("\n" + _modules(loss_fn) if isinstance(loss_fn, nn.Module) else ""),
        "max_grad_norm": repr(max_grad_norm),
    }


def _first_difference(saved: str, current: str) -> str:
    for old, new in zip(saved.splitlines(), current.splitlines()):
        if old != new:
            return f"checkpoint: {old[:160]!r}, now: {new[:160]!r}"
    return (
        f"checkpoint has {len(saved.splitlines())} lines, now "
        f"{len(current.splitlines())}"
    )


def fingerprint_mismatch(
    saved: dict | None, current: dict[str, str]
) -> str | None:
    """Return why fingerprint ``saved`` does not match ``current``, or None.

    For hand-written loops: save ``fingerprint(...)`` with the checkpoint, and
    resume only when this returns None.
    """
    if not saved:
        return (
            "it records no fingerprint of what was trained (written by "
            "helpers before 0.2)"
        )
    differ = [key for key in current if saved.get(key) != current[key]]
    if not differ:
        return None
    key = differ[0]
    return (
        f"the {', '.join(differ)} differ{'s' if len(differ) == 1 else ''} "
        f"({key}: {_first_difference(saved.get(key, ''), current[key])})"
    )


def fit(
    model: nn.Module,
    train_loader: Iterable,
    *,
    loss_fn: Callable,
    optimizer: torch.optim.Optimizer,
    num_epochs: int,
    val_loader: Iterable | None = None,
    eval_split: str = "val",
    metrics: dict[str, Metric] | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    checkpoint: str | Path | None = None,
    amp: bool = True,
    compile: bool = False,
    max_grad_norm: float | None = None,
    progress: bool = True,
) -> History:
    """Train ``model`` for ``num_epochs`` epochs; return the metric history.

    The history maps ``"train_loss"`` and, with ``val_loader``,
    ``"<eval_split>_loss"`` and ``"<eval_split>_<metric>"`` to one value per
    epoch, and ``"step_loss"`` to one value per step. ``eval_split`` names the
    split ``val_loader`` holds: ``"val"`` for data used to choose (a
    checkpoint, a learning rate), ``"test"`` for data that is only reported, so
    that a history never calls a test metric a validation one. ``scheduler`` is
    stepped after every optimizer step. With ``checkpoint``, the model,
    optimizer, scheduler, gradient scaler, random state, loader order and
    history are saved after every epoch; if the file exists and was written by
    the same kind of run (see ``fingerprint``), training resumes after its last
    epoch; if it was not, training starts afresh, says why, and overwrites the
    file.
    """
    if not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(
            f"num_epochs must be a positive integer, got {num_epochs!r}"
        )
    if max_grad_norm is not None and max_grad_norm <= 0:
        raise ValueError(
            f"max_grad_norm must be positive or None, got {max_grad_norm!r}"
        )
    if hasattr(train_loader, "__len__") and len(train_loader) == 0:
        raise ValueError(_EMPTY_LOADER)
    if not (isinstance(eval_split, str) and eval_split.isidentifier()):
        raise ValueError(
            "eval_split names the split val_loader holds, as a word such as "
            f"'val' or 'test'; got {eval_split!r}"
        )
    metrics = {"accuracy": accuracy} if metrics is None else metrics
    device = next(model.parameters()).device
    dtype = amp_dtype(device) if amp else None
    scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16)
    forward = torch.compile(model) if compile else model
    history: History = {"train_loss": [], "step_loss": []}
    start_epoch = 0
    signature = (
        fingerprint(model, optimizer, loss_fn, scheduler, max_grad_norm)
        if checkpoint is not None
        else {}
    )

    def state() -> dict:
        return {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler else None,
            "scaler": scaler.state_dict(),
            "rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all()
            if device.type == "cuda"
            else [],
            "loader": train_loader.state_dict()
            if hasattr(train_loader, "state_dict")
            else None,
            "history": history,
            "epoch": epoch,
            "fingerprint": signature,
        }

    if checkpoint is not None and Path(checkpoint).exists():
        saved = load_checkpoint(checkpoint)
        why = fingerprint_mismatch(saved.get("fingerprint"), signature)
        if why is not None:
            print(
                f"not resuming from {checkpoint}: {why}. Training afresh; the "
                "file will be overwritten."
            )
        else:
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
            if start_epoch >= num_epochs:
                print(
                    f"{checkpoint} already holds {start_epoch} epochs (asked "
                    f"for {num_epochs}): training skipped, returning its "
                    "weights and history. Delete the file to train again."
                )
            else:
                print(
                    f"resumed from {checkpoint} after epoch {start_epoch} of "
                    f"{num_epochs}"
                )

    steps_per_epoch = (
        len(train_loader) if hasattr(train_loader, "__len__") else None
    )
    remaining = max(num_epochs - start_epoch, 0)
    bar = tqdm(
        total=steps_per_epoch * remaining if steps_per_epoch else None,
        disable=not progress,
        desc="training",
        unit="step",
    )
    model.train()
    for epoch in range(start_epoch, num_epochs):
        # Step losses stay on the device; one copy at the end of the epoch (a
        # .item() per step would make the GPU wait for Python after every
        # step).
        step_losses, sizes = [], []
        shown = time.monotonic()
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
            step_losses.append(loss.detach().float())
            sizes.append(len(targets))
            bar.update(1)
            # at most one sync every few seconds
            if progress and time.monotonic() - shown > _PROGRESS_INTERVAL_S:
                bar.set_postfix(
                    epoch=epoch + 1,
                    loss=f"{step_losses[-1].item():.4f}",
                    refresh=False,
                )
                shown = time.monotonic()
        if not step_losses:
            raise ValueError(_EMPTY_LOADER)
        values = torch.stack(step_losses).tolist()
        history["step_loss"].extend(values)
        history["train_loss"].append(
            sum(v * n for v, n in zip(values, sizes)) / sum(sizes)
        )
        if val_loader is not None:
            for name, value in evaluate(
                model, val_loader, loss_fn, metrics, amp
            ).items():
                key = f"{eval_split}_{name}"
                history.setdefault(key, []).append(value)
        bar.set_postfix(
            epoch=epoch + 1,
            train_loss=f"{history['train_loss'][-1]:.4f}",
            refresh=False,
        )
        if checkpoint is not None:
            save_checkpoint(checkpoint, state())
    bar.close()
    return history


_PROGRESS_INTERVAL_S = 5.0
_EMPTY_LOADER = (
    "fit() got a train_loader with no batches: with drop_last=True, a "
    "batch_size larger than the number of training samples leaves none. Use a "
    "smaller batch_size or more data."
)
