"""Event grouping on noisy folders: real clusters, real distractor pages and noise, against a baseline.

    python benchmarks/grouping.py --pages PAGES [--data DIR] [--out DIR] [--mixes N]

PAGES (or the environment variable BRIEF_PAGES under run_all) is the `tests/` folder of a checkout
of github.com/adbar/trafilatura (its `cache/` and `eval/` HTML test pages). Pages are read by path,
never copied into this repository; those marked English (`<html lang="en...">`, a few are not) with
at least `MIN_WORDS` words after loading are the distractor pool. Nearly
every page is its own topic, so a group that joins a distractor with anything else is counted as a
false merge and printed for a check by eye.

Folders (articles loaded as a user's would be: .txt through `load_articles`, pages as HTML):

- `mix k` (k = 1..N, from `--seed`; the grouping's constants were tuned on seed 19, so seed 7 is
  the held-out check): three MultiLing 2011 clusters (30 articles) + 12 distractor pages +
  6 noise documents written here (embed notices, web-archive crawl notes, galleries, a lone "Send",
  cookie walls, share bars); a third of the cluster articles start with a photo caption/credit line
  as saved pages do (titles must not come from it).
- `six small`: six clusters cut to 2-4 articles each (the shape of the folders that failed in the
  issue) + 8 distractors + 6 noise documents.
- `all ten`: all ten MultiLing clusters (100) + 40 distractors + 12 noise documents.
- `seeds`: the bundled example folder (5 articles, two events of one topic).

Gold: the MultiLing cluster id; every distractor and noise document is its own label. An article the
grouping sets aside as "not an article" counts as a group of its own. Purity: each group counts its
most common gold label; inverse purity: each gold label counts its most common group. False merges:
groups of two or more holding a distractor or noise document with anything of another label.
Caption titles: group labels that start like a caption, credit or embed notice.

Baseline: scikit-learn `TfidfVectorizer(sublinear_tf=True, stop_words="english")` on the same loaded
texts + `AgglomerativeClustering(metric="cosine", linkage="average", distance_threshold=d)`, at fixed
cuts d; the main table shows the cut with the best mean F1 over the mixes (tuned on this data, which
favours the baseline), the second table every cut.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import DEFAULT_DATA, EXAMPLES, RESULTS, Outcome, Table, Target, load_jsonl, publish

from toolkit.group.grouping import group_articles
from toolkit.ingest.loading import load_articles
from toolkit.models import Article

SEED_GOLD = ["visit", "visit", "visit", "december", "december"]
MIN_WORDS = 120
BASELINE_CUTS = (0.7, 0.8, 0.85, 0.9, 0.95)
CAPTION = re.compile(
    r"^\s*(image|photo|picture|media) (copyright|caption|credit)|^\s*(getty|reuters|ap photo|afp)\b"
    r"|^\s*(view this post|skip (twitter|instagram|facebook|youtube) post|this content is"
    r"|allow (cookies|content))",
    re.IGNORECASE,
)

_PEOPLE = ["Maria Lopez", "Tom Becker", "Aisha Khan", "Lee Min-jun", "Olga Petrova", "Sam Carter"]
_AGENCIES = ["Reuters", "Getty Images", "AFP", "EPA", "AP Photo", "PA Media"]


def noise_documents(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` boilerplate-only documents of the kinds saved web pages are made of (name, text)."""
    person, agency, other = rng.choice(_PEOPLE), rng.choice(_AGENCIES), rng.choice(_PEOPLE)
    day = f"{rng.randint(1, 28)} {rng.choice(['Mar', 'Jun', 'Oct', 'Dec'])} 20{rng.randint(10, 23)}"
    kinds = [
        (
            "embed",
            f"Skip Twitter post by @{person.split()[0].lower()}\n\nAllow Twitter content?\n\n"
            "This article contains content provided by Twitter. We ask for your permission before anything "
            "is loaded, as they may be using cookies and other technologies. You may want to read Twitter's "
            "cookie policy and privacy policy before accepting. To view this content choose 'accept and "
            f"continue'.\n\nAccept and continue\n\nEnd of Twitter post by @{person.split()[0].lower()}",
        ),
        (
            "instagram",
            f"View this post on Instagram\n\nA post shared by {person} (@{other.split()[1].lower()}_official)"
            f"\n\n{day}",
        ),
        (
            "crawl",
            f"The Wayback Machine - https://web.archive.org/web/20{rng.randint(10, 23)}0{rng.randint(1, 9)}"
            f"/https://news.example.{rng.choice(['com', 'org', 'net'])}/story\n\nThis page was captured on "
            f"{day}. Crawl data donated by Internet Archive. The capture timestamp is shown in the URL. "
            "Collection: Wide Crawl Number 17.",
        ),
        (
            "gallery",
            f"Image 1 of {rng.randint(8, 20)}\n\nImage copyright {agency}\n\nImage caption {person} arrives "
            f"for the ceremony\n\nNext image\n\nPrevious image\n\nPhoto: {other} / {agency}",
        ),
        ("send", "Send"),
        (
            "share",
            "Share this with\n\nEmail\n\nFacebook\n\nMessenger\n\nTwitter\n\nPinterest\n\nWhatsApp\n\n"
            "LinkedIn\n\nCopy this link",
        ),
        (
            "cookies",
            "We use cookies to improve your experience on our site and to show you relevant advertising. "
            "By continuing to browse you agree to our use of cookies. Manage preferences. Accept all.",
        ),
        (
            "video",
            f"Media playback is unsupported on your device\n\nMedia caption {person} speaks to reporters"
            f"\n\nVideo by {other}",
        ),
    ]
    rng.shuffle(kinds)
    return [kinds[k % len(kinds)] for k in range(count)]


