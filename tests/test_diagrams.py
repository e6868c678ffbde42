"""The figure scripts' command line: deterministic SVGs, optional PNG."""

import matplotlib.pyplot as plt
import pytest

from helpers import diagrams


def draw():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.add_patch(plt.Rectangle((0.1, 0.1), 0.5, 0.5, color="#4C72B0"))
    ax.text(0.2, 0.8, "input x")
    ax.axis("off")
    return fig


def test_drawing_twice_writes_the_same_svg_with_text_as_text(tmp_path):
    first = diagrams.main(draw, tmp_path / "a.svg", argv=[])
    again = diagrams.main(draw, tmp_path / "b.svg", argv=[])
    text = first.read_text(encoding="utf-8")
    assert text == again.read_text(encoding="utf-8")
    assert "input x" in text  # svg.fonttype none: not glyph paths
    assert "<dc:date>" not in text


def test_png_on_request(tmp_path):
    png = tmp_path / "look.png"
    diagrams.main(draw, tmp_path / "a.svg", argv=["--png", str(png)])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_path_that_is_not_svg_is_refused(tmp_path):
    with pytest.raises(ValueError, match="ending in .svg"):
        diagrams.save(draw(), tmp_path / "a.png")
