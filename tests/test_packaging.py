"""Packaging: one version, no cap on Python, a torch lower bound, license.

Also the setup-cell updater.
"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import helpers
from helpers import colab

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads(
    (ROOT / "pyproject.toml").read_text(encoding="utf-8")
)
PROJECT = PYPROJECT["project"]


def test_python_has_no_upper_cap():
    # A cap such as <3.14 makes every notebook's first cell fail the day Colab
    # moves on.
    assert PROJECT["requires-python"] == ">=3.11"


def test_torch_has_a_lower_bound_in_pyproject_and_requirements():
    assert "torch>=2.4" in PROJECT["dependencies"]
    lines = (
        (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    )
    requirements = [
        line.split("#")[0].strip()
        for line in lines
        if line.split("#")[0].strip()
    ]
    assert "torch>=2.4" in requirements and "torch" not in requirements


def test_version_is_defined_once():
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "helpers.__version__"
    }
    assert re.fullmatch(r"\d+\.\d+\.\d+", helpers.__version__)
    # the Colab setup cells install this tag (tests/test_book.py)
    assert helpers.__version__ == "0.3.0"


def test_license_metadata_and_file():
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (
        license_text.startswith("MIT License")
        and "2026 The course authors" in license_text
    )
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == [
        "LICENSE"
    ]
    # The SPDX string form needs setuptools >= 77 (PEP 639); pip builds with
    # what this asks for.
    setuptools = [
        r
        for r in PYPROJECT["build-system"]["requires"]
        if r.startswith("setuptools")
    ]
    assert setuptools == ["setuptools>=77"]


def test_metadata_builds_with_the_version_from_helpers(tmp_path):
    """What pip does first when it installs from git: prepare the metadata.

    setuptools is installed here.
    """
    setuptools = pytest.importorskip(
        "setuptools",
        reason="this interpreter's venv has no setuptools (3.12+)",
    )
    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(
            f"setuptools {setuptools.__version__} is installed here; pip "
            "builds with >=77 in isolation"
        )
    code = (
        "import setuptools.build_meta as b, sys; "
        "print(b.prepare_metadata_for_build_wheel(sys.argv[1]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    metadata = (tmp_path / result.stdout.split()[-1] / "METADATA").read_text(
        encoding="utf-8"
    )
    assert f"Version: {helpers.__version__}" in metadata.splitlines()
    assert "Requires-Python: >=3.11" in metadata.splitlines()
    assert "Requires-Dist: torch>=2.4" in metadata.splitlines()


def test_colab_update_rewrites_only_the_setup_cell(tmp_path):
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "a",
                "metadata": {},
                "source": ["# 1 Title (标题)"],
            },
            {
                "cell_type": "code",
                "id": "b",
                "metadata": {"tags": ["remove-cell"]},
                "execution_count": None,
                "outputs": [],
                "source": [
                    "import sys\n",
                    'if "google.colab" in sys.modules:\n',
                    "    pass  # @main",
                ],
            },
            {
                "cell_type": "code",
                "id": "c",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": ["x = 1"],
            },
        ],
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "n.ipynb"
    path.write_text(
        json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )

    assert colab.update(path) is True
    updated = json.loads(path.read_text(encoding="utf-8"))
    assert "".join(updated["cells"][1]["source"]) == colab.SETUP_CELL
    assert (
        updated["cells"][0] == notebook["cells"][0]
        and updated["cells"][2] == notebook["cells"][2]
    )
    # written as UTF-8, not \\u escapes
    assert "标题" in path.read_text(encoding="utf-8")
    assert colab.update(path) is False  # already current
