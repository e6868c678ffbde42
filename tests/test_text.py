"""helpers.text: parsers, downloads of new entries, tokens, vocabularies.

The parsers run on the offline files.
"""

import dataclasses
import functools
import hashlib
import http.server
import io
import threading
import zipfile
from pathlib import Path

import pytest
import torch

from helpers import data
from helpers import text as ht

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
needs_offline_data = pytest.mark.skipif(
    not (SHARED / "ag_news" / "test.csv").exists(),
    reason="the offline data folder shared/data is not next to the checkout",
)


@pytest.fixture
def offline(monkeypatch):
    """Point the cache at the offline data folder."""
    monkeypatch.setenv("COURSE_DATA", str(SHARED))


# -----------------------------------------------------------------------------
# parsers on real files


@needs_offline_data
def test_ag_news_test_split(offline):
    texts, labels = ht.load_ag_news("test")
    assert len(texts) == 7600 and labels.dtype == torch.long
    assert torch.bincount(labels).tolist() == [1900, 1900, 1900, 1900]
    assert texts[0].startswith(
        "Fears for T N pension after talks. Unions representing"
    )
    # escaped line breaks, lost ampersands of entities and literal HTML tags
    # are undone
    assert not any(
        "\\" in t or "#39;" in t or " quot;" in t or "<FONT" in t
        for t in texts
    )
    assert "$10 million Ansari X Prize" in texts[1]
    assert ht.load_ag_news_classes() == [
        "World",
        "Sports",
        "Business",
        "Sci/Tech",
    ]


@needs_offline_data
def test_sst2_splits(offline):
    sentences, labels = ht.load_sst2("train")
    assert len(sentences) == 67349 and torch.bincount(labels).tolist() == [
        29780,
        37569,
    ]
    sentences, labels = ht.load_sst2("dev")
    assert len(sentences) == 872 and torch.bincount(labels).tolist() == [
        428,
        444,
    ]
    sentences, labels = ht.load_sst2("test")
    assert len(sentences) == 1821 and labels is None
    assert sentences[0] == "uneasy mishmash of styles and genres ."


@needs_offline_data
def test_sms_spam_from_the_zip(offline):
    messages, labels = ht.load_sms_spam()
    assert len(messages) == 5574 and int(labels.sum()) == 747
    assert (
        messages[0].startswith("Go until jurong point")
        and labels[0] == 0
        and labels[2] == 1
    )


def test_ag_news_quoting_and_escapes(tmp_path):
    path = tmp_path / "mini.csv"
    path.write_text(
        '"3","Wall St. ""Bears"" Claw Back",'
        "\"Short-sellers, Wall Street's\\band of\\\\ultra-cynics,"
        ' are  #36;5 richer  quot;again quot;."\n'
        '"1","A, B","line one\nline two"\n',
        encoding="utf-8",
    )
    texts, labels = ht.read_ag_news(path)
    assert labels.tolist() == [2, 0]
    assert texts[0] == (
        'Wall St. "Bears" Claw Back. Short-sellers, Wall Street\'s band of '
        'ultra-cynics, are $5 richer "again".'
    )
    assert texts[1] == "A, B. line one line two"