def with_caption(rng: random.Random, text: str) -> str:
    """A saved page's photo caption and credit in front of the story."""
    person, agency = rng.choice(_PEOPLE), rng.choice(_AGENCIES)
    return f"Image copyright {agency}\n\nImage caption {person} pictured earlier this week\n\n{text}"


def english_pages(pages: Path) -> list[Article]:
    """Distractor pool: English test pages with at least `MIN_WORDS` words once loaded, by file name."""
    lang = re.compile(r"<html[^>]*\blang=[\"']?en", re.IGNORECASE)
    paths = sorted(
        p
        for sub in ("cache", "eval")
        for p in (pages / sub).glob("*.htm*")
        if lang.search(p.read_text(encoding="utf-8", errors="replace")[:5000])
    )
    loaded = load_articles([str(p) for p in paths], skip_bad=True)
    return [a for a in loaded if len(a.text.split()) >= MIN_WORDS]


@dataclass
class Folder:
    name: str
    articles: list[Article]
    gold: list[str]
    kinds: list[str]  # "cluster", "distractor" or "noise" per article


def build_folders(
    clusters: Sequence[dict[str, object]], pool: Sequence[Article], mixes: int, seed: int = 19
) -> list[Folder]:
    rng = random.Random(seed)
    folders: list[Folder] = []

    def folder(name: str, picked: Sequence[tuple[str, Sequence[str]]], n_pages: int, n_noise: int) -> Folder:
        arts: list[Article] = []
        gold: list[str] = []
        kinds: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            k = 0
            for j in range(max(len(d) for _, d in picked)):  # interleaved, as a mixed folder would be
                for cid, docs in picked:
                    if j < len(docs):
                        text = with_caption(rng, docs[j]) if rng.random() < 1 / 3 else docs[j]
                        path = Path(tmp) / f"{k:03d}_{cid[-4:]}.txt"
                        path.write_text(text, encoding="utf-8")
                        arts.extend(load_articles(str(path)))
                        gold.append(cid)
                        kinds.append("cluster")
                        k += 1
            for noise_name, text in noise_documents(rng, n_noise):
                path = Path(tmp) / f"{k:03d}_{noise_name}.txt"
                path.write_text(text, encoding="utf-8")
                arts.extend(load_articles(str(path)))
                gold.append(f"noise:{k}")
                kinds.append("noise")
                k += 1
        for page in rng.sample(list(pool), min(n_pages, len(pool))):
            arts.append(page)
            gold.append(f"page:{page.path}")
            kinds.append("distractor")
        order = list(range(len(arts)))
        rng.shuffle(order)
        return Folder(name, [arts[i] for i in order], [gold[i] for i in order], [kinds[i] for i in order])

    docs = [(str(c["id"]), list(c["documents"])) for c in clusters]  # type: ignore[call-overload]
    for m in range(mixes):
        folders.append(folder(f"mix {m + 1}", rng.sample(docs, 3), 12, 6))
    small = [(cid, d[: rng.randint(2, 4)]) for cid, d in rng.sample(docs, 6)]
    folders.append(folder("six small", small, 8, 6))
    folders.append(folder("all ten", docs, 40, 12))
    return folders


