"""Engines draft a summary from a corpus: the `Engine` protocol, the extractive engine, the LLM engine.

May import: `chat`, `plan`, `cite`, `ingest`, `text` and the root values.
"""
