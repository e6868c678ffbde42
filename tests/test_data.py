"""Parsers on the offline files, registry checksums, quick MNIST split.

Also TensorLoader.
"""

import collections
import gzip
import io
import re
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

import conftest
from helpers import data

ROOT = Path(__file__).resolve().parents[1]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_TRAIN_COUNTS = [
    5923,
    6742,
    5958,
    6131,
    5842,
    5421,
    5918,
    6265,
    5851,
    5949,
]


# The ``offline_data`` fixture (conftest.py) finds the files through
# COURSE_DATA, then ../shared/data.


def idx_bytes(
    array: np.ndarray, type_code: int, big_endian_dtype: str
) -> bytes:
    """An IDX file: magic 0x0000TTDD, big-endian uint32 sizes, then the body.

    One size per dimension; the body is big-endian too.
    """
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.astype(big_endian_dtype).tobytes()


# --- IDX ---------------------------------------------------------------------


def test_read_idx_mnist_test_images(offline_data):
    images = data.read_idx(
        data.fetch("mnist", "t10k-images-idx3-ubyte.gz", progress=False)
    )
    assert images.shape == (10000, 28, 28)
    assert images.dtype == torch.uint8
    assert images.min() == 0 and images.max() == 255


def test_read_idx_mnist_labels(offline_data):
    test = data.read_idx(
        data.fetch("mnist", "t10k-labels-idx1-ubyte.gz", progress=False)
    )
    train = data.read_idx(
        data.fetch("mnist", "train-labels-idx1-ubyte.gz", progress=False)
    )
    assert test.shape == (10000,) and train.shape == (60000,)
    assert torch.bincount(test.long()).tolist() == MNIST_TEST_COUNTS
    assert torch.bincount(train.long()).tolist() == MNIST_TRAIN_COUNTS


@pytest.mark.parametrize(
    "dtype, type_code, big_endian, torch_dtype",
    [
        (np.int32, 0x0C, ">i4", torch.int32),
        (np.float32, 0x0D, ">f4", torch.float32),
        (np.int16, 0x0B, ">i2", torch.int16),
        (np.float64, 0x0E, ">f8", torch.float64),
    ],
)
@pytest.mark.parametrize("gzipped", [False, True])
def test_read_idx_round_trips_big_endian_files(
    tmp_path, dtype, type_code, big_endian, torch_dtype, gzipped
):
    array = (np.arange(2 * 3 * 4) - 7).reshape(2, 3, 4).astype(dtype) * dtype(
        3
    )
    raw = idx_bytes(array, type_code, big_endian)
    path = tmp_path / ("a.idx.gz" if gzipped else "a.idx")
    path.write_bytes(gzip.compress(raw) if gzipped else raw)

    tensor = data.read_idx(path)

    assert tensor.dtype == torch_dtype
    assert torch.equal(tensor, torch.from_numpy(array))


def test_read_idx_big_endian_is_not_read_as_little_endian(tmp_path):
    path = tmp_path / "one.idx"
    path.write_bytes(idx_bytes(np.array([1], dtype=np.int32), 0x0C, ">i4"))
    # little-endian would give 16777216
    assert data.read_idx(path).tolist() == [1]


@pytest.mark.parametrize(
    "raw, message",
    [
        (
            b"\x01\x00\x08\x01" + struct.pack(">I", 2) + b"\x00\x00",
            "not an IDX file",
        ),  # bad magic
        (
            b"\x00\x00\x0a\x01" + struct.pack(">I", 2) + b"\x00\x00",
            "not an IDX file",
        ),  # unknown type
        # too short
        (b"\x00\x00", "not an IDX file"),
        (
            b"\x00\x00\x08\x02" + struct.pack(">2I", 3, 4) + bytes(11),
            r"promises shape \(3, 4\) \(12 bytes\).*11 bytes",
        ),
        (
            b"\x00\x00\x0c\x01" + struct.pack(">I", 2) + bytes(9),
            r"8 bytes.*9 bytes",
        ),  # body too long
    ],
)
def test_read_idx_rejects_malformed_files(tmp_path, raw, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match=message) as caught:
        data.read_idx(path)
    assert str(path) in str(caught.value)


def test_read_idx_rejects_a_truncated_header(tmp_path):
    # Magic says 3 dimensions, but the file ends after one of the three sizes.
    path = tmp_path / "short-header.idx"
    path.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">I", 10))
    with pytest.raises(ValueError, match=re.escape(str(path))):
        data.read_idx(path)


