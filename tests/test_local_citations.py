"""`cite="local"`: the model gets the articles without passage numbers and writes plain prose; the
checker finds the passages that hold each sentence (`toolkit.check.attribute`) and checks them as it
checks a model's citations."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import scripted_model
from fakeserver import FakeServer, Reply
from paths import EXAMPLES

from toolkit import build_corpus, load_articles, summarize, verify
from toolkit.chat.scripted import ScriptedChat, scripted_answer
from toolkit.chat.seam import ChatRequest, ChatResponse
from toolkit.check.attribute import attribute
from toolkit.check.verifier import Verifier
from toolkit.cite.answers import parse_plain
from toolkit.engines.llm_engine import OpenAIEngine
from toolkit.errors import ConfigError, EngineError
from toolkit.models import Article, Corpus
from toolkit.plan.planning import make_plan, model_info, sent_passages, single_prompt
from toolkit.plan.prompting import ShortIds
from toolkit.text.tokens import count_tokens, get_tokenizer

TOK = get_tokenizer("gpt-4o-mini")

QUAKE = Article(
    title="Quake hits coastal city",
    outlet="Daily Courier",
    date="2024-03-02",
    path="a.txt",
    text=(
        "A magnitude 6.8 earthquake struck the coastal city of Varna on Saturday morning.\n\n"
        "Officials said 52 people were killed and hundreds were injured in the collapse of two hotels.\n\n"
        "The port authority closed the harbour until further notice."
    ),
)
RESCUE = Article(
    title="Rescuers search rubble",
    outlet="Morning Post",
    date="2024-03-03",
    path="b.txt",
    text=(
        "Rescue teams from three countries arrived in Varna on Sunday to search the rubble.\n\n"
        "The mayor said the death toll had risen to 60 as more bodies were found overnight.\n\n"
        "Aid agencies set up field kitchens near the central railway station."
    ),
)
COPY = Article(  # a wire copy of QUAKE's first two paragraphs under another outlet
    title="Quake hits coastal city",
    outlet="City Wire",
    date="2024-03-02",
    path="c.txt",
    text=(
        "A magnitude 6.8 earthquake struck the coastal city of Varna on Saturday morning.\n\n"
        "Officials said 52 people were killed and hundreds were injured in the collapse of two hotels."
    ),
)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus([QUAKE, RESCUE], TOK)


@pytest.fixture(scope="module")
def verifier(corpus: Corpus) -> Verifier:
    return Verifier(corpus)


# --- the prompt -----------------------------------------------------------------------------------


def test_the_plain_prompt_has_no_passage_numbers_and_sends_each_sentence_once() -> None:
    corpus = build_corpus([QUAKE, RESCUE, COPY], TOK, dedupe=False)
    groups = sent_passages(corpus)
    system, user = single_prompt(groups, ShortIds.of(groups), 200, "local")
    assert "JSON" not in system and "200 words" in system
    blocks = user.split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == [
        "2024-03-02 Quake hits coastal city · Daily Courier",
        "2024-03-03 Rescuers search rubble · Morning Post",
    ]  # the copy adds nothing new, so it is not sent at all
    assert user.count("magnitude 6.8 earthquake") == 1
    for block in blocks:
        for line in block.splitlines()[1:]:
            assert not line.split()[0].isdigit(), line  # no passage number in front of any line
    compact = single_prompt(groups, ShortIds.of(groups), 200, "model")
    assert count_tokens(TOK, system + user) < count_tokens(TOK, "".join(compact))


def test_the_plan_counts_the_plain_prompt() -> None:
    corpus = build_corpus([QUAKE, RESCUE], TOK)
    groups = sent_passages(corpus)
    for cite in ("model", "local"):
        planned = make_plan(corpus, "gpt-4o-mini", TOK, words=200, cite=cite).prompt_tokens
        system, user = single_prompt(groups, ShortIds.of(groups), 200, cite)
        sent = count_tokens(TOK, system) + count_tokens(TOK, user) + 8
        assert abs(planned - sent) <= 0.03 * sent + 12, (cite, planned, sent)
    assert (
        make_plan(corpus, "gpt-4o-mini", TOK, words=200, cite="local").prompt_tokens
        < make_plan(corpus, "gpt-4o-mini", TOK, words=200, cite="model").prompt_tokens
    )


# --- reading a plain answer -----------------------------------------------------------------------


def test_a_plain_answer_loses_its_heading_bullets_and_any_markers_a_model_wrote_anyway() -> None:
    raw = (
        "<think>plan the briefing</think>Here is the briefing:\n\n## Varna earthquake\n\n"
        "- A 6.8 quake struck Varna on Saturday [S1:1]. Officials said 52 people died.\n"
        "- The toll later rose to 60 (S2:2).\n"
    )
    parsed = parse_plain(raw, sources=2)
    assert [s.text for s in parsed.sentences] == [
        "A 6.8 quake struck Varna on Saturday.",
        "Officials said 52 people died.",
        "The toll later rose to 60.",
    ]
    assert all(s.citations == () for s in parsed.sentences)
    assert parse_plain("   ").problems == ("answer was empty",)
    assert parse_plain("<think>The toll is 52. I will say so.").problems == (
        "answer was only reasoning (a <think> block never closed)",
    )


@pytest.mark.parametrize(
    "raw",
    [
        "Sure! Here is a 60-word briefing on the Varna earthquake.\n\n{s}\n\nI hope this helps! Let me know "
        "if you need anything else.",
        "Varna Earthquake Briefing\n{s}",  # a title right over the text
        "Summary\n{s}\nIf you have any questions, feel free to ask.",
        "Note: This summary is based on the provided articles.\n{s}",
    ],
)
def test_chat_around_a_plain_answer_is_not_a_sentence(raw: str) -> None:
    s = "A magnitude 6.8 earthquake struck Varna on Saturday morning."
    assert [x.text for x in parse_plain(raw.format(s=s)).sentences] == [s]


@pytest.mark.parametrize(
    "raw",
    [
        "Great damage was reported in the port.",
        "Certainly, the quake killed 52 people.",
        "Here is what the mayor said about the toll: 60 people died.",
        "If you have relatives in Varna, the embassy set up a hotline.",
        "The quake struck Varna on\nsaturday morning.",  # hard-wrapped, not a title
    ],
)
def test_sentences_that_only_look_like_chat_are_kept(raw: str) -> None:
    quake = "A magnitude 6.8 earthquake struck Varna on Saturday morning."
    texts = [x.text for x in parse_plain(f"{raw}\n{quake}").sentences]
    assert texts == [" ".join(raw.split()), quake]


# --- finding the passages -------------------------------------------------------------------------


def test_a_sentence_gets_the_passage_that_holds_it(verifier: Verifier) -> None:
    assert attribute(verifier, "A magnitude 6.8 earthquake struck Varna on Saturday morning.") == ("S1:1",)
    assert attribute(verifier, "Aid agencies set up field kitchens near the railway station.") == ("S2:3",)


def test_a_sentence_merging_two_sources_cites_both(verifier: Verifier) -> None:
    found = attribute(
        verifier,
        "Rescue teams from three countries searched hotels whose collapse killed 52 people in Varna.",
    )
    assert set(found) >= {"S1:2", "S2:1"}


def test_a_changed_number_is_cited_where_it_was_changed_and_checked_there(corpus: Corpus) -> None:
    chat = ScriptedChat(replies=["Officials said 75 people were killed in the collapse of two hotels."])
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=60)
    (sentence,) = briefing.sentences
    assert sentence.citations == ("S1:2",)
    assert sentence.status == "contradicted"


def test_a_toll_one_source_gives_is_cited_to_it_and_disputed(corpus: Corpus) -> None:
    """The words match the source giving another toll best (52 killed); the number comes from the
    mayor's 60: both are cited, the one stating the number first, and the sources' disagreement shows."""
    text = "The earthquake killed 60 people."
    found = attribute(Verifier(corpus), text)
    assert found[0] == "S2:2" and "S1:2" in found
    chat = ScriptedChat(replies=[text])
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=60)
    (sentence,) = briefing.sentences
    assert sentence.status == "disputed", sentence.reason
    assert "takes '60' (S2:2)" in sentence.reason
    # a number no source gives stays cited where the words are, and contradicted there
    assert attribute(Verifier(corpus), "The earthquake killed 75 people.")[0] == "S1:2"


def test_a_passage_giving_another_figure_for_something_else_is_not_cited() -> None:
    """The 6.1 aftershock: the article about the 7.0 main quake matches the words best and contradicts
    the figure, but the sources do not disagree about one fact, so only the passage stating 6.1 counts."""
    haiti = load_articles(EXAMPLES.parent / "haiti-2010")
    text = "A 6.1 magnitude aftershock hit Haiti on January 20."
    found = attribute(Verifier(build_corpus(haiti, TOK)), text)
    assert found[0] == "S1:2" and "S3:1" not in found  # S3:1: "the recent 7.0 magnitude earthquake"
    (checked,) = verify(text, haiti, cite="local").sentences
    assert checked.status == "partial", checked.reason  # as with the model citing S1:2 itself
    assert verify(f"{text} [S1:2]", haiti).sentences[0].status == "partial"


def test_a_sentence_no_passage_holds_stays_uncited(verifier: Verifier, corpus: Corpus) -> None:
    text = "Parliament approved a new budget for fishing subsidies in the northern provinces."
    assert attribute(verifier, text) == ()
    chat = ScriptedChat(replies=[f"A magnitude 6.8 earthquake struck Varna on Saturday morning. {text}"])
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=60)
    assert [s.status for s in briefing.sentences] == ["supported", "uncited"]


def test_a_fact_two_sources_state_cites_both_and_their_copies() -> None:
    corpus = build_corpus([QUAKE, RESCUE, COPY], TOK)
    verifier = Verifier(corpus)
    found = attribute(verifier, "Officials said 52 people were killed in the collapse of two hotels.")
    assert set(found) == {"S1:2", "S3:2"}  # the copy, from the near-duplicate group


# --- the whole run --------------------------------------------------------------------------------


def test_local_citations_end_to_end_ask_for_prose_and_check_every_sentence() -> None:
    chat = ScriptedChat()
    briefing = summarize(EXAMPLES, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=120)
    (request,) = chat.requests
    assert not request.json_mode and request.json_schema is None
    assert briefing.sentences and all(s.citations for s in briefing.sentences)
    corpus = build_corpus(load_articles(EXAMPLES), TOK)
    for s in briefing.sentences:  # the scripted model quotes a passage: that passage is cited
        assert any(s.text.rstrip(".") in corpus.passage(c).text for c in s.citations), s
    assert {s.status for s in briefing.sentences} <= {"supported", "disputed"}
    assert any("citations found locally" in n for n in briefing.notes)


def test_local_is_the_default_model_citations_on_request_and_a_wrong_mode_is_one_clear_error() -> None:
    corpus = build_corpus([QUAKE, RESCUE], TOK)
    chat = ScriptedChat()
    OpenAIEngine(chat, "gpt-4o-mini").summarize(corpus, words=60)
    OpenAIEngine(chat, "gpt-4o-mini", cite="model").summarize(corpus, words=60)
    assert [r.json_mode for r in chat.requests] == [False, True]
    with pytest.raises(EngineError, match="cite='quote'"):
        OpenAIEngine(chat, "gpt-4o-mini", cite="quote")
    with pytest.raises(ConfigError, match="--cite 'quote' is not known"):
        summarize([QUAKE, RESCUE], engine="extractive", cite="quote")
    with pytest.raises(ConfigError, match="cite='model' conflicts with the engine given"):
        summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini"), cite="model")  # silently local before
    summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="model"), cite="model", words=60)


def streaming_engine(fake_server: FakeServer, tmp_path: Path, seen: list[str]) -> OpenAIEngine:
    """A cite=local engine over the real SDK at `fake_server`, appending each streamed sentence to `seen`."""
    from toolkit.chat.cache import ResponseCache
    from toolkit.chat.endpoint import EndpointConfig
    from toolkit.chat.llm import OpenAIChat

    config = EndpointConfig(base_url=fake_server.base_url, api_key="sk-test", model="gpt-4o-mini")
    return OpenAIEngine(
        OpenAIChat(config, cache=ResponseCache(tmp_path / "cache")),
        "gpt-4o-mini",
        cite="local",
        on_sentence=lambda s: seen.append(s.text),
    )


def test_a_streamed_plain_answer_is_checked_sentence_by_sentence(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    fake_server.handler = lambda body: Reply(text=scripted_model.answer(body, per_call=5), pace=0.002)  # type: ignore[arg-type]
    seen: list[str] = []
    engine = streaming_engine(fake_server, tmp_path, seen)
    draft = engine.summarize(build_corpus(load_articles(EXAMPLES), TOK), words=100)
    assert fake_server.chat_requests[0].body["stream"] is True
    assert len(draft.sentences) == 5
    # every sentence but the last is handed over while the answer streams; none twice, none cut
    assert seen == [s.text for s in draft.sentences][: len(seen)] and len(seen) >= 4


def test_a_streamed_answer_hands_over_no_reasoning_and_no_reference_list(
    fake_server: FakeServer, tmp_path: Path, corpus: Corpus
) -> None:
    first = "A magnitude 6.8 earthquake struck the coastal city of Varna on Saturday morning."
    second = "Officials said 52 people were killed and hundreds were injured in the collapse of two hotels."
    answer = (
        "<think>Let me plan the briefing. The sources give several tolls.\nI will start with the quake. "
        "Then the toll.\n</think>\n"
        f"{first}\n{second}\nThe port authority closed the harbour until further notice.\n\n"
        "Sources:\n1. Daily Courier. Quake hits coastal city.\n2. Morning Post. Rescuers search rubble.\n"
    )
    fake_server.handler = lambda body: Reply(text=answer, pace=0.001)
    seen: list[str] = []
    engine = streaming_engine(fake_server, tmp_path, seen)
    draft = engine.summarize(corpus, words=60)
    final = [s.text for s in draft.sentences]
    assert final == [first, second, "The port authority closed the harbour until further notice."]
    assert seen and set(seen) <= set(final), seen  # nothing from the reasoning or the list
    assert len(seen) == len(set(seen))


def test_the_cli_cites_locally_by_default_takes_cite_model_and_names_a_wrong_mode(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "toolkit", "summarize", str(EXAMPLES), "--dry-run"]
    plain = subprocess.run(run, capture_output=True, text=True, check=True)  # --cite local, the default
    model = subprocess.run([*run, "--cite", "model"], capture_output=True, text=True, check=True)

    def tokens(out: str) -> int:
        return int(out.split("prompt tokens: ")[1].split(" ")[0].replace(",", ""))

    assert tokens(plain.stdout) < tokens(model.stdout)
    for wrong_run in (
        [*run, "--cite", "quote"],
        [
            sys.executable,
            "-m",
            "toolkit",
            "batch",
            str(EXAMPLES),
            "--out",
            str(tmp_path / "out"),
            "--cite",
            "quote",
        ],
    ):
        wrong = subprocess.run(wrong_run, capture_output=True, text=True)
        assert wrong.returncode != 0 and "--cite 'quote' is not known" in wrong.stderr
        assert len(wrong.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


# --- odd plain answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "continuation",
    [
        ChatResponse(text=" harbour", finish_reason="length"),  # still cut off after its continuation
        ChatResponse(text="", finish_reason="stop"),  # the continuation added nothing
    ],
)
def test_a_plain_answer_cut_off_mid_sentence_loses_the_fragment(
    corpus: Corpus, continuation: ChatResponse
) -> None:
    first = "A magnitude 6.8 earthquake struck the coastal city of Varna on Saturday morning."
    cut = ChatResponse(text=f"{first} The port authority closed the", finish_reason="length")
    chat = ScriptedChat(replies=[cut, continuation])
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=60)
    assert [s.text for s in briefing.sentences] == [first]
    assert any("dropped its unfinished last sentence" in n for n in briefing.notes)
    # a continuation that ends the answer keeps the sentence it finished
    chat = ScriptedChat(
        replies=[
            ChatResponse(text=f"{first} The port authority closed the", finish_reason="length"),
            ChatResponse(text=" harbour until further notice.", finish_reason="stop"),
        ]
    )
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=60)
    assert briefing.sentences[-1].text == "The port authority closed the harbour until further notice."
    assert briefing.sentences[-1].status == "supported"


def test_a_small_model_looping_with_slight_rewording_is_cut_to_one_sentence(corpus: Corpus) -> None:
    loop = [
        "Rescue teams from three countries arrived in Varna on Sunday to search the rubble.",
        "Rescue teams from three countries arrived in Varna on Sunday to search through the rubble.",
        "The rescue teams from three countries arrived in Varna on Sunday, searching the rubble.",
        "Officials said 52 people were killed in the collapse of two hotels in Varna on Saturday.",
        "Officials said 60 people were killed in the collapse of two hotels in Varna on Saturday.",
    ]
    chat = ScriptedChat(replies=["\n".join(loop)])
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", cite="local"), words=60)
    assert [s.text for s in briefing.sentences] == [loop[0], loop[3], loop[4]]  # another figure stays
    assert "dropped 2 repeated sentences (2 nearly word for word)" in briefing.notes


def test_an_answer_capped_for_length_loses_its_cut_sentence(corpus: Corpus) -> None:
    long = " ".join(  # long sentences: the character cap cuts one before the sentence cap bites
        f"Rescue team {i} from one of three countries searched the rubble of the two hotels that "
        "collapsed in the earthquake, working through the night under floodlights near the harbour of Varna."
        for i in range(200)
    )
    chat = ScriptedChat(replies=[long])
    draft = OpenAIEngine(chat, "gpt-4o-mini", cite="local").summarize(corpus, words=400)
    assert draft.sentences and all(s.text.endswith("harbour of Varna.") for s in draft.sentences)
    assert any("read the first" in n for n in draft.notes)
    sentence = "A magnitude 6.8 earthquake struck the coastal city of Varna on Saturday morning."
    kept = parse_plain(f"{sentence} The port authority closed").sentences  # not cut off: kept as written
    assert kept[-1].text == "The port authority closed"
    assert parse_plain(f'He said: "{sentence}"', cut_off=True).sentences  # a closing quote ends it


# --- batches --------------------------------------------------------------------------------------


@pytest.mark.parametrize("via", [None, "batch-api"])
def test_a_batch_cites_locally_by_default_and_takes_cite_model(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via: str | None
) -> None:
    """Both batch paths: the plain briefings come back with the passages found for them (the Batch API
    path hands `summarize` a draft made elsewhere, which must still be attributed), and `cite="model"`
    asks for JSON citing passage numbers and resumes nothing made with the other mode."""
    import json

    from test_batch import KEY, cluster_dir

    from toolkit.batch.runner import run_batch

    fake_server.handler = scripted_model.answer
    fake_server.batch_polls = 0
    monkeypatch.setenv("OPENAI_BASE_URL", fake_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    clusters = [cluster_dir(tmp_path, "s0", [0]), cluster_dir(tmp_path, "s3", [3])]
    out = tmp_path / "out"
    report = run_batch(clusters, out, engine="openai", via=via, model="gpt-4o-mini", words=80, progress=False)
    assert [r.status for r in report.results] == ["done", "done"]
    for name in ("s0", "s3"):
        briefing = json.loads((out / f"{name}.json").read_text())
        assert briefing["sentences"] and all(s["citations"] for s in briefing["sentences"]), name
        assert {s["status"] for s in briefing["sentences"]} <= {"supported", "disputed"}
        assert any("citations found locally" in n for n in briefing["notes"])
    again = run_batch(
        clusters, out, engine="openai", via=via, model="gpt-4o-mini", words=80, progress=False, cite="model"
    )
    assert [r.status for r in again.results] == ["done", "done"]  # not skipped: another mode
    briefing = json.loads((out / "s0.json").read_text())
    assert briefing["sentences"] and all(s["citations"] for s in briefing["sentences"])
    assert not any("citations found locally" in n for n in briefing["notes"])
    with pytest.raises(ConfigError, match="--cite 'quote' is not known"):
        run_batch(clusters, out, engine="openai", via=via, model="gpt-4o-mini", progress=False, cite="quote")


# --- verify ---------------------------------------------------------------------------------------


def test_verify_finds_the_passages_of_a_summary_written_without_markers(tmp_path: Path) -> None:
    summary = tmp_path / "summary.txt"
    summary.write_text(
        "A magnitude 6.8 earthquake struck the coastal city of Varna on Saturday morning.\n\n"
        "Parliament approved a new budget for fishing subsidies in the northern provinces.\n\n"
        "Aid agencies set up field kitchens near the central railway station. [S1:3]\n",
        encoding="utf-8",
    )
    as_given = verify(summary, [QUAKE, RESCUE])
    assert [s.status for s in as_given.sentences] == ["uncited", "uncited", "unsupported"]
    found = verify(summary, [QUAKE, RESCUE], cite="local")
    assert [s.citations for s in found.sentences] == [("S1:1",), (), ("S1:3",)]  # a given marker is kept
    assert [s.status for s in found.sentences] == ["supported", "uncited", "unsupported"]
    assert any("citations found locally" in n for n in found.notes)
    with pytest.raises(ConfigError, match="--cite 'quote' is not known"):
        verify(summary, [QUAKE, RESCUE], cite="quote")
    folder = tmp_path / "articles"
    folder.mkdir()
    for a in (QUAKE, RESCUE):
        (folder / a.path).write_text(f"{a.title}\n\n{a.text}", encoding="utf-8")
    run = [sys.executable, "-m", "toolkit", "verify", str(summary), str(folder)]
    out = subprocess.run([*run, "--cite", "local"], capture_output=True, text=True, check=True).stdout
    assert "1. [supported]" in out and "2. [uncited]" in out
    wrong = subprocess.run([*run, "--cite", "quote"], capture_output=True, text=True)
    assert wrong.returncode != 0 and len(wrong.stderr.strip().splitlines()) == 1


def test_map_reduce_notes_still_cite_and_the_final_plain_answer_is_attributed_over_every_source() -> None:
    corpus = build_corpus(load_articles(EXAMPLES), TOK)
    last = corpus.sources[-1].passages[2].sentences[0].text  # a fact of the last source only

    def answer(request: ChatRequest) -> str:  # map calls as a careful model; the merge adds `last`
        text = scripted_answer(request)
        return text if request.json_mode else f"{text}\n{last}"

    chat = ScriptedChat(answer=answer)
    info = model_info("gpt-4o-mini").model_copy(update={"context": 2200})
    briefing = summarize(corpus, engine=OpenAIEngine(chat, "gpt-4o-mini", info=info, cite="local"), words=80)
    assert any("map-reduce" in n for n in briefing.notes), briefing.notes
    *maps, final = chat.requests
    assert len(maps) >= 2 and all(r.json_mode for r in maps)  # the map notes cite passage numbers
    assert not final.json_mode
    system, user = (str(m["content"]) for m in final.message_dicts())
    assert "JSON" not in system and "<notes>" in user
    assert not re.search(r"\[\d+(?:,\d+)*\]", user)  # the notes reach the reduce without numbers
    assert briefing.sentences and all(s.citations for s in briefing.sentences)
    assert all(corpus.has_passage(c) for s in briefing.sentences for c in s.citations)
    assert {s.status for s in briefing.sentences} <= {"supported", "disputed"}
    (found,) = [s for s in briefing.sentences if s.text == last]
    assert corpus.sources[-1].passages[2].id in found.citations  # found over the whole corpus


def test_the_local_engine_plans_with_headroom_for_the_server_tokenizer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """llama.cpp counts the window in the GGUF's own tokens (SmolLM2: 7-9% more than the estimate) and
    fails with HTTP 500 when a call overflows it: every call must leave that share of the window free."""
    from toolkit.engines import local

    chats: list[ScriptedChat] = []

    class Server(ScriptedChat):  # the lazily started llama.cpp server, as a scripted double
        def __init__(self, gguf: Path, n_ctx: int, model: str) -> None:
            super().__init__(model=model)
            self.namespace = f"test:{n_ctx}"
            chats.append(self)

        def stop(self) -> None:
            pass

    monkeypatch.setattr(local, "LazyLocalChat", Server)
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "cache"))  # empty: every call reaches the double
    engine = local.LocalEngine(gguf=EXAMPLES / "README.md", context=3000)  # any file: never loaded
    draft = engine.summarize(build_corpus(load_articles(EXAMPLES), TOK), words=80)
    assert draft.sentences and len(chats[0].requests) >= 3  # map-reduce
    for request in chats[0].requests:
        sent = sum(count_tokens(TOK, str(m.get("content") or "")) + 4 for m in request.message_dicts())
        assert sent + (request.max_tokens or 0) <= 3000 * (1 - local.HEADROOM) + 64, (
            sent,
            request.max_tokens,
        )


@pytest.mark.parametrize("context", [1400, 480])  # room left to continue the answer, and none
def test_a_continuation_never_asks_for_more_than_the_window_holds(corpus: Corpus, context: int) -> None:
    """The continuation resends the prompt and the answer so far; llama.cpp fails (HTTP 500) on a call
    that overflows its window, so the continuation's answer gets only what is left, or is not asked."""
    info = model_info("gpt-4o-mini").model_copy(update={"context": context})
    first = " ".join(f"Rescue team {i} searched the rubble of the hotels in Varna." for i in range(18))
    cut = ChatResponse(text=f"{first} The port", finish_reason="length")  # about 250 tokens: the budget
    chat = ScriptedChat(
        replies=[cut, ChatResponse(text=" authority closed the harbour.", finish_reason="stop")]
    )
    draft = OpenAIEngine(chat, "gpt-4o-mini", info=info, cite="local").summarize(corpus, words=60)
    for request in chat.requests:
        sent = sum(count_tokens(TOK, str(m.get("content") or "")) + 4 for m in request.message_dicts())
        assert sent + (request.max_tokens or 0) <= context, (sent, request.max_tokens)
    if context < 1000:  # no room: the complete sentences are kept, the fragment dropped
        assert len(chat.requests) == 1 and any("no room to continue" in n for n in draft.notes)
        assert draft.sentences[-1].text == "Rescue team 17 searched the rubble of the hotels in Varna."
    else:
        assert len(chat.requests) == 2
        assert draft.sentences[-1].text == "The port authority closed the harbour."


