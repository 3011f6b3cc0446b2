"""What evidence holds of a claim's facts: numbers, dates, names and polarity (pure functions).

Each function compares the `Facts` of a summary sentence with the facts of the cited passage(s) and
names what is missing (a "gap": the sentence is at best partly supported) or what clashes (a
contradiction: an incompatible number for the same noun, or opposite polarity).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from .claims import DEAD, Facts, Name, Quantity, compatible, implies

__all__ = ["close", "date_gaps", "name_gaps", "number_gaps", "polarity", "same_name"]


def number_gaps(
    claim: Facts, held: Sequence[Quantity], aligned: Sequence[Quantity] = ()
) -> tuple[list[str], list[str], str]:
    """(gaps, loose, conflict): numbers the evidence does not hold, numbers it holds only loosely,
    and the first one it contradicts.

    A number is established when a held number about the same noun implies it ("at least 1,383"
    implies "over 1,300"); one merely compatible ("five per cent" where the passage says "nearly
    five per cent") is `loose`: the sentence drops a hedge; one with no compatible number is a gap.
    It is contradicted by an incompatible number for the same noun in the `aligned` sentences
    (those matching the claim) said in the same words around it, unless the claim also states
    that number."""
    gaps: list[str] = []
    loose: list[str] = []
    conflict = ""
    for q in claim.quantities:
        relevant = [
            p for p in held if _same_noun(q.noun, p.noun) or (close(q.value, p.value) and _akin(q, p))
        ]
        if any(implies(p, q) for p in relevant):
            continue
        near = [p for p in relevant if compatible(q, p)]
        what = q.text + (f" {q.noun}" if q.noun else "")
        if near and close(q.value, near[0].value):  # "five per cent" for "nearly five per cent"
            loose.append(f"{what} (the passage gives {near[0].text})")
            continue
        gaps.append(f"{what} (the passage gives {near[0].text})" if near else what)
        clash = [
            p
            for p in aligned
            if q.noun
            and p.noun == q.noun
            and q.context & p.context
            and not any(compatible(p, c) for c in claim.quantities)
        ]
        if clash and not conflict:
            conflict = f"gives {clash[0].text} {q.noun} where the sentence says {q.text}"
    return gaps, loose, conflict


def _same_noun(a: str, b: str) -> bool:
    return a == b or not a or not b


def _akin(a: Quantity, b: Quantity) -> bool:
    """May two numbers with different nouns be the same figure (a noun read wrongly)? Not when one
    is a death toll: "310,000 injured" never establishes "300,000 died"."""
    return DEAD not in (a.noun, b.noun)


def close(a: float, b: float) -> bool:
    """Within 15% of each other (the same figure, differently rounded or hedged)."""
    return abs(a - b) <= 0.15 * max(abs(a), abs(b))


def date_gaps(claim: Facts, words: Collection[str], held: Sequence[Facts]) -> list[str]:
    return [d for d in sorted(claim.dates) if d not in words and not any(d in f.dates for f in held)]


def name_gaps(
    names: Sequence[Name],
    words: frozenset[str],
    held: Sequence[Name],
    lower: Collection[str],
    *,
    swaps: bool = True,
    window: frozenset[str] | None = None,
) -> list[str]:
    """Names of the sentence the evidence lacks, gets wrong ("Asaad al-Sudani"), or (with `swaps`, for
    sentences worded like the evidence) has another name in the place of ("Iraq's interim foreign
    minister" where the passage says "Syria's interim foreign minister")."""
    gaps: list[str] = []
    if not names:
        return gaps
    initials = _by_initial(words)
    for name in names:
        held_words = all(_word_held(part, words, initials) for part in name.parts)
        if not held_words or _pair_missing(name.parts, held, lower):
            gaps.append(name.text)
        elif other := _other_title(name, held):
            gaps.append(f"{name.text} (the passage has {other})")
        elif swaps and (swapped := _swapped(name, held, names)):
            gaps.append(f"{name.text} (the passage has {swapped} there)")
    return gaps


def _other_title(name: Name, held: Sequence[Name]) -> str:
    """A titled name ("Syria Foreign Minister Fuad Hussein") whose person the evidence names with
    another attribute ("Iraqi Foreign Minister Fuad Hussein"): whose title it is, not just its words.
    Every part must be in one evidence name holding the same person (or the name just before it:
    "Iraq's Foreign Minister Fuad Hussein")."""
    if len(name.parts) < 3:
        return ""
    head = name.parts[-1]
    carriers: list[tuple[str, set[str]]] = []
    for k, n in enumerate(held):
        if not any(same_name(head, p) for p in n.parts):
            continue
        parts = set(n.parts)
        prev = held[k - 1] if k else None
        if prev is not None and 0 <= n.start - prev.end <= 3:
            parts |= set(prev.parts)
        carriers.append((n.text, parts))
    if not carriers:
        return ""
    for _, parts in carriers:
        if all(any(same_name(p, q) for q in parts) for p in name.parts):
            return ""
    for text, parts in carriers:  # another attribute where this one stands, not just a shorter name
        if len(parts) >= 3 and any(not any(same_name(q, p) for p in name.parts) for q in parts):
            return text
    return ""


@lru_cache(maxsize=4096)  # the same passage's words are looked at for every sentence
def _by_initial(words: frozenset[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for w in words:
        if w[:1].isalpha() and len(w) >= 4:
            out.setdefault(w[0], []).append(w)
    return out


def _word_held(part: str, words: frozenset[str], initials: dict[str, list[str]]) -> bool:
    return part in words or any(same_name(part, w) for w in initials.get(part[:1], ()))


def _pair_missing(parts: Sequence[str], held: Sequence[Name], lower: Collection[str]) -> bool:
    """Both last words of a full name occur, but never together in one name of the evidence
    ("Asaad al-Sudani"; "Asaad al-Shaibani" is held by "Asaad Hassan al-Shaibani")."""
    if len(parts) < 2 or parts[-2] in lower or parts[-1] in lower:
        return False
    a, b = parts[-2], parts[-1]
    for n in held:
        first = next((k for k, x in enumerate(n.parts) if same_name(a, x)), None)
        if first is not None and any(same_name(b, y) for y in n.parts[first + 1 :]):
            return False
    return True


def _swapped(name: Name, held: Sequence[Name], claimed: Sequence[Name] = ()) -> str:
    """Another name of the evidence in the words around this one, while this one never is (a name
    the sentence also states is its neighbour, not a stand-in: "Locke replaced Allan Johnston"; nor
    is another part of the same person's full name: "Stan died" where the passage, having named
    Stan Freberg, says "Freberg died")."""
    if len(name.context) < 2:
        return ""
    head = name.parts[-1]
    same = [n for n in held if any(same_name(head, p) for p in n.parts)]
    if any(name.context & n.context for n in same):
        return ""
    for other in held:
        if other in same or len(name.context & other.context) < 2:
            continue
        if set(other.parts) <= set(name.parts):
            continue  # the same name, shorter ("Derby" for "Derby County")
        if any(set(c.parts) == set(other.parts) for c in claimed):
            continue  # a name the sentence also states ("Sebastian Vettel" for "Sebastian Vettel Vettel")
        if _one_person(name, other, same):
            continue  # "Stan" where the passage, having named Stan Freberg, says "Freberg"
        return other.text
    return ""


def _one_person(name: Name, other: Name, full: Sequence[Name]) -> bool:
    """`name` and `other` are the first and last word of one full name the evidence gives ("Stan"
    and "Freberg" of "Stan Freberg"): spelled exactly so, not a demonym or a spelling variant."""
    if len(name.parts) != 1 or len(other.parts) != 1:
        return False
    a, b = name.parts[0], other.parts[0]
    return any(len(n.parts) >= 2 and {n.parts[0], n.parts[-1]} == {a, b} for n in full)


def polarity(
    claim: Facts,
    words: frozenset[str],
    negated: Collection[str],
    top_negated: Sequence[str],
    *,
    close_match: bool = True,
) -> tuple[str, str]:
    """(contradiction, gap). `words`/`negated`: the evidence window's words and negated words;
    `top_negated`: those negated in its best-matching sentence (a negation elsewhere in the window
    may belong to another clause, so only that sentence's negations can contradict the claim, and
    only when that sentence is worded much like the claim: `close_match`)."""
    for t in claim.negated:
        if t and t in words and t not in negated:
            return f"states '{t}', which the sentence negates", ""
    for t in top_negated if close_match else ():
        if t and t in claim.words and t not in claim.negated:
            return f"negates '{t}', which the sentence states", ""
    if claim.negated and not negated:
        return "", "a negation the passage lacks"
    return "", ""


@lru_cache(maxsize=1 << 16)
def same_name(a: str, b: str) -> bool:
    """Spelling variants and demonyms of one name: Asaad/Assaad, Iraq/Iraqi, Sharaa/Shara."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4 or len(long_) > 2 * len(short):
        return False
    if long_.startswith(short):  # Iraq/Iraqi, Syria/Syrians, Iran/Iranian; not Marc/March
        return long_[len(short) :] in _DEMONYM_ENDINGS
    prefix = _common_prefix(a, b)  # Turkey/Turkish
    if prefix >= 4 and prefix >= 0.55 * len(long_):
        return True
    if len(short) < 5 or len(long_) - len(short) > 2:
        return False
    matcher = SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= 0.85 and matcher.quick_ratio() >= 0.85 and matcher.ratio() >= 0.85


_DEMONYM_ENDINGS = frozenset(["i", "n", "s", "is", "ns", "an", "ans", "ian", "ians", "ese", "ish"])


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
