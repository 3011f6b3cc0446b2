"""Relations a sentence states that a bag of words cannot check: quotes, speakers and clauses.

    quotes('He said the deal was "a historic step".')          -> ("a historic step",)
    speaker('The deal is done, Foreign Minister Fuad Hussein said.') -> "Fuad Hussein"
    clauses("Iraq hosted the talks and would send troops.")
    -> ["Iraq hosted the talks", "would send troops"]

- A quote in the summary must appear verbatim in a cited passage once quote marks, spaces, case
  and edge punctuation are normalised (`normal_quote`), so a misquote is never `supported`.
- The speaker of an attribution ("X said", "said X", "according to X") must be the one the evidence
  gives: when the evidence window attributes the words to a different name with a speech verb, and
  never to this one, the speaker is wrong.
- Every clause of a sentence (split at coordinating "and"/"but" before a verb, semicolons and
  ", which") must hold in the same evidence window: an added clause ("... and would send troops")
  the passage does not state leaves the sentence at best partial.

Pure functions over strings; no corpus knowledge.
"""

from __future__ import annotations

import re

__all__ = ["clauses", "normal_quote", "quote_held", "quotes", "speaker", "speakers"]

_QUOTE = re.compile(r"[\"“”„«»]([^\"“”„«»]{3,}?)[\"“”„«»]")
_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\s.,;:!?'‘’…-]+|[\s.,;:!?'‘’…-]+$")
_NAME = r"(?:[A-Z][\w’'.-]*(?:\s+(?:al-|bin\s+|de\s+|van\s+)?[A-Z][\w’'.-]*)*)"
_AFTER = re.compile(
    rf"(?:,|\")\s*(?:the\s+)?(?:[a-z]+\s+){{0,3}}?({_NAME})\s+(?:has\s+|had\s+)?(?:said|says|told|added|stated|warned)\b"
)
_SAID_NAME = re.compile(rf"\b(?:said|says|added|told)\s+(?:the\s+)?(?:[a-z]+\s+){{0,3}}?({_NAME})")
_ACCORDING = re.compile(rf"\baccording to\s+(?:the\s+)?(?:[a-z]+\s+){{0,3}}?({_NAME})")
_BEFORE = re.compile(
    rf"^(?:[A-Z][a-z]+\s+){{0,3}}?({_NAME})\s+(?:has\s+|had\s+)?(?:said|says|told|stated|warned|added|insisted|claimed)\b"
)
_CLAUSE = re.compile(
    r";\s+|,\s+which\s+|,\s+(?:and|but)\s+|\s+(?:and|but)\s+(?=(?:would|will|could|should|may|might|must|has|have|had|is|are|was|were|"
    r"did|does|do|also|then|later|not|never|[a-z]+ed|[a-z]+s)\b)"
)
_MIN_QUOTE_WORDS = 2


def normal_quote(text: str) -> str:
    """Lower case, one kind of quote mark and apostrophe, single spaces, no edge punctuation."""
    t = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    t = _SPACE.sub(" ", t).strip().lower()
    return _EDGE.sub("", t)


def quotes(text: str) -> tuple[str, ...]:
    """The quoted stretches of two words or more, as written."""
    return tuple(m.group(1) for m in _QUOTE.finditer(text) if len(m.group(1).split()) >= _MIN_QUOTE_WORDS)


def quote_held(quote: str, evidence: str) -> bool:
    """Does `quote` appear verbatim (after `normal_quote`) in `evidence`?"""
    q = normal_quote(quote)
    return not q or q in normal_quote(evidence)


def speaker(text: str) -> str:
    """The named speaker of an attribution in `text` ("" when there is none or it is not a name)."""
    for pattern in (_AFTER, _BEFORE, _ACCORDING, _SAID_NAME):
        m = pattern.search(text)
        if m is not None:
            name = m.group(1).strip(" .,")
            if name and name.split()[0] not in ("The", "A", "An", "It", "He", "She", "They", "We", "I"):
                return name
    return ""


def speakers(text: str) -> list[str]:
    """Every named speaker of an attribution in `text` (for evidence windows of several sentences)."""
    out: list[str] = []
    for pattern in (_AFTER, _BEFORE, _ACCORDING, _SAID_NAME):
        for m in pattern.finditer(text):
            name = m.group(1).strip(" .,")
            if name and name.split()[0] not in ("The", "A", "An", "It", "He", "She", "They", "We", "I"):
                out.append(name)
    return out


def clauses(text: str) -> list[str]:
    """The sentence cut into clauses at "; ", ", which", and "and"/"but" before a verb-like word."""
    parts = [p.strip(" ,.") for p in _CLAUSE.split(text)]
    return [p for p in parts if p]
