"""Student versions strip solutions; grading runs hidden tests against a submission."""

from pathlib import Path

import nbformat
import pytest

from helpers import coursework

ROOT = Path(__file__).resolve().parents[1]


def tiny_notebook(answer: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(":::{exercise} Square\n:label: ex-sq\nWrite square(x).\n:::\n\n"
                                      ":::{solution} ex-sq\n:class: dropdown\nMultiply x by itself.\n:::\n"),
        nbformat.v4.new_code_cell(f'def square(x):\n    """Return x squared."""\n    return {answer}\n',
                                  metadata={"tags": ["solution"]}),
        nbformat.v4.new_code_cell("assert square(3) == 9", metadata={"tags": ["hidden-test"]}),
    ]
    return nb


def test_stub_keeps_signature_and_docstring():
    stub = coursework.stub_source('def f(x: int) -> int:\n    """Doc."""\n    y = x + 1\n    return y\n')
    assert stub.startswith('def f(x: int) -> int:\n    """Doc."""')
    assert "x + 1" not in stub and "NotImplementedError" in stub


def test_student_version_removes_solutions_and_hidden_tests():
    student = coursework.student_version(tiny_notebook("x * x"))
    text = "\n".join(c.source for c in student.cells)
    assert "x * x" not in text and "Multiply x by itself" not in text
    assert "{exercise}" in text
    assert not any("hidden-test" in coursework.tags(c) for c in student.cells)


def test_student_versions_of_the_book(tmp_path):
    written = coursework.write_student_versions(ROOT / "book", tmp_path / "student")
    assert written
    for path in written:
        nb = nbformat.read(path, as_version=4)
        assert not any("hidden-test" in coursework.tags(c) for c in nb.cells), path
        solutions = [c for c in nb.cells if "solution" in coursework.tags(c)]
        assert solutions and all("NotImplementedError" in c.source for c in solutions), path
        assert not any("{solution" in c.source for c in nb.cells if c.cell_type == "markdown"), path


def test_student_folder_inside_book_is_refused(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        coursework.write_student_versions(ROOT / "book", ROOT / "book" / "student")


@pytest.mark.parametrize("answer, passes", [("x * x", True), ("x + x", False)])
def test_grade_runs_hidden_tests(tmp_path, answer, passes):
    reference = tmp_path / "reference.ipynb"
    submission = tmp_path / "submission.ipynb"
    nbformat.write(tiny_notebook("x * x"), reference)
    nbformat.write(coursework.student_version(tiny_notebook(answer)), submission)
    # the student fills in the stub
    nb = nbformat.read(submission, as_version=4)
    nb.cells[1].source = f"def square(x):\n    return {answer}\n"
    nbformat.write(nb, submission)
    results = coursework.grade(submission, reference, timeout=120)
    assert list(results.values()) == [passes]


def test_grade_refuses_mismatched_solution_cells():
    reference = tiny_notebook("x * x")
    submission = tiny_notebook("x * x")
    submission.cells[1].metadata["tags"] = []
    with pytest.raises(ValueError, match="tagged 'solution'"):
        coursework.with_hidden_tests(submission, reference)
