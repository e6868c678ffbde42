"""Test-session defaults: quick profile, offline data, scratch checkpoints.

The ``offline_data`` fixture is defined here too.
"""

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SHARED_DATA = ROOT.parent / "shared" / "data"
# as the user set it, before the default below
USER_DATA = os.environ.get("COURSE_DATA")
# The files the data tests read (a full cache holds them, and so does the
# offline folder).
TEST_FILES = (
    "mnist/t10k-images-idx3-ubyte.gz",
    "mnist/t10k-labels-idx1-ubyte.gz",
    "mnist/train-labels-idx1-ubyte.gz",
    "tinyshakespeare/input.txt",
)

# Notebooks run under nbval inherit these through the kernel's environment.
os.environ.setdefault("COURSE_PROFILE", "quick")
if "COURSE_DATA" not in os.environ and SHARED_DATA.is_dir():
    os.environ["COURSE_DATA"] = str(SHARED_DATA)
os.environ.setdefault(
    "COURSE_CHECKPOINTS", tempfile.mkdtemp(prefix="course-checkpoints-")
)
os.environ.setdefault("MPLBACKEND", "Agg")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest -n N runs N test files at once, each notebook in its own kernel:
    # one thread each keeps N kernels from spin-waiting on each other's cores
    # (many times slower on a 2-core machine).
    os.environ.setdefault("OMP_NUM_THREADS", "1")

collect_ignore_glob = ["_build/*", ".venv/*"]


def find_data(files, candidates) -> Path | None:
    """Return the first folder in ``candidates`` that holds all ``files``.

    None entries are skipped.
    """
    for folder in candidates:
        if folder and all(
            (Path(folder).expanduser() / name).is_file() for name in files
        ):
            return Path(folder).expanduser()
    return None


def missing_data(files, candidates, ci: bool) -> None:
    """Skip the test with the reason, or under CI fail it.

    CI must always run the data tests.
    """
    places = [str(c) for c in candidates if c]
    message = (
        f"needs the course's offline data ({', '.join(files)}), found in none "
        f"of {places}: set COURSE_DATA to a folder laid out as "
        "<dataset>/<file> (a full cache, or a copy of the offline data "
        f"folder), or put that folder at {SHARED_DATA}"
    )
    if ci:
        pytest.fail(
            message + " (CI=true: missing data is a failure)", pytrace=False
        )
    pytest.skip(message)


@pytest.fixture
def offline_data(monkeypatch) -> Path:
    """A folder with the data tests' files.

    COURSE_DATA if it has them, else ../shared/data.

    COURSE_DATA is pointed at it. Where no copy is reachable the test is
    skipped with the reason, except under CI (``CI=true``), where it fails.
    """
    candidates = [USER_DATA, SHARED_DATA]
    folder = find_data(TEST_FILES, candidates)
    if folder is None:
        missing_data(
            TEST_FILES,
            candidates,
            ci=os.environ.get("CI", "").strip().lower() in ("true", "1"),
        )
    monkeypatch.setenv("COURSE_DATA", str(folder))
    return folder


def pytest_report_header(config):
    return (
        f"course: COURSE_PROFILE={os.environ['COURSE_PROFILE']} "
        f"COURSE_DATA={os.environ.get('COURSE_DATA', '(user cache)')} "
        f"COURSE_SEED={os.environ.get('COURSE_SEED', '0')}"
    )
