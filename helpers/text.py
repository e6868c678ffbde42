"""Text: parsers for corpora and labelled text sets, tokenizer, vocabulary.

Loaders return plain Python lists of strings and int64 label tensors;
``Vocabulary`` turns tokens into indices and ``pad_batch`` stacks index lists
into a padded tensor.
"""

from __future__ import annotations

import csv
import html
import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch

from .data import fetch, register, register_github

# Full-profile files. Each SHA-256 was confirmed against several independent
# public sources. AG News train.csv: 120,000 rows, 29,470,338 bytes, same
# repository and commit as test.csv.
register_github(
    "ag_news",
    "mhjabreel/CharCnn_Keras",
    "555590db4219b1243abb1918effd6a7425a2d75f",
    {
        "train.csv": (
            "data/ag_news_csv/train.csv",
            "76a0a2d2f92b286371fe4d4044640910a04a803fdd2538e0f3f29a5c6f6b672e",
        ),
    },
)
# text8: English Wikipedia text (dump of 3 March 2006) cleaned by Matt Mahoney
# to a-z and spaces, cut to 10^8 characters; 31,344,016 bytes zipped. The
# mirror is the Internet Archive's raw ("id_") copy of the same URL.
register(
    "text8",
    "text8.zip",
    "a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232",
    [
        "http://mattmahoney.net/dc/text8.zip",
        "https://web.archive.org/web/2020id_/http://mattmahoney.net/dc/text8.zip",
    ],
)
# The word2vec analogy test set (Mikolov et al. 2013): 19,544 questions in 14
# sections, 603,955 bytes.
_WORD2VEC = "tmikolov/word2vec@20c129af10659f7c50e86e3be406df663beff438"
register(
    "word-analogy",
    "questions-words.txt",
    "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
    [
        "https://raw.githubusercontent.com/tmikolov/word2vec/20c129af10659f7c50e86e3be406df663beff438/questions-words.txt",
        f"https://cdn.jsdelivr.net/gh/{_WORD2VEC}/questions-words.txt",
        "https://download.tensorflow.org/data/questions-words.txt",
    ],
)

TANG_FILES = tuple(
    f"quantangshi/poet.tang.{k}.json" for k in range(0, 10000, 1000)
)


def load_tang_poems(collection: str = "quantangshi") -> list[dict]:
    """Return Tang poems as dicts.

    Keys: ``author``, ``title`` and ``paragraphs`` (list of lines).

    ``collection`` is ``"quantangshi"`` (the first 10 files of 全唐诗, about
    10,000 poems) or ``"tangshi300"`` (唐诗三百首). The text is in traditional
    characters, as published.
    """
    if collection == "tangshi300":
        names: tuple[str, ...] = ("tangshi300.json",)
    elif collection == "quantangshi":
        names = TANG_FILES
    else:
        raise ValueError(
            "collection must be 'quantangshi' or 'tangshi300', got "
            f"{collection!r}"
        )
    poems = []
    for name in names:
        path = fetch("chinese-poetry", name)
        records = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(records, list):
            raise ValueError(f"{path}: expected a JSON list of poems")
        for record in records:
            if not {"author", "title", "paragraphs"} <= set(record):
                raise ValueError(
                    f"{path}: a poem lacks author, title or paragraphs: "
                    f"{str(record)[:120]}"
                )
            poems.append(
                {
                    "author": record["author"],
                    "title": record["title"],
                    "paragraphs": record["paragraphs"],
                }
            )
    return poems


# -----------------------------------------------------------------------------
# tokens

_WORD = r"\w+(?:'\w+)?"
_WORDS = re.compile(_WORD)
_WORDS_AND_PUNCTUATION = re.compile(rf"{_WORD}|[^\w\s]")


def tokenize(text: str, *, punctuation: bool = True) -> list[str]:
    """Return the lower-cased tokens of ``text``: words (with one inner
    apostrophe, "isn't") and, if ``punctuation``, each other non-space
    character as a token of its own."""
    if not isinstance(text, str):
        raise ValueError(f"tokenize needs a str, got {type(text).__name__}")
    pattern = _WORDS_AND_PUNCTUATION if punctuation else _WORDS
    return pattern.findall(text.lower())


