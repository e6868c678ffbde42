"""Environment: which device, which profile, which seed, and a one-line report.

Two environment variables steer every chapter:

* ``COURSE_PROFILE`` -- ``full`` (the real chapter) or ``quick`` (small data,
  few steps, under a minute on two CPU cores). Unset: ``full`` when a CUDA GPU
  is found, otherwise ``quick``.
* ``COURSE_SEED`` -- an integer seed (default 0) for Python, NumPy and PyTorch.
"""

from __future__ import annotations

import os
import random
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch

PROFILES = ("quick", "full")


def device() -> torch.device:
    """Return the best available device: CUDA, then Apple MPS, then CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def profile() -> str:
    """Return the active profile, ``"quick"`` or ``"full"``.

    It is read from ``COURSE_PROFILE``.
    """
    value = os.environ.get("COURSE_PROFILE", "").strip().lower()
    if not value:
        return "full" if torch.cuda.is_available() else "quick"
    if value not in PROFILES:
        raise ValueError(
            f"COURSE_PROFILE must be 'quick' or 'full', got {value!r}. Set it "
            "with e.g. `export COURSE_PROFILE=quick`, or leave it unset to "
            "choose by hardware."
        )
    return value


def is_quick() -> bool:
    """Return True when the quick profile is active."""
    return profile() == "quick"


def seed() -> int:
    """Return the seed from ``COURSE_SEED`` (default 0)."""
    raw = os.environ.get("COURSE_SEED", "0").strip() or "0"
    try:
        return int(raw)
    except ValueError:
        raise ValueError(
            f"COURSE_SEED must be an integer such as 0, 1 or 2, got {raw!r}."
        ) from None


def seed_everything(value: int | None = None) -> int:
    """Seed Python, NumPy and PyTorch (all devices); return the seed used.

    ``value`` defaults to ``COURSE_SEED``.
    """
    value = seed() if value is None else value
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(
            f"seed must be a non-negative integer, got {value!r}."
        )
    random.seed(value)
    np.random.seed(value % 2**32)
    torch.manual_seed(value)  # also seeds every CUDA device
    return value


def config(*, full: dict[str, Any], quick: dict[str, Any]) -> SimpleNamespace:
    """Return the settings of the active profile as a namespace.

    For example ``cfg.num_epochs``.

    Both profiles must name the same settings, so a chapter cannot forget one.
    """
    if set(full) != set(quick):
        missing = sorted(set(full) ^ set(quick))
        raise ValueError(
            "full and quick configs must have the same keys; these appear in "
            f"only one: {missing}"
        )
    chosen = full if profile() == "full" else quick
    return SimpleNamespace(**chosen)


def report() -> str:
    """Return (and print) a one-line report of the environment.

    Device, GPU name, torch version, profile, seed.
    """
    dev = device()
    where = str(dev)
    if dev.type == "cuda":
        # imported here: training imports this module
        from .training import amp_dtype

        dtype = {
            torch.bfloat16: "bf16",
            torch.float16: "fp16 + gradient scaler",
        }[amp_dtype(dev)]
        tf32 = (
            "on"
            if torch.get_float32_matmul_precision() != "highest"
            else "off"
        )
        where += (
            f" ({torch.cuda.get_device_name(dev)}; mixed precision {dtype}; "
            f"TF32 matmuls {tf32})"
        )
    active = profile()
    if os.environ.get("COURSE_PROFILE", "").strip():
        why = "set by COURSE_PROFILE"
    elif active == "full":
        why = "a GPU was found; COURSE_PROFILE=quick for a fast check"
    else:
        why = "no CUDA GPU found; COURSE_PROFILE=full runs the real chapter"
    line = (
        f"device: {where} | torch {torch.__version__} | profile: {active} "
        f"({why}) | seed: {seed()}"
    )
    print(line)
    return line


def setup(*, cpu_threads: int | None = None) -> torch.device:
    """Seed everything, apply the plot style, print the report; return device.

    On CUDA, float32 matrix products may use TF32 tensor cores (Ampere and
    later: about eight times the float32 rate, with a 10-bit mantissa, ample
    for training); the report says so.
    ``torch.set_float32_matmul_precision("highest")`` turns that off again.

    ``cpu_threads``: on a CPU, run PyTorch with this many threads. Small
    recurrent models issue many tiny operations per time step, and with several
    threads each one waits for all of them: when another program shares the
    cores, that can be many times slower (chapter 4.2's quick run: about 10 s
    alone on 2 cores, over 300 s beside another job). One thread never waits
    for another.
    """
    from .plotting import use_style

    if cpu_threads is not None and (
        not isinstance(cpu_threads, int) or cpu_threads < 1
    ):
        raise ValueError(
            "cpu_threads must be a positive integer or None, got "
            f"{cpu_threads!r}"
        )
    seed_everything()
    use_style()
    dev = device()
    if dev.type == "cuda":
        torch.set_float32_matmul_precision("high")
        torch.backends.cudnn.allow_tf32 = True
    report()
    if cpu_threads is not None and dev.type == "cpu":
        torch.set_num_threads(cpu_threads)
    return dev
