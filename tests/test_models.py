"""The typed values' field order is part of the JSON contract (`Briefing.to_json()` writes fields in
declaration order); `Article` and `Source` share their document fields through one definition."""

from __future__ import annotations

from toolkit.models import Article, Source

DOCUMENT = ["text", "path", "title", "outlet", "date", "url"]


def test_source_keys_keep_their_order() -> None:
    assert list(Source.model_fields) == [
        "id",
        *DOCUMENT,
        *["passages", "dropped", "notes", "origin", "language", "not_article"],
    ]
    dumped = Source(id="S1", text="x").model_dump(mode="json")
    assert list(dumped)[:2] == ["id", "text"]


def test_article_keys_keep_their_order() -> None:
    assert list(Article.model_fields) == [*DOCUMENT, "format", "notes"]


def test_document_fields_are_declared_once() -> None:
    shared = set(Article.model_fields) & set(Source.model_fields)
    owners = {cls.__name__ for cls in Source.__mro__ if "text" in getattr(cls, "__annotations__", {})}
    assert shared == {*DOCUMENT, "notes"}
    assert owners == {"_Document"}, "text, path, title... are declared in one class"
