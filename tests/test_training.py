"""fit: exact resume from a checkpoint, safe checkpoints, clear errors.

The errors are those for bad arguments.
"""

import copy
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from helpers import training
from helpers.data import TensorLoader

NUM_EPOCHS = 4


@pytest.fixture(autouse=True)
def one_thread():
    """These models are tiny: with several threads, OpenMP overhead dominates.

    It takes seconds on a busy machine.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def synthetic_data(n: int = 96) -> tuple[torch.Tensor, torch.Tensor]:
    """Three Gaussian blobs in 8 dimensions, made with a private generator."""
    g = torch.Generator().manual_seed(7)
    y = torch.randint(0, 3, (n,), generator=g)
    x = (
        torch.randn(n, 8, generator=g)
        + 2.0 * nn.functional.one_hot(y, 8).float()
    )
    return x, y


def make_run(init_seed: int, schedule: str = "step") -> SimpleNamespace:
    """A model with dropout, SGD with momentum, a schedule, a shuffling loader.

    Dropout makes the RNG state matter.
    """
    torch.manual_seed(init_seed)
    model = nn.Sequential(
        nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    if schedule == "step":
        scheduler = torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=5, gamma=0.7
        )
    else:
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: 1.0 / (1.0 + 0.1 * step)
        )
    x, y = synthetic_data()
    return SimpleNamespace(
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        loader=TensorLoader(
            x[:64], y[:64], batch_size=16, shuffle=True, seed=1
        ),
        val_loader=TensorLoader(x[64:], y[64:], batch_size=16),
    )


def train(
    run: SimpleNamespace,
    num_epochs: int,
    checkpoint=None,
    loss_fn=nn.functional.cross_entropy,
) -> dict:
    return training.fit(
        run.model,
        run.loader,
        loss_fn=loss_fn,
        optimizer=run.optimizer,
        num_epochs=num_epochs,
        val_loader=run.val_loader,
        scheduler=run.scheduler,
        checkpoint=checkpoint,
        progress=False,
    )


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

    # A restarted session: new objects, another init and a moved-on global RNG;
    # all must come from the file.
    torch.manual_seed(999)
    resumed = make_run(init_seed=1, schedule=schedule)
    assert not torch.equal(resumed.model[0].weight, run_a.model[0].weight)
    history_b = train(resumed, NUM_EPOCHS, checkpoint)

    assert_same_weights(resumed.model, run_a.model)
    assert history_b == history_a
    assert (
        len(history_b["train_loss"]) == NUM_EPOCHS
        and len(history_b["step_loss"]) == NUM_EPOCHS * 4
    )
    assert (
        resumed.optimizer.param_groups[0]["lr"]
        == run_a.optimizer.param_groups[0]["lr"]
    )


def test_without_restoring_the_rng_the_run_would_differ():
    """Guards the test above: dropout and shuffling make a run random.

    A run depends on the RNG, so equality means something.
    """
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
    assert set(saved) >= {
        "model",
        "optimizer",
        "scheduler",
        "rng",
        "loader",
        "history",
    }
    assert all(
        torch.equal(saved["model"][k], v)
        for k, v in run.model.state_dict().items()
    )
    # written atomically, nothing left over
    assert not list(tmp_path.glob("*.tmp"))


CALLS: list[int] = []


def counting_loss(outputs, targets):
    """Cross-entropy that records each call, to see whether ``fit`` trained."""
    CALLS.append(len(targets))
    return nn.functional.cross_entropy(outputs, targets)


def test_finished_checkpoint_does_no_more_training_and_says_so(
    tmp_path, capsys
):
    checkpoint = tmp_path / "run.pt"
    done = make_run(init_seed=0)
    history = train(done, 2, checkpoint, loss_fn=counting_loss)
    CALLS.clear()
    capsys.readouterr()

    again = make_run(init_seed=5)
    history_again = train(again, 2, checkpoint, loss_fn=counting_loss)

    # Only the checkpoint was loaded: no steps; the validation loss is not
    # recomputed either.
    assert CALLS == []
    assert history_again == history
    assert_same_weights(again.model, done.model)
    out = capsys.readouterr().out
    assert (
        "training skipped" in out
        and "already holds 2 epochs" in out
        and str(checkpoint) in out
    )


class CountingLoss(nn.CrossEntropyLoss):
    """A loss module whose repr() does not show its label_smoothing."""

    def forward(self, outputs, targets):
        CALLS.append(len(targets))
        return super().forward(outputs, targets)


# --- a checkpoint of another kind of run is not resumed ----------------------


class PreLN(nn.Module):
    """A residual block with the norm before the sublayer..."""

    def __init__(self):
        super().__init__()
        self.norm, self.linear, self.head = (
            nn.LayerNorm(8),
            nn.Linear(8, 8),
            nn.Linear(8, 3),
        )

    def forward(self, x):
        return self.head(x + self.linear(self.norm(x)))


class PostLN(nn.Module):
    """...and after it: same parameter names and shapes, another function."""

    def __init__(self):
        super().__init__()
        self.norm, self.linear, self.head = (
            nn.LayerNorm(8),
            nn.Linear(8, 8),
            nn.Linear(8, 3),
        )

    def forward(self, x):
        return self.head(self.norm(x + self.linear(x)))


# even a class of the same name must not match
PostLN.__name__ = PostLN.__qualname__ = "PreLN"


class WithActivation(nn.Module):
    """An activation passed as a plain function, as hp.LeNet takes it.

    It is invisible in repr(model).
    """

    def __init__(self, activation):
        super().__init__()
        self.activation, self.hidden, self.head = (
            activation,
            nn.Linear(8, 16),
            nn.Linear(16, 3),
        )

    def forward(self, x):
        return self.head(self.activation(self.hidden(x)))


def sequential(activation):
    return lambda: nn.Sequential(
        nn.Linear(8, 16), activation(), nn.Linear(16, 3)
    )


def sgd(params):
    return torch.optim.SGD(params, lr=0.05, momentum=0.9)


@pytest.mark.parametrize(
    "first, second, optimizers, losses, what",
    [
        (PreLN, PostLN, (sgd, sgd), (counting_loss, counting_loss), "model"),
        (
            sequential(nn.ReLU),
            sequential(nn.Tanh),
            (sgd, sgd),
            (counting_loss, counting_loss),
            "model",
        ),
        (
            lambda: WithActivation(torch.relu),
            lambda: WithActivation(torch.tanh),
            (sgd, sgd),
            (counting_loss, counting_loss),
            "model",
        ),
        (
            PreLN,
            PreLN,
            (sgd, lambda p: torch.optim.Adam(p, lr=0.05)),
            (counting_loss, counting_loss),
            "optimizer",
        ),
        (
            PreLN,
            PreLN,
            (sgd, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5)),
            (counting_loss, counting_loss),
            "optimizer",
        ),
        (
            PreLN,
            PreLN,
            (sgd, sgd),
            (
                counting_loss,
                lambda out, y: counting_loss(out, y) + out.pow(2).mean(),
            ),
            "loss",
        ),
        (
            PreLN,
            PreLN,
            (sgd, sgd),
            (CountingLoss(), CountingLoss(label_smoothing=0.1)),
            "loss",
        ),
    ],
    ids=[
        "post-LN vs pre-LN",
        "tanh vs ReLU",
        "activation attribute",
        "Adam vs SGD",
        "momentum",
        "loss",
        "label smoothing",
    ],
)
def test_checkpoint_of_another_run_is_not_resumed(
    tmp_path, capsys, first, second, optimizers, losses, what
):
    checkpoint = tmp_path / "run.pt"
    x, y = synthetic_data()
    loader = TensorLoader(x, y, batch_size=32)

    torch.manual_seed(0)
    old = first()
    old_history = training.fit(
        old,
        loader,
        loss_fn=losses[0],
        optimizer=optimizers[0](old.parameters()),
        num_epochs=2,
        checkpoint=checkpoint,
        progress=False,
    )
    torch.manual_seed(1)
    new = second()
    before = copy.deepcopy(new.state_dict())
    CALLS.clear()
    capsys.readouterr()
    history = training.fit(
        new,
        loader,
        loss_fn=losses[1],
        optimizer=optimizers[1](new.parameters()),
        num_epochs=2,
        checkpoint=checkpoint,
        progress=False,
    )

    out = capsys.readouterr().out
    assert f"not resuming from {checkpoint}" in out and f"the {what}" in out, (
        out
    )
    assert len(CALLS) == 2 * len(loader)  # trained both epochs afresh
    assert history != old_history and len(history["train_loss"]) == 2
    assert not torch.equal(
        new.head.weight if hasattr(new, "head") else new[2].weight,
        before["head.weight" if hasattr(new, "head") else "2.weight"],
    )
    assert (
        training.load_checkpoint(checkpoint)["fingerprint"]["model"]
        == training.fingerprint(
            new, optimizers[1](new.parameters()), losses[1]
        )["model"]
    )


def test_fingerprint_is_the_same_for_the_same_run_in_a_new_session():
    """Rebuilt objects (and a moved learning rate) give the same fingerprint.

    The learning rate is moved by a schedule.
    """

    def build():
        run = make_run(init_seed=0)
        return training.fingerprint(
            run.model,
            run.optimizer,
            nn.functional.cross_entropy,
            run.scheduler,
        )

    first = make_run(init_seed=0)
    train(first, 2)  # the schedule has changed this optimizer's lr
    assert first.optimizer.param_groups[0]["lr"] != 0.05
    moved = training.fingerprint(
        first.model,
        first.optimizer,
        nn.functional.cross_entropy,
        first.scheduler,
    )
    assert build() == build() == moved
    assert training.fingerprint(
        first.model, first.optimizer, nn.functional.cross_entropy
    ) != training.fingerprint(
        first.model, first.optimizer, nn.CrossEntropyLoss()
    )
    model = nn.Linear(2, 2)
    # printed in an order that varies between sessions
    model.names = {"alpha", "beta", "gamma", "delta"}
    described = training.fingerprint(
        model, torch.optim.SGD(model.parameters(), lr=0.1), nn.MSELoss()
    )["model"]
    positions = [
        described.index(name) for name in ("alpha", "beta", "delta", "gamma")
    ]
    assert positions == sorted(positions), described


def test_checkpoint_without_a_fingerprint_is_not_resumed(tmp_path, capsys):
    checkpoint = tmp_path / "run.pt"
    run = make_run(init_seed=0)
    train(run, 1, checkpoint)
    state = training.load_checkpoint(checkpoint)
    del state["fingerprint"]  # as written by helpers 0.1
    training.save_checkpoint(checkpoint, state)

    history = train(make_run(init_seed=0), 2, checkpoint)

    assert "no fingerprint" in capsys.readouterr().out
    assert len(history["train_loss"]) == 2


# --- empty loaders, clipping, mixed precision, no per-step synchronisation ---


def test_fit_rejects_an_empty_loader():
    run = make_run(init_seed=0)
    x, y = synthetic_data(10)
    # 10 samples, no full batch
    dropped = TensorLoader(x, y, batch_size=16, drop_last=True)
    for loader in (dropped, iter([])):  # with and without len()
        with pytest.raises(ValueError, match="no batches"):
            training.fit(
                run.model,
                loader,
                loss_fn=nn.functional.cross_entropy,
                optimizer=run.optimizer,
                num_epochs=1,
                progress=False,
            )


def test_fit_history_and_learning():
    run = make_run(init_seed=0)
    before = training.evaluate(
        run.model, run.val_loader, nn.functional.cross_entropy
    )
    history = train(run, 6)
    after = training.evaluate(
        run.model, run.val_loader, nn.functional.cross_entropy
    )
    assert set(history) == {
        "train_loss",
        "step_loss",
        "val_loss",
        "val_accuracy",
    }
    assert len(history["val_accuracy"]) == 6
    assert history["val_loss"][-1] == pytest.approx(after["loss"])
    assert after["loss"] < before["loss"] and after["accuracy"] > 0.8


def test_fit_names_metrics_by_the_split_they_come_from():
    run = make_run(init_seed=0)
    history = training.fit(
        run.model,
        run.loader,
        loss_fn=nn.functional.cross_entropy,
        optimizer=run.optimizer,
        num_epochs=1,
        val_loader=run.val_loader,
        eval_split="test",
        progress=False,
    )
    assert set(history) == {
        "train_loss",
        "step_loss",
        "test_loss",
        "test_accuracy",
    }
    with pytest.raises(ValueError, match="eval_split names the split"):
        training.fit(
            run.model,
            run.loader,
            loss_fn=nn.functional.cross_entropy,
            optimizer=run.optimizer,
            num_epochs=1,
            val_loader=run.val_loader,
            eval_split="test set",
            progress=False,
        )


class RecordingSGD(torch.optim.SGD):
    """SGD that records the global gradient norm it is about to apply."""

    def __init__(self, params, **kwargs):
        super().__init__(params, **kwargs)
        self.norms: list[float] = []

    def step(self, closure=None):
        grads = [
            p.grad
            for group in self.param_groups
            for p in group["params"]
            if p.grad is not None
        ]
        self.norms.append(
            torch.linalg.vector_norm(
                torch.stack([g.norm() for g in grads])
            ).item()
        )
        return super().step(closure)


@pytest.mark.parametrize("max_grad_norm", [None, 0.5])
def test_fit_clips_the_gradient_norm(max_grad_norm):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
    optimizer = RecordingSGD(model.parameters(), lr=0.5)
    x, y = synthetic_data()
    history = training.fit(
        model,
        TensorLoader(10 * x, y, batch_size=16),
        loss_fn=nn.functional.cross_entropy,
        optimizer=optimizer,
        num_epochs=2,
        max_grad_norm=max_grad_norm,
        progress=False,
    )
    assert len(history["step_loss"]) == len(optimizer.norms) == 12
    # guards the other case: these gradients are larger than the norm
    if max_grad_norm is None:
        assert max(optimizer.norms) > 2.0
    else:
        assert max(optimizer.norms) <= max_grad_norm * (1 + 1e-5), (
            optimizer.norms
        )


@pytest.mark.parametrize("num_epochs", [0, -1, 1.5])
def test_fit_rejects_a_bad_num_epochs(num_epochs):
    run = make_run(init_seed=0)
    with pytest.raises(
        ValueError, match="num_epochs must be a positive integer"
    ):
        training.fit(
            run.model,
            run.loader,
            loss_fn=nn.functional.cross_entropy,
            optimizer=run.optimizer,
            num_epochs=num_epochs,
            progress=False,
        )


@pytest.mark.parametrize("max_grad_norm", [0, -1.0])
def test_fit_rejects_a_non_positive_max_grad_norm(max_grad_norm):
    run = make_run(init_seed=0)
    with pytest.raises(ValueError, match="max_grad_norm must be positive"):
        training.fit(
            run.model,
            run.loader,
            loss_fn=nn.functional.cross_entropy,
            optimizer=run.optimizer,
            num_epochs=1,
            max_grad_norm=max_grad_norm,
            progress=False,
        )


def test_evaluate_rejects_an_empty_loader():
    model = nn.Linear(8, 3)
    empty = TensorLoader(
        torch.zeros(0, 8), torch.zeros(0, dtype=torch.long), batch_size=4
    )
    for loader in (empty, []):
        with pytest.raises(ValueError, match="empty loader"):
            training.evaluate(model, loader, nn.functional.cross_entropy)
    assert model.training  # the mode is restored


def test_evaluate_weights_batches_by_size():
    model = nn.Linear(2, 2, bias=False)
    x, y = torch.eye(2).repeat(3, 1)[:5], torch.tensor([0, 1, 0, 1, 1])
    with torch.no_grad():
        model.weight.copy_(torch.eye(2))
    result = training.evaluate(
        model, TensorLoader(x, y, batch_size=4), nn.functional.cross_entropy
    )
    # rows 0-3 right, row 4 (x=[1,0], y=1) wrong
    assert result["accuracy"] == pytest.approx(4 / 5)


def test_accuracy():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert training.accuracy(
        logits, torch.tensor([0, 1, 1])
    ).item() == pytest.approx(2 / 3)


def test_checkpoint_path_names_profile_seed_and_config(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CHECKPOINTS", str(tmp_path))
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.setenv("COURSE_SEED", "3")
    config = SimpleNamespace(num_epochs=4, lr=0.1)

    path = training.checkpoint_path("mlp", config)

    assert path.parent == tmp_path
    assert path.name.startswith("mlp-") and path.suffix == ".pt"
    assert "quick" in path.name and "seed3" in path.name
    assert (
        training.checkpoint_path("mlp", {"lr": 0.1, "num_epochs": 4}) == path
    )  # same settings, same file
    assert (
        training.checkpoint_path("mlp", SimpleNamespace(num_epochs=5, lr=0.1))
        != path
    )
    assert training.checkpoint_path("cnn", config) != path
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert "full" in training.checkpoint_path("mlp", config).name
    monkeypatch.setenv("COURSE_SEED", "4")
    assert "seed4" in training.checkpoint_path("mlp", config).name


@pytest.mark.parametrize("name", ["", "a/b", "../mlp", "my model", "ch3\\mlp"])
def test_checkpoint_path_rejects_bad_names(name):
    with pytest.raises(ValueError, match="checkpoint name"):
        training.checkpoint_path(name)


@pytest.mark.parametrize(
    "capability, expected",
    [
        ((7, 5), torch.float16),
        ((7, 0), torch.float16),
        ((8, 0), torch.bfloat16),
        ((8, 9), torch.bfloat16),
        ((9, 0), torch.bfloat16),
    ],
    ids=["T4", "V100", "A100", "L4", "H100"],
)
def test_amp_dtype_is_bf16_only_where_the_gpu_has_it_natively(
    monkeypatch, capability, expected
):
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(
        torch.cuda, "get_device_capability", lambda device=None: capability
    )
    monkeypatch.setattr(
        torch.cuda, "is_bf16_supported", lambda *args, **kwargs: True
    )  # a T4 says so too
    assert training.amp_dtype(torch.device("cuda")) == expected
    assert training.amp_dtype("cuda:0") == expected
    assert training.autocast_dtype(torch.device("cuda")) == expected


@pytest.mark.parametrize("device", ["cpu", "mps"])
def test_amp_dtype_is_none_off_cuda(device):
    assert training.amp_dtype(torch.device(device)) is None


def test_hp_exposes_amp_dtype():
    import helpers as hp

    assert hp.amp_dtype is training.amp_dtype


def count_host_copies(monkeypatch) -> list[str]:
    """Count the calls that copy a tensor's value to Python.

    Each one waits for a GPU.
    """
    calls = []
    for name in ("item", "tolist", "__float__", "__int__", "__bool__"):
        original = getattr(torch.Tensor, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counted)
    return calls


@pytest.mark.parametrize("with_validation", [False, True])
def test_fit_copies_losses_to_the_host_a_fixed_number_of_times_per_epoch(
    monkeypatch, with_validation
):
    x, y = synthetic_data(192)
    counts = {}
    for batch_size in (64, 8):  # 3 and 24 steps per epoch
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = TensorLoader(x, y, batch_size=batch_size)
        val_loader = (
            TensorLoader(x, y, batch_size=batch_size)
            if with_validation
            else None
        )
        with monkeypatch.context() as patch:
            calls = count_host_copies(patch)
            history = training.fit(
                model,
                loader,
                loss_fn=nn.functional.cross_entropy,
                optimizer=optimizer,
                num_epochs=2,
                val_loader=val_loader,
                progress=True,
            )
        assert len(history["step_loss"]) == 2 * len(loader)
        counts[batch_size] = len(calls)
    # per epoch: a few copies, however many steps
    assert counts[8] == counts[64] <= 2 * 4, counts


def test_evaluate_copies_to_the_host_once(monkeypatch):
    x, y = synthetic_data(192)
    model = nn.Linear(8, 3)
    with monkeypatch.context() as patch:
        calls = count_host_copies(patch)
        training.evaluate(
            model,
            TensorLoader(x, y, batch_size=8),
            nn.functional.cross_entropy,
        )
    assert len(calls) <= 2, calls


def test_fingerprint_mismatch_for_hand_written_loops():
    run = make_run(init_seed=0)
    current = training.fingerprint(
        run.model, run.optimizer, nn.functional.cross_entropy
    )
    assert training.fingerprint_mismatch(current, current) is None
    other = training.fingerprint(
        run.model,
        torch.optim.Adam(run.model.parameters()),
        nn.functional.cross_entropy,
    )
    assert "optimizer" in training.fingerprint_mismatch(current, other)
    assert "no fingerprint" in training.fingerprint_mismatch(None, current)


SESSION = """
import json, sys, torch
from torch import nn
from helpers import training

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.tags = {"a", "b", "c", "d", "e"}
        self.activation = torch.tanh
        self.layers = nn.Sequential(
            nn.Linear(8, 16), nn.Dropout(0.1), nn.Linear(16, 3)
        )

    def forward(self, x):
        return self.layers(self.activation(x))

model = Net()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda step: 1 / (1 + step)
)
loss = lambda out, y: nn.functional.cross_entropy(out, y, label_smoothing=0.1)
print(json.dumps(training.fingerprint(model, optimizer, loss, scheduler, 1.0)))
"""


def test_fingerprint_is_the_same_in_another_process(tmp_path):
    """A restarted session: another process, string-hash seed, addresses."""
    import json
    import os
    import subprocess
    import sys

    script = tmp_path / "session.py"
    script.write_text(SESSION, encoding="utf-8")
    root = str(Path(training.__file__).resolve().parents[1])
    sessions = [
        subprocess.Popen(
            [sys.executable, str(script)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": root},
        )
        # side by side: each spends seconds importing torch
        for seed in ("1", "2")
    ]
    outputs = [session.communicate(timeout=300)[0] for session in sessions]
    assert [session.returncode for session in sessions] == [0, 0]
    first, second = (json.loads(output) for output in outputs)
    assert first == second
    assert (
        "tanh" in first["model"]
        and "AdamW" in first["optimizer"]
        and "LambdaLR" in first["scheduler"]
    )
