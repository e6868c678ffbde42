"""helpers.report: run notebooks, tabulate records, classify failures.

Notebooks are run under a profile.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import results as report

ROOT = Path(__file__).resolve().parent.parent


def write_notebook(path: Path, *sources: str) -> Path:
    """Write a notebook of code cells (no outputs) and return its path."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.fixture
def synthetic(tmp_path):
    """Four tiny notebooks: pass, missed target, failure, no data."""
    folder = tmp_path / "book"
    folder.mkdir()
    setup = (
        "import os\nimport helpers as hp\n"
        f"assert os.path.realpath(os.getcwd()) == {os.path.realpath(folder)!r}"
    )
    passing = write_notebook(
        folder / "a_pass.ipynb",
        setup,
        "hp.record('accuracy', 0.9, target=0.8)\n"
        "hp.record('loss', 0.5, target=1.0, higher_is_better=False)\n"
        "hp.record('training time', 1.5, unit='s')\n"
        "assert os.environ['COURSE_PROFILE'] == 'quick' and "
        "os.environ['COURSE_SEED'] == '2'\n"
        "assert os.environ['COURSE_CHAPTER'] == 'a_pass'",
    )
    missed = write_notebook(
        folder / "b_missed.ipynb",
        setup,
        "hp.record('accuracy', 0.5, target=0.8)",
    )
    failing = write_notebook(
        folder / "c_fail.ipynb",
        setup,
        "hp.record('x', 1.0)",
        "raise RuntimeError('something broke')",
        "hp.record('never', 2.0)",
    )
    # the real code path: a registered file that is not cached and whose only
    # URL does not exist
    no_data = write_notebook(
        folder / "d_nodata.ipynb",
        setup,
        "hp.register('fake', 'missing.bin', 64 * '0', "
        f"['file://{tmp_path}/nowhere/missing.bin'])\n"
        "hp.fetch('fake', 'missing.bin', progress=False)",
    )
    return [passing, missed, failing, no_data]


def test_run_classifies_pass_missed_failure_and_no_data(
    synthetic, tmp_path, monkeypatch
):
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "empty-cache"))
    out = tmp_path / "out"
    summary = report.run(
        synthetic,
        profile="quick",
        out=out,
        seed=2,
        timeout=120,
        save_executed=True,
    )
    by_chapter = {r["chapter"]: r for r in summary["notebooks"]}
    assert [r["chapter"] for r in summary["notebooks"]] == [
        "a_pass",
        "b_missed",
        "c_fail",
        "d_nodata",
    ]
    assert {name: r["status"] for name, r in by_chapter.items()} == {
        "a_pass": "passed",
        "b_missed": "missed target",
        "c_fail": "failed",
        "d_nodata": "no data",
    }
    assert [rec["name"] for rec in by_chapter["a_pass"]["records"]] == [
        "accuracy",
        "loss",
        "training time",
    ]
    assert all(
        rec["profile"] == "quick" and rec["seed"] == 2
        for rec in by_chapter["a_pass"]["records"]
    )
    assert by_chapter["c_fail"]["error"] == "RuntimeError: something broke"
    # the run stopped at the error
    assert [rec["name"] for rec in by_chapter["c_fail"]["records"]] == ["x"]
    assert by_chapter["d_nodata"]["missing_file"] == "fake/missing.bin"
    assert by_chapter["d_nodata"]["error"].startswith("DataNotAvailableError")
    assert sum(r["share"] for r in summary["notebooks"]) == pytest.approx(1.0)
    assert summary["targets"] == 3 and summary["targets_met"] == 2
    assert report.exit_status(summary) == 1

    assert (
        json.loads((out / "results.json").read_text(encoding="utf-8"))
        == summary
    )
    md = (out / "results.md").read_text(encoding="utf-8")
    assert (
        "| a_pass | passed |" in md
        and "**no data** (needs `fake/missing.bin`)" in md
    )
    assert "| b_missed | accuracy | 0.5 | ≥ 0.8 | **no** |" in md
    assert "| a_pass | loss | 0.5 | ≤ 1 | yes |" in md
    assert (out / "notebooks" / "c_fail.ipynb").exists()


def test_exit_status_no_data_alone_is_two_and_all_passed_is_zero():
    def summary(*statuses):
        return {"notebooks": [{"status": s} for s in statuses]}

    assert report.exit_status(summary("passed", "passed")) == 0
    assert report.exit_status(summary("passed", "no data")) == 2
    assert report.exit_status(summary("no data", "missed target")) == 1


def test_missing_file_is_read_from_both_data_errors():
    assert (
        report.missing_file(
            "Could not get mnist/t10k-images-idx3-ubyte.gz. Tried:\n  x"
        )
        == "mnist/t10k-images-idx3-ubyte.gz"
    )
    assert (
        report.missing_file(
            "/data/sst2/train.tsv is corrupt: its SHA-256 is 1"
        )
        == "/data/sst2/train.tsv"
    )
    assert report.missing_file("something else") is None


def test_toc_notebooks_lists_every_chapter_in_order():
    notebooks = report.toc_notebooks()
    assert notebooks and all(
        p.suffix == ".ipynb" and p.exists() for p in notebooks
    )
    names = [p.stem for p in notebooks]
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert [toc.index(name) for name in names] == sorted(
        toc.index(name) for name in names
    )
    assert "intro" not in names and "bibliography" not in names


def test_cli_rejects_a_file_that_is_not_a_notebook(tmp_path):
    (tmp_path / "x.txt").write_text("not a notebook")
    with pytest.raises(SystemExit) as exit_info:
        report.main(
            [
                "run",
                str(tmp_path / "x.txt"),
                "--profile",
                "quick",
                "--out",
                str(tmp_path / "out"),
            ]
        )
    assert exit_info.value.code == 2


@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "data").is_dir()
    and "COURSE_DATA" not in os.environ,
    reason="needs the offline data folder",
)
def test_command_runs_a_real_chapter_end_to_end(tmp_path):
    """The command line on chapter 3.1.1 in the quick profile.

    It passes and records its checks.
    """
    notebook = (
        ROOT / "book" / "ch03_deep_learning_basics" / "3_1_1_forward.ipynb"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.report",
            "run",
            str(notebook),
            "--profile",
            "quick",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "[1/1]" in done.stdout and "passed" in done.stdout
    summary = json.loads(
        (tmp_path / "results.json").read_text(encoding="utf-8")
    )
    (result,) = summary["notebooks"]
    assert (
        result["status"] == "passed"
        and result["seconds"] > 0
        and result["share"] == 1.0
    )
    names = [rec["name"] for rec in result["records"]]
    assert "spiral test accuracy (hp.fit)" in names and any(
        rec["unit"] == "s" for rec in result["records"]
    )
    assert all(
        rec["passed"] for rec in result["records"] if rec["target"] is not None
    )
    assert "| 3_1_1_forward | passed |" in (tmp_path / "results.md").read_text(
        encoding="utf-8"
    )


def test_every_chapter_records_a_checked_result_and_its_training_time():
    for path in report.toc_notebooks():
        code = "\n".join(
            c.source
            for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "code"
        )
        calls = code.split("hp.record(")[1:]
        assert any("target=" in call.split("\nhp.")[0] for call in calls), (
            f"{path.name}: no hp.record(..., target=...)"
        )
        assert any(
            'unit="s"' in call.split("\nhp.")[0].split(")\n")[0]
            for call in calls
        ), f"{path.name}: no training time recorded"
