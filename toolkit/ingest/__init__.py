"""Articles in: loading files, folders, URLs and dicts; cleaning; numbered passages; near-duplicate
passages across sources.

May import: `text` and the root values (`errors`, `models`).
"""
