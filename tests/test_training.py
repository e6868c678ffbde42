"""fit: exact resume from a checkpoint, safe checkpoint files, and clear errors for bad arguments."""

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from helpers import training
from helpers.data import TensorLoader

NUM_EPOCHS = 4


@pytest.fixture(autouse=True)
def one_thread():
    """These models are tiny: with several threads, OpenMP overhead dominates (seconds on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def synthetic_data(n: int = 96) -> tuple[torch.Tensor, torch.Tensor]:
    """Three Gaussian blobs in 8 dimensions, made with a private generator."""
    g = torch.Generator().manual_seed(7)
    y = torch.randint(0, 3, (n,), generator=g)
    x = torch.randn(n, 8, generator=g) + 2.0 * nn.functional.one_hot(y, 8).float()
    return x, y


def make_run(init_seed: int, schedule: str = "step") -> SimpleNamespace:
    """A model with dropout (so the RNG state matters), SGD with momentum, a schedule and a shuffling loader."""
    torch.manual_seed(init_seed)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    if schedule == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.7)
    else:
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1.0 + 0.1 * step))
    x, y = synthetic_data()
    return SimpleNamespace(
        model=model, optimizer=optimizer, scheduler=scheduler,
        loader=TensorLoader(x[:64], y[:64], batch_size=16, shuffle=True, seed=1),
        val_loader=TensorLoader(x[64:], y[64:], batch_size=16),
    )


def train(run: SimpleNamespace, num_epochs: int, checkpoint=None, loss_fn=nn.functional.cross_entropy) -> dict:
    return training.fit(run.model, run.loader, loss_fn=loss_fn, optimizer=run.optimizer, num_epochs=num_epochs,
                        val_loader=run.val_loader, scheduler=run.scheduler, checkpoint=checkpoint, progress=False)


def assert_same_weights(a: nn.Module, b: nn.Module) -> None:
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(p, q), f"{name} differs"


@pytest.mark.parametrize("schedule", ["step", "lambda"])
def test_resume_continues_exactly(tmp_path, schedule):
    checkpoint = tmp_path / "run.pt"

    run_a = make_run(init_seed=0, schedule=schedule)
    torch.manual_seed(123)
    history_a = train(run_a, NUM_EPOCHS)

    run_b = make_run(init_seed=0, schedule=schedule)
    torch.manual_seed(123)
    train(run_b, 2, checkpoint)
    assert checkpoint.exists()

    # A restarted session: new objects, another init and a moved-on global RNG; all must come from the file.
    torch.manual_seed(999)
    resumed = make_run(init_seed=1, schedule=schedule)
    assert not torch.equal(resumed.model[0].weight, run_a.model[0].weight)
    history_b = train(resumed, NUM_EPOCHS, checkpoint)

    assert_same_weights(resumed.model, run_a.model)
    assert history_b == history_a
    assert len(history_b["train_loss"]) == NUM_EPOCHS and len(history_b["step_loss"]) == NUM_EPOCHS * 4
    assert resumed.optimizer.param_groups[0]["lr"] == run_a.optimizer.param_groups[0]["lr"]


def test_without_restoring_the_rng_the_run_would_differ():
    """Guards the test above: dropout and shuffling make a run depend on the RNG, so equality means something."""
    first, second = make_run(init_seed=0), make_run(init_seed=0)
    torch.manual_seed(123)
    train(first, 2)
    torch.manual_seed(124)
    train(second, 2)
    assert not torch.equal(first.model[0].weight, second.model[0].weight)


def test_checkpoint_loads_with_weights_only(tmp_path):
    checkpoint = tmp_path / "run.pt"
    run = make_run(init_seed=0)
    train(run, 1, checkpoint)

    saved = torch.load(checkpoint, weights_only=True)

    assert saved["epoch"] == 0
    assert set(saved) >= {"model", "optimizer", "scheduler", "rng", "loader", "history"}
    assert all(torch.equal(saved["model"][k], v) for k, v in run.model.state_dict().items())
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, nothing left over


def test_finished_checkpoint_does_no_more_training(tmp_path):
    checkpoint = tmp_path / "run.pt"
    done = make_run(init_seed=0)
    history = train(done, 2, checkpoint)
    calls = []

    def counting_loss(outputs, targets):
        calls.append(len(targets))
        return nn.functional.cross_entropy(outputs, targets)

    again = make_run(init_seed=5)
    history_again = train(again, 2, checkpoint, loss_fn=counting_loss)

    # Only the checkpoint was loaded: no steps; the validation loss is not recomputed either.
    assert calls == []
    assert history_again == history
    assert_same_weights(again.model, done.model)


def test_fit_history_and_learning():
    run = make_run(init_seed=0)
    before = training.evaluate(run.model, run.val_loader, nn.functional.cross_entropy)
    history = train(run, 6)
    after = training.evaluate(run.model, run.val_loader, nn.functional.cross_entropy)
    assert set(history) == {"train_loss", "step_loss", "val_loss", "val_accuracy"}
    assert len(history["val_accuracy"]) == 6
    assert history["val_loss"][-1] == pytest.approx(after["loss"])
    assert after["loss"] < before["loss"] and after["accuracy"] > 0.8


def test_fit_with_gradient_clipping_runs():
    run = make_run(init_seed=0)
    history = training.fit(run.model, run.loader, loss_fn=nn.functional.cross_entropy, optimizer=run.optimizer,
                           num_epochs=1, max_grad_norm=0.5, progress=False)
    assert len(history["step_loss"]) == 4


@pytest.mark.parametrize("num_epochs", [0, -1, 1.5])
def test_fit_rejects_a_bad_num_epochs(num_epochs):
    run = make_run(init_seed=0)
    with pytest.raises(ValueError, match="num_epochs must be a positive integer"):
        training.fit(run.model, run.loader, loss_fn=nn.functional.cross_entropy, optimizer=run.optimizer,
                     num_epochs=num_epochs, progress=False)


@pytest.mark.parametrize("max_grad_norm", [0, -1.0])
def test_fit_rejects_a_non_positive_max_grad_norm(max_grad_norm):
    run = make_run(init_seed=0)
    with pytest.raises(ValueError, match="max_grad_norm must be positive"):
        training.fit(run.model, run.loader, loss_fn=nn.functional.cross_entropy, optimizer=run.optimizer,
                     num_epochs=1, max_grad_norm=max_grad_norm, progress=False)


def test_evaluate_rejects_an_empty_loader():
    model = nn.Linear(8, 3)
    empty = TensorLoader(torch.zeros(0, 8), torch.zeros(0, dtype=torch.long), batch_size=4)
    for loader in (empty, []):
        with pytest.raises(ValueError, match="empty loader"):
            training.evaluate(model, loader, nn.functional.cross_entropy)
    assert model.training  # the mode is restored


def test_evaluate_weights_batches_by_size():
    model = nn.Linear(2, 2, bias=False)
    x, y = torch.eye(2).repeat(3, 1)[:5], torch.tensor([0, 1, 0, 1, 1])
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
    result = training.evaluate(model, TensorLoader(x, y, batch_size=4), nn.functional.cross_entropy)
    assert result["accuracy"] == pytest.approx(4 / 5)  # rows 0-3 right, row 4 (x=[1,0], y=1) wrong


def test_accuracy():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert training.accuracy(logits, torch.tensor([0, 1, 1])).item() == pytest.approx(2 / 3)


def test_checkpoint_path_names_profile_seed_and_config(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CHECKPOINTS", str(tmp_path))
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.setenv("COURSE_SEED", "3")
    config = SimpleNamespace(num_epochs=4, lr=0.1)

    path = training.checkpoint_path("mlp", config)

    assert path.parent == tmp_path
    assert path.name.startswith("mlp-") and path.suffix == ".pt"
    assert "quick" in path.name and "seed3" in path.name
    assert training.checkpoint_path("mlp", {"lr": 0.1, "num_epochs": 4}) == path  # same settings, same file
    assert training.checkpoint_path("mlp", SimpleNamespace(num_epochs=5, lr=0.1)) != path
    assert training.checkpoint_path("cnn", config) != path
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert "full" in training.checkpoint_path("mlp", config).name
    monkeypatch.setenv("COURSE_SEED", "4")
    assert "seed4" in training.checkpoint_path("mlp", config).name


@pytest.mark.parametrize("name", ["", "a/b", "../mlp", "my model", "ch3\\mlp"])
def test_checkpoint_path_rejects_bad_names(name):
    with pytest.raises(ValueError, match="checkpoint name"):
        training.checkpoint_path(name)
