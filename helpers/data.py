"""Data: a registry of real datasets, a safe downloader, parsers, batching.

Batching happens on the device.

Files are cached as ``<cache>/<dataset>/<file name as published>``, where
``<cache>`` is ``COURSE_DATA`` or a per-user cache folder. A download goes to a
temporary file in that folder and is renamed only after its SHA-256 matches, so
an interrupted or corrupt download never leaves a file that looks cached. A
cached file whose SHA-256 does not match is moved aside
(``<name>.corrupt-<time>``) and downloaded again.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import struct
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from .env import is_quick


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its name, SHA-256 and the URLs to try.

    The URLs after the first are mirrors.
    """

    dataset: str
    name: str
    sha256: str
    urls: tuple[str, ...]


REGISTRY: dict[tuple[str, str], RemoteFile] = {}


def register(
    dataset: str, name: str, sha256: str, urls: list[str] | tuple[str, ...]
) -> RemoteFile:
    """Add a file to the registry and return its entry.

    ``urls`` lists the primary location first and at least one mirror after it.
    """
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(
            f"sha256 for {dataset}/{name} must be 64 lowercase hex digits, "
            f"got {sha256!r}"
        )
    if not urls or not all(isinstance(u, str) and "://" in u for u in urls):
        raise ValueError(
            f"urls for {dataset}/{name} must be a non-empty list of URLs, got "
            f"{urls!r}"
        )
    entry = RemoteFile(dataset, name, sha256, tuple(urls))
    REGISTRY[(dataset, name)] = entry
    return entry


def _register_idx(
    dataset: str, bases: tuple[str, ...], sha256s: dict[str, str]
) -> None:
    for name, digest in sha256s.items():
        register(dataset, name, digest, [base + name for base in bases])


_register_idx(
    "mnist",
    (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
        ),
    },
)
_register_idx(
    "fashion-mnist",
    (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
        ),
    },
)
register(
    "tinyshakespeare",
    "input.txt",
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    [
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        "https://cdn.jsdelivr.net/gh/karpathy/char-rnn@master/data/tinyshakespeare/input.txt",
    ],
)


def register_github(
    dataset: str, repo: str, commit: str, files: dict[str, tuple[str, str]]
) -> None:
    """Register files of a GitHub repository pinned at ``commit``.

    ``files`` maps ``{name: (path in repo, sha256)}``.

    Each file gets the raw GitHub URL and the jsDelivr CDN mirror of the same
    commit.
    """
    for name, (path, digest) in files.items():
        quoted = urllib.parse.quote(path)
        register(
            dataset,
            name,
            digest,
            [
                f"https://raw.githubusercontent.com/{repo}/{commit}/{quoted}",
                f"https://cdn.jsdelivr.net/gh/{repo}@{commit}/{quoted}",
            ],
        )


