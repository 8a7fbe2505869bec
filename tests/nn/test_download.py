"""`edugrad.nn._download` against a real HTTP server on 127.0.0.1 (a thread of this process, no other network):
a good file arrives verified; a server that trickles its bytes is cut off at the overall deadline, and one that
sends too much at the size limit, each leaving no file behind."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from edugrad.nn import _download
from edugrad.nn._download import DownloadError, download

CONTENT = bytes(range(256)) * 64  # 16 KiB
TRICKLE_SECONDS = 0.25  # the slow server's pause between two bytes: the whole file would take over an hour


class Handler(http.server.BaseHTTPRequestHandler):
    """`/file` sends CONTENT at once, `/slow` one byte of it every TRICKLE_SECONDS."""

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", str(len(CONTENT)))
        self.end_headers()
        try:
            if self.path == "/file":
                self.wfile.write(CONTENT)
                return
            for byte in CONTENT:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(TRICKLE_SECONDS)
        except OSError:  # the client hung up
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass  # no access log on stderr


@pytest.fixture
def server() -> Iterator[str]:
    """The base URL of a local server running `Handler`."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_file_from_a_local_server_arrives_verified(server: str, tmp_path: Path) -> None:
    destination = tmp_path / "data.bin"
    download([f"{server}/file"], destination, hashlib.sha256(CONTENT).hexdigest())
    assert destination.read_bytes() == CONTENT
    assert [path.name for path in tmp_path.iterdir()] == ["data.bin"]


def test_a_trickling_server_is_cut_off_at_the_deadline(server: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Every byte comes well within the socket timeout, so only the overall deadline can stop this download;
    # without it, it would run for len(CONTENT) * TRICKLE_SECONDS, over an hour.
    monkeypatch.setattr(_download, "DEADLINE_SECONDS", 1)
    destination = tmp_path / "data.bin"
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"did not finish within 1 s \(DEADLINE_SECONDS\)"):
        download([f"{server}/slow"], destination, hashlib.sha256(CONTENT).hexdigest())
    assert time.monotonic() - started < 30  # stopped near the deadline, not after the hour of the trickle
    assert list(tmp_path.iterdir()) == []  # no file, no partial .part file


def test_a_server_sending_more_than_the_limit_is_stopped(server: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_download, "MAX_BYTES", 1000)
    monkeypatch.setattr(_download, "CHUNK_BYTES", 100)
    with pytest.raises(DownloadError, match=r"sent more than 1000 bytes \(MAX_BYTES\)"):
        download([f"{server}/file"], tmp_path / "data.bin", hashlib.sha256(CONTENT).hexdigest())
    assert list(tmp_path.iterdir()) == []


def test_after_a_cut_the_next_mirror_gets_its_turn(server: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_download, "DEADLINE_SECONDS", 1)
    destination = tmp_path / "data.bin"
    download([f"{server}/slow", f"{server}/file"], destination, hashlib.sha256(CONTENT).hexdigest())
    assert destination.read_bytes() == CONTENT
