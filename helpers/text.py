"""Text datasets: parsers for the registered corpora and labelled text sets."""

from __future__ import annotations

import json

from .data import fetch

TANG_FILES = tuple(f"quantangshi/poet.tang.{k}.json" for k in range(0, 10000, 1000))


def load_tang_poems(collection: str = "quantangshi") -> list[dict]:
    """Return Tang poems as dicts with ``author``, ``title`` and ``paragraphs`` (list of lines).

    ``collection`` is ``"quantangshi"`` (the first 10 files of 全唐诗, about 10,000 poems) or
    ``"tangshi300"`` (唐诗三百首). The text is in traditional characters, as published.
    """
    if collection == "tangshi300":
        names: tuple[str, ...] = ("tangshi300.json",)
    elif collection == "quantangshi":
        names = TANG_FILES
    else:
        raise ValueError(f"collection must be 'quantangshi' or 'tangshi300', got {collection!r}")
    poems = []
    for name in names:
        path = fetch("chinese-poetry", name)
        records = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(records, list):
            raise ValueError(f"{path}: expected a JSON list of poems")
        for record in records:
            if not {"author", "title", "paragraphs"} <= set(record):
                raise ValueError(f"{path}: a poem lacks author, title or paragraphs: {str(record)[:120]}")
            poems.append({"author": record["author"], "title": record["title"], "paragraphs": record["paragraphs"]})
    return poems
