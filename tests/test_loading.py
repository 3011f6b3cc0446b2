"""Tests for toolkit.ingest.loading: formats, decoding, folders, and every kind of bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import EXAMPLES

from toolkit.errors import SourceError
from toolkit.ingest import loading
from toolkit.ingest.loading import SUPPORTED_EXTENSIONS as SUPPORTED
from toolkit.ingest.loading import Articles, load_articles
from toolkit.models import Article

STORY = "The foreign minister arrived in Baghdad on Friday for talks about border security."
HTML = (
    "<!DOCTYPE html><html><head><title>Syria FM visits Iraq | Example News</title>"
    '<meta property="og:site_name" content="Example News">'
    '<meta property="article:published_time" content="2025-03-14">'
    '<link rel="canonical" href="https://example.com/syria-fm"></head>'
    "<body><nav>Home | World | Sport</nav><article><h1>Syria FM visits Iraq</h1>"
    f"<p>{STORY}</p><p>Officials said the talks covered the fight against Islamic State remnants.</p>"
    "</article><footer>Copyright Example News</footer></body></html>"
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def error_of(target: object, **kwargs: object) -> SourceError:
    with pytest.raises(SourceError) as info:
        load_articles(target, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    return info.value


# --------------------------------------------------------------------------- formats


def test_seed_folder_loads_in_name_order() -> None:
    articles = load_articles(EXAMPLES)
    assert isinstance(articles, Articles)
    seeds = sorted(EXAMPLES.glob("[0-9][0-9][0-9]_*.txt"))
    assert [a.path for a in articles if Path(a.path).name[:3].isdigit()] == [str(p) for p in seeds]
    assert articles.skipped == []
    for article, path in zip([a for a in articles if a.format == "text"], seeds, strict=True):
        assert article.notes == ()
        assert article.text == path.read_text(encoding="utf-8")


def test_single_text_file_path_as_given(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", STORY)
    for as_given in (str(path), path):
        (article,) = load_articles(as_given)
        assert article == Article(text=STORY, path=str(path), format="text")


def test_line_endings_are_normalised(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"First line.\r\nSecond line.\rThird  line.\n")
    assert load_articles(path)[0].text == "First line.\nSecond line.\nThird  line.\n"


def test_utf8_bom_is_removed_without_note(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\ufeff".encode() + STORY.encode())
    (article,) = load_articles(path)
    assert article.text == STORY and article.notes == ()


def test_markdown_title(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", f"# Syria FM visits Iraq\n\n{STORY}\n")
    (article,) = load_articles(path)
    assert (article.title, article.text, article.format) == ("Syria FM visits Iraq", f"{STORY}\n", "markdown")


def test_markdown_without_title_is_unchanged(tmp_path: Path) -> None:
    text = f"## Section\n\n{STORY}\n"
    (article,) = load_articles(write(tmp_path / "a.md", text))
    assert (article.title, article.text) == ("", text)


def test_html_extracted_with_metadata(tmp_path: Path) -> None:
    (article,) = load_articles(write(tmp_path / "a.html", HTML))
    assert article.format == "html"
    assert STORY in article.text and "<p>" not in article.text
    assert "Home | World" not in article.text
    assert article.title == "Syria FM visits Iraq"
    assert article.outlet == "Example News"
    assert article.date == "2025-03-14"
    assert article.url == "https://example.com/syria-fm"


def test_html_in_txt_file_is_sniffed(tmp_path: Path) -> None:
    (article,) = load_articles(write(tmp_path / "a.txt", "\n  " + HTML))
    assert article.format == "html" and STORY in article.text
    assert any("HTML" in note for note in article.notes)


def test_json_object(tmp_path: Path) -> None:
    obj = {"content": STORY, "headline": "T", "source": {"name": "Reuters"}, "publishedAt": "2025-03-14"}
    (article,) = load_articles(write(tmp_path / "a.json", json.dumps(obj)))
    assert (article.text, article.title, article.outlet, article.date) == (
        STORY,
        "T",
        "Reuters",
        "2025-03-14",
    )
    assert article.format == "json" and article.path == str(tmp_path / "a.json")


def test_json_list_gives_several_articles(tmp_path: Path) -> None:
    data = [{"text": "One."}, {"body": "Two.", "url": "https://x.example/2"}]
    articles = load_articles(write(tmp_path / "a.json", json.dumps(data)))
    assert [a.text for a in articles] == ["One.", "Two."]
    assert articles[1].url == "https://x.example/2"
    assert articles[1].notes == ("JSON item 2",)


def test_jsonl(tmp_path: Path) -> None:
    lines = [json.dumps({"text": "One."}), "", json.dumps({"text": "Two\r\nlines."})]
    articles = load_articles(write(tmp_path / "a.jsonl", "\n".join(lines)))
    assert [a.text for a in articles] == ["One.", "Two\nlines."]
    assert articles[1].notes == ("JSONL line 3",)


def test_dicts_and_articles(tmp_path: Path) -> None:
    given = Article(text="Already loaded.", path="x")
    articles = load_articles([{"text": STORY, "title": "T", "path": "memo"}, given])
    assert articles[0] == Article(text=STORY, path="memo", title="T", format="text")
    assert articles[1] is given
    assert load_articles({"text": "Solo."})[0].path == "<input 1>"


def test_dict_with_html_field() -> None:
    (article,) = load_articles({"html": HTML, "outlet": "Override"})
    assert article.format == "html" and STORY in article.text and article.outlet == "Override"


# --------------------------------------------------------------------------- decoding


def test_latin1_file_decoded_with_note(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Le café à Bagdad était ouvert. Ça va.".encode("latin-1"))
    (article,) = load_articles(path)
    assert article.text == "Le café à Bagdad était ouvert. Ça va."
    assert any("not UTF-8" in note for note in article.notes)


def test_cp1252_quotes_decoded(tmp_path: Path) -> None:
    (article,) = load_articles(write(tmp_path / "a.txt", "“Security,” he said.".encode("cp1252")))
    assert article.text == "“Security,” he said."
    assert article.notes == ("decoded as cp1252 (not UTF-8)",)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path: Path) -> None:
    (article,) = load_articles(write(tmp_path / "a.txt", b"Caf\xe9 \x81 ok."))
    assert article.notes == ("decoded as latin-1 (not UTF-8)",)
    assert article.text == "Café \x81 ok."


def test_utf16_with_bom(tmp_path: Path) -> None:
    (article,) = load_articles(write(tmp_path / "a.txt", STORY.encode("utf-16")))
    assert article.text == STORY and "UTF-16" in article.notes[0]


# --------------------------------------------------------------------------- bad input


def test_nonexistent_path(tmp_path: Path) -> None:
    error = error_of(tmp_path / "missing.txt")
    assert error.path == str(tmp_path / "missing.txt")
    assert "no such file or folder" in str(error)


def test_empty_file(tmp_path: Path) -> None:
    error = error_of(write(tmp_path / "a.txt", ""))
    assert error.problem == "file is empty" and error.path.endswith("a.txt")


def test_whitespace_only_file(tmp_path: Path) -> None:
    assert error_of(write(tmp_path / "a.txt", " \n\t\r\n ")).problem == "file is empty"


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    error = error_of(write(tmp_path / "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))))
    assert error.problem == "looks like a binary file, not text"


def test_binary_file_with_control_characters(tmp_path: Path) -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 50 + b"some text" * 10
    assert "binary" in error_of(write(tmp_path / "a.txt", data)).problem


def test_oversized_file_fails_on_size_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.truncate(50_000_000)  # sparse: instant, no disk use

    def must_not_read(_: Path) -> bytes:
        raise AssertionError("the file was read before its size was checked")

    monkeypatch.setattr(loading, "_read_bytes", must_not_read)
    error = error_of(path)
    assert error.problem == "file is 50.0 MB, over the 20.0 MB limit"
    assert "max_bytes" in error.fix
    assert error_of(path, max_bytes=1_000_000).problem == "file is 50.0 MB, over the 1.0 MB limit"


def test_max_bytes_can_be_raised(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", STORY * 10)
    assert "over the" in error_of(path, max_bytes=100).problem
    assert load_articles(path, max_bytes=10_000)[0].text == STORY * 10


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(path: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(loading, "_read_bytes", denied)
    error = error_of(write(tmp_path / "a.txt", STORY))
    assert "permission denied" in error.problem and error.fix


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><div><div><p>Unclosed paragraph about the Syrian foreign minister visiting Baghdad"
        " on Friday to discuss security.<p>Another one about the border and cooperation against Islamic"
        " State remnants.<div>",
        "<html><body>" + "<div>" * 5000 + f"<p>{STORY}</p>" + "</div>" * 5000 + "</body></html>",
        "<html><body><table><tr><td><p>" + STORY + "</td></tr></body>",
        "<html><head><script>var x = '<p>';</script></head><body><p>" + STORY,
        "<html></html>",
    ],
    ids=["unclosed", "deeply-nested", "broken-table", "script", "empty"],
)
def test_malformed_html_is_extracted_or_clear_error(tmp_path: Path, html: str) -> None:
    path = write(tmp_path / "a.html", html)
    try:
        articles = load_articles(path)
    except SourceError as e:
        assert e.problem == "no article text found in the HTML"
        assert "\n" not in str(e)
    else:
        assert len(articles) == 1 and articles[0].text.strip()
        assert "<p>" not in articles[0].text


def test_html_without_text(tmp_path: Path) -> None:
    error = error_of(write(tmp_path / "a.html", "<html><head><title>x</title></head><body></body></html>"))
    assert error.problem == "no article text found in the HTML"


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    error = error_of(write(tmp_path / "a.json", '{\n  "text": "One.",\n  "title": oops\n}'))
    assert error.problem.startswith("malformed JSON at line 3, column")


def test_json_without_text_field(tmp_path: Path) -> None:
    error = error_of(write(tmp_path / "a.json", json.dumps({"title": "No body"})))
    assert "has no 'text', 'content' or 'body' field" in error.problem


def test_json_list_item_errors_name_the_item(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", json.dumps([{"text": "Good."}, {"text": 3}, "nope", {"text": " "}]))
    assert error_of(path).problem == "JSON item 2: 'text' is not a string"
    articles = load_articles(path, skip_bad=True)
    assert [a.text for a in articles] == ["Good."]
    assert [e.problem for e in articles.skipped] == [
        "JSON item 2: 'text' is not a string",
        "JSON item 3: expected an object, got str",
        "JSON item 4: article text is empty",
    ]


def test_malformed_jsonl_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"text": "One."}\n{"text": "Two.\n{"text": "Three."}\n')
    error = error_of(path)
    assert error.problem.startswith("line 2: malformed JSON")
    articles = load_articles(path, skip_bad=True)
    assert [a.text for a in articles] == ["One.", "Three."]
    assert [e.problem.split(":")[0] for e in articles.skipped] == ["line 2"]


def test_string_with_article_text_is_refused() -> None:
    error = error_of(f"{STORY}\n{STORY}")
    assert "not a path" in error.problem and "dict" in error.fix
    assert "dict" in error_of(STORY).fix  # one line of text: not found, with the same hint


def test_dict_without_text_is_refused() -> None:
    assert "has no 'text'" in error_of({"title": "x"}).problem


def test_unsupported_input_type() -> None:
    assert "cannot load a int" in error_of([42]).problem


# --------------------------------------------------------------------------- folders


def test_folder_mixing_good_and_bad_files_with_skip_bad(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "01_good.txt", STORY)
    write(folder / "02_empty.txt", "")
    write(folder / "03_binary.txt", b"\x00\x01\x02binary")
    write(folder / "04_good.md", f"# Title\n\n{STORY}")
    write(folder / "05_bad.json", "{not json")
    write(folder / "06_good.html", HTML)
    write(folder / "07_notes.docx", b"PK\x03\x04")
    write(folder / ".hidden.txt", STORY)
    write(folder / "sub" / "08_good.jsonl", json.dumps({"text": STORY}))
    write(folder / ".git" / "config.txt", STORY)

    articles = load_articles(folder, skip_bad=True)

    assert [Path(a.path).name for a in articles] == [
        "01_good.txt",
        "04_good.md",
        "06_good.html",
        "08_good.jsonl",
    ]
    assert articles[3].path == os.path.join(str(folder), "sub", "08_good.jsonl")
    assert [Path(e.path).name for e in articles.skipped] == ["02_empty.txt", "03_binary.txt", "05_bad.json"]
    assert [e.problem.split(" at ")[0] for e in articles.skipped] == [
        "file is empty",
        "looks like a binary file, not text",
        "malformed JSON",
    ]
    assert any("07_notes.docx" in n and "unknown extension" in n for n in articles.notes)
    assert any(".hidden.txt" in n for n in articles.notes)
    assert not any(".git" in a.path for a in articles)


def test_folder_without_skip_bad_raises_first_bad_file(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", STORY)
    write(tmp_path / "b.txt", "")
    write(tmp_path / "c.txt", "")
    assert error_of(tmp_path).path == os.path.join(str(tmp_path), "b.txt")


def test_skip_bad_keeps_going_across_inputs(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", STORY)
    articles = load_articles([tmp_path / "missing.txt", good, {"nope": 1}, {"text": "Fine."}], skip_bad=True)
    assert [a.text for a in articles] == [STORY, "Fine."]
    assert len(articles.skipped) == 2


def test_folder_with_no_usable_files(tmp_path: Path) -> None:
    write(tmp_path / "notes.docx", b"PK")
    write(tmp_path / ".DS_Store", b"\x00")
    error = error_of(tmp_path)
    assert error.problem == "no usable files in the folder"
    assert load_articles(tmp_path, skip_bad=True).skipped[0].problem == "no usable files in the folder"


def test_empty_folder(tmp_path: Path) -> None:
    assert error_of(tmp_path).problem == "no usable files in the folder"


def test_symlink_loop_is_guarded(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", STORY)
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    articles = load_articles(tmp_path)
    assert [Path(a.path).name for a in articles] == ["a.txt"]
    assert any("loop" in n for n in articles.notes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), ext=st.sampled_from(SUPPORTED))
def test_property_any_bytes_load_or_fail_cleanly(tmp_path: Path, data: bytes, ext: str) -> None:
    path = write(tmp_path / f"input{ext}", data)
    try:
        articles = load_articles(path)
    except SourceError as e:
        assert e.path == str(path) and "\n" not in str(e)
    else:
        assert all(a.text.strip() and "\r" not in a.text for a in articles)


def test_unlistable_subfolder_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", STORY)
    write(tmp_path / "locked" / "b.txt", STORY)
    write(tmp_path / "z.txt", STORY)
    real_iterdir = Path.iterdir

    def iterdir(self: Path):  # type: ignore[no-untyped-def]
        if self.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    articles = load_articles(tmp_path, skip_bad=True)
    assert [Path(a.path).name for a in articles] == ["a.txt", "z.txt"]
    assert articles.skipped[0].path.endswith("locked")
    assert "cannot list the folder" in articles.skipped[0].problem
