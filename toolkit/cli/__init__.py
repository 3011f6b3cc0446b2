"""The `brief` command line: thin wrappers over the Python API (`app.py` holds the commands).

May import: everything.
"""

from __future__ import annotations

__all__ = ["main"]


def __getattr__(name: str) -> object:
    """`toolkit.cli:main` (the console script), loaded on first use."""
    if name == "main":
        from .app import main

        return main
    raise AttributeError(f"module 'toolkit.cli' has no attribute {name!r}")
