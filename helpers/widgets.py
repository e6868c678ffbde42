"""Widgets: interactive explorers that leave a static figure in the book."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
from IPython.display import display


def _control(name: str, spec: Any):
    import ipywidgets as widgets

    if (
        isinstance(spec, (list, tuple))
        and spec
        and all(isinstance(v, str) for v in spec)
    ):
        return widgets.Dropdown(
            options=list(spec), value=spec[0], description=name
        )
    if isinstance(spec, tuple) and len(spec) in (3, 4):
        low, high, step = spec[:3]
        value = spec[3] if len(spec) == 4 else low
        kind = (
            widgets.IntSlider
            if all(isinstance(v, int) for v in spec)
            else widgets.FloatSlider
        )
        return kind(
            min=low,
            max=high,
            step=step,
            value=value,
            description=name,
            continuous_update=False,
        )
    raise ValueError(
        f"control {name!r}: expected (min, max, step[, default]) or a list of "
        f"option strings, got {spec!r}"
    )


def explore(plot: Callable[..., None], **controls: Any) -> None:
    """Draw ``plot(**defaults)`` as a static figure, then sliders redrawing it.

    Each control is ``(min, max, step[, default])`` for a slider or a list of
    strings for a drop-down. The static figure is what the rendered book and
    nbval see; in a live notebook the sliders redraw the figure below them.
    """
    import ipywidgets as widgets

    built = {name: _control(name, spec) for name, spec in controls.items()}
    plot(**{name: w.value for name, w in built.items()})
    plt.show()
    output = widgets.Output()

    def redraw(_change: Any = None) -> None:
        with output:
            output.clear_output(wait=True)
            plot(**{name: w.value for name, w in built.items()})
            plt.show()

    for w in built.values():
        w.observe(redraw, names="value")
    display(widgets.VBox([widgets.HBox(list(built.values())), output]))
