"""Downloads against a local HTTP server on 127.0.0.1.

Caching, mirrors, checksums, dropped connections and the offline error. No test
here touches the internet.
"""

import collections
import hashlib
import http.server
import socket
import threading
import uuid
from dataclasses import dataclass

import pytest

from helpers import data

GOOD = b"the published bytes of a small data file\n" * 50
BAD = b"a proxy's error page, or a file that changed upstream\n" * 10


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class Truncated:
    """A response that promises ``claimed`` bytes, sends ``body``, hangs up."""

    body: bytes
    claimed: int


class Server:
    """An HTTP server in a thread; ``routes`` maps a path to its response.

    A response is bytes or a ``Truncated``.
    """

    def __init__(self) -> None:
        self.routes: dict[str, bytes | Truncated] = {}
        self.hits: collections.Counter[str] = collections.Counter()
        self.user_agents: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits[self.path] += 1
                owner.user_agents.append(self.headers.get("User-Agent", ""))
                response = owner.routes.get(self.path)
                if response is None:
                    self.send_error(404)
                    return
                if isinstance(response, Truncated):
                    body, claimed = response.body, response.claimed
                else:
                    body, claimed = response, len(response)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(claimed))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval keeps shutdown() fast.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            daemon=True,
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder that COURSE_DATA points to."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA", str(folder))
    return folder


@pytest.fixture
def dataset():
    """A fresh dataset name; its registered files are removed afterwards."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    for key in [key for key in data.REGISTRY if key[0] == name]:
        del data.REGISTRY[key]


def closed_port_url(path: str) -> str:
    """A URL on 127.0.0.1 where nothing listens, as when offline."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def files_in(folder):
    """Every file under ``folder``, hidden temporary files included."""
    return (
        sorted(
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file()
        )
        if folder.exists()
        else []
    )


def test_download_is_cached_and_not_fetched_again(server, cache, dataset):
    server.routes["/good.bin"] = GOOD
    data.register(dataset, "good.bin", sha(GOOD), [server.url("/good.bin")])

    path = data.fetch(dataset, "good.bin", progress=False)

    assert path == cache / dataset / "good.bin"
    assert path.read_bytes() == GOOD
    assert files_in(cache / dataset) == ["good.bin"]
    assert data.fetch(dataset, "good.bin", progress=False) == path
    assert server.hits["/good.bin"] == 1


@pytest.mark.parametrize(
    "primary", ["wrong bytes", "missing (404)", "dropped connection"]
)
def test_mirror_is_used_when_the_first_url_fails(
    server, cache, dataset, primary
):
    server.routes["/mirror/f.bin"] = GOOD
    if primary == "wrong bytes":
        server.routes["/primary/f.bin"] = BAD
    elif primary == "dropped connection":
        server.routes["/primary/f.bin"] = Truncated(
            GOOD[:100], claimed=len(GOOD)
        )
    data.register(
        dataset,
        "f.bin",
        sha(GOOD),
        [server.url("/primary/f.bin"), server.url("/mirror/f.bin")],
    )

    path = data.fetch(dataset, "f.bin", progress=False)

    assert path.read_bytes() == GOOD
    assert (
        server.hits["/primary/f.bin"] == 1
        and server.hits["/mirror/f.bin"] == 1
    )
    assert files_in(cache / dataset) == ["f.bin"]


def test_checksum_mismatch_everywhere_raises_and_leaves_nothing(
    server, cache, dataset
):
    server.routes["/a/f.bin"] = BAD
    server.routes["/b/f.bin"] = BAD + b"!"
    urls = [server.url("/a/f.bin"), server.url("/b/f.bin")]
    data.register(dataset, "f.bin", sha(GOOD), urls)

    with pytest.raises(
        data.DataNotAvailableError, match="SHA-256 mismatch"
    ) as caught:
        data.fetch(dataset, "f.bin", progress=False)

    assert all(url in str(caught.value) for url in urls)
    assert files_in(cache / dataset) == []  # no file, no .part left behind
    assert server.hits["/a/f.bin"] == 1 and server.hits["/b/f.bin"] == 1


