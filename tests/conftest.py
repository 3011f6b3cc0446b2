"""Test-wide guards: no real keys, no real network, a private response cache per test.

Every test runs with the OPENAI_* variables removed, BRIEF_CACHE_DIR pointing into its tmp_path, and
outgoing connections allowed only to loopback (127.0.0.0/8, localhost, ::1) or Unix sockets; anything
else raises `NetworkBlocked` before a packet leaves. The LLM tests talk to `tests/fakeserver.py`.
Child processes (CLI runs, notebook kernels, concurrent kernels) get this checkout first on PYTHONPATH,
so they import the toolkit under test, not an installed copy.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeserver import FakeServer

_ENV_TO_CLEAR = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "OPENAI_API_VERSION",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
)
ROOT = Path(__file__).resolve().parent.parent
_LOOPBACK_NAMES = {"localhost", "::1", "ip6-localhost", "::ffff:127.0.0.1"}


class NetworkBlocked(RuntimeError):
    """A test tried to reach something other than this machine."""


def _is_loopback(address: Any) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return True
    if isinstance(address, tuple) and address:
        host = address[0]
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        host = str(host).lower()
        return host in _LOOPBACK_NAMES or host.startswith("127.")
    return False


def _guard(address: Any) -> None:
    if not _is_loopback(address):
        raise NetworkBlocked(
            f"tests must not use the network: connection to {address!r} blocked (loopback only)"
        )


@pytest.fixture(scope="session", autouse=True)
def _children_import_this_checkout() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        yield


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "brief-cache"))

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create_connection = socket.create_connection

    def connect(self: socket.socket, address: Any) -> None:
        _guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _guard(address)
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        _guard(address)
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """A running scripted OpenAI-compatible server on 127.0.0.1 (see tests/fakeserver.py)."""
    with FakeServer() as server:
        yield server
