"""checks (gradient checks, explaining assertions), plotting, widgets."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from helpers import checks, plotting, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --- assert_close ------------------------------------------------------------


def test_assert_close_passes_on_equal_and_nearly_equal():
    x = torch.linspace(-1, 1, 12).reshape(3, 4)
    checks.assert_close(x, x.clone())
    checks.assert_close(x + 1e-9, x)
    checks.assert_close(torch.tensor(2.0), 2.0)


def test_assert_close_names_the_worst_index():
    expected = torch.zeros(3, 4)
    actual = expected.clone()
    actual[0, 0] = 0.5
    actual[2, 1] = -3.0
    with pytest.raises(AssertionError) as caught:
        checks.assert_close(actual, expected, name="h")
    message = str(caught.value)
    assert message.startswith("h: 2 of 12 entries differ")
    assert (
        "index (2, 1)" in message
        and "expected 0" in message
        and "got -3" in message
    )


def test_assert_close_reports_a_shape_mismatch():
    with pytest.raises(
        AssertionError, match=r"logits: expected shape \[2, 3\], got \[3, 2\]"
    ):
        checks.assert_close(
            torch.zeros(3, 2), torch.zeros(2, 3), name="logits"
        )


def test_assert_close_fails_on_nan():
    # A NaN in a student's output must not pass as "close".
    with pytest.raises(AssertionError):
        checks.assert_close(
            torch.tensor([1.0, math.nan]), torch.tensor([1.0, 2.0])
        )


# --- gradient checks ---------------------------------------------------------


def linear_mse_problem():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(20, 3, generator=g, dtype=torch.float64)
    y = torch.randn(20, generator=g, dtype=torch.float64)
    W = torch.randn(3, generator=g, dtype=torch.float64)
    b = torch.tensor(0.3, dtype=torch.float64)

    def loss(W, b):
        return ((X @ W + b - y) ** 2).mean()

    r = X @ W + b - y
    # d/dW mean(r^2) = 2/N X^T r
    grad_W, grad_b = 2 * X.T @ r / len(y), 2 * r.mean()
    return loss, W, b, grad_W, grad_b


def test_check_gradients_accepts_a_correct_hand_gradient():
    loss, W, b, grad_W, grad_b = linear_mse_problem()
    errors = checks.check_gradients(
        loss, [W, b], [grad_W, grad_b], names=["dL/dW", "dL/db"]
    )
    assert len(errors) == 2 and max(errors) < 1e-12


def test_check_gradients_rejects_a_wrong_hand_gradient():
    loss, W, b, grad_W, grad_b = linear_mse_problem()
    with pytest.raises(AssertionError, match="dL/dW: relative error"):
        checks.check_gradients(
            loss, [W, b], [grad_W / 2, grad_b], names=["dL/dW", "dL/db"]
        )  # forgot the 2
    with pytest.raises(AssertionError, match=r"grad\[1\]"):
        checks.check_gradients(loss, [W, b], [grad_W, -grad_b])


def test_check_gradients_rejects_a_nan_gradient():
    loss, W, b, grad_W, grad_b = linear_mse_problem()
    with pytest.raises(AssertionError):
        checks.check_gradients(
            loss, [W, b], [torch.full_like(grad_W, math.nan), grad_b]
        )


def test_check_gradients_bad_arguments():
    loss, W, b, grad_W, grad_b = linear_mse_problem()
    with pytest.raises(
        AssertionError, match=r"shape \[3, 1\], autograd's has \[3\]"
    ):
        checks.check_gradients(loss, [W, b], [grad_W[:, None], grad_b])
    with pytest.raises(
        ValueError, match="2 parameters but 1 manual gradients"
    ):
        checks.check_gradients(loss, [W, b], [grad_W])
    with pytest.raises(ValueError, match="scalar"):
        checks.check_gradients(lambda W: W * 2, [W], [grad_W])


def test_check_gradients_leaves_the_parameters_alone():
    loss, W, b, grad_W, grad_b = linear_mse_problem()
    checks.check_gradients(loss, [W, b], [grad_W, grad_b])
    assert W.grad is None and not W.requires_grad


def test_numerical_gradient_matches_autograd():
    x = torch.tensor([[0.5, -1.2, 2.0], [0.1, 0.0, -0.7]], dtype=torch.float64)

    def f(t):
        return (torch.sin(t) * t**2).sum() + t.prod()

    leaf = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(f(leaf), leaf)
    numeric = checks.numerical_gradient(f, x)
    checks.assert_close(numeric, expected, rtol=1e-6, atol=1e-8)
    assert torch.equal(x, leaf.detach())  # the input is not modified


def test_numerical_gradient_of_a_transposed_tensor():
    # not contiguous, as W.T often is
    W = torch.arange(6, dtype=torch.float64).reshape(2, 3).T
    grad = checks.numerical_gradient(lambda t: (t**2).sum(), W)
    checks.assert_close(grad, 2 * W, rtol=1e-6, atol=1e-8)


def test_relative_error():
    assert checks.relative_error(
        torch.tensor([1.0, 2.1]), torch.tensor([1.0, 2.0])
    ) == pytest.approx(0.05)
    assert (
        checks.relative_error(
            torch.zeros(2, dtype=torch.float64),
            torch.zeros(2, dtype=torch.float64),
        )
        == 0.0
    )


def test_relative_error_of_float32_zeros_is_zero():
    # A zero gradient (e.g. of an unused parameter) compared with itself, in
    # the default dtype.
    assert checks.relative_error(torch.zeros(2), torch.zeros(2)) == 0.0


def test_relative_error_with_infinities_compares_the_finite_parts():
    inf = float("inf")
    # A wrong gradient must not hide behind an infinity both sides share (inf -
    # inf is NaN).
    assert (
        checks.relative_error(
            torch.tensor([inf, 999.0]), torch.tensor([inf, 1.0])
        )
        > 1.0
    )
    assert (
        checks.relative_error(
            torch.tensor([inf, 1.0]), torch.tensor([inf, 1.0])
        )
        == 0.0
    )
    assert checks.relative_error(
        torch.tensor([-inf, 2.1]), torch.tensor([-inf, 2.0])
    ) == pytest.approx(0.05)
    assert (
        checks.relative_error(torch.tensor([inf]), torch.tensor([inf])) == 0.0
    )
    # Mismatched infinities are an infinite error.
    assert (
        checks.relative_error(
            torch.tensor([inf, 1.0]), torch.tensor([-inf, 1.0])
        )
        == inf
    )
    assert (
        checks.relative_error(
            torch.tensor([inf, 1.0]), torch.tensor([5.0, 1.0])
        )
        == inf
    )
    assert (
        checks.relative_error(
            torch.tensor([5.0, 1.0]), torch.tensor([inf, 1.0])
        )
        == inf
    )


def test_check_gradients_fails_a_wrong_gradient_next_to_an_infinite_one():
    x = torch.tensor([0.0, 1.0], dtype=torch.float64)
    # gradient -1/x: -inf at 0, -1 at 1
    loss_fn = lambda t: -torch.log(t).sum()
    right = torch.tensor([-float("inf"), -1.0], dtype=torch.float64)
    wrong = torch.tensor([-float("inf"), -999.0], dtype=torch.float64)
    with pytest.raises(AssertionError, match="relative error"):
        checks.check_gradients(loss_fn, [x], [wrong])
    assert checks.check_gradients(loss_fn, [x], [right]) == [0.0]


# --- assert_at_least / assert_at_most ----------------------------------------


def test_assert_at_least_and_at_most_pass_at_and_beyond_the_threshold():
    checks.assert_at_least(0.9, 0.9, name="accuracy")
    checks.assert_at_least(0.95, 0.9, name="accuracy")
    checks.assert_at_most(0.1, 0.1, name="loss")
    checks.assert_at_most(torch.tensor(0.05), 0.1, name="loss")


def test_assert_at_least_message():
    with pytest.raises(AssertionError) as caught:
        checks.assert_at_least(
            0.5, 0.9, name="test accuracy", hint="Train for more epochs."
        )
    assert str(caught.value) == (
        "test accuracy should be at least 0.9, got 0.5. Train for more epochs."
    )


def test_assert_at_most_message():
    with pytest.raises(AssertionError) as caught:
        checks.assert_at_most(2.5, 1.0, name="validation loss")
    assert str(caught.value) == "validation loss should be at most 1, got 2.5."


@pytest.mark.parametrize(
    "check", [checks.assert_at_least, checks.assert_at_most]
)
def test_nan_never_passes_a_threshold(check):
    with pytest.raises(AssertionError, match="got nan"):
        check(math.nan, 0.5, name="loss")


# --- plotting ----------------------------------------------------------------


def test_confusion_matrix_counts():
    targets = torch.tensor([0, 0, 1, 2, 2, 2])
    predictions = torch.tensor([0, 1, 1, 2, 0, 2])
    counts = plotting.confusion_matrix(predictions, targets, 3)
    # row = true, column = predicted
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert plotting.confusion_matrix(predictions, targets, 4).shape == (4, 4)


def test_confusion_matrix_rejects_bad_inputs():
    with pytest.raises(ValueError, match="differ in shape"):
        plotting.confusion_matrix(
            torch.tensor([0, 1]), torch.tensor([0, 1, 1]), 2
        )


@pytest.mark.parametrize("predictions", [[0, 3], [0, -1], [0, 5]])
def test_confusion_matrix_rejects_labels_out_of_range(predictions):
    # [0, 3] with 3 classes would otherwise be counted silently as row 1,
    # column 0.
    with pytest.raises(ValueError):
        plotting.confusion_matrix(
            torch.tensor(predictions), torch.tensor([0, 2]), 3
        )


def test_plot_history_draws_losses_and_metrics():
    history = {
        "train_loss": [1.0, 0.5, 0.3],
        "val_loss": [1.1, 0.7, 0.6],
        "val_accuracy": [0.5, 0.7, 0.8],
        "step_loss": [1.0] * 30,
    }
    fig = plotting.plot_history(history, title="run")
    assert isinstance(fig, Figure)
    loss_ax, metric_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == [
        "train_loss",
        "val_loss",
    ]
    assert [line.get_label() for line in metric_ax.get_lines()] == [
        "val_accuracy"
    ]
    assert list(loss_ax.get_lines()[0].get_xdata()) == [1, 2, 3]


def test_plot_history_of_losses_only_has_one_panel():
    assert len(plotting.plot_history({"train_loss": [1.0, 0.5]}).axes) == 1


def test_plot_history_rejects_unknown_keys():
    with pytest.raises(ValueError, match=r"history has no \['val_acc'\]"):
        plotting.plot_history(
            {"train_loss": [1.0]}, keys=["train_loss", "val_acc"]
        )


@pytest.mark.parametrize("shape", [(5, 8, 8), (5, 1, 8, 8), (5, 3, 8, 8)])
def test_image_grid_accepts_the_usual_shapes(shape):
    fig = plotting.image_grid(
        torch.rand(shape), titles=[str(i) for i in range(5)], ncols=4
    )
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 8  # 2 rows of 4
    assert sum(1 for ax in fig.axes if ax.images) == 5


@pytest.mark.parametrize("shape", [(8, 8), (5, 2, 8, 8), (2, 5, 1, 8, 8)])
def test_image_grid_rejects_bad_shapes(shape):
    with pytest.raises(ValueError, match="images must have shape"):
        plotting.image_grid(torch.rand(shape))


def test_image_grid_rejects_a_wrong_number_of_titles():
    with pytest.raises(ValueError, match="got 2 titles for 3 images"):
        plotting.image_grid(torch.rand(3, 8, 8), titles=["a", "b"])


def test_heatmap_returns_axes_with_labels():
    ax = plotting.heatmap(
        torch.rand(2, 3),
        xlabels=["a", "b", "c"],
        ylabels=["x", "y"],
        title="attention",
        annotate=True,
    )
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_title() == "attention"
    assert len(ax.texts) == 6


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4)])
def test_heatmap_rejects_non_matrices(shape):
    with pytest.raises(ValueError, match="2-D matrix"):
        plotting.heatmap(torch.rand(shape))


def test_plot_confusion_annotates_counts():
    ax = plotting.plot_confusion(
        torch.tensor([0, 1, 1]), torch.tensor([0, 1, 0]), ["cat", "dog"]
    )
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "1", "1"]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"


# --- widgets -----------------------------------------------------------------


def test_explore_draws_defaults_then_redraws_on_change(monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "display", shown.append)
    calls = []

    def plot(n, scale, kind):
        calls.append((n, scale, kind))
        plt.plot(range(n))

    widgets.explore(
        plot, n=(1, 10, 1), scale=(0.0, 2.0, 0.5, 1.0), kind=["sin", "cos"]
    )

    assert calls == [(1, 1.0, "sin")]
    (box,) = shown
    controls = {w.description: w for w in box.children[0].children}
    assert type(controls["n"]).__name__ == "IntSlider"
    assert type(controls["scale"]).__name__ == "FloatSlider"
    assert list(controls["kind"].options) == ["sin", "cos"]
    controls["n"].value = 4
    controls["kind"].value = "cos"
    assert calls[1:] == [(4, 1.0, "sin"), (4, 1.0, "cos")]


@pytest.mark.parametrize(
    "spec", [(1, 2), (1, 2, 3, 4, 5), [], [0, 10, 1], "sin", 5]
)
def test_explore_rejects_a_bad_control(spec):
    calls = []
    with pytest.raises(ValueError, match="control 'x'"):
        widgets.explore(lambda x: calls.append(x), x=spec)
    assert calls == []


def test_run_listing_returns_the_error_and_prints_its_first_line(capsys):
    error = checks.run_listing("x = 1\ny = undefined_name + x", {})
    assert isinstance(error, NameError)
    assert capsys.readouterr().out.startswith(
        "NameError: name 'undefined_name' is not defined"
    )


def test_run_listing_returns_none_and_fills_the_namespace_when_the_code_runs():
    namespace = {"a": 2}
    assert checks.run_listing("b = a * 3", namespace) is None
    assert namespace["b"] == 6