def test_dropped_connection_raises_and_leaves_nothing(server, cache, dataset):
    server.routes["/f.bin"] = Truncated(
        GOOD[: len(GOOD) // 2], claimed=len(GOOD)
    )
    data.register(dataset, "f.bin", sha(GOOD), [server.url("/f.bin")])

    with pytest.raises(data.DataNotAvailableError, match="connection closed"):
        data.fetch(dataset, "f.bin", progress=False)

    assert files_in(cache / dataset) == []


def test_offline_error_names_the_file_every_url_and_the_folder(cache, dataset):
    urls = [
        closed_port_url("/primary/f.bin"),
        closed_port_url("/mirror/f.bin"),
    ]
    data.register(dataset, "f.bin", sha(GOOD), urls)

    with pytest.raises(data.DataNotAvailableError) as caught:
        data.fetch(dataset, "f.bin", progress=False)

    message = str(caught.value)
    assert f"{dataset}/f.bin" in message
    assert all(url in message for url in urls)
    assert str(cache / dataset / "f.bin") in message
    assert "COURSE_DATA" in message
    assert files_in(cache / dataset) == []


def test_progress_bar_does_not_break_the_download(server, cache, dataset):
    server.routes["/f.bin"] = GOOD
    data.register(dataset, "f.bin", sha(GOOD), [server.url("/f.bin")])
    # progress=True is the default
    assert data.fetch(dataset, "f.bin").read_bytes() == GOOD


def test_file_name_with_a_subfolder_downloads_into_it(server, cache, dataset):
    # The registry holds such names, e.g.
    # chinese-poetry/quantangshi/poet.tang.0.json.
    server.routes["/sub/f.bin"] = GOOD
    data.register(dataset, "sub/f.bin", sha(GOOD), [server.url("/sub/f.bin")])

    path = data.fetch(dataset, "sub/f.bin", progress=False)

    assert path == cache / dataset / "sub" / "f.bin"
    assert path.read_bytes() == GOOD
    assert files_in(cache / dataset) == ["sub/f.bin"]


def corrupt_copy(cache, dataset):
    path = cache / dataset / "f.bin"
    path.parent.mkdir(parents=True)
    path.write_bytes(GOOD[:-1])
    return path


def test_corrupt_cached_file_is_moved_aside_and_downloaded_again(
    server, cache, dataset, capsys
):
    server.routes["/f.bin"] = GOOD
    data.register(dataset, "f.bin", sha(GOOD), [server.url("/f.bin")])
    path = corrupt_copy(cache, dataset)

    assert data.fetch(dataset, "f.bin", progress=False) == path

    assert path.read_bytes() == GOOD
    assert server.hits["/f.bin"] == 1
    aside = [name for name in files_in(cache / dataset) if name != "f.bin"]
    assert len(aside) == 1 and aside[0].startswith("f.bin.corrupt-"), files_in(
        cache / dataset
    )
    # kept for inspection
    assert (cache / dataset / aside[0]).read_bytes() == GOOD[:-1]
    assert "corrupt" in capsys.readouterr().out
    assert (
        data.fetch(dataset, "f.bin", progress=False) == path
        and server.hits["/f.bin"] == 1
    )


def test_corrupt_cached_file_with_no_good_copy_reachable_raises_a_clear_error(
    cache, dataset
):
    urls = [
        closed_port_url("/primary/f.bin"),
        closed_port_url("/mirror/f.bin"),
    ]
    data.register(dataset, "f.bin", sha(GOOD), urls)
    path = corrupt_copy(cache, dataset)

    with pytest.raises(data.DataNotAvailableError) as caught:
        data.fetch(dataset, "f.bin", progress=False)

    message = str(caught.value)
    assert (
        f"{dataset}/f.bin" in message
        and str(path) in message
        and sha(GOOD) in message
    )
    assert all(url in message for url in urls)
    # says where the bad copy went
    assert "corrupt" in message and "f.bin.corrupt-" in message
    assert not path.exists()


def test_downloads_send_a_user_agent(server, cache, dataset):
    # Some hosts (e.g. GitHub's raw files, CDNs) refuse or throttle Python's
    # default agent.
    server.routes["/f.bin"] = GOOD
    data.register(dataset, "f.bin", sha(GOOD), [server.url("/f.bin")])
    data.fetch(dataset, "f.bin", progress=False)
    assert server.user_agents and server.user_agents[0].startswith(
        "ai-large-models-course-helpers/"
    )


def test_unknown_file_raises_value_error_listing_registered_files(dataset):
    with pytest.raises(ValueError, match="not a registered file") as caught:
        data.fetch(dataset, "nothing.bin")
    assert "mnist/t10k-images-idx3-ubyte.gz" in str(caught.value)
    with pytest.raises(ValueError, match="tinyshakespeare/input.txt"):
        data.fetch("mnist", "input.txt")


@pytest.mark.parametrize(
    "digest",
    ["", "abc123", sha(GOOD).upper(), sha(GOOD)[:-1] + "g", sha(GOOD) + "0"],
)
def test_register_rejects_a_bad_sha256(dataset, digest):
    with pytest.raises(ValueError, match="sha256"):
        data.register(dataset, "f.bin", digest, ["http://127.0.0.1/f.bin"])
    assert (dataset, "f.bin") not in data.REGISTRY


@pytest.mark.parametrize("urls", [[], (), ["127.0.0.1/f.bin"], [None]])
def test_register_rejects_missing_or_malformed_urls(dataset, urls):
    with pytest.raises(ValueError, match="urls"):
        data.register(dataset, "f.bin", sha(GOOD), urls)
    assert (dataset, "f.bin") not in data.REGISTRY
