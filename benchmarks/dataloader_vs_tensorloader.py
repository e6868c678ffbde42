"""Seconds per epoch: the survey's DataLoader loop vs TensorLoader + fit.

``hp.TensorLoader`` and ``hp.fit`` are the course's (chapter 4.1). Run::

    python benchmarks/dataloader_vs_tensorloader.py \\
        [--epochs 3] [--batch-size 128] [--test-split]

Same model (the survey's 784-128-64-10 MLP), same data (MNIST), same optimizer
(SGD, lr 0.01, the survey's), same batch size; three ways to feed and train it,
timed in one run:

1. the survey's loop: ``torch.utils.data.DataLoader`` over a ``TensorDataset``
   on the CPU, every batch copied to the device with ``.to(device)``;
2. ``hp.TensorLoader``: the whole data set on the device, batches sliced there,
   the same hand-written loop (this separates the loader's share from
   ``fit``'s);
3. ``hp.TensorLoader`` + ``hp.fit``: the course's loop (mixed precision on
   CUDA, loss read once per epoch).

Each is run for one untimed warm-up epoch, then ``--epochs`` timed epochs, the
three taking turns epoch by epoch so that a change in the machine's load
affects all alike; the median is reported. This is a benchmark, not a test:
numbers depend on the machine and its load. ``--test-split`` uses the
8,000-image training split of the MNIST test file (what the quick profile uses,
and what an offline machine holds) even in the full profile.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import helpers as hp


def make_mlp() -> nn.Module:
    """The survey's network of chapter 4.1: 784-128-64-10 with ReLU."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 128),
        nn.ReLU(),
        nn.Linear(128, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def survey_epoch(model, loader, optimizer, device) -> None:
    """One epoch of the survey's loop: CPU batches, each copied to device."""
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def timed(
    methods: dict, device: torch.device, epochs: int
) -> dict[str, list[float]]:
    """Seconds of each of ``epochs`` epochs per method, after a warm-up.

    Each method first runs one untimed warm-up epoch.

    The methods take turns, one epoch each per round, so that a change in the
    machine's load during the run affects all of them alike.
    """
    for run_epoch in methods.values():
        run_epoch()
    seconds = {name: [] for name in methods}
    for _ in range(epochs):
        for name, run_epoch in methods.items():
            synchronize(device)
            start = time.perf_counter()
            run_epoch()
            synchronize(device)
            seconds[name].append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=3,
        help="timed epochs per method (default 3)",
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--test-split",
        action="store_true",
        help=(
            "train on the MNIST test file's 8,000-image split, whatever the "
            "profile"
        ),
    )
    args = parser.parse_args()
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be positive")

    device = hp.setup()
    data = hp.image_classification_data(
        "mnist", quick=True if args.test_split else None
    )
    mean, std = data.x_train.mean(), data.x_train.std()
    x_train = (data.x_train - mean) / std
    y_train = data.y_train
    print(
        f"{len(y_train):,} training images, batch size {args.batch_size}, "
        f"{-(-len(y_train) // args.batch_size)} steps per epoch, "
        f"{torch.get_num_threads()} CPU threads"
    )

    def fresh() -> tuple[nn.Module, torch.optim.Optimizer]:
        hp.seed_everything()
        model = make_mlp().to(device)
        return model, torch.optim.SGD(model.parameters(), lr=0.01)

    survey_model, survey_optimizer = fresh()
    cpu_loader = DataLoader(
        TensorDataset(x_train, y_train),
        batch_size=args.batch_size,
        shuffle=True,
    )
    x_device, y_device = x_train.to(device), y_train.to(device)
    loop_model, loop_optimizer = fresh()
    loop_loader = hp.TensorLoader(
        x_device, y_device, batch_size=args.batch_size, shuffle=True, seed=0
    )
    fit_model, fit_optimizer = fresh()
    fit_loader = hp.TensorLoader(
        x_device, y_device, batch_size=args.batch_size, shuffle=True, seed=0
    )
    results = timed(
        {
            "survey: DataLoader on the CPU, .to(device) per batch": lambda: (
                survey_epoch(
                    survey_model, cpu_loader, survey_optimizer, device
                )
            ),
            "hp.TensorLoader, the same hand-written loop": lambda: (
                survey_epoch(loop_model, loop_loader, loop_optimizer, device)
            ),
            "hp.TensorLoader + hp.fit": lambda: hp.fit(
                fit_model,
                fit_loader,
                loss_fn=F.cross_entropy,
                optimizer=fit_optimizer,
                num_epochs=1,
                progress=False,
            ),
        },
        device,
        args.epochs,
    )

    baseline = statistics.median(next(iter(results.values())))
    print(
        "\n"
        f"seconds per epoch on {hp.results.device_name()} (median of "
        f"{args.epochs}; torch {torch.__version__})"
    )
    print(f"{'method':55s} {'s/epoch':>9s} {'speed-up':>9s}")
    for name, seconds in results.items():
        median = statistics.median(seconds)
        print(f"{name:55s} {median:9.3f} {baseline / median:8.2f}x")
    fit_median = statistics.median(results["hp.TensorLoader + hp.fit"])
    print(
        "\nratio DataLoader loop / (TensorLoader + fit): "
        f"{baseline / fit_median:.2f}"
    )


if __name__ == "__main__":
    main()
