"""Helpers for the notebooks in `notebooks/`, so they run top to bottom with no API key.

    demo.example_dir()               # examples/syria-iraq-2025, found from the notebook's folder
    demo.big_cluster(copies=6)       # 5 x 6 articles: each example article syndicated by six outlets
    with demo.scripted_endpoint():   # engine="openai" answered by the in-process scripted model
        summarize(..., engine="openai")

The scripted model (`toolkit.chat.scripted`, the chat seam's test double) answers like a careful
model: each sentence is the first sentence of a passage it was sent, cited with that passage's id. It
is a stand-in so the notebooks show the LLM path end to end; a real endpoint writes real summaries.
Nothing here is used by the toolkit itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .chat.llm import chat_factory
from .chat.scripted import ScriptedChat, scripted_answer
from .errors import ConfigError
from .ingest.loading import load_articles

__all__ = ["ScriptedChat", "big_cluster", "example_dir", "scripted_answer", "scripted_endpoint"]

EXAMPLE = Path("examples") / "syria-iraq-2025"
_ENV = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL", "OPENAI_API_VERSION")


def example_dir(name: str = "") -> Path:
    """A bundled example cluster (`examples/<name>`; default `syria-iraq-2025`; `haiti-2010` is the
    one whose sources disagree): looked for from the current folder upwards (a notebook runs in
    `notebooks/`), then next to the installed package (an editable install from a checkout)."""
    example = EXAMPLE.parent / name if name else EXAMPLE
    here = Path.cwd().resolve()
    for base in (here, *here.parents, Path(__file__).resolve().parent.parent):
        if (base / example).is_dir():
            return base / example
    raise ConfigError(
        f"could not find {example}: run the notebook from a checkout of the toolkit, or pass your own folder"
    )


def big_cluster(copies: int = 6, folder: Path | None = None) -> list[dict[str, str]]:
    """A large cluster about one event: every example article as republished by `copies` outlets
    (the same text, as syndicated wire copies are), as dicts `load_articles` accepts."""
    out: list[dict[str, str]] = []
    for article in load_articles(folder or example_dir()):
        for k in range(1, copies + 1):
            outlet = f"Outlet {k}" if k > 1 else (article.outlet or "original")
            title = article.title or Path(article.path).stem
            out.append({"text": article.text, "title": f"{title} ({outlet})", "outlet": outlet})
    return out


# --- the scripted model --------------------------------------------------------------------------------
@contextmanager
def scripted_endpoint(model: str = "gpt-4o-mini") -> Iterator[ScriptedChat]:
    """While the block runs, `engine="openai"` talks to the in-process scripted model
    (`toolkit.chat.scripted.ScriptedChat`) instead of a server, and OPENAI_API_KEY / OPENAI_MODEL are
    set as for a real endpoint (restored afterwards). Yields the scripted chat (`.calls`, `.requests`)."""
    saved = {k: os.environ.get(k) for k in _ENV}
    chat = ScriptedChat(model=model)
    for k in ("OPENAI_API_VERSION", "OPENAI_BASE_URL"):
        os.environ.pop(k, None)
    os.environ.update({"OPENAI_API_KEY": "demo-key", "OPENAI_MODEL": model})
    try:
        with chat_factory(lambda config: chat):
            yield chat
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
