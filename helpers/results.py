"""Results: chapters record headline numbers; one command tabulates a run.

``hp.record("test accuracy", acc, target=0.98)`` prints the value against its
target. When ``COURSE_RESULTS`` names a folder, the record is also appended
(one JSON object per line) to ``<folder>/results.jsonl`` with the chapter,
profile, seed, device and torch version.

``python -m helpers.report run [NOTEBOOK ...] --profile quick|full --out DIR
[--seed N] [--timeout S]`` (code: ``run`` below) executes the notebooks
(default: all of ``_toc.yml``, in its order), each in a fresh kernel with
nbclient, in its own folder, with ``COURSE_PROFILE``, ``COURSE_SEED``,
``COURSE_RESULTS=DIR`` and ``COURSE_CHAPTER`` set and a fresh checkpoint folder
(so nothing resumes from an earlier run). It writes ``DIR/results.json`` and
``DIR/results.md``: one row per notebook with its wall time and share of the
total, then each recorded value against its target.

A notebook ends in one of four states: ``passed``; ``missed target`` (it ran,
but a recorded value missed its target); ``no data`` (it stopped with
``DataNotAvailableError``: a dataset file neither cached nor downloadable,
named in the report); ``failed`` (any other error, including a cell that ran
past the timeout). The run goes on past a notebook that stops. Exit status: 1
if a notebook failed or missed a target, else 2 if one had no data, else 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from .env import profile, seed


def _chapter() -> str:
    """Return the notebook or script that is running.

    ``COURSE_CHAPTER`` names it if the runner set it.
    """
    return os.environ.get("COURSE_CHAPTER") or Path(os.getcwd()).name


def record(
    name: str,
    value: float,
    *,
    target: float | None = None,
    higher_is_better: bool = True,
    unit: str = "",
) -> dict:
    """Record a headline result; return the record (a dict) after printing it.

    ``target`` is the threshold the chapter's check asserts for the active
    profile (``None`` for a number that is reported, not checked);
    ``higher_is_better`` says which side of it passes. ``passed`` in the record
    is ``None`` without a target.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"record() needs a non-empty name, got {name!r}")
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"record({name!r}) needs a single number, got a tensor of "
                f"shape {list(value.shape)}"
            )
        value = value.item()
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"record({name!r}) needs a number, got {value!r}"
        ) from None
    if target is not None:
        target = float(target)
        passed = value >= target if higher_is_better else value <= target
    else:
        passed = None
    entry = {
        "chapter": _chapter(),
        "name": name,
        "value": value,
        "target": target,
        "higher_is_better": higher_is_better,
        "unit": unit,
        "passed": passed,
        "profile": profile(),
        "seed": seed(),
        "device": device_name(),
        "torch": torch.__version__,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    shown = f"{value:.4g}" if math.isfinite(value) else str(value)
    if target is None:
        print(f"[result] {name}: {shown}{unit and ' ' + unit}")
    else:
        sign = ">=" if higher_is_better else "<="
        print(
            f"[result] {name}: {shown}{unit and ' ' + unit} (target {sign} "
            f"{target:.4g}: {'met' if passed else 'MISSED'})"
        )
    folder = os.environ.get("COURSE_RESULTS")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        with open(path / "results.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


ROOT = Path(__file__).resolve().parent.parent
RECORDS_FILE = "results.jsonl"
PASSED, MISSED, NO_DATA, FAILED = (
    "passed",
    "missed target",
    "no data",
    "failed",
)


def toc_notebooks(root: str | Path = ROOT) -> list[Path]:
    """Return the notebooks in ``<root>/_toc.yml``, in the toc's order."""
    import yaml

    root = Path(root)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    files.append(node[key])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    notebooks = []
    for name in files:
        path = root / name
        path = path if path.suffix else path.with_suffix(".ipynb")
        if path.suffix == ".ipynb" and path.exists():
            notebooks.append(path)
    return notebooks


def device_name() -> str:
    """Return the device the notebooks will use, in words.

    The GPU name, or the CPU architecture and cores.
    """
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "Apple MPS"
    cores = (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count()
    )
    return f"CPU ({platform.machine()}, {cores} cores)"


@dataclass
class NotebookResult:
    """The outcome of one notebook: status, wall time, records.

    If it stopped, also why.
    """

    notebook: str
    chapter: str
    status: str
    seconds: float
    share: float = 0.0
    records: list[dict] = field(default_factory=list)
    # "<ename>: <evalue>" (first line), for a notebook that stopped
    error: str | None = None
    # for "no data": the dataset file it needed
    missing_file: str | None = None


_MISSING_PATTERNS = (
    # helpers.data.fetch: nothing cached, no URL worked
    re.compile(r"Could not get (\S+?)\. Tried"),
    # helpers.data.fetch: a cached file with a bad checksum
    re.compile(r"^(\S+) is corrupt"),
)


def missing_file(evalue: str) -> str | None:
    """Return the dataset file (``dataset/file``) a message names, if any.

    The message is that of a ``DataNotAvailableError``.
    """
    for pattern in _MISSING_PATTERNS:
        match = pattern.search(evalue)
        if match:
            return match.group(1)
    return None


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _read_records(path: Path, offset: int) -> list[dict]:
    """Records appended to ``path`` after byte ``offset``."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        f.seek(offset)
        return [json.loads(line) for line in f if line.strip()]


def run_notebook(
    path: str | Path,
    *,
    profile: str,
    seed: int,
    out: str | Path,
    timeout: float,
    checkpoints: str | Path,
    save_executed: bool = False,
    kernel_name: str = "python3",
) -> NotebookResult:
    """Execute one notebook in a fresh kernel.

    Returns its status, wall time and records.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import (
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )

    path, out = Path(path).resolve(), Path(out).resolve()
    chapter = path.stem
    records_path = out / RECORDS_FILE
    offset = records_path.stat().st_size if records_path.exists() else 0
    env = dict(os.environ)
    env.update(
        COURSE_PROFILE=profile,
        COURSE_SEED=str(seed),
        COURSE_RESULTS=str(out),
        COURSE_CHAPTER=chapter,
        COURSE_CHECKPOINTS=str(checkpoints),
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT), env.get("PYTHONPATH")])
        ),
    )
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.parent)}},
    )
    status, error, needed = PASSED, None, None
    start = time.perf_counter()
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        evalue = _strip_ansi(exc.evalue or "")
        error = f"{exc.ename}: {evalue}".strip()
        if exc.ename == "DataNotAvailableError":
            status, needed = (
                NO_DATA,
                missing_file(evalue) or (evalue.splitlines() or ["?"])[0],
            )
        else:
            status = FAILED
    except CellTimeoutError as exc:
        status, error = FAILED, f"timeout: {str(exc).splitlines()[0]}"
    except DeadKernelError as exc:
        status, error = FAILED, f"kernel died: {exc}"
    except Exception as exc:  # noqa: BLE001 -- e.g. a kernel that cannot start: report it, go on
        status, error = FAILED, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    records = _read_records(records_path, offset)
    if status == PASSED and any(r.get("passed") is False for r in records):
        status = MISSED
    if save_executed:
        executed = out / "notebooks" / path.name
        executed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, executed)
    if error is not None:
        error = error.splitlines()[0][:300] if error.splitlines() else error
    return NotebookResult(
        notebook=_relative(path),
        chapter=chapter,
        status=status,
        seconds=seconds,
        records=records,
        error=error,
        missing_file=needed,
    )


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _value(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:.4g}"
    return f"{text} {unit}" if unit else text


