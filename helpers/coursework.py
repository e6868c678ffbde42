"""Coursework: a student version of the notebooks, and grading against hidden tests.

Cells tagged ``solution`` hold worked code answers; cells tagged ``hidden-test`` check them.

* ``python -m helpers.coursework student book/ student/`` writes every notebook under
  ``book/`` to ``student/`` with solution code replaced by stubs (signatures and docstrings
  kept), worked ``{solution}`` blocks removed from the text, and hidden tests dropped.
* ``python -m helpers.coursework grade SUBMISSION.ipynb [--reference REF.ipynb]`` puts the
  hidden tests back after the matching solution cells, runs the notebook and reports
  which tests pass.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

STUB = 'raise NotImplementedError("your code here")'
_SOLUTION_BLOCK = re.compile(r"^:::\{solution(?:-start|-end)?\}[^\n]*\n(?:[\s\S]*?\n)??:::[ \t]*$\n?", re.MULTILINE)


def tags(cell: dict) -> list[str]:
    """Return the cell's tags (empty list if none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def stub_source(source: str) -> str:
    """Return ``source`` with each top-level function body replaced by a stub.

    Signatures and docstrings stay, so a student sees what to write. A cell with no
    function becomes a single stub line.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    functions = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not functions:
        return f"# YOUR CODE HERE\n{STUB}\n"
    parts = []
    for node in functions:
        body_start = node.body[0]
        keep_docstring = isinstance(body_start, ast.Expr) and isinstance(getattr(body_start, "value", None), ast.Constant) \
            and isinstance(body_start.value.value, str)
        end = body_start.end_lineno if keep_docstring else body_start.lineno - 1
        header = lines[(node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1 : end]
        indent = " " * (body_start.col_offset)
        parts.append("\n".join(header + [f"{indent}# YOUR CODE HERE", f"{indent}{STUB}"]))
    return "\n\n\n".join(parts) + "\n"


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook`` with solutions stubbed and hidden tests removed."""
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


def write_student_versions(source: Path, target: Path) -> list[Path]:
    """Write the student version of every notebook under ``source`` into ``target``; return the paths."""
    source, target = Path(source), Path(target)
    if not source.is_dir():
        raise ValueError(f"{source} is not a folder of notebooks")
    if target.resolve() == source.resolve() or source.resolve() in target.resolve().parents:
        raise ValueError(f"the student folder {target} must lie outside {source}, or solutions would be overwritten")
    written = []
    for path in sorted(source.rglob("*.ipynb")):
        if "_build" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(path, as_version=4)), out)
        written.append(out)
    return written


def with_hidden_tests(submission: nbformat.NotebookNode, reference: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``submission`` with the reference's hidden tests inserted after the matching solution cells.

    The k-th solution cell of the submission is matched to the k-th of the reference; the
    hidden tests that follow it in the reference (before the next solution) follow it here.
    """
    tests_after: list[list] = []
    for cell in reference.cells:
        if "solution" in tags(cell):
            tests_after.append([])
        elif "hidden-test" in tags(cell):
            if not tests_after:
                raise ValueError("the reference has a hidden-test cell before any solution cell")
            tests_after[-1].append(copy.deepcopy(cell))
    solutions = [i for i, cell in enumerate(submission.cells) if "solution" in tags(cell)]
    if len(solutions) != len(tests_after):
        raise ValueError(
            f"the submission has {len(solutions)} cells tagged 'solution' but the reference has {len(tests_after)}; "
            "keep the tags of the exercise cells when editing them"
        )
    graded = copy.deepcopy(submission)
    for index, tests in reversed(list(zip(solutions, tests_after))):
        graded.cells[index + 1 : index + 1] = tests
    return graded


def grade(submission: Path, reference: Path, timeout: int = 600) -> dict[str, bool]:
    """Run ``submission`` with the hidden tests of ``reference``; return {test id: passed}."""
    from nbclient import NotebookClient

    notebook = with_hidden_tests(nbformat.read(submission, as_version=4), nbformat.read(reference, as_version=4))
    client = NotebookClient(notebook, timeout=timeout, allow_errors=True,
                            resources={"metadata": {"path": str(Path(reference).parent)}})
    client.execute()
    results = {}
    for number, cell in enumerate(c for c in notebook.cells if "hidden-test" in tags(c)):
        failed = any(output.get("output_type") == "error" for output in cell.get("outputs", []))
        results[cell.get("id", f"hidden-test-{number}")] = not failed
    return results


def _find_reference(submission: Path, book: Path) -> Path:
    matches = [p for p in book.rglob(submission.name) if "_build" not in p.parts]
    if len(matches) != 1:
        raise ValueError(f"found {len(matches)} notebooks named {submission.name} under {book}; pass --reference")
    return matches[0]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers.coursework", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write student versions of the notebooks")
    student.add_argument("source", type=Path)
    student.add_argument("target", type=Path)
    grader = commands.add_parser("grade", help="run a submission with the hidden tests")
    grader.add_argument("submission", type=Path)
    grader.add_argument("--reference", type=Path, help="the instructor's notebook (default: same name under book/)")
    grader.add_argument("--book", type=Path, default=Path("book"))
    args = parser.parse_args(argv)
    if args.command == "student":
        for path in write_student_versions(args.source, args.target):
            print(path)
        return 0
    reference = args.reference or _find_reference(args.submission, args.book)
    results = grade(args.submission, reference)
    for test, passed in results.items():
        print(f"{'PASS' if passed else 'FAIL'} {test}")
    failed = sum(not passed for passed in results.values())
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
