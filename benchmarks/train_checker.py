"""Fit the checker's learned last step (`toolkit/check/decide.py`) on FRANK's `valid` split only.

    python benchmarks/train_checker.py [--data DIR] [--write]

For every summary sentence of the `valid` split whose label FRANK's aggregate fixes, the support
check of the sentence against its article (as in `benchmarks/factcheck.py`) gives the features of
`toolkit.check.decide.Signals`. A logistic regression (L2, Newton steps, numpy) is fitted with each of
CNN/DM and XSum weighted to equal mass and classes balanced within each (the two parts differ in
balance: 59% vs 8% consistent summaries). The threshold is then chosen on `valid` to maximise the
smaller of the two summary-level balanced accuracies while false alarms on consistent sentences
stay at most 9.5%. `--write` writes `toolkit/check/_decide_weights.py`. The `test` split is never read.

`--summhay N` (default 2) adds SummHay's gold insight-to-document links (Laban et al. 2024: LLM-written
paraphrases of news-like documents) of the instances whose index is a multiple of N: an insight
against a document that holds it is a positive, against a same-subtopic document that does not, a
negative (a third group, weighted half as much as each FRANK part: `SUMMHAY_WEIGHT`).
`benchmarks/citations.py` reports its held-out rows on the other instances only (`summhay_train`).
`--summhay 0` fits on FRANK alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _common import DEFAULT_DATA, ROOT, load_jsonl
from factcheck import article_text, casing, readable

from toolkit import build_corpus
from toolkit.check.decide import FEATURES, vector
from toolkit.check.verifier import SUPPORT_FLOOR, Verifier
from toolkit.models import Article

MAX_FALSE_ALARMS = 0.095
HEADER = (
    "Weights of `toolkit.check.decide`, written by `benchmarks/train_checker.py`\n"
    "(FRANK valid split and the gold links of every 2nd SummHay instance only)."
)
L2 = 1.0
# Mass of the SummHay group relative to each FRANK part: 0.5 from a 5-fold (by article) cross-validation
# on FRANK valid (0.1 / 0.25 / 0.5 / 1.0): the best smaller-part BA with SummHay training recall >= 80%.
SUMMHAY_WEIGHT = 0.5


def collect(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per summary sentence: features, whether the rules veto it, labels."""
    out: list[dict[str, Any]] = []
    verifiers: dict[str, tuple[Verifier, dict[str, str]]] = {}
    for row in rows:
        if row["hash"] not in verifiers:
            v = Verifier(build_corpus([Article(text=article_text(row["article"]))]))
            verifiers[row["hash"]] = (v, casing(row["article"]))
        v, case = verifiers[row["hash"]]
        for k, s in enumerate(row["sentences"]):
            text = readable(s["text"], case)
            ids = [p.id for p in v.passages]
            found = max(v.found(text, ids), key=lambda f: f.coverage)  # the best-matching passage
            assert found.signals is not None
            out.append(
                {
                    "x": vector(found.signals),
                    "veto": bool(found.conflict or found.gaps or found.coverage < SUPPORT_FLOOR),
                    "label": s["consistent"],
                    "summary": row["id"],
                    "summary_ok": row["consistent"],
                    "dataset": row["dataset"],
                    "k": k,
                    "wrong": row["n_inconsistent_sentences"],
                }
            )
    return out


def summhay_train(n: int, every: int) -> bool:
    """Whether SummHay instance `n` (its line in data.jsonl, from 0) is used to fit the weights."""
    return every > 0 and n % every == 0


