"""Coursework: student versions, grading by hidden tests, nbgrader export.

Conventions (the nbgrader ones, so instructors can switch tools):

* A code exercise's answer sits in a cell tagged ``solution``, between the
  lines ``### BEGIN SOLUTION`` and ``### END SOLUTION``. Everything outside the
  markers (class and function signatures, docstrings, surrounding code) is
  scaffolding the student keeps.
* Its tests sit in the cells after it tagged ``hidden-test``, with cell
  metadata ``"grading": {"name": "<readable name>", "points": <int>}``.

Commands (``python -m helpers.coursework --help``):

* ``student book/ student/`` writes every notebook with each solution region
  replaced by a stub, worked ``{solution}`` blocks removed from the text, and
  hidden tests dropped.
* ``grade SUBMISSION.ipynb`` grades one notebook;
  ``grade SUBMISSIONS/ --out grades.csv`` grades a folder holding one folder
  per student, writes one CSV row per student, notebook and test, and a
  feedback file per student.
* ``export-nbgrader book/ COURSE/`` writes the notebooks as an nbgrader
  course's ``source/``.
"""

from __future__ import annotations

import argparse
import copy
import csv
import os
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = 'raise NotImplementedError("your code here")'
_SOLUTION_BLOCK = re.compile(
    r"^:::\{solution(?:-start|-end)?\}[^\n]*\n(?:[\s\S]*?\n)??:::[ \t]*$\n?",
    re.MULTILINE,
)


def tags(cell: dict) -> list[str]:
    """Return the cell's tags (empty list if none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def stub_source(source: str) -> str:
    """Return ``source`` with every solution region replaced by a stub.

    A region runs from a ``### BEGIN SOLUTION`` line to a ``### END
    SOLUTION`` line.

    The stub keeps the indentation of the ``BEGIN`` line, so it can sit inside
    a method. Raises ``ValueError`` if the cell has no region or unbalanced
    markers: a solution cell without markers would hand the whole answer to the
    student.
    """
    lines, out, inside = source.splitlines(), [], False
    regions = 0
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(
                    f"line {number}: '{BEGIN}' inside another solution region"
                )
            inside, regions = True, regions + 1
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}{STUB}"]
        elif marker == END:
            if not inside:
                raise ValueError(
                    f"line {number}: '{END}' without a matching '{BEGIN}'"
                )
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"'{BEGIN}' has no matching '{END}'")
    if regions == 0:
        raise ValueError(
            f"a solution cell must mark its answer with '{BEGIN}' and '{END}' "
            "lines"
        )
    return "\n".join(out) + "\n"


def solution_body(source: str) -> list[str]:
    """Return the code inside the solution regions of ``source``.

    One stripped string per region.
    """
    bodies, current = [], None
    for line in source.splitlines():
        if line.strip() == BEGIN:
            current = []
        elif line.strip() == END and current is not None:
            bodies.append("\n".join(current).strip())
            current = None
        elif current is not None:
            current.append(line)
    return bodies


def hidden_test_info(cell: dict, number: int) -> tuple[str, int]:
    """Return ``(name, points)`` of a hidden-test cell.

    Defaults: its id and 1 point.
    """
    grading = cell.get("metadata", {}).get("grading", {})
    return str(
        grading.get("name") or cell.get("id") or f"hidden test {number}"
    ), int(grading.get("points", 1))


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook``: solutions stubbed, hidden tests gone."""
    result = copy.deepcopy(notebook)
    cells = []
    for cell in result.cells:
        if "hidden-test" in tags(cell):
            continue
        if cell.cell_type == "code" and "solution" in tags(cell):
            cell.source = stub_source(cell.source)
        elif cell.cell_type == "markdown":
            cell.source = _SOLUTION_BLOCK.sub("", cell.source).rstrip() + "\n"
            if not cell.source.strip():
                continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    result.cells = cells
    return result


def book_notebooks(source: Path) -> list[Path]:
    """Return the chapter notebooks under ``source``.

    Build folders and checkpoints are skipped.
    """
    return sorted(
        p
        for p in Path(source).rglob("*.ipynb")
        if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts
    )


