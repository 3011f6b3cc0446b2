"""A scripted OpenAI-compatible HTTP server for tests (stdlib only, loopback only).

    with FakeServer() as server:
        server.push(Reply.error(429, retry_after="2"), Reply(text="hello"))
        client = AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        ...
        assert len(server.chat_requests) == 2

What answers a POST /v1/chat/completions, in order:
  1. the next scripted `Reply` in the queue (`push`), if any;
  2. else `handler(body)` if set (may return a `Reply` or a plain string: the answer text);
  3. else a default echo: prose `echo: <last user message>`, or `{"echo": ...}` JSON when the request asked
     for `response_format` json_object.

Server-wide modes: `json_mode = "honour" | "ignore" | "reject"` ("ignore" answers prose even when JSON was
asked for, "reject" answers 400 to any request carrying `response_format`), and `stream_options_mode =
"accept" | "reject"` (400 to requests carrying `stream_options`).

Behaviour profiles (`profile = profiles.Profile(...)`, see tests/profiles.py) answer every chat request
as one server family does: rejected parameters, structured-output support, usage, silent truncation,
`<think>` blocks, hidden reasoning, Azure deployment URLs.

Every request is recorded (`requests`), and `max_in_flight` is the most chat requests handled at once.
Each response carries `Connection: close`, so no keep-alive socket outlives a request.

The Batch API, enough for the openai SDK: `POST /v1/files` (multipart upload, kept in `files`),
`GET /v1/files/{id}` and `/v1/files/{id}/content`, `POST /v1/batches`, `GET /v1/batches/{id}` and
`GET /v1/batches` (newest first). A batch answers `in_progress` to its first `batch_polls` retrievals,
then runs every line of its input file through the same answer order as a chat request (queued
`Reply`s, then `handler`, then the echo): 200 answers go to the output file, other statuses to the
error file, as OpenAI does. `batch_outcomes` scripts whole batches: "expired" answers only the first
half of the lines (the rest get `batch_expired` errors), "failed" answers none. `batch_lines` records
every request line a batch ran (what a real account would pay for).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import ssl
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeServer", "RecordedRequest", "Reply"]

_CONNECTION_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


@dataclass
class Reply:
    """One scripted answer (or fault)."""

    text: str = "ok"
    status: int = 200
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # overrides the JSON body entirely (dict -> JSON, str/bytes sent raw)
    delay: float = 0.0  # seconds to wait before answering (for client timeouts)
    drop_after: int | None = None  # stream: close the socket after this many chunks (0: before any)
    pace: float = 0.0  # stream: seconds between content chunks (a model generating as it sends)
    malformed: bool = False  # 200 with a body that is not JSON
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @classmethod
    def error(
        cls, status: int, message: str = "", *, retry_after: str | None = None, code: str | None = None
    ) -> Reply:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        err = {
            "message": message or f"fake error {status}",
            "type": "fake_error",
            "param": None,
            "code": code,
        }
        return cls(status=status, headers=headers, body={"error": err})

    @classmethod
    def length(cls, text: str = "cut off mid") -> Reply:
        return cls(text=text, finish_reason="length")


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None
    raw: bytes

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []


Handler = Callable[[dict[str, Any]], "Reply | str"]


class FakeServer:
    def __init__(
        self,
        *,
        model: str = "fake-model",
        handler: Handler | None = None,
        profile: Any = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.model = model
        self.tls = tls  # a server-side context: the server speaks HTTPS with its certificate
        self.handler = handler
        self.profile = profile  # a tests/profiles.Profile: answers every chat request as that family
        self.json_mode = "honour"
        self.stream_options_mode = "accept"
        self.requests: list[RecordedRequest] = []
        self.files: dict[str, dict[str, Any]] = {}  # id -> file object, plus "content": bytes
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls = 1
        self.batch_outcomes: deque[str] = deque()
        self.batch_lines: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeServer:
        if self._httpd is not None:
            return self
        httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        httpd.fake = self
        if self.tls is not None:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a `delay`
        httpd.shutdown()
        httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}/v1"

    # --- scripting -------------------------------------------------------------------------------
    def push(self, *replies: Reply | str) -> None:
        with self._lock:
            self._queue.extend(r if isinstance(r, Reply) else Reply(text=r) for r in replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.handler is not None:
            got = self.handler(body)
            return got if isinstance(got, Reply) else Reply(text=got)
        return self._default_reply(body)

    def _default_reply(self, body: dict[str, Any]) -> Reply:
        last = ""
        for m in body.get("messages", []):
            if isinstance(m, dict) and m.get("role") == "user":
                content = m.get("content")
                last = content if isinstance(content, str) else json.dumps(content)
        if _wants_json(body) and self.json_mode == "honour":
            return Reply(text=json.dumps({"echo": last}))
        return Reply(text=f"echo: {last}")


def _completion(fake: FakeServer, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    """The chat.completion object answering `body` with `reply` (its usage counts words)."""
    model = reply.model or body.get("model") or fake.model
    prompt = reply.prompt_tokens
    if prompt is None:
        prompt = sum(
            _words(str(m.get("content", ""))) for m in body.get("messages", []) if isinstance(m, dict)
        )
    completion = reply.completion_tokens if reply.completion_tokens is not None else _words(reply.text)
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": usage,
    }


def _new_file(fake: FakeServer, content: bytes, filename: str, purpose: str) -> dict[str, Any]:
    fid = f"file-{uuid.uuid4().hex[:16]}"
    meta = {
        "id": fid,
        "object": "file",
        "bytes": len(content),
        "created_at": int(time.time()),
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }
    with fake._lock:
        fake.files[fid] = meta | {"content": content}
    return meta


def _run_batch(fake: FakeServer, batch: dict[str, Any]) -> None:
    """Answer every line of the batch's input file; fill in its output/error files and counts."""
    with fake._lock:
        outcome = fake.batch_outcomes.popleft() if fake.batch_outcomes else "completed"
    content = fake.files[batch["input_file_id"]]["content"]
    lines = [json.loads(x) for x in content.decode("utf-8").splitlines() if x.strip()]
    now = int(time.time())
    if outcome == "failed":
        error = {"code": "scripted_failure", "message": "the fake server failed this batch", "line": None}
        batch.update(status="failed", failed_at=now, errors={"object": "list", "data": [error]})
        batch["request_counts"] = {"total": len(lines), "completed": 0, "failed": len(lines)}
        return
    answered = lines if outcome == "completed" else lines[: len(lines) // 2]
    out: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for line in answered:
        with fake._lock:
            fake.batch_lines.append(line)
        reply = fake._next_reply(line["body"])
        rid = f"batch_req_{uuid.uuid4().hex[:12]}"
        if reply.status == 200 and reply.body is None:
            response = {"status_code": 200, "request_id": rid, "body": _completion(fake, line["body"], reply)}
            out.append({"id": rid, "custom_id": line["custom_id"], "response": response, "error": None})
        else:
            failure = reply.body if reply.body is not None else {"error": {"message": "error"}}
            response = {"status_code": reply.status, "request_id": rid, "body": failure}
            errors.append({"id": rid, "custom_id": line["custom_id"], "response": response, "error": None})
    for line in lines[len(answered) :]:
        expired = {"code": "batch_expired", "message": "not executed before the completion window expired"}
        errors.append({"id": f"batch_req_{uuid.uuid4().hex[:12]}", "custom_id": line["custom_id"],
                       "response": None, "error": expired})  # fmt: skip

    def jsonl(rows: list[dict[str, Any]]) -> str | None:
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
        return _new_file(fake, data, "batch_output.jsonl", "batch_output")["id"] if rows else None

    batch.update(
        status="completed" if outcome == "completed" else "expired",
        output_file_id=jsonl(out),
        error_file_id=jsonl(errors),
        request_counts={"total": len(lines), "completed": len(out), "failed": len(lines) - len(out)},
    )
    batch["completed_at" if outcome == "completed" else "expired_at"] = now


def _public(batch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if k != "polls"}


def _wants_json(body: dict[str, Any]) -> bool:
    rf = body.get("response_format")
    return isinstance(rf, dict) and rf.get("type") in ("json_object", "json_schema")


def _words(text: str) -> int:
    return len(text.split())


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (timeout test) is expected; stay quiet


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- plumbing --------------------------------------------------------------------------------
    def _record(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        rec = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw=raw,
        )
        with self.server.fake._lock:
            self.server.fake.requests.append(rec)
        return rec

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.close_connection = True
        self.send_response(status)
        all_headers = {"Content-Type": "application/json"} | (headers or {})
        for k, v in all_headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), headers)

    # --- routes ----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._record()
        fake = self.server.fake
        try:
            path = self.path.split("?", 1)[0].rstrip("/")
            if path.endswith("/models"):
                data = [{"id": fake.model, "object": "model", "created": 0, "owned_by": "fake"}]
                self._send_json(200, {"object": "list", "data": data})
            elif "/files/" in path or "/batches" in path:
                self._batch_api_get(path)
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
        except _CONNECTION_ERRORS:
            pass

    def do_POST(self) -> None:
        rec = self._record()
        fake = self.server.fake
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.endswith("/files") or path.endswith("/batches"):
            with contextlib.suppress(*_CONNECTION_ERRORS):
                self._batch_api_post(path, rec)
            return
        with fake._lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            if fake.profile is not None:
                from profiles import respond

                query = self.path.split("?", 1)[1] if "?" in self.path else ""
                body = rec.body if isinstance(rec.body, dict) else {}
                status, payload = respond(fake.profile, path, query, body)
                streams = status == 200 and body.get("stream") and isinstance(payload, dict)
                if streams and payload.get("choices"):
                    self._stream_completion(body, payload)  # the same answer, as the family streams it
                    return
                self._send_json(status, payload)
                return
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            self._chat(rec.body if isinstance(rec.body, dict) else {})
        except _CONNECTION_ERRORS:
            pass
        finally:
            with fake._lock:
                fake.in_flight -= 1

    # --- Batch API -------------------------------------------------------------------------------
    def _not_found(self, what: str) -> None:
        err = {"message": f"No such {what}: {self.path}", "type": "invalid_request_error", "code": None}
        self._send_json(404, {"error": err})

    def _batch_api_post(self, path: str, rec: RecordedRequest) -> None:
        fake = self.server.fake
        if path.endswith("/files"):
            form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode() + rec.raw
            )
            fields: dict[str, Any] = {}
            filename = "upload"
            for part in form.iter_parts():  # type: ignore[attr-defined]
                name = part.get_param("name", header="content-disposition")
                fields[name] = part.get_payload(decode=True) or b""
                filename = part.get_filename() or filename
            if "file" not in fields:
                self._send_json(
                    400, {"error": {"message": "no file in the upload", "type": "invalid_request_error"}}
                )
                return
            purpose = fields.get("purpose", b"").decode() or "batch"
            self._send_json(200, _new_file(fake, fields["file"], filename, purpose))
            return
        body = rec.body if isinstance(rec.body, dict) else {}
        if body.get("input_file_id") not in fake.files:
            self._not_found("file")
            return
        batch = {
            "id": f"batch_{uuid.uuid4().hex[:16]}",
            "object": "batch",
            "endpoint": body.get("endpoint", ""),
            "input_file_id": body["input_file_id"],
            "completion_window": body.get("completion_window", "24h"),
            "status": "validating",
            "created_at": int(time.time()),
            "metadata": body.get("metadata"),
            "polls": 0,
        }
        with fake._lock:
            fake.batches[batch["id"]] = batch
        self._send_json(200, _public(batch))

    def _batch_api_get(self, path: str) -> None:
        fake = self.server.fake
        parts = path.split("/")
        if parts[-1] == "batches":
            with fake._lock:
                data = [_public(b) for b in reversed(fake.batches.values())]
            self._send_json(200, {"object": "list", "data": data, "has_more": False})
        elif parts[-2] == "batches":
            batch = fake.batches.get(parts[-1])
            if batch is None:
                self._not_found("batch")
                return
            with fake._lock:
                batch["polls"] += 1
                due = batch["status"] in ("validating", "in_progress") and batch["polls"] > fake.batch_polls
                if due:
                    batch["status"] = "finalizing"  # a retrieval arriving meanwhile does not run it again
                elif batch["status"] == "validating":
                    batch["status"] = "in_progress"
            if due:
                _run_batch(fake, batch)
            self._send_json(200, _public(batch))
        elif parts[-1] == "content" and parts[-2] in fake.files:
            self._send(200, fake.files[parts[-2]]["content"], {"Content-Type": "application/octet-stream"})
        elif parts[-1] in fake.files:
            self._send_json(200, {k: v for k, v in fake.files[parts[-1]].items() if k != "content"})
        else:
            self._not_found("file")

    def _chat(self, body: dict[str, Any]) -> None:
        fake = self.server.fake
        if "response_format" in body and fake.json_mode == "reject":
            msg = "Unrecognized request argument supplied: response_format"
            self._send_json(
                400,
                {
                    "error": {
                        "message": msg,
                        "type": "invalid_request_error",
                        "param": "response_format",
                        "code": None,
                    }
                },
            )
            return
        if "stream_options" in body and fake.stream_options_mode == "reject":
            msg = "Unrecognized request argument supplied: stream_options"
            self._send_json(
                400,
                {
                    "error": {
                        "message": msg,
                        "type": "invalid_request_error",
                        "param": "stream_options",
                        "code": None,
                    }
                },
            )
            return
        reply = fake._next_reply(body)
        if reply.delay and fake._stopping.wait(reply.delay):
            return  # server closing: the client gave up long ago
        if reply.status != 200 or reply.body is not None:
            payload = reply.body
            if isinstance(payload, str):
                payload = payload.encode()
            elif not isinstance(payload, bytes):
                payload = json.dumps(
                    payload if payload is not None else {"error": {"message": "error"}}
                ).encode()
            self._send(reply.status, payload, reply.headers)
            return
        if reply.malformed:
            self._send(200, b'{"id": "chatcmpl-x", "choices": [ {"broken', reply.headers)
            return
        if reply.drop_after == 0 and not body.get("stream"):
            self.close_connection = True
            return  # hang up without any answer
        completion_obj = _completion(fake, body, reply)
        if body.get("stream"):
            self._stream(body, reply, completion_obj["model"], completion_obj["usage"])
            return
        self._send_json(200, completion_obj, reply.headers)

    def _stream(self, body: dict[str, Any], reply: Reply, model: str, usage: dict[str, int]) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        created = int(time.time())

        def chunk(choices: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> dict[str, Any]:
            obj = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": choices,
            }
            return obj | (extra or {})

        pieces = [w + " " for w in reply.text.split(" ")]
        if pieces:
            pieces[-1] = pieces[-1][:-1]
        events: list[dict[str, Any]] = [
            chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        ]
        events += [chunk([{"index": 0, "delta": {"content": p}, "finish_reason": None}]) for p in pieces if p]
        events.append(chunk([{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]))
        opts = body.get("stream_options")
        if isinstance(opts, dict) and opts.get("include_usage"):
            events.append(chunk([], {"usage": usage}))
        # Paced chunks keep a steady rate, as a model generating tokens does: the k-th is due k paces
        # after the stream began, so the time spent writing chunks (and each sleep's overshoot) does
        # not add up over a long answer.
        due = time.monotonic()
        for i, event in enumerate(events):
            if reply.drop_after is not None and i >= reply.drop_after:
                self.wfile.flush()
                return  # no terminating chunk: the client sees an incomplete body
            if reply.pace and event["choices"] and event["choices"][0]["delta"].get("content"):
                due += reply.pace
                time.sleep(max(0.0, due - time.monotonic()))
            self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _stream_completion(self, body: dict[str, Any], completion: dict[str, Any]) -> None:
        """A whole chat completion sent as server-sent events, as an OpenAI-compatible server streams it
        (usage in a last chunk when `stream_options.include_usage` asks for it and the answer has it)."""
        choice = completion["choices"][0]
        message = choice.get("message") or {}
        reply = Reply(text=message.get("content") or "", finish_reason=choice.get("finish_reason") or "stop")
        usage = completion.get("usage")
        opts = body.get("stream_options")
        if usage is None and isinstance(opts, dict):
            body = {k: v for k, v in body.items() if k != "stream_options"}  # a server that reports none
        self._stream(body, reply, completion.get("model", "fake-model"), usage or {})

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