class Vocabulary:
    """A mapping between tokens and indices 0..len-1.

    ``<pad>`` is at 0 and ``<unk>`` at 1.

    Build it from tokenized texts (or a ``Counter``) with ``Vocabulary.build``;
    ``encode`` maps tokens to indices (unknown tokens to ``unk_index``),
    ``decode`` maps them back.
    """

    PAD, UNK = "<pad>", "<unk>"
    pad_index, unk_index = 0, 1

    def __init__(
        self, tokens: Sequence[str], counts: Counter | None = None
    ) -> None:
        tokens = list(tokens)
        if tokens[:2] != [self.PAD, self.UNK]:
            raise ValueError(
                f"a vocabulary must start with {self.PAD!r}, {self.UNK!r}; "
                f"got {tokens[:2]}"
            )
        if len(set(tokens)) != len(tokens):
            duplicates = sorted(t for t, n in Counter(tokens).items() if n > 1)
            raise ValueError(
                "vocabulary tokens must be unique; repeated: "
                f"{duplicates[:10]}"
            )
        self.itos = tokens
        self.stoi = {token: i for i, token in enumerate(tokens)}
        self.counts = Counter() if counts is None else Counter(counts)

    @classmethod
    def build(
        cls,
        texts: Iterable[Iterable[str]] | Counter,
        *,
        max_size: int | None = None,
        min_count: int = 1,
    ) -> Vocabulary:
        """Return the vocabulary of the most frequent tokens.

        Ties are broken alphabetically.

        ``texts`` is an iterable of token lists, or a ``Counter`` of token
        counts. ``max_size`` bounds the total size, the two special tokens
        included; tokens seen fewer than ``min_count`` times are left out.
        """
        if max_size is not None and (
            not isinstance(max_size, int) or max_size < 2
        ):
            raise ValueError(
                "max_size must be an integer >= 2 (room for <pad> and <unk>) "
                f"or None, got {max_size!r}"
            )
        if not isinstance(min_count, int) or min_count < 1:
            raise ValueError(
                f"min_count must be a positive integer, got {min_count!r}"
            )
        if isinstance(texts, Counter):
            counts = texts
        else:
            counts = Counter()
            for tokens in texts:
                if isinstance(tokens, str):
                    raise ValueError(
                        "build() needs token lists, not raw strings: tokenize "
                        "the texts first"
                    )
                counts.update(tokens)
        specials = {cls.PAD, cls.UNK}
        ranked = sorted(
            (
                t
                for t, n in counts.items()
                if n >= min_count and t not in specials
            ),
            key=lambda t: (-counts[t], t),
        )
        if max_size is not None:
            ranked = ranked[: max_size - 2]
        return cls([cls.PAD, cls.UNK, *ranked], counts)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        return self.stoi.get(token, self.unk_index)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens: {self.itos[2:7]}...)"

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Return the index of each token.

        Tokens not in the vocabulary map to ``unk_index``.
        """
        if isinstance(tokens, str):
            raise ValueError(
                "encode() needs a list of tokens, not a str: tokenize it first"
            )
        get, unk = self.stoi.get, self.unk_index
        return [get(token, unk) for token in tokens]

    def decode(self, indices: Iterable[int] | torch.Tensor) -> list[str]:
        """Return the token of each index (a list of ints or a 1-D tensor)."""
        if isinstance(indices, torch.Tensor):
            if indices.dim() != 1:
                raise ValueError(
                    "decode() needs a 1-D tensor of indices, got shape "
                    f"{list(indices.shape)}"
                )
            indices = indices.tolist()
        tokens = []
        for i in indices:
            if not 0 <= i < len(self.itos):
                raise ValueError(
                    f"index {i} is outside the vocabulary "
                    f"(0..{len(self.itos) - 1})"
                )
            tokens.append(self.itos[i])
        return tokens


def pad_batch(
    sequences: Sequence[Sequence[int]],
    *,
    pad_index: int = 0,
    max_len: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(ids int64 [N, L], lengths int64 [N])``: the sequences cut to
    ``max_len``, left-aligned and padded with ``pad_index`` to the longest one,
    ``L``."""
    if len(sequences) == 0:
        raise ValueError("pad_batch needs at least one sequence")
    if max_len is not None and (not isinstance(max_len, int) or max_len < 1):
        raise ValueError(
            f"max_len must be a positive integer or None, got {max_len!r}"
        )
    cut = [
        list(s[:max_len]) if max_len is not None else list(s)
        for s in sequences
    ]
    lengths = torch.tensor([len(s) for s in cut], dtype=torch.long)
    ids = torch.full(
        (len(cut), max(int(lengths.max()), 1)), pad_index, dtype=torch.long
    )
    for row, sequence in enumerate(cut):
        ids[row, : len(sequence)] = torch.tensor(sequence, dtype=torch.long)
    return ids, lengths


# -----------------------------------------------------------------------------
# labelled text sets

AG_NEWS_SPLITS = ("train", "test")
SST2_SPLITS = ("train", "dev", "test")