def _check_target(source: Path, target: Path) -> None:
    if not source.is_dir():
        raise ValueError(f"{source} is not a folder of notebooks")
    if (
        target.resolve() == source.resolve()
        or source.resolve() in target.resolve().parents
    ):
        raise ValueError(
            f"the output folder {target} must lie outside {source}, or "
            "solutions would be overwritten"
        )


def write_student_versions(source: Path, target: Path) -> list[Path]:
    """Write student versions of the notebooks under ``source`` to ``target``.

    Returns the paths written.

    Markdown pages, the bibliography and figures are copied too; when
    ``target`` has the same name as ``source`` (``book/`` ->
    ``student/book/``), ``_config.yml`` and ``_toc.yml`` from beside ``source``
    are copied beside ``target``, so ``jupyter-book build student/`` builds the
    student book.
    """
    import shutil

    source, target = Path(source), Path(target)
    _check_target(source, target)
    written = []
    for path in book_notebooks(source):
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4)), out)
        written.append(out)
    for path in source.rglob("*"):
        if (
            path.is_file()
            and path.suffix in {".md", ".bib", ".svg", ".png", ".csv", ".json"}
            and "_build" not in path.parts
        ):
            out = target / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out)
    # book/ -> <dir>/book/: the book's configuration goes to <dir>/
    if target.name == source.name:
        for name in ("_config.yml", "_toc.yml"):
            if (source.parent / name).exists():
                shutil.copyfile(source.parent / name, target.parent / name)
    return written


# -----------------------------------------------------------------------------
# grading


@dataclass
class GradedTest:
    """One hidden test's outcome in one submission."""

    test: str
    points: float
    max_points: int
    message: str


def defined_names(source: str) -> frozenset[str]:
    """Return the names of the functions and classes ``source`` defines.

    Only top-level definitions count.
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        )
    )


def with_hidden_tests(
    submission: nbformat.NotebookNode, reference: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """Return ``submission`` with the reference's hidden tests inserted.

    Each test goes after the solution cell it belongs to.

    A reference solution cell is matched to the submission's solution cell with
    the same cell id (the student version keeps ids), else the one that defines
    the same functions and classes, else the one of the same rank when both
    have as many solution cells. If none matches (the student deleted the
    cell), its tests go after the previous answer, and fail because the answer
    is missing. Hidden tests that the submission itself contains are dropped.
    """
    groups: list[tuple[dict, list]] = []
    for cell in reference.cells:
        if "solution" in tags(cell):
            groups.append((cell, []))
        elif "hidden-test" in tags(cell):
            if not groups:
                raise ValueError(
                    "the reference has a hidden-test cell before any solution "
                    "cell"
                )
            groups[-1][1].append(copy.deepcopy(cell))
    graded = copy.deepcopy(submission)
    graded.cells = [c for c in graded.cells if "hidden-test" not in tags(c)]
    answers = [i for i, c in enumerate(graded.cells) if "solution" in tags(c)]
    anchors, previous = [], -1
    for rank, (ref, _) in enumerate(groups):
        names = defined_names(ref.source)
        by_id = [
            i for i in answers if graded.cells[i].get("id") == ref.get("id")
        ]
        by_names = [
            i
            for i in answers
            if names and defined_names(graded.cells[i].source) == names
        ]
        if by_id or by_names:
            index = (by_id or by_names)[0]
        elif len(answers) == len(groups) and not defined_names(
            graded.cells[answers[rank]].source
        ):
            index = answers[rank]
        else:
            # the answer cell is gone: its tests follow the previous answer
            index = previous
        anchors.append(index)
        previous = max(previous, index)
    for index, (_, tests) in sorted(
        zip(anchors, groups), key=lambda pair: pair[0], reverse=True
    ):
        graded.cells[index + 1 : index + 1] = tests
    return graded


def _error_message(cell: dict) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            value = str(output.get("evalue", "")).strip().splitlines()
            name = output.get("ename", "Error")
            return f"{name}: {value[0] if value else ''}".strip()
    return None


def grade(
    submission: Path, reference: Path, timeout: int = 600
) -> list[GradedTest]:
    """Run ``submission`` with the hidden tests of ``reference``.

    Returns one result per test.

    ``timeout`` limits each cell in seconds. A kernel that dies or a cell that
    runs past the limit stops the run: the tests not reached score zero, and
    the message says why.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    reference_nb = nbformat.read(reference, as_version=4)
    try:
        submitted = nbformat.read(submission, as_version=4)
    # an unreadable file is a zero, not a crash of the grader
    except Exception as error:
        tests = [c for c in reference_nb.cells if "hidden-test" in tags(c)]
        return [
            GradedTest(
                *hidden_test_info(c, n)[:1],
                0,
                hidden_test_info(c, n)[1],
                f"notebook unreadable: {error}",
            )
            for n, c in enumerate(tests)
        ]
    notebook = with_hidden_tests(submitted, reference_nb)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(reference).parent)}},
    )
    stopped = None
    try:
        client.execute()
    except CellTimeoutError:
        stopped = f"stopped: a cell ran longer than the {timeout} s limit"
    except DeadKernelError:
        stopped = (
            "stopped: the kernel died (out of memory, or the code exited "
            "Python)"
        )
    results = []
    for number, cell in enumerate(
        c for c in notebook.cells if "hidden-test" in tags(c)
    ):
        name, points = hidden_test_info(cell, number)
        if cell.get("execution_count") is None and not cell.get("outputs"):
            results.append(GradedTest(name, 0, points, stopped or "not run"))
            continue
        error = _error_message(cell)
        results.append(
            GradedTest(name, 0 if error else points, points, error or "passed")
        )
    return results