register_github(
    "ag_news",
    "mhjabreel/CharCnn_Keras",
    "555590db4219b1243abb1918effd6a7425a2d75f",
    {
        "test.csv": (
            "data/ag_news_csv/test.csv",
            "521465c2428ed7f02f8d6db6ffdd4b5447c1c701962353eb2c40d548c3c85699",
        ),
        "classes.txt": (
            "data/ag_news_csv/classes.txt",
            "612dbfa932f07a6ed837295a7d5746ce7412e7bb4bc32ba919fdb3cda3a1b9b5",
        ),
    },
)
register_github(
    "sst2",
    "eyalbd2/Reproducing-AutoPrompt",
    "53e9e221b58e5ed882a56c9d8be838b895351165",
    {
        "train.tsv": (
            "glue_data/SST-2/train_full.tsv",
            "48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1",
        ),
        "dev.tsv": (
            "glue_data/SST-2/dev.tsv",
            "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0",
        ),
        "test.tsv": (
            "glue_data/SST-2/test.tsv",
            "69a938605609b3e6663b4487918fe1565eb293734e6e520d0366d1d412fd2a13",
        ),
    },
)
register_github(
    "sms_spam",
    "pratik-kale20/dataset",
    "1e9486e6e0c67a39e4ad8ebe157cfe57dda3c3f2",
    {
        "smsspamcollection.zip": (
            "smsspamcollection.zip",
            "1587ea43e58e82b14ff1f5425c88e17f8496bfcdb67a583dbff9eefaf9963ce3",
        ),
    },
)
register_github(
    "timeseries",
    "jbrownlee/Datasets",
    "d20fcb6402ae34e653d4513b00f39257bb37ed7f",
    {
        "airline-passengers.csv": (
            "airline-passengers.csv",
            "8cb51be753a718d9be5d76d7e238cc224792754676adc21faa59e954b0201621",
        ),
        "daily-min-temperatures.csv": (
            "daily-min-temperatures.csv",
            "8b9de63ed6789492bf497625e7f9beb96a63d367b4b0a21754006f749fa5e5da",
        ),
        "monthly-sunspots.csv": (
            "monthly-sunspots.csv",
            "c4ec8cc57d9f6fb6ecdb3e1f37f25b6f4badd5124c55931052b0cd2fc3bc71f3",
        ),
    },
)
# SHA-256 of 全唐诗/poet.tang.<k>.json, the first 10 files of 全唐诗
_QUANTANGSHI_SHA256 = {
    0: "4f88f429938082523cdc72a1612bd7a7c3e3f7a33f8192c61ae51340efc3c92d",
    1000: "6e703b8d8dcedbd6110f6d48d043665ca2131db2035a5bfcef5e59a19aeb6d75",
    2000: "ec28efa7e2ae9cdbbba09f0ed186e32ccae47a325ad1e5816b7ad56071c1665a",
    3000: "9e4ba2323752b6b9fbdba875cdbc6a26636fe0cabc85fd066370d4915952001f",
    4000: "b8a7946c879b9658a6c667a4c55f776fae7e5e00a17789ab06b274c1429afc66",
    5000: "a0306e6962cff01639ad9a00b042a201b8dec1f30fa5d768a7b112589887861e",
    6000: "982a21d2b15922b406911f1c825785054314c686da86b2155d7aebb362d22771",
    7000: "a6fb69d7b4343c904dc56ae5aae34facc2478d196b51c37ceba9d1e2f171b342",
    8000: "ac3848e95b02736168003863795de4474838c2d6a71a24ca2a4a280ea5177773",
    9000: "b99d6596e3a1fe1a661652383083f92d196b8baf4e461d087081d5e1e1b7a51f",
}
register_github(
    "chinese-poetry",
    "chinese-poetry/chinese-poetry",
    "99ebbef7e1345c0985c44b9fd96a3f9e776f117b",
    {
        "tangshi300.json": (
            "全唐诗/唐诗三百首.json",
            "d77a145f7470da2ed2f79515944563c062ffc43fceda07f195a36ead66b7e5c7",
        ),
        **{
            f"quantangshi/poet.tang.{k}.json": (
                f"全唐诗/poet.tang.{k}.json",
                digest,
            )
            for k, digest in _QUANTANGSHI_SHA256.items()
        },
    },
)


class DataNotAvailableError(RuntimeError):
    """A registered file is not cached and no URL gave the right checksum."""


def user_cache_dir() -> Path:
    """Return the course's per-user cache folder.

    It lies under ``$XDG_CACHE_HOME`` or ``~/.cache``.
    """
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ai-large-models-course"


def cache_dir() -> Path:
    """Return the data cache: ``COURSE_DATA`` if set, else ``<cache>/data``.

    ``<cache>`` is the course's per-user cache folder.
    """
    if os.environ.get("COURSE_DATA"):
        return Path(os.environ["COURSE_DATA"]).expanduser()
    return user_cache_dir() / "data"


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _user_agent() -> str:
    # imported late: it needs helpers.__version__, set after this module
    from .colab import RELEASE, REPOSITORY

    return (
        f"ai-large-models-course-helpers/{RELEASE.lstrip('v')} (+{REPOSITORY})"
    )


