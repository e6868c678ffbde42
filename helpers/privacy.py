"""Privacy accounting for DP-SGD (chapter 5.6): RDP of the sampled Gaussian.

The accountant is the RDP accountant of the sampled Gaussian mechanism.

One DP-SGD step adds Gaussian noise of standard deviation
``noise_multiplier * C`` to a sum of per-example gradients clipped to norm C,
over a batch in which every example was included independently with probability
``sample_rate`` (Poisson subsampling). Its Renyi differential privacy (RDP) at
an integer order alpha >= 2 is (Mironov, Talwar and Zhang 2019, section 3.3)

    eps_RDP(alpha) = 1 / (alpha - 1) * log sum_{k=0}^{alpha} binom(alpha, k)
                         * (1 - q)^(alpha - k) q^k
                                            * exp((k^2 - k) / (2 sigma^2)),

RDP composes by addition over steps, and an RDP guarantee converts to (eps,
delta)-DP (Mironov 2017, proposition 3, "classic"; or the tighter conversion of
Canonne, Kamath and Steinke 2020, proposition 12, "improved"), minimised over
the orders tried.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch

DEFAULT_ORDERS: tuple[int, ...] = tuple(range(2, 256))
CONVERSIONS = ("classic", "improved")


def _check_probability(name: str, value: float, *, allow_zero: bool) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
    ):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value <= 1):
        raise ValueError(
            f"{name} must be in {'[0, 1]' if allow_zero else '(0, 1]'}, got "
            f"{value!r}"
        )
    return float(value)


def _check_orders(orders: Iterable[int]) -> list[int]:
    orders = list(orders)
    if not orders:
        raise ValueError("orders must not be empty")
    for alpha in orders:
        if isinstance(alpha, bool) or not isinstance(alpha, int) or alpha < 2:
            raise ValueError(
                f"this accountant needs integer orders >= 2, got {alpha!r}"
            )
    return orders


def rdp_sampled_gaussian(
    sample_rate: float,
    noise_multiplier: float,
    orders: Iterable[int] = DEFAULT_ORDERS,
) -> list[float]:
    """Return the RDP of ONE sampled Gaussian step at each integer order.

    ``sample_rate`` q in [0, 1]: probability that an example is in the batch (q
    = 1: no subsampling, then the value is alpha / (2 sigma^2)).
    ``noise_multiplier`` sigma > 0: noise standard deviation divided by the
    clipping norm. Orders must be integers >= 2.
    """
    q = _check_probability("sample_rate", sample_rate, allow_zero=True)
    if (
        isinstance(noise_multiplier, bool)
        or not isinstance(noise_multiplier, (int, float))
        or not noise_multiplier > 0
        or not math.isfinite(noise_multiplier)
    ):
        raise ValueError(
            "noise_multiplier must be a positive finite number, got "
            f"{noise_multiplier!r}"
        )
    sigma2 = float(noise_multiplier) ** 2
    result = []
    for alpha in _check_orders(orders):
        if q == 0:
            result.append(0.0)
            continue
        if q == 1:
            result.append(alpha / (2 * sigma2))
            continue
        k = torch.arange(alpha + 1, dtype=torch.float64)
        log_binom = (
            torch.lgamma(k.new_tensor(alpha + 1.0))
            - torch.lgamma(k + 1)
            - torch.lgamma(alpha - k + 1)
        )
        terms = (
            log_binom
            + (alpha - k) * math.log1p(-q)
            + k * math.log(q)
            + (k * k - k) / (2 * sigma2)
        )
        log_a = torch.logsumexp(terms, dim=0).item()
        # A >= 1 in exact arithmetic
        result.append(max(log_a, 0.0) / (alpha - 1))
    return result


def rdp_to_epsilon(
    orders: Sequence[int],
    rdp: Sequence[float],
    delta: float,
    *,
    conversion: str = "classic",
) -> tuple[float, int]:
    """Return (epsilon, best order): the best (eps, delta)-DP guarantee.

    It is the smallest guarantee the RDP curve implies.

    ``classic``: eps = rdp(alpha) + log(1 / delta) / (alpha - 1) (Mironov 2017,
    prop. 3). ``improved``: eps = rdp(alpha) + log((alpha - 1) / alpha) - (log
    delta + log alpha) / (alpha - 1) (Canonne, Kamath and Steinke 2020, prop.
    12), never larger than the classic value.
    """
    orders = _check_orders(orders)
    rdp = list(rdp)
    if len(rdp) != len(orders):
        raise ValueError(
            f"orders and rdp must have the same length, got {len(orders)} and "
            f"{len(rdp)}"
        )
    if any(not (r >= 0) for r in rdp):  # also rejects NaN
        raise ValueError("RDP values must be non-negative")
    delta = _check_probability("delta", delta, allow_zero=False)
    if delta >= 1:
        raise ValueError(f"delta must be in (0, 1), got {delta!r}")
    if conversion not in CONVERSIONS:
        raise ValueError(
            f"conversion must be one of {CONVERSIONS}, got {conversion!r}"
        )
    best = (math.inf, orders[0])
    for alpha, r in zip(orders, rdp):
        if conversion == "classic":
            eps = r + math.log(1 / delta) / (alpha - 1)
        else:
            eps = (
                r
                + math.log1p(-1 / alpha)
                - (math.log(delta) + math.log(alpha)) / (alpha - 1)
            )
        best = min(best, (max(eps, 0.0), alpha))
    return best


def dp_sgd_epsilon(
    *,
    sample_rate: float,
    noise_multiplier: float,
    steps: int,
    delta: float,
    orders: Iterable[int] = DEFAULT_ORDERS,
    conversion: str = "classic",
) -> tuple[float, int]:
    """Return (epsilon, best order) of ``steps`` DP-SGD steps, for delta.

    The steps run at (sample_rate, noise_multiplier).

    Composition: the RDP of T steps is T times the RDP of one step.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(
            f"steps must be a non-negative integer, got {steps!r}"
        )
    orders = _check_orders(orders)
    per_step = rdp_sampled_gaussian(sample_rate, noise_multiplier, orders)
    return rdp_to_epsilon(
        orders, [steps * r for r in per_step], delta, conversion=conversion
    )
