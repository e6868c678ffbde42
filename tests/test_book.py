"""Book checks: table of contents, Colab setup cells, conventions, citing."""

import json
import re
from pathlib import Path

import pytest
import yaml

import helpers
from helpers import colab

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
NOTEBOOKS = sorted(
    p
    for p in BOOK.rglob("*.ipynb")
    if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts
)


def toc_files(node) -> list[str]:
    """Every `file:` entry in the table of contents, recursively."""
    found = []
    if isinstance(node, dict):
        if "file" in node:
            found.append(node["file"])
        for value in node.values():
            found.extend(toc_files(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(toc_files(item))
    return found


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return (
        "".join(cell["source"])
        if isinstance(cell["source"], list)
        else cell["source"]
    )


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under book/"


def test_toc_and_notebooks_agree():
    in_toc = {f for f in toc_files(TOC) if (ROOT / (f + ".ipynb")).exists()}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert on_disk - in_toc == set(), (
        f"notebooks missing from _toc.yml: {sorted(on_disk - in_toc)}"
    )
    assert in_toc - on_disk == set(), (
        "_toc.yml entries with no notebook or page: "
        f"{sorted(in_toc - on_disk)}"
    )
    assert TOC["root"] == "book/intro"


def section_numbers(node=None, prefix=()) -> dict[str, str]:
    """The number Sphinx gives each page of the numbered part, as "3.1.1"."""
    if node is None:
        (part,) = [p for p in TOC["parts"] if p.get("numbered")]
        return section_numbers(part["chapters"])
    numbers = {}
    for i, entry in enumerate(node, 1):
        number = prefix + (i,)
        numbers[entry["file"]] = ".".join(map(str, number))
        numbers.update(section_numbers(entry.get("sections", []), number))
    return numbers


def test_the_numbered_toc_gives_every_notebook_its_survey_number():
    numbers = section_numbers()
    for path in NOTEBOOKS:
        entry = str(path.relative_to(ROOT).with_suffix(""))
        assert entry in numbers, f"{entry} is not in the numbered part"
        # 3_1_1_forward -> 3.1.1; 6_faq -> 6
        expected = ".".join(
            re.findall(r"^(?:\d+_)+", path.stem)[0].split("_")[:-1]
        )
        assert numbers[entry] == expected, (
            f"{path.name}: the table of contents numbers it {numbers[entry]}, "
            f"its file name says {expected}"
        )
    assert CONFIG["sphinx"]["config"]["numfig_secnum_depth"] == 3


def test_every_toc_entry_exists():
    for entry in toc_files(TOC) + [TOC["root"]]:
        assert any(
            (ROOT / (entry + ext)).exists() for ext in (".ipynb", ".md")
        ), f"{entry} in _toc.yml does not exist"


def test_the_setup_cell_installs_this_release_from_the_configured_repository():
    repository = CONFIG["repository"]["url"].rstrip("/")
    assert colab.REPOSITORY == repository
    cell = colab.setup_cell()
    assert f'REPOSITORY = "{repository}"' in cell
    assert re.findall(r'f"git\+\{REPOSITORY\}@([\w.-]+)"', cell) == [
        f"v{helpers.__version__}"
    ], (
        "the setup cell must install the release tag v<helpers.__version__>, "
        "not a branch"
    )
    compile(cell, "setup cell", "exec")  # valid Python
    assert max(len(line) for line in cell.splitlines()) <= 88


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_cell_is_the_canonical_setup_cell(path):
    cells = load(path)["cells"]
    setup = [
        c
        for c in cells
        if c["cell_type"] == "code" and "google.colab" in source(c)
    ]
    assert len(setup) == 1, (
        f"{path.name}: expected exactly one Colab setup cell, found "
        f"{len(setup)}"
    )
    cell = setup[0]
    assert cell is next(c for c in cells if c["cell_type"] == "code"), (
        f"{path.name}: the setup cell must come first"
    )
    assert "remove-cell" in cell.get("metadata", {}).get("tags", []), (
        f"{path.name}: the setup cell must be tagged remove-cell"
    )
    assert source(cell) == colab.SETUP_CELL, (
        f"{path.name}: the setup cell differs from helpers.colab.SETUP_CELL "
        f"(release v{helpers.__version__}); rewrite it with `python -m "
        f"helpers.colab update {path.relative_to(ROOT)}`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_recipe(path):
    nb = load(path)
    cells = nb["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    markdown = "\n".join(
        source(c) for c in cells if c["cell_type"] == "markdown"
    )
    assert not any(
        c.get("outputs") or c.get("execution_count") for c in code
    ), f"{path.name} has committed outputs"
    title = source(cells[0]).splitlines()[0]
    assert re.match(r"# [^\d\s].* \(.+\)$", title), (
        f"{path.name}: first line should be '# Title (中文标题)', without "
        "the section number (the numbered table of contents adds it), "
        f"got {title!r}"
    )
    assert "{exercise}" in markdown and "{solution" in markdown, (
        f"{path.name}: needs exercises with solutions"
    )
    tagged = [
        tag for c in code for tag in c.get("metadata", {}).get("tags", [])
    ]
    assert (
        tagged.count("solution") >= 3 and tagged.count("hidden-test") >= 3
    ), (
        f"{path.name}: needs at least three graded code exercises (solution + "
        "hidden-test cells)"
    )
    assert "$$" in markdown, f"{path.name}: needs displayed equations"
    assert "{cite" in markdown, f"{path.name}: needs citations"
    assert any("assert" in source(c) for c in code), (
        f"{path.name}: needs check cells"
    )
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"


def test_citations_resolve():
    bib = (BOOK / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,\s]+),", bib))
    texts = [
        source(c)
        for p in NOTEBOOKS
        for c in load(p)["cells"]
        if c["cell_type"] == "markdown"
    ]
    texts += [p.read_text(encoding="utf-8") for p in BOOK.rglob("*.md")]
    cited = {
        key.strip()
        for text in texts
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text)
        for key in group.split(",")
    }
    assert cited, "no citations found"
    assert cited - keys == set(), (
        f"cited but not in references.bib: {sorted(cited - keys)}"
    )
    assert len(keys) == len(re.findall(r"@\w+\{", bib)), (
        "references.bib has a duplicate or malformed key"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_a_schematic_figure_that_the_text_refers_to(path):
    """Each chapter shows its model's structure in a committed figure with a
    numbered caption (a MyST figure directive with a name) and refers to it."""
    markdown = "\n".join(
        source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown"
    )
    figures = re.findall(
        r"(?:`{3,}|:{3,})\{figure\}\s*(\S+)\s*\n:name:\s*(\S+)", markdown
    )
    assert figures, (
        f"{path.name}: needs a schematic figure: a {{figure}} directive "
        "with a :name: and a caption"
    )
    for file, name in figures:
        assert (path.parent / file).exists(), f"{path.name}: {file} missing"
        assert f"{{numref}}`{name}`" in markdown, (
            f"{path.name}: figure {name} is never referred to with {{numref}}"
        )
