"""Results: each chapter records its headline numbers, so one command can tabulate a whole run.

``hp.record("test accuracy", acc, target=0.98)`` prints the value against its target. When
``COURSE_RESULTS`` names a folder, the record is also appended (one JSON object per line) to
``<folder>/results.jsonl`` with the chapter, profile, seed, device and torch version.
"""

from __future__ import annotations

import json
import math
import os
import platform
import time
from pathlib import Path

import torch

from .env import device, profile, seed


def _chapter() -> str:
    """Return the notebook or script that is running (``COURSE_CHAPTER`` if the runner set it)."""
    return os.environ.get("COURSE_CHAPTER") or Path(os.getcwd()).name


def record(name: str, value: float, *, target: float | None = None, higher_is_better: bool = True,
           unit: str = "") -> dict:
    """Record a headline result; return the record (a dict) after printing it.

    ``target`` is the threshold the chapter's check asserts for the active profile (``None``
    for a number that is reported, not checked); ``higher_is_better`` says which side of it
    passes. ``passed`` in the record is ``None`` without a target.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"record() needs a non-empty name, got {name!r}")
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"record({name!r}) needs a single number, got a tensor of shape {list(value.shape)}")
        value = value.item()
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"record({name!r}) needs a number, got {value!r}") from None
    if target is not None:
        target = float(target)
        passed = value >= target if higher_is_better else value <= target
    else:
        passed = None
    dev = device()
    entry = {
        "chapter": _chapter(), "name": name, "value": value, "target": target,
        "higher_is_better": higher_is_better, "unit": unit, "passed": passed,
        "profile": profile(), "seed": seed(),
        "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"{dev.type} ({platform.processor() or platform.machine()})",
        "torch": torch.__version__, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    shown = f"{value:.4g}" if math.isfinite(value) else str(value)
    if target is None:
        print(f"[result] {name}: {shown}{unit and ' ' + unit}")
    else:
        sign = ">=" if higher_is_better else "<="
        print(f"[result] {name}: {shown}{unit and ' ' + unit} (target {sign} {target:.4g}: {'met' if passed else 'MISSED'})")
    folder = os.environ.get("COURSE_RESULTS")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        with open(path / "results.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry
