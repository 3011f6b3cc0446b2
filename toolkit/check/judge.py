"""The optional LLM judge: a chat model's verdict, confirming or overturning the fast check.

    sentences, usage = judge_sentences(chat, corpus, checked_sentences)   # every citation
    sentences, usage = auto_judge(chat, corpus, checked_sentences)        # only unsettled sentences

`auto_judge` is a claim-versus-evidence judge in the design MiniCheck (Tang, Laban and Durrett,
EMNLP 2024) showed works with small models: one call per sentence with the sentence and the evidence
spans the fast check found in its cited passages (`prompts/claim_*.txt`), answering supported / not.
It asks only about sentences the fast check cannot settle (`unsettled`): partial ones, disputed ones,
and supported ones that join several names or clauses (relations the fast check approximates). All
calls run concurrently (bounded by the client) and go through the `ChatClient`, so an `OpenAIChat`
with a `ResponseCache` answers a repeated check from disk. A dispute between sources stays `disputed`
whatever the judge says (the judge sees the sentence's evidence, not the disagreement); the verdict
is added to its reason.

One call per (sentence, cited passage) with the prompts `prompts/judge_system.txt` and
`prompts/judge_user.txt`; the passage goes in a `<source>` block as data. The answer is JSON
`{"verdict": ..., "reason": ...}`; a readable verdict replaces the fast status (the fast verdict stays
in the reason), an unreadable one keeps the fast status and says so. Calls go through the `ChatClient`,
so an `OpenAIChat` with a `ResponseCache` serves repeated checks from disk.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..chat.seam import ChatClient, ChatRequest
from ..models import STATUS_RANK as _RANK
from ..models import VERDICTS, CitationCheck, Corpus, SummarySentence, Usage
from ..plan.prompting import escape_source_text, render, source_blocks
from .relations import clauses

__all__ = [
    "VERDICTS",
    "auto_judge",
    "claim_request",
    "judge_request",
    "judge_sentences",
    "parse_verdict",
    "rejudge",
    "unsettled",
]

_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")
T = TypeVar("T")


def judge_request(corpus: Corpus, sentence: str, passage_id: str) -> ChatRequest:
    passage = corpus.passage(passage_id)
    source = corpus.source(passage.source_id)
    user = render(
        "judge_user",
        sentence=escape_source_text(sentence),
        passage=source_blocks([(source, [passage])]),
        passage_id=passage_id,
    )
    return ChatRequest.of(user, system=render("judge_system"), json_mode=True, max_tokens=200)


CLAIM_VERDICTS = ("supported", "unsupported")
SEVERAL = 2  # a supported sentence with this many names or clauses is still worth a judge's look


def unsettled(sentence: SummarySentence) -> str:
    """Why the fast check cannot settle this sentence ("" when it can): partial, disputed, or a
    supported sentence that joins several names or clauses."""
    if sentence.status in ("partial", "disputed"):
        return sentence.status
    if sentence.status != "supported":
        return ""
    names = {w for w in sentence.text.split()[1:] if w[:1].isupper()}
    if len(names) >= 2 * SEVERAL or len(clauses(sentence.text)) >= SEVERAL:
        return "several names or clauses"
    return ""


def claim_request(corpus: Corpus, sentence: SummarySentence) -> ChatRequest:
    """One claim-versus-evidence request: the sentence and the evidence span of each cited passage."""
    blocks = []
    for check in sentence.checks:
        if not corpus.has_passage(check.passage):
            continue
        text = check.evidence.text if check.evidence is not None else corpus.passage(check.passage).text
        blocks.append(f'<evidence id="{check.passage}">\n{escape_source_text(text)}\n</evidence>')
    user = render("claim_user", sentence=escape_source_text(sentence.text), evidence="\n".join(blocks))
    return ChatRequest.of(user, system=render("claim_system"), json_mode=True, max_tokens=120)


async def aauto_judge(
    client: ChatClient, corpus: Corpus, sentences: Sequence[SummarySentence]
) -> tuple[list[SummarySentence], Usage]:
    asked = [i for i, s in enumerate(sentences) if s.checks and unsettled(s)]
    requests = [claim_request(corpus, sentences[i]) for i in asked]
    try:
        responses = await asyncio.gather(*(client.complete(r) for r in requests))
    finally:
        closer = getattr(client, "aclose", None)
        if closer is not None and requests:
            await closer()
    out = list(sentences)
    usage = Usage()
    for i, response in zip(asked, responses, strict=True):
        usage += response.usage
        out[i] = _apply_claim(out[i], parse_verdict(response.text, CLAIM_VERDICTS))
    return out, usage


def auto_judge(
    client: ChatClient, corpus: Corpus, sentences: Sequence[SummarySentence]
) -> tuple[list[SummarySentence], Usage]:
    """`judge="auto"`: ask the claim judge only about the sentences `unsettled` names."""
    return _run_sync(lambda: aauto_judge(client, corpus, sentences))


def _apply_claim(sentence: SummarySentence, answer: tuple[str, str] | None) -> SummarySentence:
    why = unsettled(sentence)
    if answer is None:
        return sentence.model_copy(
            update={"reason": sentence.reason + "; the LLM judge's answer was unreadable"}
        )
    verdict, said = answer
    note = f"LLM judge ({why}): {verdict}" + (f", {said}" if said else "")
    if sentence.status == "disputed":
        return sentence.model_copy(update={"reason": f"{sentence.reason}; {note}"})
    # supported -> supported; not supported -> a supported sentence becomes partial, a partial one stays
    status = "supported" if verdict == "supported" else "partial"
    agreed = "confirms" if (verdict == "supported") == (sentence.status == "supported") else "overturns"
    reason = f"{note} ({agreed} the fast check, {sentence.status}); fast check: {sentence.reason}"
    return sentence.model_copy(update={"status": status, "reason": reason})


def parse_verdict(text: str, verdicts: Sequence[str] = VERDICTS) -> tuple[str, str] | None:
    """(verdict, reason) from the judge's answer, or None if it is not a usable verdict."""
    try:
        data = json.loads(_FENCE.sub("", text))
    except ValueError:
        match = re.search(r"\{.*\}", text, re.DOTALL)
        if match is None:
            return None
        try:
            data = json.loads(match.group(0))
        except ValueError:
            return None
    if not isinstance(data, dict):
        return None
    verdict = str(data.get("verdict", "")).strip().lower()
    if verdict not in verdicts:
        return None
    return verdict, " ".join(str(data.get("reason", "")).split())


def rejudge(check: CitationCheck, answer: tuple[str, str] | None) -> CitationCheck:
    """The check with the judge's verdict applied (or noted as unreadable)."""
    if answer is None:
        return check.model_copy(
            update={"judge": "unreadable", "reason": check.reason + "; the LLM judge's answer was unreadable"}
        )
    verdict, why = answer
    agreed = "confirms" if verdict == check.status else "overturns"
    reason = (
        f"LLM judge {agreed} the fast check ({check.status}): {why or verdict}; fast check: {check.reason}"
    )
    return check.model_copy(update={"status": verdict, "judge": verdict, "reason": reason})


def restate(sentence: SummarySentence, checks: Sequence[CitationCheck]) -> SummarySentence:
    if not checks:
        return sentence
    best = max(checks, key=lambda c: (_RANK.get(c.status, 0), c.score))
    return sentence.model_copy(
        update={"checks": tuple(checks), "status": best.status, "reason": f"{best.passage}: {best.reason}"}
    )


async def ajudge_sentences(
    client: ChatClient, corpus: Corpus, sentences: Sequence[SummarySentence]
) -> tuple[list[SummarySentence], Usage]:
    jobs = [(i, k) for i, s in enumerate(sentences) for k in range(len(s.checks))]
    requests = [judge_request(corpus, sentences[i].text, sentences[i].checks[k].passage) for i, k in jobs]
    try:
        responses = await asyncio.gather(*(client.complete(r) for r in requests))
    finally:
        closer = getattr(client, "aclose", None)  # same loop as the calls; OpenAIChat reopens on next use
        if closer is not None:
            await closer()
    usage = Usage()
    new = [list(s.checks) for s in sentences]
    for (i, k), response in zip(jobs, responses, strict=True):
        usage += response.usage
        new[i][k] = rejudge(new[i][k], parse_verdict(response.text))
    return [restate(s, new[i]) for i, s in enumerate(sentences)], usage


def judge_sentences(
    client: ChatClient, corpus: Corpus, sentences: Sequence[SummarySentence]
) -> tuple[list[SummarySentence], Usage]:
    """Ask the judge about every citation (concurrently, bounded by the client)."""
    return _run_sync(lambda: ajudge_sentences(client, corpus, sentences))


def _run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from sync code, also inside Jupyter's already-running loop (in a thread)."""

    async def go() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(go())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(go())).result()