def _download(
    url: str, folder: Path, entry: RemoteFile, progress: bool
) -> Path:
    """Download ``url`` into a temporary file in ``folder``.

    Returns the file only if the checksum matches.
    """
    handle, tmp_name = tempfile.mkstemp(
        dir=folder, prefix=f".{Path(entry.name).name}.", suffix=".part"
    )
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(
                urllib.request.Request(
                    url, headers={"User-Agent": _user_agent()}
                ),
                timeout=30,
            ) as response,
        ):
            total = int(response.headers.get("Content-Length") or 0) or None
            received = 0
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc=entry.name,
                disable=not progress,
            ) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    bar.update(len(block))
        if total is not None and received != total:
            raise OSError(
                f"connection closed after {received} of {total} bytes"
            )
        if digest.hexdigest() != entry.sha256:
            raise OSError(
                f"SHA-256 mismatch: expected {entry.sha256}, got "
                f"{digest.hexdigest()}"
            )
        return tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fetch(dataset: str, name: str, *, progress: bool = True) -> Path:
    """Return the path of a registered file, downloading it if needed.

    The download goes into the cache.

    Raises ``DataNotAvailableError`` naming the file, the URLs tried and the
    folder to put the file in when no URL delivers it with the right checksum.
    """
    entry = REGISTRY.get((dataset, name))
    if entry is None:
        known = sorted(f"{d}/{n}" for d, n in REGISTRY)
        raise ValueError(
            f"{dataset}/{name} is not a registered file. Registered files: "
            f"{known}"
        )
    path = cache_dir() / dataset / name
    folder = path.parent
    reasons = []
    if path.exists():
        actual = sha256_of(path)
        if actual == entry.sha256:
            return path
        # Like torchvision and pooch: keep the bad copy for inspection, fetch a
        # good one.
        aside = path.with_name(
            f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
        )
        try:
            os.replace(path, aside)
        except OSError as error:
            raise DataNotAvailableError(
                f"{path} is corrupt (SHA-256 {actual}, expected "
                f"{entry.sha256}) and cannot be moved aside to download it "
                f"again: {error}. Replace it with a good copy from any of "
                f"{', '.join(entry.urls)}, or set COURSE_DATA to a writable "
                "folder."
            ) from None
        print(
            f"{path} was corrupt (SHA-256 {actual}, expected {entry.sha256}); "
            f"moved it to {aside.name} and downloading it again"
        )
        reasons.append(
            f"the cached copy was corrupt (SHA-256 {actual}); it is now "
            f"{aside}"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reasons.append(f"cannot create {folder}: {error}")
    else:
        for url in entry.urls:
            try:
                os.replace(_download(url, folder, entry, progress), path)
                return path
            except (
                OSError,
                urllib.error.URLError,
                http.client.HTTPException,
                ValueError,
            ) as error:
                reasons.append(f"{url}: {error}")
    tried = "\n  ".join(reasons)
    raise DataNotAvailableError(
        f"Could not get {dataset}/{name}. Tried:\n  {tried}\nDownload it by "
        f"hand from any of those URLs and save it as {path} (SHA-256 "
        f"{entry.sha256}), or set COURSE_DATA to a folder laid out as "
        "<dataset>/<file>."
    )


_IDX_DTYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


def read_idx(path: str | Path) -> torch.Tensor:
    """Parse an IDX file (the format of MNIST, gzipped or not) to a tensor."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(
            f"{path} is not an IDX file: expected magic 0x0000TTDD with a "
            f"known type TT, got {raw[:4]!r}"
        )
    ndim = raw[3]
    if len(raw) < 4 + 4 * ndim:
        raise ValueError(
            f"{path}: truncated IDX header: {ndim} dimensions need "
            f"{4 + 4 * ndim} header bytes, the file has {len(raw)}"
        )
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    body = raw[4 + 4 * ndim :]
    if len(body) != expected:
        raise ValueError(
            f"{path}: header promises shape {shape} ({expected} bytes) but "
            f"the file holds {len(body)} bytes"
        )
    array = np.frombuffer(body, dtype=dtype).reshape(shape)
    return torch.from_numpy(array.astype(array.dtype.newbyteorder("=")))


def load_idx_dataset(
    dataset: str, split: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(images uint8 [N, 28, 28], labels int64 [N])`` of a split.

    ``dataset`` is MNIST or Fashion-MNIST.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(fetch(dataset, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(fetch(dataset, f"{prefix}-labels-idx1-ubyte.gz")).long()
    return images, labels


@dataclass
class ImageSplits:
    """Train and test images and labels, and what was used.

    Images are float in [0, 1], shape [N, 1, 28, 28].
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    note: str


def image_classification_data(
    dataset: str = "mnist",
    *,
    quick: bool | None = None,
    num_quick_test: int = 2000,
) -> ImageSplits:
    """Return train/test splits of MNIST or Fashion-MNIST for the profile.

    Full profile: the published train (60,000) and test (10,000) sets. Quick
    profile: only the 10,000-image test file, which the offline data holds,
    split by a fixed permutation into ``10,000 - num_quick_test`` training and
    ``num_quick_test`` test images.
    """
    quick = is_quick() if quick is None else quick
    if quick:
        x, y = load_idx_dataset(dataset, "test")
        if not 0 < num_quick_test < len(y):
            raise ValueError(
                f"num_quick_test must be between 1 and {len(y) - 1}, got "
                f"{num_quick_test}"
            )
        order = torch.randperm(
            len(y), generator=torch.Generator().manual_seed(0)
        )
        train, test = order[num_quick_test:], order[:num_quick_test]
        note = (
            f"quick profile: {dataset} test file split into {len(train):,} "
            f"training and {len(test):,} held-out test images (the offline "
            "data has no training images)"
        )
        x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]
    else:
        x_train, y_train = load_idx_dataset(dataset, "train")
        x_test, y_test = load_idx_dataset(dataset, "test")
        note = (
            f"full profile: {dataset} train ({len(y_train):,}) and test "
            f"({len(y_test):,}) sets"
        )
    scale = lambda images: images.float().div(255).unsqueeze(1)  # noqa: E731
    print(note)
    return ImageSplits(scale(x_train), y_train, scale(x_test), y_test, note)