# --- text and the registry ---------------------------------------------------


def test_load_text_tinyshakespeare(offline_data):
    text = data.load_text("tinyshakespeare")
    assert len(text) == 1_115_394
    assert text.startswith("First Citizen:")


def read_checksums(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {
        name.strip(): digest
        for digest, name in (
            line.split(None, 1) for line in lines if line.strip()
        )
    }


def test_registry_checksums_match_the_offline_copies(offline_data):
    present = [
        e
        for e in data.REGISTRY.values()
        if (offline_data / e.dataset / e.name).is_file()
    ]
    # the offline data folder publishes its checksums
    if (offline_data / "checksums.sha256").is_file():
        published = read_checksums(offline_data / "checksums.sha256")
        assert len(present) >= 25, (
            f"expected most registered files in {offline_data}, found "
            f"{len(present)}"
        )
        mismatched = [
            f"{e.dataset}/{e.name}"
            for e in present
            if published.get(f"{e.dataset}/{e.name}") != e.sha256
        ]
        assert not mismatched, (
            f"registry SHA-256 differs from checksums.sha256 for {mismatched}"
        )
    # and fetch accepts each cached copy (it re-hashes the file)
    for e in present:
        assert (
            data.fetch(e.dataset, e.name, progress=False)
            == offline_data / e.dataset / e.name
        )


# --- where the data tests find their files -----------------------------------


def make_cache(folder: Path, files=conftest.TEST_FILES) -> Path:
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"")
    return folder


def test_data_is_found_through_course_data_first(tmp_path):
    user, shared = (
        make_cache(tmp_path / "user"),
        make_cache(tmp_path / "shared"),
    )
    assert conftest.find_data(conftest.TEST_FILES, [str(user), shared]) == user
    # COURSE_DATA unset
    assert conftest.find_data(conftest.TEST_FILES, [None, shared]) == shared
    # e.g. only the MNIST test images
    partial = make_cache(tmp_path / "partial", conftest.TEST_FILES[:1])
    assert (
        conftest.find_data(conftest.TEST_FILES, [str(partial), shared])
        == shared
    )
    assert (
        conftest.find_data(
            conftest.TEST_FILES, [str(partial), tmp_path / "absent"]
        )
        is None
    )


@pytest.mark.parametrize("ci", [False, True])
def test_missing_data_skips_with_a_reason_except_under_ci(tmp_path, ci):
    candidates = [None, tmp_path / "absent"]
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected) as caught:
        conftest.missing_data(conftest.TEST_FILES, candidates, ci=ci)
    message = str(caught.value)
    assert (
        "COURSE_DATA" in message
        and "mnist/t10k-images-idx3-ubyte.gz" in message
    )
    assert str(tmp_path / "absent") in message
    assert ("CI=true" in message) == ci


# --- the quick MNIST split ---------------------------------------------------


def sample_keys(x: torch.Tensor, y: torch.Tensor) -> collections.Counter:
    """A multiset of (image bytes, label) pairs, images back in 0..255."""
    pixels = x.reshape(len(x), -1).mul(255).round().to(torch.uint8).numpy()
    return collections.Counter(zip(map(bytes, pixels), y.tolist()))


def test_quick_mnist_splits(offline_data, monkeypatch):
    # quick=True wins over the profile
    monkeypatch.setenv("COURSE_PROFILE", "full")
    splits = data.image_classification_data("mnist", quick=True)

    assert (
        len(splits.x_train),
        len(splits.y_train),
        len(splits.x_test),
        len(splits.y_test),
    ) == (8000, 8000, 2000, 2000)
    for x in (splits.x_train, splits.x_test):
        assert x.dtype == torch.float32 and x.shape[1:] == (1, 28, 28)
        assert 0 <= x.min() and x.max() <= 1 and x.max() > 0.99
    assert splits.y_train.dtype == torch.int64
    assert "quick" in splits.note and "8,000" in splits.note

    # Disjoint and complete: together the two splits are exactly the 10,000
    # test-file samples.
    images, labels = data.load_idx_dataset("mnist", "test")
    original = sample_keys(images.float().div(255), labels)
    assert (
        sample_keys(splits.x_train, splits.y_train)
        + sample_keys(splits.x_test, splits.y_test)
        == original
    )
    assert set(splits.y_test.tolist()) == set(range(10))