def scores(assignments: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """(purity, inverse purity, F1) of a flat clustering against gold labels."""

    def pure(a: Sequence[str], b: Sequence[str]) -> float:
        by: dict[str, Counter[str]] = {}
        for x, y in zip(a, b, strict=True):
            by.setdefault(x, Counter())[y] += 1
        return sum(c.most_common(1)[0][1] for c in by.values()) / len(a)

    p, ip = pure(assignments, gold), pure(gold, assignments)
    return p, ip, 2 * p * ip / (p + ip)


def false_merges(folder: Folder, assignments: Sequence[str]) -> list[list[int]]:
    """Groups of 2+ that hold a distractor or noise document with something of another label."""
    members: dict[str, list[int]] = {}
    for i, g in enumerate(assignments):
        members.setdefault(g, []).append(i)
    return [
        idx
        for idx in members.values()
        if len(idx) > 1
        and len({folder.gold[i] for i in idx}) > 1
        and any(folder.kinds[i] != "cluster" for i in idx)
    ]


@dataclass
class Result:
    purity: float
    inverse: float
    f1: float
    groups: int
    merges: list[list[int]]
    set_aside: int = 0
    noise_aside: int = 0
    caption_titles: int = 0


def ours(folder: Folder) -> Result:
    grouping = group_articles(folder.articles)
    assignments = [g or f"aside:{i}" for i, g in enumerate(grouping.assignments)]
    aside = {x.index for x in getattr(grouping, "not_articles", ())}
    return Result(
        *scores(assignments, folder.gold),
        groups=len(grouping.groups),
        merges=false_merges(folder, assignments),
        set_aside=len(aside),
        noise_aside=sum(1 for i in aside if folder.kinds[i] == "noise"),
        caption_titles=sum(1 for g in grouping.groups if CAPTION.search(g.label)),
    )


def baseline(folder: Folder, cut: float) -> Result:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [a.text for a in folder.articles]
    )
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=cut
    ).fit_predict(x.toarray())
    assignments = [str(lab) for lab in labels]
    return Result(
        *scores(assignments, folder.gold),
        groups=len(set(assignments)),
        merges=false_merges(folder, assignments),
    )


