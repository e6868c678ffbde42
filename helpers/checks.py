"""Checks: hand derivations against autograd; assertions that explain."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch


def relative_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    """Return the largest relative difference over the finite entries.

    That is ``max|actual - expected| / max(max|expected|, tiny)``, in float64.

    Infinities must match exactly (same place, same sign) and are then left out
    of both the difference and the scale; a mismatched infinity, or a NaN on
    either side, gives ``inf``.
    """
    actual, expected = (
        torch.as_tensor(actual).double(),
        torch.as_tensor(expected).double(),
    )
    if actual.isnan().any() or expected.isnan().any():
        return float("inf")
    infinite = actual.isinf() | expected.isinf()
    if not torch.equal(actual[infinite], expected[infinite]):
        return float("inf")
    actual, expected = actual[~infinite], expected[~infinite]
    if expected.numel() == 0:
        return 0.0
    scale = expected.abs().max().clamp_min(torch.finfo(torch.float64).tiny)
    return ((actual - expected).abs().max() / scale).item()


def assert_close(
    actual: torch.Tensor,
    expected: torch.Tensor,
    *,
    name: str = "value",
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> None:
    """Assert that two tensors agree elementwise.

    The message says where and by how much they differ.
    """
    actual, expected = torch.as_tensor(actual), torch.as_tensor(expected)
    if actual.shape != expected.shape:
        raise AssertionError(
            f"{name}: expected shape {list(expected.shape)}, got "
            f"{list(actual.shape)}"
        )
    diff = (actual.double() - expected.double()).abs()
    diff = torch.where(
        actual.double() == expected.double(), torch.zeros_like(diff), diff
    )  # equal infinities
    allowed = atol + rtol * expected.double().abs()
    # a NaN is never close
    excess = (diff - allowed).nan_to_num(nan=float("inf"))
    if (excess > 0).any():
        worst = torch.argmax(excess).item()
        index = (
            tuple(
                int(i)
                for i in torch.unravel_index(torch.tensor(worst), diff.shape)
            )
            if diff.dim()
            else ()
        )
        raise AssertionError(
            f"{name}: {(excess > 0).sum().item()} of {diff.numel()} entries "
            f"differ. Worst at index {index}: expected "
            f"{expected.double().flatten()[worst].item():.6g}, got "
            f"{actual.double().flatten()[worst].item():.6g} (rtol={rtol}, "
            f"atol={atol})."
        )


def assert_at_least(
    value: float, threshold: float, *, name: str, hint: str = ""
) -> None:
    """Assert ``value >= threshold``; the message names it and what to try."""
    if not value >= threshold:
        raise AssertionError(
            f"{name} should be at least {threshold:.4g}, got {value:.4g}. "
            f"{hint}".strip()
        )


def assert_at_most(
    value: float, threshold: float, *, name: str, hint: str = ""
) -> None:
    """Assert ``value <= threshold``; the message names it and what to try."""
    if not value <= threshold:
        raise AssertionError(
            f"{name} should be at most {threshold:.4g}, got {value:.4g}. "
            f"{hint}".strip()
        )


def check_gradients(
    loss_fn: Callable[..., torch.Tensor],
    params: Sequence[torch.Tensor],
    manual_grads: Sequence[torch.Tensor],
    *,
    names: Sequence[str] | None = None,
    rtol: float = 1e-6,
) -> list[float]:
    """Compare hand-derived gradients with autograd's; return each error.

    The error of each gradient is its relative error against autograd's.

    ``loss_fn(*params)`` must return a scalar. Raises ``AssertionError`` naming
    the first gradient whose relative error exceeds ``rtol``. Use float64 for
    tight tolerances.
    """
    if len(params) != len(manual_grads):
        raise ValueError(
            f"got {len(params)} parameters but {len(manual_grads)} manual "
            "gradients"
        )
    names = (
        [f"grad[{i}]" for i in range(len(params))]
        if names is None
        else list(names)
    )
    leaves = [p.detach().clone().requires_grad_(True) for p in params]
    loss = loss_fn(*leaves)
    if loss.dim() != 0:
        raise ValueError(
            f"loss_fn must return a scalar, got shape {list(loss.shape)}"
        )
    auto = torch.autograd.grad(loss, leaves)
    errors = []
    for name, mine, theirs in zip(names, manual_grads, auto):
        if mine.shape != theirs.shape:
            raise AssertionError(
                f"{name}: your gradient has shape {list(mine.shape)}, "
                f"autograd's has {list(theirs.shape)}"
            )
        error = relative_error(mine.detach(), theirs)
        if error > rtol:
            raise AssertionError(
                f"{name}: relative error {error:.2e} against autograd exceeds "
                f"{rtol:.0e}"
            )
        errors.append(error)
    return errors


def numerical_gradient(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    eps: float = 1e-6,
) -> torch.Tensor:
    """Return the central finite-difference gradient of ``f`` at ``x``.

    ``f`` is scalar; use float64.
    """
    x = x.detach().clone(memory_format=torch.contiguous_format)
    grad = torch.zeros_like(x)
    flat, out = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = f(x).item()
        flat[i] = old - eps
        minus = f(x).item()
        flat[i] = old
        out[i] = (plus - minus) / (2 * eps)
    return grad


def run_listing(
    source: str, namespace: dict | None = None
) -> Exception | None:
    """Execute a printed code listing (such as the survey's) in ``namespace``.

    Returns the exception it raised, after printing its type and first line, or
    ``None`` if it ran. Used to show exactly how a listing fails before it is
    fixed.
    """
    try:
        exec(source, {} if namespace is None else namespace)
    except Exception as error:  # showing the error is the point
        print(
            f"{type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}"
        )
        return error
    return None