# --- editing in the comparison view -----------------------------------------------------------------


def _explorer(cite: str) -> Any:
    from toolkit.view.explorer import Explorer

    engine = OpenAIEngine(ScriptedChat(), "gpt-4o-mini", cite=cite)
    return Explorer(summarize([QUAKE, RESCUE, COPY], engine=engine, words=60))


def test_an_edited_sentence_of_a_locally_cited_briefing_gets_the_passages_of_its_new_text() -> None:
    ex = _explorer("local")
    i = next(k for k, s in enumerate(ex.sentences) if s.citations)
    old = ex.sentences[i]
    new = ex.edit(i, "The mayor said the death toll had risen to 60 as more bodies were found.")
    toll = next(p.id for p in ex.briefing.corpus.sources[1].passages if "death toll" in p.text)
    assert toll in new.citations and not set(old.citations) & set(new.citations), (old, new)
    assert new.status == "supported" and "found again for the new text" in ex.message
    # The browser's form sends the citations field as it was: unchanged, it still means "find them".
    shown = "; ".join(new.citations)
    again = ex.update(i, text="A magnitude 6.8 earthquake struck Varna on Saturday morning.", citations=shown)
    assert toll not in again.citations and again.status == "supported"
    # Citations set by hand stay through later edits of the text.
    ex.recite(i, toll)
    kept = ex.edit(i, "A magnitude 6.8 earthquake struck the city of Varna on Saturday.")
    assert kept.citations == (toll,) and kept.status != "supported"
    # Citations removed by hand stay removed.
    ex.recite(i, "")
    assert ex.edit(i, "The port authority closed the harbour until further notice.").citations == ()
    # Another sentence, rewritten into something no passage holds: no passages, said so, uncited.
    j = next(k for k, s in enumerate(ex.sentences) if s.citations and k != i)
    blank = ex.edit(j, "Zebras painted purple lighthouses across distant Norwegian fjords.")
    assert blank.status == "uncited" and "none hold its key terms" in ex.message


