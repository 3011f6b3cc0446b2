"""Sentence splitters compared: ours (`toolkit.text.sentences`) against pysbd, sentencex and blingfire.

    python benchmarks/sentences.py [--repeat N] [--out DIR]

Two measures:

- boundaries: a small gold set of paragraphs written for this benchmark (news prose in en, de, fr, es,
  ru, zh, ja with the usual traps: titles and initials, decimals, a.m./p.m., quotes, ellipses,
  sentences without a following space in Chinese and Japanese) with the sentences each should give;
  a paragraph counts as right only when every sentence comes out exactly (whitespace trimmed);
- the offsets contract the toolkit needs (every citation points at characters of the source): spans in
  order, not overlapping, trimmed, covering every non-space character, and each span's text equal to
  the sentence the splitter returned. Libraries that return strings are mapped back by search;
  the share of paragraphs that meet the contract is reported;
- speed: every passage of the bundled example (`examples/syria-iraq-2025`, 5 articles) split `--repeat`
  times; milliseconds per 1,000 characters (after one warm-up call, so model loading is not counted).

pysbd, sentencex and blingfire come with the `bench` extra (`pip install -e .[bench]`); a missing one
is reported as such.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import EXAMPLES, RESULTS, Outcome, Table, command_line, md_table, publish

from toolkit.ingest.loading import load_articles
from toolkit.ingest.passages import build_corpus
from toolkit.text.sentences import split_sentences

Spans = list[tuple[int, int]]

GOLD: list[tuple[str, list[str]]] = [
    ("en", ["Dr. Anna Ruiz, the mayor, said 1,200 people had left by 9 p.m. on Monday.",
            "The U.S. embassy said it was monitoring the situation.",
            "Rainfall reached 3.5 inches in six hours."]),
    ("en", ['"We have nowhere to go," said one resident.', "Others waited... and waited.",
            "Gen. Lee arrived at 10 a.m. with J. R. Smith."]),
    ("en", ["Is the bridge safe?", "Engineers will decide on Friday!", "No decision was made."]),
    ("de", ["Der Bürgermeister, Dr. Hans Meier, sprach am 3. März vor der Presse.",
            "Rund 1.200 Menschen wurden z. B. in Schulen untergebracht.", "Die Lage bleibt angespannt."]),
    ("fr", ["M. Dupont a déclaré que la crue atteindrait 5,2 mètres.",
            "« Nous faisons tout notre possible », a-t-il ajouté.", "Les écoles resteront fermées."]),
    ("es", ["El Sr. García dijo que el río subió 2,5 metros.", "¿Cuándo bajará el agua?",
            "Nadie lo sabe todavía."]),
    ("ru", ["В понедельник река вышла из берегов.", "Власти вывезли 1200 человек, т. е. почти весь город.",
            "Мост закрыт."]),
    ("zh", ["周一，青河在连续两天暴雨后决堤。", "官员表示，镇上唯一的公路桥已经关闭！", "还有多少人被困？",
            "约900名居民已离开家园。"]),
    ("ja", ["月曜日、川が決壊した。", "当局によると、唯一の道路橋は閉鎖された。", "住民は避難している。"]),
]  # fmt: skip


def _paragraph(sentences: list[str], lang: str) -> str:
    return ("" if lang in ("zh", "ja") else " ").join(sentences)


def _map_back(text: str, pieces: Sequence[str]) -> Spans | None:
    """Spans of `pieces` (trimmed) found in order in `text`; None if one cannot be found."""
    spans: Spans = []
    pos = 0
    for piece in pieces:
        p = piece.strip()
        if not p:
            continue
        at = text.find(p, pos)
        if at < 0:
            return None
        spans.append((at, at + len(p)))
        pos = at + len(p)
    return spans


def _meets_contract(text: str, spans: Spans | None) -> bool:
    if spans is None:
        return False
    covered = [False] * len(text)
    prev = 0
    for s, e in spans:
        if s < prev or s >= e or text[s].isspace() or text[e - 1].isspace():
            return False
        for i in range(s, e):
            covered[i] = True
        prev = e
    return all(covered[i] or text[i].isspace() for i in range(len(text)))


def _ours(lang: str) -> Callable[[str], Spans]:
    return lambda text: split_sentences(text)


def _pysbd(lang: str) -> Callable[[str], Spans]:
    import pysbd

    seg = pysbd.Segmenter(language=lang, clean=False, char_span=True)

    def run(text: str) -> Spans:
        spans = [(s.start, s.end) for s in seg.segment(text)]
        return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e - (len(text[s:e]) - len(text[s:e].rstrip())))
                for s, e in spans if text[s:e].strip()]  # fmt: skip

    return run


def _sentencex(lang: str) -> Callable[[str], Spans]:
    import sentencex

    return lambda text: _map_back(text, list(sentencex.segment(lang, text))) or []


def _blingfire(lang: str) -> Callable[[str], Spans]:
    import blingfire

    return lambda text: [tuple(o) for o in blingfire.text_to_sentences_and_offsets(text)[1]]  # type: ignore[misc]


SPLITTERS: dict[str, Callable[[str], Callable[[str], Spans]]] = {
    "ours": _ours,
    "pysbd": _pysbd,
    "sentencex": _sentencex,
    "blingfire": _blingfire,
}


def _passages() -> list[str]:
    corpus = build_corpus(load_articles(EXAMPLES), dedupe=False)
    return [p.text for s in corpus.sources for p in s.passages]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    passages = _passages()
    chars = sum(len(p) for p in passages)
    rows = []
    for name, make in SPLITTERS.items():
        try:
            splitters = {lang: make(lang) for lang in sorted({lang for lang, _ in GOLD} | {"en"})}
        except Exception as e:  # not installed, or the language is not supported
            rows.append([name, f"unavailable ({type(e).__name__})", "", "", ""])
            continue
        right = contract = 0
        for lang, sentences in GOLD:
            text = _paragraph(sentences, lang)
            spans = splitters[lang](text)
            right += [text[s:e] for s, e in spans] == sentences
            contract += _meets_contract(text, spans)
        en = splitters["en"]
        en(passages[0])
        ok = sum(_meets_contract(p, en(p)) for p in passages)
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            for p in passages:
                en(p)
        ms = (time.perf_counter() - t0) * 1000 / args.repeat / (chars / 1000)
        rows.append(
            [name, f"{right}/{len(GOLD)}", f"{contract}/{len(GOLD)}", f"{ok}/{len(passages)}", f"{ms:.3f}"]
        )
    body = (
        "Gold paragraphs: exactly right / meeting the offsets contract; example passages meeting the "
        "contract; "
        "speed on the example passages (English models).\n\n"
        + md_table(
            [
                "splitter",
                "gold paragraphs right",
                "gold: offsets contract",
                "example passages: contract",
                "ms per 1,000 chars",
            ],
            rows,
        )
    )
    outcome = Outcome(tables=[Table("sentences", "Sentence splitters: boundaries, offsets, speed", body)])
    if args.no_write:
        print(body)
    else:
        publish(outcome, command_line("sentences.py", argv), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