def load_text(
    dataset: str = "tinyshakespeare", name: str = "input.txt"
) -> str:
    """Return a registered text file decoded as UTF-8."""
    return fetch(dataset, name).read_text(encoding="utf-8")


TIMESERIES = {
    "airline-passengers": "airline-passengers.csv",
    "daily-min-temperatures": "daily-min-temperatures.csv",
    "monthly-sunspots": "monthly-sunspots.csv",
}


def load_timeseries(name: str) -> tuple[list[str], torch.Tensor]:
    """Return ``(dates, values float32 [T])`` of a registered series.

    The series is univariate, in time order.

    ``name`` is one of ``airline-passengers`` (monthly, 1949-1960),
    ``daily-min-temperatures`` (Melbourne, 1981-1990) or ``monthly-sunspots``
    (Zurich, 1749-1983).
    """
    if name not in TIMESERIES:
        raise ValueError(
            f"unknown series {name!r}; choose one of {sorted(TIMESERIES)}"
        )
    path = fetch("timeseries", TIMESERIES[name])
    dates, values = [], []
    for number, line in enumerate(
        path.read_text(encoding="utf-8").splitlines()[1:], start=2
    ):
        if not line.strip():
            continue
        date, _, value = line.partition(",")
        try:
            values.append(float(value.strip().strip('"')))
        except ValueError:
            raise ValueError(
                f"{path}, line {number}: expected '<date>,<number>', got "
                f"{line!r}"
            ) from None
        dates.append(date.strip().strip('"'))
    return dates, torch.tensor(values, dtype=torch.float32)


class TensorLoader:
    """Mini-batches of tensors that already sit on the device.

    No copies, no worker processes.

    ``TensorLoader(x, y, batch_size=128, shuffle=True)`` yields
    ``(x[idx], y[idx])``. The shuffling generator is part of ``state_dict()``,
    so a resumed run sees the same batch order as an uninterrupted one.
    """

    def __init__(
        self,
        *tensors: torch.Tensor,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int = 0,
    ) -> None:
        if not tensors:
            raise ValueError("TensorLoader needs at least one tensor")
        sizes = {len(t) for t in tensors}
        if len(sizes) != 1:
            raise ValueError(
                "all tensors must have the same length along dim 0, got "
                f"{[len(t) for t in tensors]}"
            )
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive integer, got {batch_size!r}"
            )
        devices = {t.device for t in tensors}
        if len(devices) != 1:
            raise ValueError(
                "all tensors must be on one device, got "
                f"{sorted(map(str, devices))}"
            )
        self.tensors = tensors
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        n = len(self.tensors[0])
        return (
            n // self.batch_size
            if self.drop_last
            else -(-n // self.batch_size)
        )

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        n = len(self.tensors[0])
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator).to(
                self.tensors[0].device
            )
        else:
            order = torch.arange(n, device=self.tensors[0].device)
        for i in range(len(self)):
            idx = order[i * self.batch_size : (i + 1) * self.batch_size]
            yield tuple(t[idx] for t in self.tensors)

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Return the shuffling state."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Restore the shuffling state saved by ``state_dict``."""
        self.generator.set_state(state["generator"])
