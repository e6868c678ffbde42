"""helpers.privacy: the RDP accountant of DP-SGD against published values."""

import itertools
import math

import pytest

from helpers import privacy


def test_abadi_setting_matches_tensorflow_privacy():
    # q = 0.01, sigma = 4, 10,000 steps, delta = 1e-5 (Abadi et al. 2016,
    # section 3.1: "eps ~ 1.26"); TensorFlow Privacy's rdp_accountant_test
    # expects 1.258575 at order 20 for orders 2..32.
    eps, order = privacy.dp_sgd_epsilon(
        sample_rate=0.01,
        noise_multiplier=4.0,
        steps=10_000,
        delta=1e-5,
        orders=range(2, 33),
    )
    assert eps == pytest.approx(1.258575, abs=1e-6)
    assert order == 20


@pytest.mark.parametrize(
    "noise_multiplier, epochs, published", [(1.12, 60, 2.92), (1.2, 10, 1.20)]
)
def test_tensorflow_privacy_mnist_tutorial_table(
    noise_multiplier, epochs, published
):
    # tensorflow/privacy tutorials/README.md: N = 60,000, batch 256, delta =
    # 1e-5.
    steps = epochs * (60_000 // 256)
    eps, _ = privacy.dp_sgd_epsilon(
        sample_rate=256 / 60_000,
        noise_multiplier=noise_multiplier,
        steps=steps,
        delta=1e-5,
    )
    assert eps == pytest.approx(published, abs=0.005)


def test_improved_conversion_matches_compute_dp_sgd_privacy_test():
    # tensorflow_privacy compute_dp_sgd_privacy_test 'Test0': (60000, 150, 1.3,
    # 15, 1e-5) -> 0.72422340, order 19.
    steps = math.ceil(15 * 60_000 / 150)
    eps, order = privacy.dp_sgd_epsilon(
        sample_rate=150 / 60_000,
        noise_multiplier=1.3,
        steps=steps,
        delta=1e-5,
        conversion="improved",
    )
    assert eps == pytest.approx(0.7242234026109595, rel=1e-9)
    assert order == 19
    classic, _ = privacy.dp_sgd_epsilon(
        sample_rate=150 / 60_000, noise_multiplier=1.3, steps=steps, delta=1e-5
    )
    assert classic > eps


def test_no_subsampling_is_the_gaussian_mechanism():
    sigma, orders = 2.0, list(range(2, 10))
    assert privacy.rdp_sampled_gaussian(1.0, sigma, orders) == pytest.approx(
        [a / (2 * sigma**2) for a in orders]
    )
    # q -> 1 from below agrees with the q = 1 closed form
    assert privacy.rdp_sampled_gaussian(
        1 - 1e-12, sigma, orders
    ) == pytest.approx([a / (2 * sigma**2) for a in orders], rel=1e-6)
    assert privacy.rdp_sampled_gaussian(0.0, sigma, orders) == [0.0] * len(
        orders
    )


def test_epsilon_falls_with_noise_and_grows_with_steps_and_sample_rate():
    kwargs = {"sample_rate": 0.01, "steps": 1000, "delta": 1e-5}
    by_sigma = [
        privacy.dp_sgd_epsilon(noise_multiplier=s, **kwargs)[0]
        for s in (0.6, 0.8, 1.0, 2.0, 4.0)
    ]
    assert all(a > b for a, b in itertools.pairwise(by_sigma))
    by_steps = [
        privacy.dp_sgd_epsilon(
            sample_rate=0.01, noise_multiplier=1.0, steps=t, delta=1e-5
        )[0]
        for t in (10, 100, 1000, 10_000)
    ]
    assert all(a < b for a, b in itertools.pairwise(by_steps))
    by_rate = [
        privacy.dp_sgd_epsilon(
            sample_rate=q, noise_multiplier=1.0, steps=100, delta=1e-5
        )[0]
        for q in (0.001, 0.01, 0.1, 1.0)
    ]
    assert all(a < b for a, b in itertools.pairwise(by_rate))


def test_rdp_of_subsampled_is_below_full_batch():
    orders = list(range(2, 40))
    sampled = privacy.rdp_sampled_gaussian(0.1, 1.0, orders)
    full = privacy.rdp_sampled_gaussian(1.0, 1.0, orders)
    assert all(0 <= s <= f for s, f in zip(sampled, full))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sample_rate": 1.5},
        {"sample_rate": -0.1},
        {"sample_rate": float("nan")},
        {"noise_multiplier": 0.0},
        {"noise_multiplier": -1.0},
        {"noise_multiplier": float("inf")},
        {"steps": -1},
        {"steps": 2.5},
        {"delta": 0.0},
        {"delta": 1.0},
        {"delta": 2.0},
        {"orders": []},
        {"orders": [1]},
        {"orders": [2.5]},
        {"conversion": "tight"},
    ],
)
def test_bad_inputs_raise_value_error(kwargs):
    args = {
        "sample_rate": 0.01,
        "noise_multiplier": 1.0,
        "steps": 100,
        "delta": 1e-5,
    }
    args.update(kwargs)
    with pytest.raises(ValueError):
        privacy.dp_sgd_epsilon(**args)


def test_rdp_to_epsilon_rejects_mismatched_or_negative_curves():
    with pytest.raises(ValueError, match="same length"):
        privacy.rdp_to_epsilon([2, 3], [0.1], 1e-5)
    with pytest.raises(ValueError, match="non-negative"):
        privacy.rdp_to_epsilon([2, 3], [0.1, -0.2], 1e-5)