@pytest.mark.parametrize(
    "reader, content, message",
    [
        (
            ht.read_ag_news,
            '"5","title","text"\n',
            "class must be 1, 2, 3 or 4",
        ),
        (ht.read_ag_news, '"1","only two fields"\n', "expected 3 fields"),
        (ht.read_ag_news, "", "holds no rows"),
        (ht.read_sst2, "text\tlabel\nfine\t1\n", "expected a header"),
        (ht.read_sst2, "sentence\tlabel\nfine\t2\n", "label must be 0 or 1"),
        (
            ht.read_sst2,
            "sentence\tlabel\nno tab here\n",
            "expected 2 tab-separated fields",
        ),
        (ht.read_sst2, "sentence\tlabel\n", "holds no sentences"),
    ],
)
def test_bad_labelled_files(tmp_path, reader, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        reader(path)


def zip_with(path: Path, member: str, content: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, content)
    return path


def test_sms_spam_bad_zip(tmp_path):
    with pytest.raises(ValueError, match="no member 'SMSSpamCollection'"):
        ht.read_sms_spam(zip_with(tmp_path / "a.zip", "other", b"ham\thi\n"))
    with pytest.raises(ValueError, match="line 2"):
        ht.read_sms_spam(
            zip_with(
                tmp_path / "b.zip",
                "SMSSpamCollection",
                b"ham\thi\nmaybe\tspam?\n",
            )
        )


def test_text8_parser(tmp_path):
    path = zip_with(
        tmp_path / "text8.zip",
        "text8",
        b" anarchism originated as a term of abuse first used",
    )
    assert (
        ht.read_text8(path)
        == "anarchism originated as a term of abuse first used".split()
    )
    assert ht.read_text8(path, max_tokens=3) == [
        "anarchism",
        "originated",
        "as",
    ]
    with pytest.raises(ValueError, match="only a-z and spaces"):
        ht.read_text8(
            zip_with(tmp_path / "bad.zip", "text8", b"Capital letters")
        )
    with pytest.raises(ValueError, match="no member 'text8'"):
        ht.read_text8(zip_with(tmp_path / "other.zip", "text9", b"a b"))
    with pytest.raises(ValueError, match="max_tokens"):
        ht.read_text8(path, max_tokens=0)


def test_analogy_parser(tmp_path):
    path = tmp_path / "questions-words.txt"
    path.write_text(
        ": capital-common-countries\nAthens Greece Baghdad Iraq\n"
        "Athens Greece Bangkok Thailand\n: gram1-adjective-to-adverb\n"
        "amazing amazingly apparent apparently\n",
        encoding="utf-8",
    )
    sections = ht.read_analogies(path)
    assert list(sections) == [
        "capital-common-countries",
        "gram1-adjective-to-adverb",
    ]
    assert sections["capital-common-countries"][0] == (
        "athens",
        "greece",
        "baghdad",
        "iraq",
    )
    assert (
        ht.read_analogies(path, lowercase=False)["capital-common-countries"][
            1
        ][3]
        == "Thailand"
    )
    for content, message in [
        ("Athens Greece Baghdad Iraq\n", "before the first"),
        (": s\nthree words only\n", "expected 4 words"),
        (": s\na b c d\n: s\n", "missing or repeated"),
        ("", "no ': section' lines"),
    ]:
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            ht.read_analogies(path)


def test_bad_split_names():
    with pytest.raises(ValueError, match="split must be one of"):
        ht.load_ag_news("validation")
    with pytest.raises(ValueError, match="split must be one of"):
        ht.load_sst2("validation")


# -----------------------------------------------------------------------------
# registry and downloads

NEW_ENTRIES = [
    ("ag_news", "train.csv"),
    ("text8", "text8.zip"),
    ("word-analogy", "questions-words.txt"),
]


@pytest.mark.parametrize("key", NEW_ENTRIES, ids=lambda k: "/".join(k))
def test_new_entries_are_registered_with_a_mirror(key):
    entry = data.REGISTRY[key]
    assert len(entry.sha256) == 64 and len(entry.urls) >= 2
    assert len({u.split("/")[2] for u in entry.urls}) >= 2, (
        "the mirror must be on another host"
    )


@pytest.fixture
def server(tmp_path):
    """A threaded HTTP server on 127.0.0.1 serving the files in ``root``.

    Yields (root, base URL).
    """
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(root)
    )
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_text8_download_from_the_mirror_then_parse(
    server, tmp_path, monkeypatch
):
    root, base = server
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr(
            "text8", " the quick brown fox jumps over the lazy dog"
        )
    (root / "text8.zip").write_bytes(payload.getvalue())
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA", str(cache))
    entry = data.REGISTRY[("text8", "text8.zip")]
    # same entry, served locally: the first URL is dead, so the mirror must
    # deliver it
    monkeypatch.setitem(
        data.REGISTRY,
        ("text8", "text8.zip"),
        dataclasses.replace(
            entry,
            sha256=hashlib.sha256(payload.getvalue()).hexdigest(),
            urls=(f"{base}/missing.zip", f"{base}/text8.zip"),
        ),
    )
    words = ht.load_text8()
    assert words == "the quick brown fox jumps over the lazy dog".split()
    assert (cache / "text8" / "text8.zip").read_bytes() == payload.getvalue()
    # from the cache now
    assert ht.load_text8(max_tokens=2) == ["the", "quick"]