def test_quick_mnist_splits_are_deterministic(offline_data):
    first = data.image_classification_data("mnist", quick=True)
    torch.manual_seed(12345)  # the split must not depend on the global RNG
    second = data.image_classification_data("mnist", quick=True)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(first, name), getattr(second, name)), name


@pytest.mark.parametrize("num_quick_test", [0, 10000])
def test_quick_mnist_rejects_a_bad_test_size(offline_data, num_quick_test):
    with pytest.raises(ValueError, match="num_quick_test"):
        data.image_classification_data(
            "mnist", quick=True, num_quick_test=num_quick_test
        )


def test_load_idx_dataset_rejects_unknown_split(offline_data):
    with pytest.raises(ValueError, match="'train' or 'test'"):
        data.load_idx_dataset("mnist", "validation")


# --- TensorLoader ------------------------------------------------------------


def epoch(loader: data.TensorLoader) -> list[tuple[torch.Tensor, ...]]:
    return list(loader)


def test_loader_covers_every_sample_once_per_epoch_and_keeps_pairs():
    x = torch.arange(10)
    loader = data.TensorLoader(x, x * 100, batch_size=3, shuffle=True)
    orders = []
    for _ in range(3):
        batches = epoch(loader)
        assert [len(xb) for xb, _ in batches] == [3, 3, 3, 1]
        assert all(torch.equal(yb, xb * 100) for xb, yb in batches)
        order = torch.cat([xb for xb, _ in batches])
        assert sorted(order.tolist()) == list(range(10))
        orders.append(order.tolist())
    # it really shuffles, anew each epoch
    assert orders[0] != list(range(10)) and orders[0] != orders[1]


def test_loader_without_shuffle_keeps_order():
    x = torch.arange(7)
    assert torch.cat(
        [xb for (xb,) in data.TensorLoader(x, batch_size=2)]
    ).tolist() == list(range(7))


@pytest.mark.parametrize(
    "n, batch_size, drop_last, expected",
    [
        (10, 3, False, 4),
        (10, 3, True, 3),
        (9, 3, False, 3),
        (9, 3, True, 3),
        (2, 5, False, 1),
        (2, 5, True, 0),
    ],
)
def test_loader_len(n, batch_size, drop_last, expected):
    loader = data.TensorLoader(
        torch.zeros(n, 2),
        batch_size=batch_size,
        shuffle=True,
        drop_last=drop_last,
    )
    assert len(loader) == expected
    batches = epoch(loader)
    assert len(batches) == expected
    if drop_last:
        assert all(len(b) == batch_size for (b,) in batches)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, "8"])
def test_loader_rejects_a_bad_batch_size(batch_size):
    with pytest.raises(
        ValueError, match="batch_size must be a positive integer"
    ):
        data.TensorLoader(torch.zeros(4), batch_size=batch_size)


def test_loader_rejects_tensors_of_different_lengths():
    with pytest.raises(ValueError, match=r"same length.*\[10, 9\]"):
        data.TensorLoader(torch.zeros(10, 3), torch.zeros(9), batch_size=2)
    with pytest.raises(ValueError, match="at least one tensor"):
        data.TensorLoader(batch_size=2)


def test_loader_state_dict_reproduces_the_order():
    x = torch.arange(20)
    loader = data.TensorLoader(x, batch_size=4, shuffle=True, seed=3)
    epoch(loader)  # move the generator on
    buffer = io.BytesIO()
    torch.save(loader.state_dict(), buffer)
    expected = [epoch(loader) for _ in range(2)]

    other = data.TensorLoader(x, batch_size=4, shuffle=True, seed=99)
    buffer.seek(0)
    other.load_state_dict(torch.load(buffer, weights_only=True))

    resumed = [epoch(other) for _ in range(2)]
    assert [[b.tolist() for (b,) in e] for e in resumed] == [
        [b.tolist() for (b,) in e] for e in expected
    ]


def test_loader_seed_changes_the_order():
    x = torch.arange(50)
    first = torch.cat(
        [
            b
            for (b,) in data.TensorLoader(
                x, batch_size=50, shuffle=True, seed=0
            )
        ]
    )
    second = torch.cat(
        [
            b
            for (b,) in data.TensorLoader(
                x, batch_size=50, shuffle=True, seed=1
            )
        ]
    )
    again = torch.cat(
        [
            b
            for (b,) in data.TensorLoader(
                x, batch_size=50, shuffle=True, seed=0
            )
        ]
    )
    assert torch.equal(first, again) and not torch.equal(first, second)
