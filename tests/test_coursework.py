"""Coursework: student versions, grading, grade sheets, nbgrader export.

Student versions keep the scaffolding and leak no answer; grading scores and
survives bad submissions; batch grading writes a grade sheet; the nbgrader
export grades the same in nbgrader itself.
"""

import csv
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from helpers import coursework

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTER_4_1 = BOOK / "ch04_pytorch_examples" / "4_1_mlp_mnist.ipynb"


def tiny_notebook(
    answer: str = "x * x", extra: str = ""
) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            ":::{exercise} Square\n:label: ex-sq\nWrite square(x).\n:::\n\n"
            ":::{solution} ex-sq\n:class: dropdown\nMultiply x by itself.\n"
            ":::\n"
        ),
        nbformat.v4.new_code_cell(
            'def square(x):\n    """Return x squared."""\n'
            "    ### BEGIN SOLUTION\n"
            f"    return {answer}\n"
            "    ### END SOLUTION\n",
            metadata={"tags": ["solution"]},
        ),
        nbformat.v4.new_code_cell(
            "assert square(3) == 9, f'square(3) should be 9, got {square(3)}'",
            metadata={
                "tags": ["hidden-test"],
                "grading": {"name": "square(3)", "points": 2},
            },
        ),
        nbformat.v4.new_code_cell(
            f"{extra}\ndef cube(x):\n    ### BEGIN SOLUTION\n"
            "    return x ** 3\n    ### END SOLUTION\n",
            metadata={"tags": ["solution"]},
        ),
        nbformat.v4.new_code_cell(
            "assert cube(2) == 8",
            metadata={
                "tags": ["hidden-test"],
                "grading": {"name": "cube(2)", "points": 3},
            },
        ),
    ]
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def graded(tmp_path, submission_nb, reference_nb=None, timeout=60):
    reference = write(
        reference_nb or tiny_notebook(), tmp_path / "reference.ipynb"
    )
    submission = write(submission_nb, tmp_path / "submission.ipynb")
    return {
        r.test: r
        for r in coursework.grade(submission, reference, timeout=timeout)
    }


# -----------------------------------------------------------------------------
# stubs


def test_stub_keeps_class_signature_and_docstring():
    source = (
        'class AMSGrad(Base):\n    """Doc."""\n\n'
        '    def update(self, p, g):\n        """Step."""\n'
        "        ### BEGIN SOLUTION\n        p.sub_(g)\n"
        "        ### END SOLUTION\n\n\nopt = AMSGrad()\n"
    )
    stub = coursework.stub_source(source)
    assert stub.startswith(
        'class AMSGrad(Base):\n    """Doc."""\n\n'
        '    def update(self, p, g):\n        """Step."""'
    )
    assert (
        "        # YOUR CODE HERE\n        raise NotImplementedError" in stub
    )
    assert "p.sub_(g)" not in stub and "opt = AMSGrad()" in stub
    compile(stub, "stub", "exec")  # still valid Python


@pytest.mark.parametrize(
    "source, message",
    [
        ("def f():\n    return 1\n", "must mark its answer"),
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "no matching"),
        (
            "def f():\n    return 1\n    ### END SOLUTION\n",
            "without a matching",
        ),
    ],
)
def test_stub_refuses_cells_without_balanced_markers(source, message):
    with pytest.raises(ValueError, match=message):
        coursework.stub_source(source)


def test_student_version_removes_solutions_and_hidden_tests():
    student = coursework.student_version(tiny_notebook())
    text = "\n".join(c.source for c in student.cells)
    assert (
        "x * x" not in text
        and "x ** 3" not in text
        and "Multiply x by itself" not in text
    )
    assert (
        "{exercise}" in text
        and "def square(x):" in text
        and "def cube(x):" in text
    )
    assert not any("hidden-test" in coursework.tags(c) for c in student.cells)


def student_book(tmp_path) -> list[Path]:
    return coursework.write_student_versions(
        BOOK, tmp_path / "student" / "book"
    )


def test_student_versions_of_the_book(tmp_path):
    written = student_book(tmp_path)
    assert len(written) == len(coursework.book_notebooks(BOOK))
    for path in written:
        nb = nbformat.read(path, as_version=4)
        assert not any(
            "hidden-test" in coursework.tags(c) for c in nb.cells
        ), path
        solutions = [c for c in nb.cells if "solution" in coursework.tags(c)]
        assert solutions and all(
            "NotImplementedError" in c.source for c in solutions
        ), path
        assert not any(
            "{solution" in c.source
            for c in nb.cells
            if c.cell_type == "markdown"
        ), path
        for cell in solutions:
            compile(cell.source, str(path), "exec")
    book = tmp_path / "student" / "book"
    assert (book / "references.bib").exists() and (book / "intro.md").exists()
    assert (tmp_path / "student" / "_toc.yml").exists() and (
        tmp_path / "student" / "_config.yml"
    ).exists()


