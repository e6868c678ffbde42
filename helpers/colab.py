"""The Colab setup cell: the first code cell of every notebook, one text.

On Colab it installs the helpers release this notebook was written for (a git
tag equal to ``v{helpers.__version__}``, so a saved notebook keeps working when
the repository moves on) and, when the student sets ``USE_DRIVE = True``,
mounts Google Drive and keeps checkpoints there: the runtime's own disk is
wiped when Colab recycles it, Drive is not. Elsewhere the cell does nothing.

``python -m helpers.colab`` prints the cell; ``python -m helpers.colab update
NOTEBOOK...`` replaces the setup cell of each notebook (the code cell that
mentions ``google.colab``) with it and leaves every other cell as it was.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import __version__

REPOSITORY = "https://github.com/ai-large-models-course/ai-large-models-course"
RELEASE = f"v{__version__}"
DRIVE_CHECKPOINTS = "/content/drive/MyDrive/ai-large-models-course/checkpoints"

SETUP_CELL = f'''\
# Colab only: install the course helpers (release {RELEASE}); with
# USE_DRIVE = True, keep checkpoints on Google Drive, which outlives a
# recycled runtime. Elsewhere: nothing.
import os
import subprocess
import sys

USE_DRIVE = False  # True: checkpoints on Drive (Colab asks first)
REPOSITORY = "{REPOSITORY}"
DRIVE_FOLDER = "{DRIVE_CHECKPOINTS}"

if "google.colab" in sys.modules:
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"git+{{REPOSITORY}}@{RELEASE}"], check=True)
    if USE_DRIVE:
        from google.colab import drive

        drive.mount("/content/drive")
        os.environ["COURSE_CHECKPOINTS"] = DRIVE_FOLDER'''


def setup_cell() -> str:
    """Return the source of the Colab setup cell (every notebook's first)."""
    return SETUP_CELL


def is_setup_cell(cell: dict) -> bool:
    """Return True for a notebook cell (as JSON) that is a Colab setup cell."""
    source = cell.get("source", "")
    return cell.get("cell_type") == "code" and "google.colab" in (
        "".join(source) if isinstance(source, list) else source
    )


def update(path: str | Path) -> bool:
    """Replace the setup cell of the notebook at ``path`` with ``SETUP_CELL``.

    Returns True if it changed.

    Raises ``ValueError`` unless the notebook has exactly one setup cell.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    notebook = json.loads(text)
    cells = [cell for cell in notebook["cells"] if is_setup_cell(cell)]
    if len(cells) != 1:
        raise ValueError(
            f"{path}: expected one code cell mentioning google.colab, found "
            f"{len(cells)}"
        )
    cell = cells[0]
    cell["source"] = SETUP_CELL.splitlines(keepends=True)
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    if "remove-cell" not in tags:
        tags.append("remove-cell")
    # The layout nbformat writes: one-space indent, sorted keys, UTF-8, a final
    # newline.
    new = (
        json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)
        + "\n"
    )
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    if not argv:
        print(SETUP_CELL)
        return 0
    if argv[0] != "update" or len(argv) < 2:
        print(
            "usage: python -m helpers.colab [update NOTEBOOK...]",
            file=sys.stderr,
        )
        return 2
    for name in argv[1:]:
        print(f"{name}: {'updated' if update(name) else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
