"""helpers.vision: the CIFAR-10 registry entry and parser, augmentation."""

import builtins
import io
import os
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import data, vision

FOLDER = "cifar-10-batches-py"


class Python2Pickler(pickle._Pickler):
    """A protocol-2 pickler writing str and bytes as Python 2 byte strings.

    It uses the opcodes U/T.

    The published batches were pickled by Python 2, where strings are byte
    strings; Python 3's own protocol 2 would instead write bytes as calls to
    ``_codecs.encode``.
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_string(self, obj: str | bytes) -> None:
        raw = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(raw) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(raw)]) + raw)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(raw)) + raw)
        self.memoize(obj)

    dispatch[bytes] = save_py2_string
    dispatch[str] = save_py2_string


def py2_pickle(obj: object) -> bytes:
    """Return ``obj`` pickled as Python 2 and numpy 1.x did.

    That is with ``numpy.core``, not numpy 2's ``numpy._core``.
    """
    buffer = io.BytesIO()
    Python2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue().replace(
        b"numpy._core.multiarray", b"numpy.core.multiarray"
    )


def batch_bytes(
    images: np.ndarray,
    labels: list[int],
    label: bytes = b"training batch 1 of 5",
) -> bytes:
    """One batch in the published format.

    A dict with byte-string keys b"data", b"labels", ...
    """
    return py2_pickle(
        {
            b"batch_label": label,
            b"labels": labels,
            b"data": images,
            b"filenames": [
                f"img_{i}.png".encode() for i in range(len(labels))
            ],
        }
    )


def write_archive(path: Path, members: dict[str, bytes]) -> Path:
    """Write a .tar.gz whose members are ``cifar-10-batches-py/<name>``."""
    with tarfile.open(path, "w:gz") as archive:
        for name, raw in members.items():
            info = tarfile.TarInfo(f"{FOLDER}/{name}")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return path


def fake_cifar(
    tmp_path: Path, n: int = 4, **replace: bytes
) -> tuple[Path, dict[str, np.ndarray], dict[str, list[int]]]:
    """A small archive in the real layout: 5 training batches and a test one.

    Each holds ``n`` images.
    """
    rng = np.random.default_rng(0)
    images, labels, members = {}, {}, {}
    for name in (*vision.CIFAR10_TRAIN_BATCHES, vision.CIFAR10_TEST_BATCH):
        images[name] = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        labels[name] = rng.integers(0, 10, size=n).tolist()
        members[name] = batch_bytes(images[name], labels[name])
    members["batches.meta"] = py2_pickle(
        {b"label_names": [c.encode() for c in vision.CIFAR10_CLASSES]}
    )
    members.update(replace)
    return (
        write_archive(tmp_path / "cifar-10-python.tar.gz", members),
        images,
        labels,
    )


def test_registry_entry():
    entry = data.REGISTRY[("cifar-10", "cifar-10-python.tar.gz")]
    assert (
        entry.sha256
        == "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
    )
    assert (
        entry.urls[0]
        == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    )
    assert len(entry.urls) >= 2 and all(
        u.startswith("https://") for u in entry.urls
    )


def test_fake_archive_uses_the_published_numpy_name(tmp_path):
    raw = batch_bytes(np.zeros((1, 3072), np.uint8), [0])
    assert b"numpy.core.multiarray" in raw and b"numpy._core" not in raw
    # keys are Python 2 byte strings
    assert b"_codecs" not in raw and b"U\x04data" in raw


def test_read_cifar10_layout_and_order(tmp_path):
    path, images, labels = fake_cifar(tmp_path)
    x_train, y_train, x_test, y_test = vision.read_cifar10(path)
    assert x_train.shape == (20, 3, 32, 32) and x_train.dtype == torch.uint8
    assert y_train.shape == (20,) and y_train.dtype == torch.int64
    assert (
        x_test.shape == (4, 3, 32, 32)
        and y_test.tolist() == labels["test_batch"]
    )
    expected = np.concatenate(
        [images[name] for name in vision.CIFAR10_TRAIN_BATCHES]
    )
    assert y_train.tolist() == sum(
        (labels[name] for name in vision.CIFAR10_TRAIN_BATCHES), []
    )
    # Row-major planes: red is bytes 0..1023, green 1024..2047, blue
    # 2048..3071, each 32 rows of 32.
    i, r, c = 7, 5, 30
    for channel in range(3):
        assert (
            x_train[i, channel, r, c].item()
            == expected[i, channel * 1024 + r * 32 + c]
        )
    assert torch.equal(x_train.reshape(20, -1), torch.from_numpy(expected))


def test_read_cifar10_refuses_code_in_a_pickle(tmp_path):
    class Payload:
        def __reduce__(self):
            return builtins.exec, (
                "import os; os.environ['CIFAR_PAYLOAD_RAN'] = '1'",
            )

    path, _, _ = fake_cifar(
        tmp_path, data_batch_3=py2_pickle({b"data": Payload(), b"labels": []})
    )
    with pytest.raises(
        ValueError,
        match=r"data_batch_3.*refusing to load (__builtin__|builtins)\.exec",
    ):
        vision.read_cifar10(path)
    assert "CIFAR_PAYLOAD_RAN" not in os.environ


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is not an archive at all", "not a readable .tar.gz"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 40, "not a readable .tar.gz"),
    ],
)
def test_read_cifar10_not_an_archive(tmp_path, content, message):
    path = tmp_path / "cifar-10-python.tar.gz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        vision.read_cifar10(path)


def test_read_cifar10_truncated_archive(tmp_path):
    path, _, _ = fake_cifar(tmp_path, n=50)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match="not a readable .tar.gz"):
        vision.read_cifar10(path)


def test_read_cifar10_missing_batch(tmp_path):
    members = {
        "data_batch_1": batch_bytes(np.zeros((2, 3072), np.uint8), [0, 1])
    }
    path = write_archive(tmp_path / "partial.tar.gz", members)
    with pytest.raises(
        ValueError,
        match=r"lacks the CIFAR-10 batches \['data_batch_2'.*'test_batch'\]",
    ):
        vision.read_cifar10(path)


@pytest.mark.parametrize(
    "member, message",
    [
        (
            batch_bytes(np.zeros((2, 1024), np.uint8), [0, 1]),
            r"shape \[n, 3072\]",
        ),
        (
            batch_bytes(np.zeros((2, 3072), np.float32), [0, 1]),
            "must be a uint8 array",
        ),
        (
            batch_bytes(np.zeros((2, 3072), np.uint8), [0]),
            "list of 2 class indices",
        ),
        (
            batch_bytes(np.zeros((2, 3072), np.uint8), [0, 10]),
            r"labels must lie in 0\.\.9",
        ),
        (py2_pickle({b"images": b""}), "expected keys b'data' and b'labels'"),
        (py2_pickle([1, 2, 3]), "expected a pickled dict"),
        (b"garbage that is not a pickle", "not a readable CIFAR-10 batch"),
    ],
)
def test_read_cifar10_malformed_batch(tmp_path, member, message):
    path, _, _ = fake_cifar(tmp_path, test_batch=member)
    with pytest.raises(ValueError, match=message):
        vision.read_cifar10(path)


def test_cifar10_data_full_profile_scales_the_parsed_file(
    tmp_path, monkeypatch, capsys
):
    path, images, _ = fake_cifar(tmp_path)
    monkeypatch.setattr(vision, "fetch", lambda dataset, name: path)
    splits = vision.cifar10_data(quick=False)
    assert (
        splits.x_train.shape == (20, 3, 32, 32)
        and splits.x_train.dtype == torch.float32
    )
    assert splits.x_test.max() <= 1 and splits.x_test.min() >= 0
    assert splits.x_test[0, 2, 0, 1].item() == pytest.approx(
        images["test_batch"][0, 2048 + 1] / 255
    )
    assert splits.classes == vision.CIFAR10_CLASSES
    assert "full profile: CIFAR-10" in capsys.readouterr().out


@pytest.mark.skipif(
    not (data.cache_dir() / "mnist" / "t10k-images-idx3-ubyte.gz").exists(),
    reason="needs the offline MNIST test file",
)
def test_cifar10_data_quick_profile_stand_in(capsys):
    splits = vision.cifar10_data(
        quick=True, num_quick_train=30, num_quick_test=10
    )
    assert splits.x_train.shape == (30, 3, 32, 32) and splits.x_test.shape == (
        10,
        3,
        32,
        32,
    )
    # grey: the three channels agree
    assert torch.equal(splits.x_train[:, 0], splits.x_train[:, 2])
    # the 2-pixel border added around 28x28 digits
    assert splits.x_train[:, :, :2].abs().sum() == 0
    assert splits.classes == tuple("0123456789")
    assert "CIFAR-10 is not in the offline data" in capsys.readouterr().out
    with pytest.raises(ValueError, match="at most"):
        vision.cifar10_data(quick=True, num_quick_train=10**6)
    with pytest.raises(ValueError, match="positive integer"):
        vision.cifar10_data(quick=True, num_quick_test=0)


def test_random_crop_flip_cuts_windows_of_the_padded_image():
    torch.manual_seed(0)
    images = torch.randn(64, 2, 6, 7)
    out = vision.random_crop_flip(images, padding=2, flip=True)
    assert out.shape == images.shape
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2), mode="reflect")
    offsets = set()
    for i in range(len(images)):
        matches = [
            (dy, dx, f)
            for dy in range(5)
            for dx in range(5)
            for f in (False, True)
            if torch.equal(
                out[i],
                (lambda w: w.flip(2) if f else w)(
                    padded[i, :, dy : dy + 6, dx : dx + 7]
                ),
            )
        ]
        assert matches, (
            f"image {i} is not a (mirrored) window of its padded original"
        )
        offsets.add(matches[0])
    assert len(offsets) > 20, "offsets and flips should vary between images"


def test_random_crop_flip_flips_about_half():
    torch.manual_seed(1)
    images = torch.arange(4.0).view(1, 1, 1, 4).expand(2000, 1, 1, 4)
    out = vision.random_crop_flip(images, padding=0, flip=True)
    flipped = (out[:, 0, 0, 0] == 3).float().mean().item()
    assert 0.45 < flipped < 0.55
    assert torch.equal(
        vision.random_crop_flip(images, padding=0, flip=False), images
    )


@pytest.mark.parametrize(
    "images, padding, message",
    [
        (torch.zeros(2, 3, 8, 8, dtype=torch.uint8), 1, "float tensor"),
        (torch.zeros(3, 8, 8), 1, "float tensor"),
        (torch.zeros(2, 3, 8, 8), 8, "padding must be"),
        (torch.zeros(2, 3, 8, 8), -1, "padding must be"),
    ],
)
def test_random_crop_flip_rejects_bad_input(images, padding, message):
    with pytest.raises(ValueError, match=message):
        vision.random_crop_flip(images, padding=padding)


def test_augmented_loader_transforms_batches_and_keeps_loader_state():
    x, y = torch.arange(10.0).view(10, 1), torch.arange(10)
    loader = vision.AugmentedLoader(
        data.TensorLoader(x, y, batch_size=4, shuffle=True, seed=3),
        lambda b: -b,
    )
    assert len(loader) == 3
    state = loader.state_dict()
    first = [(xb.clone(), yb.clone()) for xb, yb in loader]
    for xb, yb in first:
        assert torch.equal(xb, -yb.float().view(-1, 1))
    loader.load_state_dict(state)
    again = list(loader)
    assert all(torch.equal(a[1], b[1]) for a, b in zip(first, again)), (
        "restored state must replay the same order"
    )
    with pytest.raises(ValueError, match="callable"):
        vision.AugmentedLoader(loader, transform=None)
