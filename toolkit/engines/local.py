"""`engine="local"`: the LLM engine on a llama.cpp server started on 127.0.0.1 (see `toolkit.chat.local`)."""

from __future__ import annotations

from pathlib import Path

from ..chat.local import LazyLocalChat, default_gguf
from ..models import Corpus
from .base import Draft

__all__ = ["HEADROOM", "LocalEngine", "planned_context"]

# The server's window is counted in the GGUF's own tokens: SmolLM2's tokenizer counts 7-9% more than the
# o200k estimate the plan uses (three dev clusters and the Haiti example), and the chat template adds a
# few tokens per message. A call planned to the last token overflows the window, and llama-cpp-python
# then fails with HTTP 500 ("could not broadcast input array ..."): plan with this share to spare.
HEADROOM = 0.12


def planned_context(n_ctx: int) -> int:
    """The context the plan may fill on a server started with `n_ctx` tokens (`HEADROOM` spared)."""
    return int(n_ctx * (1 - HEADROOM))


class LocalEngine:
    """`engine="local"`: the OpenAI engine talking to a llama.cpp server started on 127.0.0.1.

    The server starts only when a call is not in the response cache, and stops when the run ends;
    cache keys name the GGUF file (not the server's port), so a re-run costs no calls and no start-up.
    """

    name = "local"

    def __init__(
        self,
        gguf: str | Path | None = None,
        *,
        context: int | None = None,
        progress: bool = False,
        cite: str = "local",
    ) -> None:
        self.gguf = Path(gguf).expanduser() if gguf is not None else default_gguf()
        self.n_ctx = context or 8192
        self.progress = progress
        self.cite = cite  # "model" | "local", as `OpenAIEngine`

    def summarize(self, corpus: Corpus, *, words: int) -> Draft:
        from ..chat.cache import CachedChat, ResponseCache
        from ..chat.model_facts import model_info
        from .llm_engine import OpenAIEngine

        model = self.gguf.name.removesuffix(".gguf")
        server = LazyLocalChat(self.gguf, self.n_ctx, model)
        chat = CachedChat(server, ResponseCache(), namespace=server.namespace, model=model)
        info = model_info(model, context=planned_context(self.n_ctx))
        engine = OpenAIEngine(chat, model, info=info, name="local", progress=self.progress, cite=self.cite)
        try:
            return engine.summarize(corpus, words=words)
        finally:
            server.stop()
