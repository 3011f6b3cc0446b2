"""The fast paths for many articles give what the plain ones give: sources built in forked workers
equal sources built in order here; event vectors built for all articles at once equal the per-article
computation they replaced (kept below as the reference)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from paths import SEEDS

from toolkit.group import eventsim
from toolkit.group.grouping import group_articles
from toolkit.ingest import workers
from toolkit.ingest.cleaning import Cleaned, clean
from toolkit.ingest.loading import load_articles
from toolkit.ingest.passages import build_corpus, cleaned_of
from toolkit.models import Article


def mixed() -> list[Article]:
    """The seeds, a wire copy and an edit of each, a titled story with a quote, numbers and a photo
    caption, a share bar, and a German page: 20-odd articles of several kinds."""
    arts = list(load_articles([str(p) for p in SEEDS]))
    out = list(arts)
    for k, a in enumerate(arts):
        out.append(Article(text="City Wire\n\n" + a.text.replace(" said ", " stated "), path=f"wire-{k}"))
        paragraphs = a.text.split("\n\n")
        out.append(Article(text="\n\n".join(paragraphs[::2]), path=f"edit-{k}", date="2025-03-0{k % 9 + 1}"))
    out.append(
        Article(
            title="Port strike ends after 12 days",
            text="Image caption Dockers at the gate on Monday\n\nThe strike at the port of Valmora ended on "
            'Friday after 12 days. "We have an agreement that protects every job on this quay," said '
            "Maria Ostrova, who leads the Dockers Union. The deal raises pay by 4.5 percent.\n\n"
            "Shipping lines had diverted 37 vessels to Korsholm during the stoppage.",
            path="strike.txt",
        )
    )
    out.append(Article(text="Share\n\nFacebook\n\nTwitter\n\nSend", path="share.txt"))
    out.append(
        Article(
            text="Die Regierung hat am Montag ein neues Gesetz beschlossen. Der Minister sagte, das Gesetz "
            "werde die Kosten für Familien senken und die Wirtschaft stärken.",
            path="de.txt",
        )
    )
    return out


@pytest.mark.parametrize("chunk", [1, 4])
def test_sources_built_in_workers_equal_sources_built_here(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    arts = mixed()
    here = build_corpus(arts, workers=1)
    monkeypatch.setattr(workers, "CHUNK", chunk)
    forked = build_corpus(arts, workers=2)
    assert forked.model_dump_json() == here.model_dump_json()
    assert len(here.sources) == len(arts) and here.groups  # copies found: dedupe ran on both


def test_small_inputs_stay_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*_: object, **__: object) -> None:
        raise AssertionError("a process pool was started for a notebook-sized input")

    monkeypatch.setattr(workers.multiprocessing, "get_context", no_pool)
    assert workers.workers_for(50) == 1
    assert len(build_corpus(mixed()).sources) == len(mixed())


def test_workers_take_the_free_cores_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    cores = len(os.sched_getaffinity(0))
    monkeypatch.setattr(workers, "_busy_others", lambda: 0)
    assert workers.workers_for(workers.PARALLEL_FROM) == cores
    assert workers.workers_for(workers.PARALLEL_FROM - 1) == 1
    monkeypatch.setattr(workers, "_busy_others", lambda: cores)  # every core busy with other work
    assert workers.workers_for(10 * workers.PARALLEL_FROM) == 1
    assert workers.forked_map(lambda lo, hi: list(range(lo, hi)), 3_000) == list(range(3_000))
    assert workers.last_workers == 1


@pytest.mark.parametrize(
    ("readings", "busy"),
    [
        ([2, 1, 1, 2, 1, 1, 1, 1], 0),  # a thread of ours woke in two readings: no other work
        ([3, 2, 3, 3, 2, 3, 3, 3], 1),  # one core busy throughout, a passing thread on top
        ([3] * 8, 2),  # two cores busy throughout
        ([1, 1, 1, None, 4, 4, 4, 4], 0),  # unreadable: assume free
    ],
)
def test_busy_cores_are_those_busy_in_every_reading(
    monkeypatch: pytest.MonkeyPatch, readings: list[int | None], busy: int
) -> None:
    left = iter(readings)
    monkeypatch.setattr(workers, "_runnable", lambda: next(left))
    monkeypatch.setattr(workers, "READING_GAP", 0.0)
    assert workers._busy_others() == busy


def test_the_runnable_count_is_read_from_the_kernel() -> None:
    running = workers._runnable()
    assert running is None or running >= 1  # this test's own process is running while it reads


def test_two_threads_each_get_their_own_results() -> None:
    from concurrent.futures import ThreadPoolExecutor

    def run(k: int) -> list[int]:
        return workers.forked_map(lambda lo, hi: [k * 1_000 + i for i in range(lo, hi)], 500, workers=2)

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(run, (1, 2))
    assert first == [1_000 + i for i in range(500)] and second == [2_000 + i for i in range(500)]


def test_forked_results_come_one_by_one_in_order() -> None:
    got = workers.forked_iter(lambda lo, hi: [i * i for i in range(lo, hi)], 450, workers=2)
    assert next(got) == 0  # the first result, before the others are taken
    assert workers.last_workers == 2
    assert list(got) == [i * i for i in range(1, 450)]
    stopped = workers.forked_iter(lambda lo, hi: list(range(lo, hi)), 1_000, workers=2)
    assert [next(stopped) for _ in range(3)] == [0, 1, 2]
    stopped.close()  # the pool stops; the next call gets one of its own
    assert workers.forked_map(lambda lo, hi: list(range(lo, hi)), 500, workers=2) == list(range(500))


def test_a_failing_task_in_a_worker_raises_here() -> None:
    def task(lo: int, hi: int) -> list[int]:
        if lo <= 7 < hi:
            raise ValueError("item 7 is bad")
        return list(range(lo, hi))

    def fine(lo: int, hi: int) -> list[int]:
        return list(range(lo, hi))

    assert workers.forked_map(fine, 30, workers=2) == list(range(30))
    with pytest.raises(ValueError, match="item 7 is bad"):
        workers.forked_map(task, 30, workers=2)


# --------------------------------------------------------------------------- the reference vectors


def _top(counts: Counter[str], idf: dict[str, float], k: int) -> dict[str, float]:
    scored = [(t, (1.0 + math.log(c)) * idf[t]) for t, c in counts.items()]
    scored.sort(key=lambda kv: (-kv[1], kv[0]))
    return dict(scored[:k])


def _idf(docs: list[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    return {t: math.log((1 + len(docs)) / (1 + c)) + 1.0 for t, c in df.items()}


def _rows(rows: list[dict[str, float]], scale: float) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for row in rows:
        norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
        for t in row:
            vocab.setdefault(t, len(vocab))
            indices.append(vocab[t])
            data.append(math.sqrt(scale) * row[t] / norm)
        indptr.append(len(indices))
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), max(len(vocab), 1)))


def _info(
    counts: tuple[Counter[str], Counter[str], Counter[str]], idf: dict[str, float]
) -> list[tuple[str, float]]:
    body, names, title = counts
    once = len(body) <= 60
    weights: dict[str, float] = {}
    for t in {t for t, c in body.items() if c > 1 or once} | title.keys():
        if len(t) > 2 and not t.isdigit() and t not in eventsim._CALENDAR and t in idf:
            weights[t] = (1.0 + math.log(body.get(t, 0) + 2 * names.get(t, 0) + 3 * title.get(t, 0))) * idf[t]
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    best = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[: eventsim.INFO_TERMS]
    return [(t, w / norm) for t, w in best]


def unpack(packed: eventsim._Packed) -> list[Counter[str]]:
    row, ids, counts = packed.flat(0, len(packed))
    out: list[Counter[str]] = [Counter() for _ in range(len(packed))]
    for r, t, c in zip(row.tolist(), ids.tolist(), counts.tolist(), strict=True):
        out[r][packed.words[t]] = c
    return out


@pytest.mark.parametrize("bulk", [1_000, 5])
def test_event_vectors_equal_the_per_article_computation(monkeypatch: pytest.MonkeyPatch, bulk: int) -> None:
    monkeypatch.setattr(eventsim, "BULK", bulk)  # all articles in one step, or steps of 5
    arts = mixed()
    packs: list[eventsim._Packed] = []
    init = eventsim._Packed.__init__

    def recorded(self: eventsim._Packed) -> None:  # keep the body, title and names packs
        init(self)
        packs.append(self)

    monkeypatch.setattr(eventsim._Packed, "__init__", recorded)
    feats = eventsim.ArticleVectors(arts, [clean(a.text, title=a.title) for a in arts])
    body, titles, names = (unpack(p) for p in packs)  # made in this order
    idfs = [_idf(body), _idf(names), _idf(titles)]
    want = sp.hstack(
        [
            _rows([_top(c, idf, eventsim.KEY_TERMS) for c in part], scale)
            for part, idf, scale in zip(
                (body, names, titles),
                idfs,
                (eventsim.BODY_WEIGHT, eventsim.NAME_WEIGHT, eventsim.TITLE_WEIGHT),
                strict=True,
            )
        ]
    ).tocsr()
    want.sort_indices()
    assert feats.x.shape == want.shape and feats.x.nnz == want.nnz > 0
    assert np.array_equal(feats.x.indptr, want.indptr) and np.array_equal(feats.x.indices, want.indices)
    assert np.array_equal(feats.x.data, want.data)  # the same floats, not just close ones
    assert any(item.terms for item in feats.items)
    for i, item in enumerate(feats.items):
        ref = _info((body[i], names[i], titles[i]), idfs[0])
        assert [eventsim._term(t) for t in item.terms] == [t for t, _ in ref]  # shown as a surface form
        assert list(item.weights) == pytest.approx([round(w, 4) for _, w in ref], abs=1e-4)


def test_grouping_the_mixed_articles_in_bulk_keeps_copies_together() -> None:
    g = group_articles(mixed())
    by_path = dict(zip((i.path for i in g.items), g.assignments, strict=True))
    for k, seed in enumerate(SEEDS):
        assert by_path[str(seed)] == by_path[f"wire-{k}"] == by_path[f"edit-{k}"] != ""
    assert "share.txt" in {x.path for x in g.not_articles}


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(enabled: bool) -> None:
    import gc

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        build_corpus(mixed())  # cleaning and dedupe pause it
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), workers.gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("a stage failed")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_pauses_of_the_garbage_collector_from_several_threads_nest() -> None:
    """Two stages built side by side (two threads) pause the one collector of the process: it stays
    paused until the last of them ends, whichever order they end in, and then is as it was."""
    import gc

    was = gc.isenabled()
    try:
        gc.enable()
        first, second = workers.gc_paused(), workers.gc_paused()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)  # the first ends while the second still builds
        assert not gc.isenabled()
        second.__exit__(None, None, None)
        assert gc.isenabled()
        gc.disable()  # a caller that turned it off keeps it off
        with workers.gc_paused(), workers.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_dedupe_hands_its_arrays_back_on_large_corpora(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.ingest import dedupe

    corpus = build_corpus(mixed(), dedupe=False)
    calls: list[bool] = []
    release = workers.release_free_memory

    def spy() -> bool:
        calls.append(release())
        return calls[-1]

    monkeypatch.setattr(dedupe, "release_free_memory", spy)
    small = dedupe.find_duplicates(corpus)
    assert calls == []  # below EXACT_LIMIT passages: nothing to hand back
    monkeypatch.setattr(dedupe, "EXACT_LIMIT", 0)
    large = dedupe.find_duplicates(corpus)
    assert len(calls) == 1 and isinstance(calls[0], bool)
    assert large.groups and {g.passages for g in large.groups} <= {g.passages for g in small.groups}


def test_the_cleaning_read_back_from_sources_is_what_cleaning_gave() -> None:
    arts = mixed()
    corpus = build_corpus(arts, dedupe=False)
    for a, s in zip(arts, corpus.sources, strict=True):
        got = cleaned_of(s)
        cleaned = clean(a.text, title=a.title)
        assert got.paragraphs == cleaned.paragraphs and got.dropped == cleaned.dropped
        assert got.not_article == cleaned.not_article
        assert (got.title, got.outlet, got.date, got.url) == (s.title, s.outlet, s.date, s.url)
        assert got == Cleaned.model_validate(got.model_dump())


def _names_reference(paragraphs: list[str], lower: set[str]) -> Counter[str]:
    """`eventsim._names` as it was written first (a list per run, the sentence start always found)."""
    out: Counter[str] = Counter()
    for para in paragraphs:
        for m in eventsim._CAPITAL_RUN.finditer(para):
            k = m.start() - 1
            while k >= 0 and para[k].isspace():
                k -= 1
            starts = k < 0 or para[k] in '.!?:;"“”'
            run: list[str] = []
            for pos, w in enumerate(m.group().split()):
                low = w.lower()
                if (
                    low not in lower
                    and eventsim._term(w)
                    and not (pos == 0 and starts and low in eventsim._COMMON_STARTS)
                ):
                    out[low] = out.get(low, 0) + 1
                    run.append(low)
                    if len(run) >= 2:
                        out[run[-2] + " " + low] = out.get(run[-2] + " " + low, 0) + 2
                else:
                    run = []
        for number in eventsim._NUMBER.findall(para):
            if len(number) >= 2 and not eventsim._is_year(number):
                out["#" + number] += 1
        if "“" in para or '"' in para:
            for q in eventsim._QUOTE.finditer(para):
                words = [t for t in (eventsim._term(w) for w in eventsim._WORD.findall(q.group(1))) if t]
                for k in range(len(words) - 3):
                    out["q:" + " ".join(words[k : k + 4])] += 1
    return out


def test_names_are_counted_as_the_first_version_counted_them() -> None:
    made_up = [
        "The Port Authority of Valmora said. The strike ended; The Dockers Union and Maria Ostrova "
        'agreed. "This deal protects every job on the quay at Valmora," said The Ledger. In 2024 '
        "and 2025 the 37 vessels and 4.5 percent. Police Chief Anna Berg. police said. Officials "
        "from New York City Hall. Meanwhile Berlin: Today Paris.",
        "Police  \n  Police Chief Berg met Minister Ostrova’s Aide On Monday. “The Minister and the Chief "
        "will meet the Dockers Union again next week,” she said. O'Neil Smith-Jones ARRIVED.",
    ]
    for paragraphs in ([a.text for a in mixed()], made_up, made_up[::-1], [""]):
        words = {w for p in paragraphs for w in eventsim._WORD.findall(p)}
        for lower in (set(), {w.lower() for w in words if w[0].islower()}, {"police", "the"}):
            got, want = eventsim._names(paragraphs, lower), _names_reference(paragraphs, lower)
            assert got == want and list(got) == list(want)  # same counts, same order of first use
    assert eventsim._names(made_up, set())["dockers union"] >= 2