def run(
    data: Path, pages: Path | None = None, mixes: int = 5, seed: int = 19, name: str = "grouping"
) -> Outcome:
    if pages is None:  # run_all: the pages folder from the environment
        pages = Path(os.environ.get("BRIEF_PAGES", ""))
        if not (pages / "eval").is_dir():
            raise FileNotFoundError(
                "set BRIEF_PAGES to trafilatura's tests/ folder (see benchmarks/grouping.py)"
            )
    clusters = load_jsonl(data / "multiling2011_en" / "data.jsonl")
    pool = english_pages(pages)
    print(f"distractor pool: {len(pool)} English pages", file=sys.stderr)
    folders = build_folders(clusters, pool, mixes, seed)
    seeds = sorted(EXAMPLES.glob("[0-9][0-9][0-9]_*.txt"))
    seed_articles = list(load_articles([str(p) for p in seeds]))
    folders.append(Folder("seeds", seed_articles, SEED_GOLD, ["cluster"] * len(seed_articles)))

    start = time.perf_counter()
    mine = {f.name: ours(f) for f in folders}
    our_seconds = time.perf_counter() - start
    base = {cut: {f.name: baseline(f, cut) for f in folders} for cut in BASELINE_CUTS}
    mix_names = [f.name for f in folders if f.name.startswith("mix")]
    best = max(BASELINE_CUTS, key=lambda c: statistics.mean(base[c][n].f1 for n in mix_names))

    lines = [
        f"Distractor pool: {len(pool)} pages marked English (lang=en; a few are not) from trafilatura's "
        "test pages. Baseline: TF-IDF + "
        f"average-linkage agglomerative clustering at cosine distance {best} (the best of "
        f"{', '.join(map(str, BASELINE_CUTS))} by mean F1 over the mixes).",
        "",
        "| folder | articles (clusters + pages + noise) | ours: purity | inv. purity | false merges "
        "| noise set aside | caption titles | baseline: purity | inv. purity | false merges |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in folders:
        r, b = mine[f.name], base[best][f.name]
        count = Counter(f.kinds)
        lines.append(
            f"| {f.name} | {len(f.articles)} ({count['cluster']} + {count['distractor']} + {count['noise']}) "
            f"| {r.purity:.3f} | {r.inverse:.3f} | {len(r.merges)} | {r.noise_aside}/{count['noise']} "
            f"| {r.caption_titles} | {b.purity:.3f} | {b.inverse:.3f} | {len(b.merges)} |"
        )
        print(lines[-1], file=sys.stderr)

    def mean(results: dict[str, Result], attr: str) -> float:
        return statistics.mean(float(getattr(results[n], attr)) for n in mix_names)

    lines += [
        "",
        f"Mean over the {len(mix_names)} mixes: ours purity {mean(mine, 'purity'):.3f}, inverse purity "
        f"{mean(mine, 'inverse'):.3f}, F1 {mean(mine, 'f1'):.3f}, false merges "
        f"{sum(len(mine[n].merges) for n in mix_names)}; baseline purity {mean(base[best], 'purity'):.3f}, "
        f"inverse purity {mean(base[best], 'inverse'):.3f}, F1 {mean(base[best], 'f1'):.3f}, false merges "
        f"{sum(len(base[best][n].merges) for n in mix_names)}. Ours took {our_seconds:.1f} s in all.",
        "",
        "Baseline at every cut (mean over the mixes; then the all-ten folder):",
        "",
        "| cosine distance cut | purity | inverse purity | F1 | false merges | all ten: purity | inv. p. |",
        "|---|---|---|---|---|---|---|",
    ]
    for cut in BASELINE_CUTS:
        merges = sum(len(base[cut][n].merges) for n in mix_names)
        at = base[cut]["all ten"]
        lines.append(
            f"| {cut} | {mean(base[cut], 'purity'):.3f} | {mean(base[cut], 'inverse'):.3f} | "
            f"{mean(base[cut], 'f1'):.3f} | {merges} | {at.purity:.3f} | {at.inverse:.3f} |"
        )
    lines += clean_triples(clusters, best)
    lines += ["", "False merges made by ours (for a check by eye):", ""]
    shown = 0
    for f in folders:
        for idx in mine[f.name].merges:
            names = "; ".join(f"{f.kinds[i]} {_name(f.articles[i])}" for i in idx)
            lines.append(f"- {f.name}: {names}")
            shown += 1
    if not shown:
        lines.append("- none")
    merges = sum(len(mine[n].merges) for n in mix_names)
    targets = [
        Target(
            "grouping, noisy mixes: purity >= 0.95",
            f"{mean(mine, 'purity'):.3f}",
            mean(mine, "purity") >= 0.95,
        ),
        Target(
            "grouping, noisy mixes: inverse purity >= 0.90",
            f"{mean(mine, 'inverse'):.3f}",
            mean(mine, "inverse") >= 0.90,
        ),
        Target("grouping, noisy mixes: no false merges", str(merges), merges == 0),
    ]
    return Outcome([Table(name, "Event grouping on noisy folders", "\n".join(lines) + "\n")], targets)


def clean_triples(clusters: Sequence[dict[str, object]], cut: float) -> list[str]:
    """Every triple of MultiLing clusters alone (30 articles, no pages, no noise), ours and baseline."""
    results: list[tuple[Result, Result]] = []
    for trio in itertools.combinations(clusters, 3):
        arts: list[Article] = []
        gold: list[str] = []
        for j in range(10):
            for c in trio:
                docs = list(c["documents"])  # type: ignore[call-overload]
                if j < len(docs):
                    arts.append(Article(text=docs[j], path=f"{str(c['id'])[-4:]}_{j:02d}.txt"))
                    gold.append(str(c["id"]))
        folder = Folder("triple", arts, gold, ["cluster"] * len(arts))
        results.append((ours(folder), baseline(folder, cut)))

    def avg(k: int, attr: str) -> float:
        return statistics.mean(float(getattr(r[k], attr)) for r in results)

    return [
        "",
        f"Clean folders: all {len(results)} triples of MultiLing clusters alone (30 articles, no pages, "
        "no noise).",
        "",
        "| | purity | inverse purity | F1 | groups |",
        "|---|---|---|---|---|",
        f"| ours | {avg(0, 'purity'):.3f} | {avg(0, 'inverse'):.3f} | {avg(0, 'f1'):.3f} "
        f"| {avg(0, 'groups'):.1f} |",
        f"| baseline ({cut}) | {avg(1, 'purity'):.3f} | {avg(1, 'inverse'):.3f} | {avg(1, 'f1'):.3f} "
        f"| {avg(1, 'groups'):.1f} |",
    ]


def _name(article: Article) -> str:
    head = article.title or " ".join(article.text.split()[:8])
    base = Path(article.path).name
    return f"{base} ({' '.join(head.split())[:60]})"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--pages", type=Path, required=True, help="trafilatura checkout's tests/ folder")
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder for grouping.md")
    ap.add_argument("--name", default="grouping", help="results file name (without .md)")
    ap.add_argument("--mixes", type=int, default=5)
    ap.add_argument("--seed", type=int, default=19, help="seed of the mixes (19: the ones tuned on)")
    args = ap.parse_args(argv)
    ml_path = args.data / "multiling2011_en" / "data.jsonl"
    if not ml_path.exists():
        print(f"no dev data at {ml_path} (pass --data DIR)", file=sys.stderr)
        return 2
    if not (args.pages / "eval").is_dir():
        print(f"no test pages at {args.pages}/eval (pass trafilatura's tests/ folder)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    outcome = run(args.data, args.pages, args.mixes, args.seed, args.name)
    command = f"python benchmarks/grouping.py --pages PAGES --mixes {args.mixes} --seed {args.seed}"
    publish(outcome, command, args.out, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