_HTML_TAGS = re.compile(
    r"</?(?:font|b|i|a|p|br|em|strong|span|div)\b[^<>]*>", re.IGNORECASE
)


def clean_ag_news(text: str) -> str:
    """Undo the AG News escapes and return plain text: a backslash stands for a
    line break, HTML formatting tags are dropped, and HTML entities whose ``&``
    became a space are restored (`` #39;`` is an apostrophe, `` quot;`` a
    quote, `` #36;`` a dollar sign)."""
    text = text.replace("\\", " ")
    # an entity whose "&" became a space: " #39;" is "'", " quot;" is '"', "
    # #36;" is "$"
    text = re.sub(
        r" (#\d+|quot|amp|lt|gt);",
        lambda m: html.unescape(f"&{m.group(1)};"),
        text,
    )
    text = re.sub(
        r"(?<![&\w])(#\d+|quot|amp|lt|gt);",
        lambda m: html.unescape(f"&{m.group(1)};"),
        text,
    )
    # formatting tags; keeps tickers such as <AAPL.O>
    text = _HTML_TAGS.sub(" ", html.unescape(text))
    return " ".join(text.split())


def read_ag_news(path: str | Path) -> tuple[list[str], torch.Tensor]:
    """Parse an AG News CSV (``"class","title","description"``, classes 1-4).

    Returns ``(texts, labels)``: each text is the title and the description
    joined and cleaned by ``clean_ag_news``; labels are int64 in 0..3 (the
    published class minus 1).
    """
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if len(row) != 3:
                raise ValueError(
                    f"{path}, row {number}: expected 3 fields (class, title, "
                    f"description), got {len(row)}"
                )
            label, title, description = row
            if label not in ("1", "2", "3", "4"):
                raise ValueError(
                    f"{path}, row {number}: class must be 1, 2, 3 or 4, got "
                    f"{label!r}"
                )
            texts.append(clean_ag_news(f"{title}. {description}"))
            labels.append(int(label) - 1)
    if not texts:
        raise ValueError(f"{path} holds no rows")
    return texts, torch.tensor(labels, dtype=torch.long)


def load_ag_news(split: str) -> tuple[list[str], torch.Tensor]:
    """Return ``(texts, labels 0..3)`` of an AG News split.

    ``"train"`` (120,000) or ``"test"`` (7,600).
    """
    if split not in AG_NEWS_SPLITS:
        raise ValueError(
            f"split must be one of {AG_NEWS_SPLITS}, got {split!r}"
        )
    return read_ag_news(fetch("ag_news", f"{split}.csv"))


def load_ag_news_classes() -> list[str]:
    """Return the AG News class names in label order.

    World, Sports, Business, Sci/Tech.
    """
    return [
        line.strip()
        for line in fetch("ag_news", "classes.txt")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]


def read_sst2(path: str | Path) -> tuple[list[str], torch.Tensor | None]:
    """Parse a GLUE SST-2 TSV file.

    ``train.tsv``/``dev.tsv`` (header ``sentence<TAB>label``) give
    ``(sentences, labels)`` with labels 0 (negative) or 1 (positive);
    ``test.tsv`` (header ``index<TAB>sentence``) has no public labels and gives
    ``(sentences, None)``.
    """
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    header = lines[0].rstrip("\r").split("\t")
    if header not in (["sentence", "label"], ["index", "sentence"]):
        raise ValueError(
            f"{path}: expected a header 'sentence<TAB>label' or "
            f"'index<TAB>sentence', got {lines[0]!r}"
        )
    labelled = header == ["sentence", "label"]
    sentences, labels = [], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.rstrip("\r").split("\t")
        if len(fields) != 2:
            raise ValueError(
                f"{path}, line {number}: expected 2 tab-separated fields, got "
                f"{len(fields)}"
            )
        if labelled:
            sentence, label = fields
            if label not in ("0", "1"):
                raise ValueError(
                    f"{path}, line {number}: label must be 0 or 1, got "
                    f"{label!r}"
                )
            labels.append(int(label))
        else:
            sentence = fields[1]
        sentences.append(sentence.strip())
    if not sentences:
        raise ValueError(f"{path} holds no sentences")
    return sentences, torch.tensor(
        labels, dtype=torch.long
    ) if labelled else None


def load_sst2(split: str) -> tuple[list[str], torch.Tensor | None]:
    """Return ``(sentences, labels)`` of SST-2 ``"train"`` (67,349), ``"dev"``
    (872) or ``"test"`` (1,821, labels ``None``: GLUE keeps them private)."""
    if split not in SST2_SPLITS:
        raise ValueError(f"split must be one of {SST2_SPLITS}, got {split!r}")
    return read_sst2(fetch("sst2", f"{split}.tsv"))


