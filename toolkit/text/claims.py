"""The checkable parts of a sentence: quantities (as intervals), dates, names, negations and hedges.

    facts("Iraq arrested at least 13 Syrians on Friday.")
    -> quantities: 13 Syrians in [13, inf); dates: {"friday"}; names: Iraq, Syrians; ...

Hedged numbers become intervals ("at least 1,383" -> [1383, inf), "over 1,300" -> [1300, inf),
"nearly 10" -> [9, 10], "about 600" -> [540, 660]); a plain number is a point with a tolerance for
rounding ("1,400" may stand for 1,350..1,450). Two quantities are compatible when their intervals
meet. Pure functions over one text; no corpus knowledge except the optional set of `proper` words
(lower-cased words the corpus writes capitalised), used to tell a sentence-initial name ("Syria
announced") from an ordinary capitalised first word ("Relations between").
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .similarity import STOPWORDS
from .similarity import stem as _stem

__all__ = [
    "Facts",
    "Name",
    "Quantity",
    "Token",
    "compatible",
    "facts",
    "implies",
    "lemma",
    "proper_words",
    "stem",
    "tokenize",
]

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana and Han: no spaces between words
_TOKEN = re.compile(
    rf"(?P<cjk>[{_CJK}]+)|(?:[A-Z]\.){{2,}}|[^\W\d_{_CJK}]+\d[^\W{_CJK}]*"
    rf"|(?<![\d,.])\d{{1,3}}(?:, \d{{3}})+(?![\d,])"
    r"|\d+\. \d+(?= ?(?:million|billion|thousand|trillion|bn|mn|m|%|per ?cent|percent)\b)"
    rf"|\d+(?:[.,]\d+)*|[^\W\d_{_CJK}]+(?:['’][^\W\d_{_CJK}]+)*|[%$€£]"
)  # 周一 | U.S. | E85, B5 | "100, 000" and "1. 7 million" (tokenised text) | 1,383 | Shaibani's | %
CONTEXT = 6  # tokens each side of a number that say what is counted, by whom
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


_WORD_NUMBERS = {
    w: float(n)
    for n, w in enumerate(
        _words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
    if n >= 2
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TENS = frozenset(w for w, n in _WORD_NUMBERS.items() if n >= 20)
_WORD_NUMBERS |= {"dozen": 12.0, "hundred": 100.0}
_UNITS = {w: float(n) for n, w in enumerate(_words("one two three four five six seven eight nine"), start=1)}
_LOWER_BOUND = _phrases(
    "at least|more than|over|above|upwards of|in excess of|exceeding|no fewer than|no less than|"
    "greater than|a minimum of|a total of over"
)
_UPPER_BOUND = _phrases(
    "up to|at most|fewer than|less than|under|below|no more than|as many as|as high as|a maximum of"
)
_NEARLY = _phrases("nearly|almost|just under|close to|approaching")
_ABOUT = _phrases("about|around|approximately|roughly|some|an estimated|estimated|circa|almost exactly|or so")
_HEDGE_PHRASES = _LOWER_BOUND + _UPPER_BOUND + _NEARLY + _ABOUT
_NOUN_SKIP = frozenset(
    _words("full more additional other new total estimated separate different further extra")
)
MONTHS = _words("january february march april may june july august september october november december")
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
_PARTICLES = frozenset(_words("al el bin ibn bint ben abu de del da di van von der la le of"))
_COMMON_CAPS = STOPWORDS | frozenset(
    _words(
        "during amid following despite meanwhile after before since while although though in on at as "
        "this these those its their his her mr mrs ms dr now then here there yet still later earlier today"
    )
)
NEGATIONS = frozenset(_words("not no never neither nor none nobody nothing nowhere cannot"))
_ADDITIVE = frozenset(_words("only just merely simply"))  # "not only X but Y" negates nothing
_CONDITIONS = frozenset(_words("if unless whether lest"))
_NEG_VERBS = frozenset(_words("denied denies deny denying refused refuses refuse failed fails fail"))
_NEG_SKIP = frozenset(
    _words(
        "be been being is are was were am have has had do does did yet also a an the any to so only even "
        "ever always immediately officially publicly formally directly really longer"
    )
)
_CLAUSE_BREAK = frozenset(_words("and but or because while whereas although though after before when"))
HEDGES = frozenset(
    _words(
        "alleged allegedly reportedly reported accused suspected claimed claims claim purportedly "
        "apparently unconfirmed believed said says told according quoted"
    )
)
_LEMMAS = {"said": "say", "says": "say", "told": "tell", "went": "go", "made": "make", "took": "take"}
_LEMMAS |= {"gave": "give", "held": "hold", "met": "meet", "won": "win", "lost": "lose", "left": "leave"}
_LEMMAS |= {"began": "begin", "came": "come", "saw": "see", "fled": "flee", "sent": "send", "paid": "pay"}


@dataclass(frozen=True)
class Token:
    text: str  # as written ("Shaibani's", "1,383")
    low: str  # lower-cased, possessive 's removed
    start: int
    end: int


@dataclass(frozen=True)
class Quantity:
    """A number in the text: `text` as written with its hedge ("at least 1,383"), `value` scaled,
    [lo, hi] what it can mean, its noun; `start`/`end` span the number itself."""

    text: str
    value: float
    lo: float
    hi: float
    noun: str  # stem of the counted thing ("civilian", "year", "%"), "" if unknown
    start: int
    end: int
    context: frozenset[str] = frozenset()  # content stems around it (what is being counted, by whom)


@dataclass(frozen=True)
class Name:
    """A capitalised sequence ("Iraqi Prime Minister Mohammed Shia al-Sudani") and its name tokens."""

    text: str
    parts: tuple[str, ...]  # lower-cased, particles and possessives dropped
    start: int
    end: int
    context: frozenset[str]  # up to two content stems on each side (for swapped-name checks)


@dataclass(frozen=True)
class Facts:
    quantities: tuple[Quantity, ...]
    dates: frozenset[str]  # "friday", "december", "2024", "december 8"
    names: tuple[Name, ...]
    negated: tuple[str, ...]  # lemma of what each negation applies to ("visit", "true")
    hedges: frozenset[str]
    words: frozenset[str]  # every token: lower-cased and lemma/stem forms


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if m.lastgroup == "cjk":  # character bigrams stand in for words (as in Lucene's CJKAnalyzer)
            grams = [raw] if len(raw) == 1 else [raw[i : i + 2] for i in range(len(raw) - 1)]
            out.extend(Token(g, g, m.start() + i, m.start() + i + len(g)) for i, g in enumerate(grams))
            continue
        low = raw.lower().replace("’", "'")
        if "." in raw and raw[0].isalpha():
            low = low.replace(".", "")
        elif low.endswith("'s") and len(low) > 2:
            low = low[:-2]
        out.append(Token(raw, low, m.start(), m.end()))
    return out


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """`toolkit.text.similarity.stem`, memoised (names and context words repeat across a corpus)."""
    return _stem(word)


def lemma(word: str) -> str:
    low = word.lower()
    return _LEMMAS.get(low) or stem(low)


def facts(text: str, proper: Collection[str] = ()) -> Facts:
    toks = tokenize(text)
    quantities, dates = _numbers(text, toks)
    words = {t.low for t in toks} | {lemma(t.low) for t in toks if t.low.isalpha()}
    return Facts(
        quantities=tuple(quantities),
        dates=frozenset(dates | {t.low for t in toks if t.low in WEEKDAYS or _is_month(t)}),
        names=tuple(_names(text, toks, proper)),
        negated=tuple(_negations(toks)),
        hedges=frozenset(t.low for t in toks if t.low in HEDGES),
        words=frozenset(words),
    )


# --- numbers ---------------------------------------------------------------------------------------
def _value(tok: Token) -> float | None:
    raw = tok.text.replace(", ", ",").replace(". ", ".")
    if raw[0].isdigit():
        if _THOUSANDS.match(raw) or raw.count(",") > 1:
            return float(raw.replace(",", ""))
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            return None
    return _WORD_NUMBERS.get(tok.low)


def _is_month(tok: Token) -> bool:
    return tok.low in MONTHS and (tok.low != "may" or tok.text[0] == "M")


def _gap(text: str, a: Token, b: Token) -> str:
    return text[a.end : b.start]


def _numbers(text: str, toks: Sequence[Token]) -> tuple[list[Quantity], set[str]]:
    quantities: list[Quantity] = []
    dates: set[str] = set()
    skip_until = -1
    for i, tok in enumerate(toks):
        if i <= skip_until:
            continue
        value = _value(tok)
        if value is None or (tok.low == "hundred" and i and _value(toks[i - 1]) is not None):
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        prev = toks[i - 1] if i else None
        if nxt is not None and nxt.low in ("st", "nd", "rd", "th") and nxt.start == tok.end:
            skip_until = i + 1
            nxt = toks[i + 2] if i + 2 < len(toks) else None
        month = next((t.low for t in (prev, nxt) if t is not None and _is_month(t)), "")
        if month and value.is_integer() and 1 <= value <= 31 and tok.text.isdigit():
            dates.add(f"{month} {int(value)}")
            continue
        if _is_year(tok, value, nxt, _hedge_before(toks, i)):
            dates.add(tok.text)
            continue
        if _model_number(text, prev, tok):
            continue
        q, used = _quantity(text, toks, i, value)
        quantities.append(q)
        skip_until = max(skip_until, used)
    return quantities, dates


def _model_number(text: str, prev: Token | None, tok: Token) -> bool:
    """ "Demon 170", "Boeing 737": a bare integer right after a capitalised word names a thing."""
    if prev is None or not tok.text.isdigit() or text[prev.end : tok.start] != " ":
        return False
    word = prev.low
    return prev.text[0].isupper() and word.isalpha() and word not in _COMMON_CAPS and not _hedge_word(word)


def _is_year(tok: Token, value: float, nxt: Token | None, hedge: str) -> bool:
    if not (tok.text.isdigit() and len(tok.text) == 4 and 1800 <= value <= 2100):
        return False
    if hedge and hedge not in ("over", "under", "above", "below", "some", "around", "since"):
        return False
    return nxt is None or not (nxt.low.isalpha() and nxt.low.endswith("s") and nxt.low not in _SCALES)


def _hedge_before(toks: Sequence[Token], i: int) -> str:
    before = " ".join(t.low for t in toks[max(0, i - 3) : i])
    for phrase in _HEDGE_PHRASES:
        if before == phrase or before.endswith(" " + phrase):
            return phrase
    return ""


def _quantity(text: str, toks: Sequence[Token], i: int, value: float) -> tuple[Quantity, int]:
    """The quantity starting at token i: scale words, ranges, the hedge before and the noun after."""
    tok, j = toks[i], i
    end = tok.end
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    joined = nxt is not None and _gap(text, tok, nxt).strip() in ("", "-")
    if tok.low in _TENS and nxt is not None and joined and nxt.low in _UNITS:
        value, j = value + _UNITS[nxt.low], i + 1  # "fifty-two", "twenty one"
    scale, unit_digits = 1.0, _unit(tok.text, value)
    hi_value: float | None = None
    k = j + 1
    if k < len(toks) and toks[k].low in _WORD_NUMBERS and value < 10 <= _WORD_NUMBERS[toks[k].low]:
        scale = _WORD_NUMBERS[toks[k].low]  # "two hundred", "a dozen"-style multipliers
        j, k = k, k + 1
    elif k < len(toks) and toks[k].low in _SCALES and _gap(text, tok, toks[k]).strip() in ("", "-"):
        scale = _SCALES[toks[k].low]
        j, k = k, k + 1
    joiner = toks[k].low if k < len(toks) and toks[k].low in ("to", "and") else ""
    n = k + 1 if joiner else k
    if n < len(toks) and (v2 := _value(toks[n])) is not None and v2 > value:
        dash = not joiner and _gap(text, toks[j], toks[n]).strip() in ("-", "–")
        if dash or joiner == "to" or (joiner == "and" and _word_before(toks, i) == "between"):
            hi_value, j, k = v2 * scale, n, n + 1
    unit = ""
    if k < len(toks) and toks[k].low in ("%", "percent"):
        unit, j, k = "%", k, k + 1
    elif k + 1 < len(toks) and toks[k].low == "per" and toks[k + 1].low == "cent":
        unit, j, k = "%", k + 1, k + 2
    if i and toks[i - 1].low in ("$", "€", "£"):
        unit = toks[i - 1].low
    end = toks[j].end
    v = value * scale
    tol = min(unit_digits * scale / 2, 0.1 * v) if v >= 100 else 0.5 * unit_digits * scale
    hedge = _hedge_before(toks, i)
    lo, hi = _interval(v, hi_value, tol, hedge, _after(toks, j))
    noun = (unit + " " + _casualties(toks, i, j, _noun(text, toks, i, j))).strip()
    written = (hedge + " " if hedge else "") + text[tok.start : end]
    around = [t for t in (*toks[max(0, i - CONTEXT) : i], *toks[j + 1 : j + 1 + CONTEXT]) if t.low.isalpha()]
    context = frozenset(stem(t.low) for t in around if t.low not in STOPWORDS) - {noun}
    return Quantity(written, v, lo, hi, noun, tok.start, end, context), j


def _unit(raw: str, value: float) -> float:
    """The place value of the last written digit (1,300 -> 100; 1.5 -> 0.1; 13 -> 1)."""
    if not raw[0].isdigit():
        return 1.0
    digits = raw.replace(" ", "").replace(",", "")
    if "." in digits:
        return 10.0 ** -len(digits.split(".", 1)[1])
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped and value >= 100 else 1.0


def _interval(v: float, hi_value: float | None, tol: float, hedge: str, after: str) -> tuple[float, float]:
    if hi_value is not None:
        return v - tol, hi_value + tol
    if hedge in _LOWER_BOUND or after in ("plus", "or more", "+"):
        return v - tol, math.inf
    if hedge in _UPPER_BOUND:
        return 0.0, v + tol
    if hedge in _NEARLY:
        return 0.9 * v - tol, v + tol
    if hedge in _ABOUT or after == "or so":
        return 0.9 * v - tol, 1.1 * v + tol
    return v - tol, v + tol


def _after(toks: Sequence[Token], j: int) -> str:
    return " ".join(t.low for t in toks[j + 1 : j + 3]) if j + 1 < len(toks) else ""


def _word_before(toks: Sequence[Token], i: int) -> str:
    return toks[i - 1].low if i else ""


def _noun(text: str, toks: Sequence[Token], i: int, j: int) -> str:
    """The counted thing: the first content word after the number (same clause), else the one before."""
    prev = toks[j]
    for t in toks[j + 1 : j + 4]:
        if _gap(text, prev, t).strip() not in ("", "-"):
            break
        if t.low.isalpha() and t.low not in STOPWORDS and t.low not in _NOUN_SKIP:
            return _singular(stem(t.low))
        prev = t
    for t in reversed(toks[max(0, i - 3) : i]):
        if t.low.isalpha() and t.low not in STOPWORDS and not _hedge_word(t.low):
            return _singular(stem(t.low))
    return ""


# A death toll is one fact however it is worded: "killed 200,000 people", "222,570 deaths", "the death toll
# ... is 110,000", "claimed 12 lives". Counts of people (not of a named group such as civilians or
# soldiers) next to a word of dying are counted as the noun "dead", so sources that word the toll
# differently still agree or disagree on it.
DEAD = "dead"  # the noun of a death toll
_DEATH_NOUNS = frozenset(("death", "dead", "fatality", "liv", "life"))
_PEOPLE_NOUNS = frozenset(("people", "person", "individual", "victim", ""))
_DEATH_CUES = frozenset(("kill", "killed", "died", "die", "dead", "death", "fatality", "fatal"))
CASUALTY_WINDOW = 3  # tokens either side of the number (and its noun) where the word of dying must be
# Chinese: "300人死亡" / "300人遇难" (number, 人 "people", a word of dying; tokens are character bigrams)
_CJK_DEATH = frozenset(("死亡", "遇难", "丧生", "罹难", "身亡", "死难"))


def _casualties(toks: Sequence[Token], i: int, j: int, noun: str) -> str:
    if noun in _DEATH_NOUNS or _after_death_toll(toks, i):
        return DEAD
    if noun[:1] == "人" and any(t.low in _CJK_DEATH for t in toks[j + 1 : j + 3]):
        return DEAD
    if noun not in _PEOPLE_NOUNS:
        return noun
    near = [*toks[max(0, i - CASUALTY_WINDOW) : i], *toks[j + 1 : j + 2 + CASUALTY_WINDOW]]
    if any(_singular(stem(t.low)) in _DEATH_CUES for t in near if t.low.isalpha()):
        return DEAD
    return noun


def _after_death_toll(toks: Sequence[Token], i: int) -> bool:
    """The first number after "death toll" in its sentence ("the death toll, as of Friday, is estimated
    to be 110,000"; "the death toll rose as high as 200,000")."""
    before = toks[max(0, i - 10) : i]
    for k in range(len(before) - 1, 0, -1):
        if before[k].low in ".;!?" or _value(before[k]) is not None:
            return False
        if before[k].low == "toll" and before[k - 1].low == "death":
            return True
    return False


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _hedge_word(word: str) -> bool:
    return any(word in p.split() for p in _HEDGE_PHRASES)


def compatible(a: Quantity, b: Quantity) -> bool:
    """Can both be true of the same thing? ("at least 1,383" and "over 1,300": yes.)"""
    return a.lo <= b.hi and b.lo <= a.hi


def implies(held: Quantity, claimed: Quantity) -> bool:
    """Does a source saying `held` establish `claimed`? ("at least 1,383" -> "over 1,300": yes;
    "at least 1,383" -> "2,500" or "1,383": no, only compatible.)"""
    eps = 1e-9 * max(abs(claimed.value), 1.0)
    return claimed.lo - eps <= held.lo and held.hi <= claimed.hi + eps


# --- names ----------------------------------------------------------------------------------------
def proper_words(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(words written in lower case somewhere, words written capitalised mid-sentence more often)."""
    lower: dict[str, int] = {}
    caps: dict[str, int] = {}
    for text in texts:
        for i, tok in enumerate(tokenize(text)):
            if not tok.low.isalpha():
                continue
            if tok.text[0].isupper():
                if i:
                    caps[tok.low] = caps.get(tok.low, 0) + 1
            else:
                lower[tok.low] = lower.get(tok.low, 0) + 1
    return frozenset(lower), frozenset(w for w, n in caps.items() if n > lower.get(w, 0))


def _capital(tok: Token) -> bool:
    return tok.text[0].isupper() and tok.low.isalnum()


def _initial(text: str, tok: Token) -> bool:
    before = text[: tok.start].rstrip(" \t\"'“‘([")
    return not before or before[-1] in ".!?:;\n"


def _names(text: str, toks: Sequence[Token], proper: Collection[str]) -> list[Name]:
    names: list[Name] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if not _capital(tok) or not _starts_name(text, toks, i, proper):
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and _gap(text, toks[j], toks[j + 1]).strip() in ("", "-"):
            nxt = toks[j + 1]
            joinable = nxt.low in _PARTICLES and j + 2 < len(toks) and _capital(toks[j + 2])
            if not (_capital(nxt) or joinable) or toks[j].text.lower().endswith(("'s", "’s")):
                break
            j += 1
        parts = tuple(t.low for t in toks[i : j + 1] if t.low not in _PARTICLES and len(t.low) > 1)
        parts = tuple(p for p in parts if p not in _COMMON_CAPS and p not in MONTHS and p not in WEEKDAYS)
        if parts:
            ctx = _context(toks, i, j)
            names.append(Name(text[tok.start : toks[j].end], parts, tok.start, toks[j].end, ctx))
        i = j + 1
    return names


def _starts_name(text: str, toks: Sequence[Token], i: int, proper: Collection[str]) -> bool:
    tok = toks[i]
    if not _initial(text, tok):
        return tok.low not in _COMMON_CAPS or tok.text.isupper()
    if tok.low in _COMMON_CAPS:
        return False
    return tok.low in proper or (i + 1 < len(toks) and _capital(toks[i + 1]))


def _context(toks: Sequence[Token], i: int, j: int) -> frozenset[str]:
    def content(ts: Sequence[Token]) -> list[str]:
        skip = STOPWORDS | _PARTICLES
        return [stem(t.low) for t in ts if t.low.isalpha() and t.low not in skip and not _capital(t)]

    left = content(toks[max(0, i - 6) : i])[-2:]
    right = content(toks[j + 1 : j + 7])[:2]
    return frozenset(left + right)


# --- negation -------------------------------------------------------------------------------------
def _negations(toks: Sequence[Token]) -> list[str]:
    """For each negation, the lemma of what it applies to ("did not visit" -> "visit"). Negations in
    conditions ("if they aren't produced") and additive "not only / not just" are left out."""
    out: list[str] = []
    for i, tok in enumerate(toks):
        low = tok.low
        if not (low in NEGATIONS or low.endswith("n't") or low in _NEG_VERBS):
            continue
        nxt = toks[i + 1].low if i + 1 < len(toks) else ""
        if nxt in _ADDITIVE or any(t.low in _CONDITIONS for t in toks[max(0, i - 8) : i]):
            continue
        for t in toks[i + 1 : i + 5]:
            if t.low in _CLAUSE_BREAK:  # "failed, and ...": the negation ends with its clause
                out.append("")
                break
            if t.low not in _NEG_SKIP and t.low.isalpha() and t.low not in STOPWORDS:
                out.append(lemma(t.low))
                break
        else:
            out.append("")
    return out
