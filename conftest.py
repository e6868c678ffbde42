"""Test-session defaults: quick profile, offline data beside the checkout, throwaway checkpoints."""

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SHARED_DATA = ROOT.parent / "shared" / "data"

# Notebooks run under nbval inherit these through the kernel's environment.
os.environ.setdefault("COURSE_PROFILE", "quick")
if "COURSE_DATA" not in os.environ and SHARED_DATA.is_dir():
    os.environ["COURSE_DATA"] = str(SHARED_DATA)
os.environ.setdefault("COURSE_CHECKPOINTS", tempfile.mkdtemp(prefix="course-checkpoints-"))
os.environ.setdefault("MPLBACKEND", "Agg")

collect_ignore_glob = ["_build/*", ".venv/*"]


def pytest_report_header(config):
    return (
        f"course: COURSE_PROFILE={os.environ['COURSE_PROFILE']} "
        f"COURSE_DATA={os.environ.get('COURSE_DATA', '(user cache)')} "
        f"COURSE_SEED={os.environ.get('COURSE_SEED', '0')}"
    )