def find_reference(submission: Path, book: Path) -> Path:
    """Return the instructor's notebook with the submission's file name.

    It is looked for under ``book``.
    """
    matches = [p for p in book_notebooks(book) if p.name == submission.name]
    if len(matches) != 1:
        raise ValueError(
            f"found {len(matches)} notebooks named {submission.name} under "
            f"{book}; pass --reference, or name the submission as the "
            "chapter's notebook"
        )
    return matches[0]


def grade_folder(
    submissions: Path, book: Path, out: Path, timeout: int = 600
) -> list[dict]:
    """Grade ``submissions/<student>/**.ipynb``; write a CSV and feedback.

    The CSV goes to ``out``, the feedback to
    ``<out dir>/feedback/<student>.md``.

    Returns the CSV rows (student, notebook, test, points, max_points,
    message).
    """
    submissions, book, out = Path(submissions), Path(book), Path(out)
    students = sorted(p for p in submissions.iterdir() if p.is_dir())
    if not students:
        raise ValueError(
            f"{submissions} holds no student folders; expected "
            f"{submissions}/<student>/<notebook>.ipynb"
        )
    rows = []
    feedback_dir = out.parent / "feedback"
    feedback_dir.mkdir(parents=True, exist_ok=True)
    for student in students:
        lines = [f"# Feedback for {student.name}", ""]
        for notebook in sorted(student.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in notebook.parts:
                continue
            try:
                reference = find_reference(notebook, book)
            except ValueError as error:
                print(f"{student.name}/{notebook.name}: skipped ({error})")
                continue
            print(
                f"grading {student.name}/{notebook.relative_to(student)} ...",
                flush=True,
            )
            results = grade(notebook, reference, timeout)
            total, possible = (
                sum(r.points for r in results),
                sum(r.max_points for r in results),
            )
            lines += [
                f"## {notebook.name}: {total:g} of {possible} points",
                "",
            ]
            for r in results:
                rows.append(
                    {
                        "student": student.name,
                        "notebook": notebook.name,
                        **asdict(r),
                    }
                )
                mark = (
                    "passed"
                    if r.points == r.max_points
                    else f"FAILED: {r.message}"
                )
                lines.append(
                    f"- {r.test} ({r.points:g}/{r.max_points}): {mark}"
                )
            lines.append("")
        tmp = feedback_dir / f".{student.name}.md.tmp"
        tmp.write_text("\n".join(lines), encoding="utf-8")
        os.replace(tmp, feedback_dir / f"{student.name}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(
            f,
            fieldnames=[
                "student",
                "notebook",
                "test",
                "points",
                "max_points",
                "message",
            ],
        )
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, out)
    return rows


# -----------------------------------------------------------------------------
# nbgrader export