def test_every_code_exercise_is_marked_and_graded():
    for path in coursework.book_notebooks(BOOK):
        cells = nbformat.read(path, as_version=4).cells
        for index, cell in enumerate(cells):
            if "solution" in coursework.tags(cell):
                # raises if the markers are missing
                coursework.stub_source(cell.source)
            if "hidden-test" in coursework.tags(cell):
                grading = cell.metadata.get("grading", {})
                assert (
                    grading.get("name")
                    and isinstance(grading.get("points"), int)
                    and grading["points"] > 0
                ), (
                    f"{path.name}, cell {index}: a hidden test needs metadata "
                    "grading = {name, points}"
                )


def _identifying_lines(body: str) -> list[str]:
    """Lines of an answer long enough to identify it.

    Short ones such as `return h` recur honestly.
    """
    return [
        line.strip()
        for line in body.splitlines()
        if len(line.strip()) >= 20 and not line.strip().startswith("#")
    ]


def test_no_answer_leaks_into_the_student_book(tmp_path):
    """No answer is printed elsewhere in the student version of the book.

    An answer leaks into a notebook when more than half of its identifying
    lines appear there. Boilerplate lines that stand in three or more student
    notebooks (``for _ in range(steps):``) identify nothing and are not
    counted; an exercise that adapts printed code (a targeted PGD from the
    printed PGD) shares some lines on purpose, a copied answer shares most.
    """
    student_text = {
        p: "\n".join(c.source for c in nbformat.read(p, as_version=4).cells)
        for p in student_book(tmp_path)
    }
    leaks = []
    for path in coursework.book_notebooks(BOOK):
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" not in coursework.tags(cell):
                continue
            for body in coursework.solution_body(cell.source):
                lines = [
                    line
                    for line in _identifying_lines(body)
                    if sum(line in text for text in student_text.values()) < 3
                ]
                for where, text in student_text.items():
                    found = [line for line in lines if line in text]
                    if lines and len(found) / len(lines) > 0.5:
                        leaks.append(
                            f"{path.name}: {len(found)} of {len(lines)} "
                            f"answer lines appear in {where.name}, e.g. "
                            f"{found[0]!r}"
                        )
    assert not leaks, "answers visible in the student book:\n" + "\n".join(
        leaks
    )