def test_wrong_bytes_never_enter_the_cache(server, tmp_path, monkeypatch):
    root, base = server
    (root / "questions-words.txt").write_text(
        ": fake\na b c d\n", encoding="utf-8"
    )
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA", str(cache))
    key = ("word-analogy", "questions-words.txt")
    # the real checksum, a local URL that serves other bytes
    monkeypatch.setitem(
        data.REGISTRY,
        key,
        dataclasses.replace(
            data.REGISTRY[key], urls=(f"{base}/questions-words.txt",)
        ),
    )
    with pytest.raises(data.DataNotAvailableError, match="SHA-256 mismatch"):
        ht.load_analogies()
    assert not any((cache / "word-analogy").iterdir()), (
        "a rejected download left a file behind"
    )


def test_offline_error_names_the_file_and_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    key = ("ag_news", "train.csv")
    monkeypatch.setitem(
        data.REGISTRY,
        key,
        dataclasses.replace(
            data.REGISTRY[key], urls=("http://127.0.0.1:9/train.csv",)
        ),
    )
    with pytest.raises(data.DataNotAvailableError) as error:
        ht.load_ag_news("train")
    assert "ag_news/train.csv" in str(error.value) and str(
        tmp_path / "ag_news" / "train.csv"
    ) in str(error.value)


# -----------------------------------------------------------------------------
# tokens and vocabulary


def test_tokenize():
    assert ht.tokenize("It isn't BAD, really!") == [
        "it",
        "isn't",
        "bad",
        ",",
        "really",
        "!",
    ]
    assert ht.tokenize("It isn't BAD, really!", punctuation=False) == [
        "it",
        "isn't",
        "bad",
        "really",
    ]
    assert ht.tokenize("") == []
    with pytest.raises(ValueError, match="needs a str"):
        ht.tokenize(["a", "list"])


def test_vocabulary_order_size_and_round_trip():
    texts = [["b", "a", "c", "a"], ["c", "a", "d"]]
    vocab = ht.Vocabulary.build(texts)
    # by count, ties alphabetically
    assert vocab.itos == ["<pad>", "<unk>", "a", "c", "b", "d"]
    assert (vocab.pad_index, vocab.unk_index) == (0, 1)
    assert vocab.encode(["a", "zzz", "d"]) == [2, 1, 5]
    assert vocab.decode([2, 1, 5]) == ["a", "<unk>", "d"]
    assert vocab.decode(torch.tensor([3, 0])) == ["c", "<pad>"]
    assert (
        "a" in vocab and "zzz" not in vocab and vocab["zzz"] == vocab.unk_index
    )
    small = ht.Vocabulary.build(texts, max_size=4)
    assert len(small) == 4 and small.itos[2:] == ["a", "c"]
    assert ht.Vocabulary.build(texts, min_count=2).itos[2:] == ["a", "c"]
    from collections import Counter

    assert ht.Vocabulary.build(Counter({"x": 3, "y": 5})).itos[2:] == [
        "y",
        "x",
    ]


def test_vocabulary_bad_input():
    texts = [["a"]]
    with pytest.raises(ValueError, match="max_size"):
        ht.Vocabulary.build(texts, max_size=1)
    with pytest.raises(ValueError, match="min_count"):
        ht.Vocabulary.build(texts, min_count=0)
    with pytest.raises(ValueError, match="tokenize the texts first"):
        ht.Vocabulary.build(["a raw string"])
    with pytest.raises(ValueError, match="tokenize it first"):
        ht.Vocabulary.build(texts).encode("a")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        ht.Vocabulary.build(texts).decode([7])
    with pytest.raises(ValueError, match="must start with"):
        ht.Vocabulary(["a", "b"])
    with pytest.raises(ValueError, match="unique"):
        ht.Vocabulary(["<pad>", "<unk>", "a", "a"])


def test_pad_batch():
    ids, lengths = ht.pad_batch([[5, 6, 7], [8], []], pad_index=0)
    assert ids.tolist() == [
        [5, 6, 7],
        [8, 0, 0],
        [0, 0, 0],
    ] and lengths.tolist() == [3, 1, 0]
    ids, lengths = ht.pad_batch([[5, 6, 7], [8]], max_len=2)
    assert ids.tolist() == [[5, 6], [8, 0]] and lengths.tolist() == [2, 1]
    with pytest.raises(ValueError, match="at least one"):
        ht.pad_batch([])
    with pytest.raises(ValueError, match="max_len"):
        ht.pad_batch([[1]], max_len=0)