def read_sms_spam(path: str | Path) -> tuple[list[str], torch.Tensor]:
    """Parse the UCI SMS Spam Collection zip.

    The member ``SMSSpamCollection`` has lines ``ham|spam<TAB>text``.

    Returns ``(messages, labels)`` with label 1 for spam and 0 for ham.
    """
    with zipfile.ZipFile(path) as archive:
        if "SMSSpamCollection" not in archive.namelist():
            raise ValueError(
                f"{path}: no member 'SMSSpamCollection' (members: "
                f"{archive.namelist()})"
            )
        lines = archive.read("SMSSpamCollection").decode("utf-8").splitlines()
    messages, labels = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        kind, tab, message = line.partition("\t")
        if not tab or kind not in ("ham", "spam"):
            raise ValueError(
                f"{path}, line {number}: expected 'ham<TAB>text' or "
                f"'spam<TAB>text', got {line[:60]!r}"
            )
        messages.append(message)
        labels.append(int(kind == "spam"))
    return messages, torch.tensor(labels, dtype=torch.long)


def load_sms_spam() -> tuple[list[str], torch.Tensor]:
    """Return ``(messages, labels)`` of the SMS Spam Collection.

    5,574 messages, 747 spam (label 1).
    """
    return read_sms_spam(fetch("sms_spam", "smsspamcollection.zip"))


# -----------------------------------------------------------------------------
# corpora and test sets


def read_text8(
    path: str | Path, *, max_tokens: int | None = None
) -> list[str]:
    """Return the words of a text8 zip (member ``text8``: lower-case a-z words
    and single spaces), all 17,005,207 of them, or only the first
    ``max_tokens``."""
    if max_tokens is not None and (
        not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise ValueError(
            "max_tokens must be a positive integer or None, got "
            f"{max_tokens!r}"
        )
    with zipfile.ZipFile(path) as archive:
        if "text8" not in archive.namelist():
            raise ValueError(
                f"{path}: no member 'text8' (members: {archive.namelist()})"
            )
        raw = archive.read("text8")
    if max_tokens is not None and len(raw) > max_tokens * 12:
        # words average under 6 bytes; keep a generous prefix, cut at a word
        # boundary
        prefix = raw[: max_tokens * 12]
        prefix = prefix[: prefix.rfind(b" ")]
        if len(prefix.split()) >= max_tokens:
            raw = prefix
    text = raw.decode("ascii")
    if re.search(r"[^a-z ]", text):
        raise ValueError(
            f"{path}: text8 must hold only a-z and spaces; found "
            f"{re.search(r'[^a-z ]', text).group()!r}"
        )
    words = text.split()
    return words if max_tokens is None else words[:max_tokens]


def load_text8(max_tokens: int | None = None) -> list[str]:
    """Return the words of the text8 corpus, or its first ``max_tokens``.

    The corpus (31 MB) is downloaded once.
    """
    return read_text8(fetch("text8", "text8.zip"), max_tokens=max_tokens)


Analogy = tuple[str, str, str, str]


def read_analogies(
    path: str | Path, *, lowercase: bool = True
) -> dict[str, list[Analogy]]:
    """Parse the word2vec analogy file.

    ``: section`` lines, then ``a b c d`` lines ("a is to b as c is to d").

    Returns ``{section: [(a, b, c, d), ...]}`` in file order, lower-cased
    unless ``lowercase=False``.
    """
    sections: dict[str, list[Analogy]] = {}
    current = None
    for number, line in enumerate(
        Path(path).read_text(encoding="utf-8").splitlines(), start=1
    ):
        if not line.strip():
            continue
        if line.startswith(":"):
            current = line[1:].strip()
            if not current or current in sections:
                raise ValueError(
                    f"{path}, line {number}: section name missing or "
                    f"repeated: {line!r}"
                )
            sections[current] = []
            continue
        words = line.lower().split() if lowercase else line.split()
        if current is None:
            raise ValueError(
                f"{path}, line {number}: a question before the first ': "
                "section' line"
            )
        if len(words) != 4:
            raise ValueError(
                f"{path}, line {number}: expected 4 words 'a b c d', got "
                f"{line!r}"
            )
        sections[current].append(tuple(words))
    if not sections:
        raise ValueError(f"{path} holds no ': section' lines")
    return sections


def load_analogies(lowercase: bool = True) -> dict[str, list[Analogy]]:
    """Return the 19,544 word2vec analogy questions by section.

    5 semantic, then 9 syntactic sections.
    """
    return read_analogies(
        fetch("word-analogy", "questions-words.txt"), lowercase=lowercase
    )
