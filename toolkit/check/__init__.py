"""Check every citation against the passage it names and compare the sources: claims (numbers,
dates, names), support rules, the verifier, the LLM judge, the cross-source comparison, and the
passages that hold a sentence written without citations (`attribute`, for `cite="local"`).

May import: `chat`, `plan`, `cite`, `ingest`, `text` and the root values.
"""
