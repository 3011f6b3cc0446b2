"""Writing a file whole or not at all: the one atomic write every output goes through (the response
cache, exports, the batch runner's briefings, the CLI's `-o`/`--json`).

    write_atomic(Path("out.md"), "# Title\\n")                 # text, UTF-8
    write_atomic(path, b"...", private=True)                    # bytes, mode 0600 (the cache)
    write_atomic(path, lambda tmp: document.save(str(tmp)))     # a library that writes a path itself
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(
    target: Path, content: str | bytes | Callable[[Path], object], *, private: bool = False
) -> None:
    """Write `content` (text as UTF-8, bytes, or a function that writes the path it is given) into a new
    file next to `target` (`.{name}.{random}.tmp`, mode 0666 less the umask, 0600 when `private`), flush
    it to disk, then move it into place with `os.replace`: readers see the old file or the new one, and
    no temporary file is left behind. A target that exists and is not a regular file (a pipe,
    `/dev/stdout`) is written in place, unless `private` (then it is always replaced). Raises `OSError`
    as the file system does."""
    if not private and target.exists() and not stat.S_ISREG(target.stat().st_mode):
        _write(target, content)
        return
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666))
    try:
        _write(tmp, content)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _write(path: Path, content: str | bytes | Callable[[Path], object]) -> None:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content(path)
