"""The in-process test double of the chat seam, as httpx's `MockTransport` and llm's `MockModel`.

    chat = ScriptedChat()                       # answers like a careful model (see `scripted_answer`)
    chat = ScriptedChat(replies=["{...}", ChatResponse(text="", finish_reason="length")])
    draft = OpenAIEngine(chat, "gpt-4o-mini").summarize(corpus, words=200)
    chat.requests                               # every ChatRequest, in order

Queued replies (a string, a `ChatResponse` or an exception to raise) are used first, then `answer`
(default `scripted_answer`: each sentence is the first sentence of a passage it was sent, cited with
that passage's id, as JSON in the shape the prompt asks for). No HTTP, no threads: engine logic is
tested without a server; what concerns HTTP (retries, streaming, the SDK) is tested against a real one.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterable

from ..models import Usage
from ..text.tokens import count_tokens, get_tokenizer
from .seam import ChatRequest, ChatResponse

__all__ = ["Reply", "ScriptedChat", "answer_for", "scripted_answer"]

Reply = str | ChatResponse | BaseException
_SHORT_LINE = re.compile(r"^(\d+) (.+)$", re.MULTILINE)
_LINE = re.compile(r"^\[(S\d+:\d+)\] (.+)$", re.MULTILINE)
_NOTE = re.compile(r"^- (.+?) \[([^\]]+)\]$", re.MULTILINE)
_PLAIN_NOTE = re.compile(r"^- (.+?[.!?])$", re.MULTILINE)  # a note line of the plain reduce prompt
_REPEAT = re.compile(r"\^\d+\s*")  # `^4`: a sentence of passage 4 the line repeats (not quoted)


def _first_sentence(text: str) -> str:
    cut = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return cut if cut.endswith((".", "!", "?")) else cut + "."


def _texts(request: ChatRequest) -> tuple[str, str]:
    system = user = ""
    for m in request.message_dicts():
        content = m.get("content")
        if m.get("role") == "system" and isinstance(content, str):
            system = content
        elif m.get("role") == "user" and isinstance(content, str):
            user = content
    return system, user


def scripted_answer(request: ChatRequest, per_call: int = 4) -> str:
    """JSON in the shape each of our prompts asks for, citing only passage ids that were sent."""
    system, user = _texts(request)
    return answer_for(system, user, per_call)


def _body(block: str) -> list[str]:
    """The passage lines of one source of a plain prompt: a first line that ends without a full stop
    is its title line (`2010-01-20 title · outlet`)."""
    lines = [line for line in block.splitlines() if line.strip()]
    if len(lines) >= 2 and not lines[0].rstrip().endswith((".", "!", "?", '"', "”")):
        lines = lines[1:]
    return lines


def is_plain(system: str, user: str = "") -> bool:
    """A plain prompt (`cite="local"`): no answer format asked for (every other prompt asks for JSON);
    without a system text (a server cut it off), a user text with no passage ids or numbers."""
    if system:
        return "JSON" not in system
    numbered = _LINE.search(user) or len(_SHORT_LINE.findall(user)) >= 2
    return bool(user) and not numbered and "<notes>" not in user


def answer_for(system: str, user: str, per_call: int = 4) -> str:
    """`scripted_answer` from a prompt's system and user texts (the HTTP test server's model uses it
    too). A user text of numbered passage lines and no system text is a compact prompt whose
    instructions a server cut off: answered in the compact shape as well."""
    if is_plain(system, user):  # the plain prompts (`cite="local"`): prose, no citations
        if "<notes>" in user:
            texts = [t for t, _ in _NOTE.findall(user)] + _PLAIN_NOTE.findall(user)
        else:
            texts = [_first_sentence(line) for block in user.split("\n\n") for line in _body(block)]
        return " ".join(texts[:per_call])
    compact = '{"s":' in system or (not _LINE.search(user) and len(_SHORT_LINE.findall(user)) >= 2)
    if compact:  # the compact prompts: `# title` lines, `4 passage text` lines, [[text, [ids]]]
        if "<notes>" in user:
            found = [(t, [int(x) for x in re.findall(r"\d+", ids)]) for t, ids in _NOTE.findall(user)]
        else:
            lines = [(n, _REPEAT.sub("", t).strip()) for n, t in _SHORT_LINE.findall(user)]
            found = [(_first_sentence(t), [int(n)]) for n, t in lines if t]
        return json.dumps({"s": [[t, ids] for t, ids in found[:per_call]]})
    if "<notes>" in user:  # reduce: merge the notes it was given
        notes = _NOTE.findall(user)[:per_call]
        sentences = [{"text": t, "citations": [c.strip() for c in ids.split(";")]} for t, ids in notes]
        return json.dumps({"sentences": sentences})
    lines = _LINE.findall(user)[:per_call]
    items = [{"text": _first_sentence(text), "citations": [pid]} for pid, text in lines]
    key = "notes" if "notes" in system.split("Answer with JSON")[-1] else "sentences"
    return json.dumps({key: items})


class ScriptedChat:
    """A `ChatClient` that answers from a queue, then from `answer`, and records every request."""

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        answer: Callable[[ChatRequest], str] = scripted_answer,
        model: str = "scripted",
    ) -> None:
        self.replies: deque[Reply] = deque(replies)
        self.answer = answer
        self.model = model
        self.requests: list[ChatRequest] = []
        self.usage = Usage()

    def push(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    @property
    def calls(self) -> int:
        return len(self.requests)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        reply: Reply = self.replies.popleft() if self.replies else self.answer(request)
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, str):
            # tokens as the toolkit counts them (o200k_base): a double must not look like a server
            # that cut the prompt, or one whose tokenizer differs from the estimate
            tok = get_tokenizer(self.model)
            prompt = sum(count_tokens(tok, str(m.get("content", ""))) + 4 for m in request.message_dicts())
            reply = ChatResponse(
                text=reply, prompt_tokens=prompt, completion_tokens=count_tokens(tok, reply), model=self.model
            )
        self.usage += reply.usage
        return reply

    def __repr__(self) -> str:
        return f"ScriptedChat({len(self.requests)} requests, {len(self.replies)} queued)"
