"""The compact prompt sends nothing twice and loses nothing: sources separated by a blank line (a `#`
line only for a source with a title, outlet or date), a sentence an earlier line already holds word for
word sent as `^n`, `<br>` tags as spaces; a model citing the marked passages still gets every sentence
checked against the full passage texts."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import build_corpus, summarize
from toolkit.chat.scripted import ScriptedChat
from toolkit.engines.llm_engine import OpenAIEngine
from toolkit.models import Article
from toolkit.plan.planning import sent_passages, single_prompt
from toolkit.plan.prompting import REPEAT_MIN_WORDS, REPEAT_NOTE, ShortIds, escape_line
from toolkit.text.tokens import count_tokens, get_tokenizer

TOK = get_tokenizer("gpt-4o-mini")
SHARED = "The central bank raised its main interest rate by half a point on Thursday."
LINE = re.compile(r"^(\d+) (.*)$")


def prompt_of(articles: list[Article]) -> tuple[str, str, ShortIds]:
    corpus = build_corpus(articles, TOK, dedupe=False)
    groups = sent_passages(corpus)
    ids = ShortIds.of(groups)
    system, user = single_prompt(groups, ids, 200)
    return system, user.rstrip("\n"), ids


def test_a_sentence_another_source_already_sent_is_a_repeat_mark() -> None:
    text = f"{SHARED} Markets fell at once.\n\nTraders had expected less."
    one = Article(text=text, path="a", title="Rates up")
    two = Article(text=f"Economists were surprised. {SHARED}", path="b")  # no title, outlet or date
    system, user, _ = prompt_of([one, two])
    assert user.count(SHARED) == 1
    assert user == (
        f"# Rates up\n1 {SHARED} Markets fell at once.\n2 Traders had expected less.\n\n"
        "3 Economists were surprised. ^1"
    )
    assert REPEAT_NOTE.strip() in system
    tokens_once = count_tokens(TOK, user)
    assert tokens_once < count_tokens(TOK, user.replace("^1", SHARED)) - 10


def test_short_sentences_and_a_prompt_without_repeats_are_sent_as_they_are() -> None:
    short = "Prices rose sharply."  # fewer words than a mark is worth
    assert len(short.split()) < REPEAT_MIN_WORDS
    articles = [Article(text=short, path="a"), Article(text=f"{short} Then fell.", path="b")]
    system, user, _ = prompt_of(articles)
    assert user == f"1 {short}\n\n2 {short} Then fell."
    assert "^" not in system  # the mark is explained only when it is used


def test_article_text_cannot_pose_as_a_repeat_mark_and_br_tags_are_spaces() -> None:
    text = "Growth hit 2^3 percent, ^1 the report says.<br><br>It was revised <BR/> later."
    _, user, _ = prompt_of([Article(text=text, path="a")])
    assert "^" not in user and "2ˆ3" in user and "ˆ1" in user
    assert "br" not in user.lower() and "revised later." in user
    assert escape_line("a <br> b &lt; c <b> & d") == "a b &lt; c &lt;b&gt; & d"


def test_a_model_that_cites_the_marked_passage_is_checked_against_the_full_texts() -> None:
    one = Article(text=f"{SHARED} Markets fell at once.", path="a", title="Rates up")
    two = Article(text=f"{SHARED} Economists were surprised by the size of the move.", path="b")
    corpus = build_corpus([one, two], TOK, dedupe=False)
    answer = json.dumps({"s": [[SHARED, [1, 2]], ["Economists were surprised.", [2]]]})
    chat = ScriptedChat(answer=lambda r: answer)
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="model"), words=100)
    user = chat.requests[0].message_dicts()[-1]["content"]
    assert "2 ^1 Economists" in user
    assert [(s.citations, s.status) for s in briefing.sentences] == [
        (("S1:1", "S2:1"), "supported"),
        (("S2:1",), "supported"),
    ]


SENTENCES = [
    "The dam near the city failed after three days of heavy rain.",
    "Officials said 40 people were missing.",
    "Rescue teams from two provinces reached the valley on Sunday morning.",
    "The governor declared a state of emergency for the whole region.",
    "Power was cut.",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, len(SENTENCES) - 1), min_size=1, max_size=5), min_size=1, max_size=6))
def test_nothing_is_lost_every_sentence_is_on_its_line_or_behind_its_mark(picks: list[list[int]]) -> None:
    texts = [" ".join(SENTENCES[k] for k in pick) for pick in picks]
    _, user, _ = prompt_of([Article(text=t, path=f"a{n}") for n, t in enumerate(texts)])
    lines = {int(m.group(1)): m.group(2) for line in user.splitlines() if (m := LINE.match(line))}
    assert sorted(lines) == list(range(1, len(picks) + 1))
    for n, pick in enumerate(picks, 1):
        for k in pick:
            sentence = SENTENCES[k]
            if sentence in lines[n]:
                continue
            marks = [int(x) for x in re.findall(r"\^(\d+)", lines[n])]
            assert any(sentence in lines[m] for m in marks if m < n), (sentence, lines)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\n\r\u00a0\u2003\u3000aS1:.4<>/br[]【】^&", max_size=40))
def test_escape_line_flattens_as_one_regex_pass_would(text: str) -> None:
    """`escape_line` skips work on lines that need none (one plain space kept, no bracket to translate):
    the result is the same as flattening every whitespace run and translating every line."""
    brackets = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "^": "ˆ"})
    expected = re.sub(r"<\s*br\s*/?\s*>", " ", text, flags=re.IGNORECASE)
    expected = expected.replace("<", "&lt;").replace(">", "&gt;").translate(brackets)
    expected = re.sub(r"\s+", " ", re.sub(r"\b([Ss])\s*(\d+)\s*[:.]\s*(\d+)", r"\1\2 \3", expected)).strip()
    assert escape_line(text) == expected


def test_every_character_the_bracket_table_translates_is_translated_on_its_own() -> None:
    """The skip test of `escape_line` looks for the translation table's own keys: a character added to
    the table is translated in a line that holds nothing else to translate."""
    from toolkit.plan.prompting import _BRACKETS, escape_source_text

    for code, to in _BRACKETS.items():
        line = f"word {chr(code)} word"
        assert escape_line(line) == f"word {to} word" == escape_source_text(line), chr(code)