def test_output_folder_inside_book_is_refused(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        coursework.write_student_versions(BOOK, BOOK / "student")
    with pytest.raises(ValueError, match="outside"):
        coursework.export_nbgrader(BOOK, BOOK / "course")


# -----------------------------------------------------------------------------
# grading one notebook


def test_reference_scores_full_and_student_version_zero(tmp_path):
    full = graded(tmp_path, tiny_notebook())
    assert {name: r.points for name, r in full.items()} == {
        "square(3)": 2,
        "cube(2)": 3,
    }
    zero = graded(tmp_path, coursework.student_version(tiny_notebook()))
    assert {name: r.points for name, r in zero.items()} == {
        "square(3)": 0,
        "cube(2)": 0,
    }
    assert "NotImplementedError" in zero["square(3)"].message


def test_wrong_answer_fails_with_the_tests_message(tmp_path):
    results = graded(tmp_path, tiny_notebook(answer="x + x"))
    assert (
        results["square(3)"].points == 0
        and "should be 9, got 6" in results["square(3)"].message
    )
    assert results["cube(2)"].points == 3


def test_deleted_cell_and_renamed_function_lose_only_their_points(tmp_path):
    deleted = tiny_notebook()
    del deleted.cells[1]  # the square answer
    results = graded(tmp_path, deleted)
    assert (
        results["square(3)"].points == 0
        and "NameError" in results["square(3)"].message
    )
    assert results["cube(2)"].points == 3
    renamed = tiny_notebook()
    renamed.cells[3].source = renamed.cells[3].source.replace(
        "def cube", "def my_cube"
    )
    results = graded(tmp_path, renamed)
    assert results["square(3)"].points == 2 and results["cube(2)"].points == 0


def test_crash_and_endless_loop_score_zero_for_what_they_stop(tmp_path):
    crash = tiny_notebook(extra="import os\nos._exit(1)")
    results = graded(tmp_path, crash)
    assert results["square(3)"].points == 2
    assert (
        results["cube(2)"].points == 0
        and "kernel died" in results["cube(2)"].message
    )
    loop = tiny_notebook(extra="while True:\n    pass")
    results = graded(tmp_path, loop, timeout=5)
    assert results["square(3)"].points == 2
    assert (
        results["cube(2)"].points == 0
        and "limit" in results["cube(2)"].message
    )


def test_hidden_tests_inside_a_submission_are_replaced_not_added(tmp_path):
    tampered = tiny_notebook(answer="x + x")
    tampered.cells[2].source = "pass  # the student emptied the test"
    results = graded(tmp_path, tampered)
    assert (
        list(results) == ["square(3)", "cube(2)"]
        and results["square(3)"].points == 0
    )


def test_unreadable_submission_scores_zero(tmp_path):
    reference = write(tiny_notebook(), tmp_path / "reference.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    results = coursework.grade(broken, reference)
    assert [r.points for r in results] == [0, 0] and "unreadable" in results[
        0
    ].message


# -----------------------------------------------------------------------------
# a class: chapter 4.1


@pytest.fixture(scope="module")
def class_of_two(tmp_path_factory):
    """Two submissions of chapter 4.1, graded.

    The reference notebook and the untouched student version.
    """
    root = tmp_path_factory.mktemp("class")
    (root / "submissions" / "alice").mkdir(parents=True)
    shutil.copy(CHAPTER_4_1, root / "submissions" / "alice")
    write(
        coursework.student_version(nbformat.read(CHAPTER_4_1, as_version=4)),
        root / "submissions" / "bob" / CHAPTER_4_1.name,
    )
    out = root / "grades" / "grades.csv"
    assert (
        coursework.main(
            [
                "grade",
                str(root / "submissions"),
                "--book",
                str(BOOK),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return root


def scores(rows: list[dict]) -> dict[str, float]:
    return {
        s: sum(float(r["points"]) for r in rows if r["student"] == s)
        for s in ("alice", "bob")
    }


def test_grade_folder_writes_a_grade_sheet_and_feedback(class_of_two):
    rows = list(
        csv.DictReader(
            (class_of_two / "grades" / "grades.csv").open(encoding="utf-8")
        )
    )
    assert {r["student"] for r in rows} == {"alice", "bob"}
    possible = sum(
        int(r["max_points"]) for r in rows if r["student"] == "alice"
    )
    assert possible > 0 and scores(rows) == {"alice": possible, "bob": 0}
    assert all(r["notebook"] == CHAPTER_4_1.name for r in rows)
    feedback = (class_of_two / "grades" / "feedback" / "bob.md").read_text(
        encoding="utf-8"
    )
    assert "FAILED" in feedback and "NotImplementedError" in feedback


def test_nbgrader_export_grades_the_same_in_nbgrader(tmp_path):
    """The exported chapter goes through nbgrader's own tools.

    Those are generate_assignment and autograde.

    nbgrader identifies answers and tests by its cell metadata, so its two
    submissions are in its format: the exported source (answers filled in, as
    the reference) and nbgrader's untouched release. ``grade`` scores the same
    two files the same way.
    """
    nbgrader = shutil.which("nbgrader")
    if nbgrader is None:
        if os.environ.get("CI"):
            pytest.fail(
                "nbgrader is not installed; requirements.txt installs it"
            )
        pytest.skip(
            "nbgrader is not installed (pip install -r requirements.txt "
            "installs it)"
        )
    course = tmp_path / "course"
    assignment = CHAPTER_4_1.parent.name
    # one chapter folder is one assignment
    coursework.export_nbgrader(CHAPTER_4_1.parent, course)
    source = course / "source" / assignment / CHAPTER_4_1.name
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'course'\n"
        "c.ExecutePreprocessor.timeout = 600\n",
        encoding="utf-8",
    )
    env = {**os.environ, "COURSE_PROFILE": "quick"}
    run = lambda *args: subprocess.run(
        [nbgrader, *args],
        cwd=course,
        env=env,
        capture_output=True,  # noqa: E731
        text=True,
        timeout=900,
    )
    result = run("generate_assignment", assignment, "--force", "--create")
    assert result.returncode == 0, result.stdout + result.stderr
    released = course / "release" / assignment / CHAPTER_4_1.name
    ours_student = coursework.student_version(
        nbformat.read(CHAPTER_4_1, as_version=4)
    )
    assert [
        c.source
        for c in nbformat.read(released, as_version=4).cells
        if "solution" in coursework.tags(c)
    ] == [
        c.source.replace('("your code here")', "()").rstrip("\n")
        for c in ours_student.cells
        if "solution" in coursework.tags(c)
    ], "nbgrader's release and the student version differ"
    submissions = {"alice": source, "bob": released}
    for student, notebook in submissions.items():
        target = course / "submitted" / student / assignment
        target.mkdir(parents=True)
        shutil.copy(notebook, target)
        result = run(
            "autograde",
            assignment,
            "--student",
            student,
            "--create",
            "--force",
        )
        assert result.returncode == 0, result.stdout + result.stderr
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        theirs = {
            s: gradebook.find_submission_notebook(
                CHAPTER_4_1.stem, assignment, s
            ).score
            for s in submissions
        }
        possible = gradebook.find_notebook(
            CHAPTER_4_1.stem, assignment
        ).max_score
    ours = {
        s: sum(r.points for r in coursework.grade(nb, CHAPTER_4_1))
        for s, nb in submissions.items()
    }
    assert possible > 0 and theirs == ours == {"alice": possible, "bob": 0}