def collect_summhay(path: Path, every: int) -> list[dict[str, Any]]:
    """One record per (insight, same-instance document) of the training instances of SummHay."""
    out: list[dict[str, Any]] = []
    if every <= 0 or not path.is_file():
        return out
    for n, row in enumerate(load_jsonl(path)):
        if not summhay_train(n, every):
            continue
        v = Verifier(build_corpus([Article(text=d, path=f"doc{k}") for k, d in enumerate(row["documents"])]))
        for i, insight in enumerate(row["insights"]):
            gold = set(insight["doc_indices"])
            for k, src in enumerate(v.corpus.sources):
                ids = [p.id for p in src.passages]
                if not ids:
                    continue
                found = max(v.found(str(insight["insight"]), ids), key=lambda f: f.coverage)
                assert found.signals is not None
                label = k in gold
                out.append(
                    {
                        "x": vector(found.signals),
                        "veto": bool(found.conflict or found.gaps or found.coverage < SUPPORT_FLOOR),
                        "label": label,
                        "summary": f"summhay-{n}-{i}-{k}",
                        "summary_ok": label,
                        "dataset": "summhay",
                        "k": 0,
                        "wrong": int(not label),
                    }
                )
    return out


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted L2 logistic regression by Newton's method; returns [bias, *weights]."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(xb.shape[1])
    reg = L2 * np.eye(xb.shape[1])
    reg[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(xb @ beta)))
        grad = xb.T @ (w * (p - y)) + reg @ beta
        hess = (xb * (w * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def train(records: list[dict[str, Any]], labels: Sequence[bool | None], keep: np.ndarray) -> np.ndarray:
    """Fit on the records with a label; each dataset's two classes weighted to equal mass."""
    rows = [(r, lab) for r, lab in zip(records, labels, strict=True) if lab is not None]
    x = np.asarray([r["x"] for r, _ in rows]) * keep
    y = np.asarray([float(lab) for _, lab in rows])
    w = np.zeros(len(rows))
    for ds in ("cnndm", "xsum", "summhay"):
        for label in (0.0, 1.0):
            mask = np.asarray([r["dataset"] == ds for r, _ in rows]) & (y == label)
            if mask.any():
                w[mask] = (SUMMHAY_WEIGHT if ds == "summhay" else 1.0) / mask.sum()
    w *= len(rows) / w.sum()
    return fit(x, y, w)


def fill_labels(records: list[dict[str, Any]], p: np.ndarray) -> list[bool | None]:
    """Labels for the sentences FRANK's aggregate leaves open: a summary with k wrong sentences out
    of n has its k least likely sentences (by the current fit) wrong, the rest right (one EM step)."""
    labels: list[bool | None] = [r["label"] for r in records]
    by: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by.setdefault(r["summary"], []).append(i)
    for idx in by.values():
        if any(labels[i] is None for i in idx):
            wrong = set(sorted(idx, key=lambda i: p[i])[: records[idx[0]]["wrong"]])
            for i in idx:
                labels[i] = i not in wrong
    return labels


def balanced(flags: Sequence[bool], bad: Sequence[bool]) -> float:
    f, b = np.asarray(flags), np.asarray(bad)
    return float((f[b].mean() + (~f[~b]).mean()) / 2)


def evaluate(records: list[dict[str, Any]], p: np.ndarray, threshold: float) -> dict[str, float]:
    flags = [r["veto"] or p[i] < threshold for i, r in enumerate(records)]
    out: dict[str, float] = {}
    for ds in ("cnndm", "xsum"):
        by: dict[str, list[bool]] = {}
        gold: dict[str, bool] = {}
        for r, f in zip(records, flags, strict=True):
            if r["dataset"] == ds:
                by.setdefault(r["summary"], []).append(f)
                gold[r["summary"]] = not r["summary_ok"]
        keys = sorted(by)
        out[ds] = balanced([any(by[k]) for k in keys], [gold[k] for k in keys])
    ok = [f for r, f in zip(records, flags, strict=True) if r["label"] is True and r["dataset"] != "summhay"]
    out["false_alarms"] = float(np.mean(ok))
    sh = [(not f, r["label"]) for r, f in zip(records, flags, strict=True) if r["dataset"] == "summhay"]
    if sh:
        tp = sum(1 for pred, gold in sh if pred and gold)
        out["summhay_recall"] = tp / max(sum(1 for _, gold in sh if gold), 1)
        out["summhay_precision"] = tp / max(sum(1 for pred, _ in sh if pred), 1)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA / "factcheck")
    parser.add_argument("--write", action="store_true", help="write toolkit/check/_decide_weights.py")
    parser.add_argument("--drop", default="", help="features to leave out, comma-separated")
    parser.add_argument("--fill", type=int, default=0, help="EM steps labelling open sentences")
    parser.add_argument("--summhay", type=int, default=2, help="train on SummHay instances n %% N == 0")
    parser.add_argument("--summhay-data", type=Path, default=DEFAULT_DATA / "summhay_news" / "data.jsonl")
    parser.add_argument("--min-recall", type=float, default=0.0, help="SummHay training recall floor")
    args = parser.parse_args(argv)
    rows = [r for r in load_jsonl(args.data / "data.jsonl") if r["split"] == "valid"]
    records = collect(rows) + collect_summhay(args.summhay_data, args.summhay)
    keep = np.asarray([f not in args.drop.split(",") for f in FEATURES], dtype=float)
    xa = np.hstack([np.ones((len(records), 1)), np.asarray([r["x"] for r in records]) * keep])
    beta = train(records, [r["label"] for r in records], keep)
    for _ in range(args.fill):
        beta = train(records, fill_labels(records, 1 / (1 + np.exp(-(xa @ beta)))), keep)
    p = 1 / (1 + np.exp(-(xa @ beta)))
    best: tuple[float, float, dict[str, float]] = (-1.0, 0.0, {})
    for threshold in np.linspace(0.05, 0.95, 91):
        m = evaluate(records, p, float(threshold))
        score = min(m["cnndm"], m["xsum"])
        recall_ok = m.get("summhay_recall", 1.0) >= args.min_recall
        if m["false_alarms"] <= MAX_FALSE_ALARMS and recall_ok and score > best[0]:
            best = (score, float(threshold), m)
    print("features:", ", ".join(f"{n} {b:+.3f}" for n, b in zip(("bias", *FEATURES), beta, strict=True)))
    print(f"threshold {best[1]:.2f} on valid: {best[2]}")
    print("rules only (no learned step):", evaluate(records, np.ones(len(records)), 0.5))
    if args.write:
        lines = "".join(f"    {b:.4f},  # {name}\n" for name, b in zip(FEATURES, beta[1:], strict=True))
        (ROOT / "toolkit" / "check" / "_decide_weights.py").write_text(
            f'"""{HEADER}"""\n\nBIAS = {beta[0]:.4f}\nWEIGHTS = (\n{lines})\nTHRESHOLD = {best[1]:.2f}\n',
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