def nbgrader_version(
    notebook: nbformat.NotebookNode, stem: str
) -> nbformat.NotebookNode:
    """Return ``notebook`` as an nbgrader source notebook.

    Solution cells become "autograded answer" cells (their markers are
    nbgrader's own); hidden-test cells become "autograder tests" cells with
    their points, their code wrapped in ``### BEGIN HIDDEN TESTS`` /
    ``### END HIDDEN TESTS`` so students do not see it; worked ``{solution}``
    blocks are removed from the text, as in the student version.
    """
    result = copy.deepcopy(notebook)
    cells, answer = [], 0
    for cell in result.cells:
        if cell.cell_type == "markdown":
            cell.source = _SOLUTION_BLOCK.sub("", cell.source).rstrip() + "\n"
            if not cell.source.strip():
                continue
        elif "solution" in tags(cell):
            answer += 1
            cell.metadata["nbgrader"] = {
                "grade": False,
                "grade_id": f"{stem}-answer-{answer}",
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            }
        elif "hidden-test" in tags(cell):
            name, points = hidden_test_info(cell, answer)
            slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60]
            cell.metadata["nbgrader"] = {
                "grade": True,
                "grade_id": f"{stem}-test-{slug}",
                "locked": True,
                "points": points,
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
            cell.source = (
                f"### BEGIN HIDDEN TESTS\n{cell.source.rstrip()}\n"
                "### END HIDDEN TESTS\n"
            )
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    result.cells = cells
    return result


def export_nbgrader(source: Path, course: Path) -> list[Path]:
    """Write the notebooks under ``source`` as an nbgrader course's source.

    Each goes to ``course/source/<assignment>/<notebook>``; returns the paths.

    Each chapter folder becomes one nbgrader assignment
    (``ch04_pytorch_examples`` ...); a chapter folder given as ``source``
    becomes one assignment of its own name.
    """
    source, course = Path(source), Path(course)
    _check_target(source, course)
    written = []
    for path in book_notebooks(source):
        folder = path.parent.relative_to(source)
        assignment = (
            folder.as_posix().replace("/", "-")
            if folder.parts
            else source.name
        )
        out = course / "source" / assignment / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9]+", "-", path.stem)
        nbformat.write(
            nbgrader_version(nbformat.read(path, as_version=4), stem), out
        )
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.coursework",
        description=__doc__.split("\n\n")[0],
    )
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser(
        "student", help="write student versions of the notebooks"
    )
    student.add_argument("source", type=Path)
    student.add_argument("target", type=Path)
    grader = commands.add_parser(
        "grade", help="grade one submission, or a folder of student folders"
    )
    grader.add_argument(
        "submission",
        type=Path,
        help="a notebook, or a folder with one folder per student",
    )
    grader.add_argument(
        "--reference",
        type=Path,
        help="the instructor's notebook (default: same name under --book)",
    )
    grader.add_argument("--book", type=Path, default=Path("book"))
    grader.add_argument(
        "--out", type=Path, help="CSV of grades (for a folder of submissions)"
    )
    grader.add_argument(
        "--timeout",
        type=int,
        default=600,
        help="seconds allowed per cell (default 600)",
    )
    export = commands.add_parser(
        "export-nbgrader",
        help="write the notebooks as an nbgrader course's source/",
    )
    export.add_argument("source", type=Path)
    export.add_argument("course", type=Path)
    args = parser.parse_args(argv)
    # grade fast unless the instructor says otherwise
    os.environ.setdefault("COURSE_PROFILE", "quick")
    if args.command == "student":
        for path in write_student_versions(args.source, args.target):
            print(path)
        return 0
    if args.command == "export-nbgrader":
        for path in export_nbgrader(args.source, args.course):
            print(path)
        return 0
    if args.submission.is_dir():
        rows = grade_folder(
            args.submission,
            args.book,
            args.out or Path("grades.csv"),
            args.timeout,
        )
        print(f"wrote {args.out or 'grades.csv'}: {len(rows)} rows")
        return 0
    if not args.submission.is_file():
        parser.error(f"{args.submission} is neither a notebook nor a folder")
    reference = args.reference or find_reference(args.submission, args.book)
    results = grade(args.submission, reference, args.timeout)
    for r in results:
        print(
            f"{'PASS' if r.points == r.max_points else 'FAIL'} {r.test} "
            f"({r.points:g}/{r.max_points})"
            + ("" if r.points == r.max_points else f": {r.message}")
        )
    failed = sum(r.points < r.max_points for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