def test_model_citations_stay_with_an_edited_sentence() -> None:
    ex = _explorer("model")
    i = next(k for k, s in enumerate(ex.sentences) if s.citations)
    old = ex.sentences[i]
    new = ex.edit(i, "The mayor said the death toll had risen to 60 as more bodies were found.")
    assert new.citations == old.citations and "found again" not in ex.message


def _click(ex: Any, **content: Any) -> None:
    """What the browser's save sends: the citations box always comes along, as it was or edited."""
    content.setdefault("rev", ex.rev)
    ex._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def test_citations_set_by_hand_stay_after_the_briefing_is_saved_and_loaded() -> None:
    """A new view of a saved briefing does not know which citations were set by hand: what tells is
    whether they are the ones found for the sentence's text. Set by hand, they stay through an edit of
    the text; found, they are found again (saved, loaded, and through undo/redo)."""
    from toolkit import Briefing
    from toolkit.view.explorer import Explorer

    ex = _explorer("local")
    toll = next(p.id for p in ex.briefing.corpus.sources[1].passages if "death toll" in p.text)
    i = next(k for k, s in enumerate(ex.sentences) if s.citations and toll not in s.citations)
    j = next(k for k, s in enumerate(ex.sentences) if s.citations and k != i)
    _click(ex, kind="update", i=i, text=ex.sentences[i].text, citations=toll)  # the box edited
    assert ex.sentences[i].citations == (toll,)
    again = Explorer(Briefing.from_json(ex.briefing.to_json()))
    text = "A magnitude 6.8 earthquake struck the city of Varna on Saturday."
    _click(again, kind="update", i=i, text=text, citations=toll)  # the box as it was
    assert again.sentences[i].citations == (toll,) and "found again" not in again.message
    before = again.sentences[j]
    _click(
        again,
        kind="update",
        i=j,
        text="The mayor said the death toll had risen to 60.",
        citations="; ".join(before.citations),
    )
    assert again.sentences[j].citations == (toll,) and "found again" in again.message
    _click(again, kind="undo")
    assert again.sentences[j] == before
    _click(again, kind="redo")
    assert again.sentences[j].citations == (toll,)


def test_an_edit_says_the_status_the_view_shows() -> None:
    """The message after an edit names the sentence's status once the comparison has marked disputes
    (60 dead against 52: disputed), not the status its citations alone gave."""
    ex = _explorer("local")
    i = next(k for k, s in enumerate(ex.sentences) if s.citations)
    ex.edit(i, "The mayor said the death toll had risen to 60 as more bodies were found.")
    shown = ex.sentences[i].status
    assert f"it is now {shown}." in ex.message and shown == "disputed"