def _target(record: dict) -> str:
    if record.get("target") is None:
        return ""
    sign = "≥" if record.get("higher_is_better", True) else "≤"
    return f"{sign} {_value(record['target'], record.get('unit', ''))}"


def _met(record: dict) -> str:
    return {True: "yes", False: "**no**", None: ""}[record.get("passed")]


def markdown(summary: dict) -> str:
    """Return the Markdown report of a run.

    The per-notebook table, then every recorded value.
    """
    results = summary["notebooks"]
    lines = [
        (
            f"Profile **{summary['profile']}**, seed {summary['seed']}, on "
            f"{summary['device']}, torch {summary['torch']}, "
            f"{summary['date']}: {len(results)} notebooks in "
            f"{summary['total_seconds']:.1f} s."
        ),
        "",
        "| notebook | status | wall time | share | targets met |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        checked = [
            rec for rec in r["records"] if rec.get("passed") is not None
        ]
        met = sum(rec["passed"] for rec in checked)
        status = (
            r["status"] if r["status"] in (PASSED,) else f"**{r['status']}**"
        )
        if r["status"] == NO_DATA and r["missing_file"]:
            status += f" (needs `{r['missing_file']}`)"
        elif r["status"] == FAILED and r["error"]:
            status += f" ({r['error'][:120].replace('|', '/')})"
        lines.append(
            f"| {r['chapter']} | {status} | {r['seconds']:.1f} s | "
            f"{r['share']:.1%} | {met}/{len(checked)} |"
        )
    lines.append(
        f"| **total** | | {summary['total_seconds']:.1f} s | 100% | "
        f"{summary['targets_met']}/{summary['targets']} |"
    )
    lines += [
        "",
        "| notebook | result | value | target | met |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        for rec in r["records"]:
            lines.append(
                f"| {r['chapter']} | {rec['name']} | "
                f"{_value(rec['value'], rec.get('unit', ''))} | "
                f"{_target(rec)} | {_met(rec)} |"
            )
    return "\n".join(lines) + "\n"


def exit_status(summary: dict) -> int:
    """1 if a notebook failed or missed a target, 2 if one had no data, else 0.

    A failure or a missed target wins over missing data.
    """
    statuses = {r["status"] for r in summary["notebooks"]}
    if statuses & {FAILED, MISSED}:
        return 1
    return 2 if NO_DATA in statuses else 0


def run(
    notebooks: list[str | Path] | None = None,
    *,
    profile: str,
    out: str | Path,
    seed: int = 0,
    timeout: float = 1800,
    save_executed: bool = False,
) -> dict:
    """Run ``notebooks`` and write ``out``/results.json and .md.

    ``notebooks`` defaults to the table of contents. Returns the summary.
    """
    if profile not in ("quick", "full"):
        raise ValueError(f"profile must be 'quick' or 'full', got {profile!r}")
    paths = [Path(p) for p in notebooks] if notebooks else toc_notebooks()
    for p in paths:
        if not p.exists() or p.suffix != ".ipynb":
            raise ValueError(f"not a notebook: {p}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / RECORDS_FILE).unlink(missing_ok=True)  # this run's records only
    device = device_name()
    print(
        f"running {len(paths)} notebook(s), profile {profile}, seed {seed}, "
        f"on {device}",
        flush=True,
    )
    results: list[NotebookResult] = []
    with tempfile.TemporaryDirectory(
        prefix="course-report-checkpoints-"
    ) as checkpoints:
        for i, path in enumerate(paths, 1):
            print(
                f"[{i}/{len(paths)}] {_relative(path.resolve())}", flush=True
            )
            result = run_notebook(
                path,
                profile=profile,
                seed=seed,
                out=out,
                timeout=timeout,
                checkpoints=Path(checkpoints) / path.stem,
                save_executed=save_executed,
            )
            missed = sum(r.get("passed") is False for r in result.records)
            detail = f"{len(result.records)} results, {missed} missed"
            if result.status == NO_DATA:
                detail += f"; needs {result.missing_file}"
            elif result.error:
                detail += f"; {result.error[:200]}"
            print(
                f"[{i}/{len(paths)}] {result.status} in {result.seconds:.1f} "
                f"s ({detail})",
                flush=True,
            )
            results.append(result)
    total = sum(r.seconds for r in results)
    for r in results:
        r.share = r.seconds / total if total > 0 else 0.0
    checked = [
        rec
        for r in results
        for rec in r.records
        if rec.get("passed") is not None
    ]
    summary = {
        "profile": profile,
        "seed": seed,
        "device": device,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "total_seconds": total,
        "targets": len(checked),
        "targets_met": sum(rec["passed"] for rec in checked),
        "notebooks": [asdict(r) for r in results],
    }
    (out / "results.json").write_text(
        json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (out / "results.md").write_text(markdown(summary), encoding="utf-8")
    print(
        "\n"
        + "\n".join(
            f"{r.chapter:40s} {r.seconds:8.1f} s {r.share:6.1%}  {r.status}"
            for r in results
        )
    )
    print(
        f"{'total':40s} {total:8.1f} s; wrote {out / 'results.json'} and "
        f"{out / 'results.md'}",
        flush=True,
    )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.report",
        description=(
            "Run notebooks under a profile and tabulate their results."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "run",
        help="execute notebooks and write DIR/results.json and DIR/results.md",
    )
    command.add_argument(
        "notebooks",
        nargs="*",
        help="notebooks to run (default: all in _toc.yml, in order)",
    )
    command.add_argument("--profile", choices=("quick", "full"), required=True)
    command.add_argument(
        "--out",
        required=True,
        help="folder for results.json, results.md and results.jsonl",
    )
    command.add_argument(
        "--seed",
        type=int,
        default=0,
        help="COURSE_SEED for every notebook (default 0)",
    )
    command.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds one cell may run (default 1800)",
    )
    command.add_argument(
        "--save-notebooks",
        action="store_true",
        help="also write the executed notebooks to DIR/notebooks",
    )
    args = parser.parse_args(argv)
    try:
        summary = run(
            args.notebooks,
            profile=args.profile,
            out=args.out,
            seed=args.seed,
            timeout=args.timeout,
            save_executed=args.save_notebooks,
        )
    except ValueError as error:
        parser.error(str(error))
    return exit_status(summary)
