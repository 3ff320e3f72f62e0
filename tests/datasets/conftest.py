"""Fixtures of the dataset tests: the real data folder, a loopback HTTP mirror."""

import contextlib
import http.server
import os
import subprocess
import threading
from pathlib import Path

import pytest

@pytest.fixture(autouse=True)
def _private_data_home(tmp_path, monkeypatch):
    # No test may read or write the user's ~/skcentral_data, or a cache folder the
    # user's SKCENTRAL_CACHE names, by accident.
    monkeypatch.setenv("SKCENTRAL_DATA", str(tmp_path / "default_home"))
    monkeypatch.delenv("SKCENTRAL_CACHE", raising=False)


@contextlib.contextmanager
def serve(directory, handler=None):
    """Serve ``directory`` over HTTP on 127.0.0.1; yield the base URL."""
    handler = handler or http.server.SimpleHTTPRequestHandler

    class Quiet(handler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class HalfBodyHandler(http.server.SimpleHTTPRequestHandler):
    """Announces the whole file, sends half of it, then hangs up."""

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture
def http_mirror():
    """``http_mirror(directory, handler=None)``: a context manager yielding a URL."""
    return serve


@pytest.fixture
def half_body_handler():
    return HalfBodyHandler


@contextlib.contextmanager
def _read_only(folder):
    """Make ``folder`` read-only: file modes, or a read-only bind mount for root."""
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
    for p, mode in modes.items():
        p.chmod(mode & ~0o222)
    mounted = False
    try:
        if os.access(folder, os.W_OK):  # root ignores file modes
            mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)],
                                     capture_output=True).returncode == 0
            if not mounted:
                pytest.skip("cannot make a folder read-only here (root without mount)")
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        for p, mode in modes.items():
            p.chmod(mode)


@pytest.fixture
def read_only():
    """``read_only(folder)``: a context manager making ``folder`` read-only."""
    return _read_only
