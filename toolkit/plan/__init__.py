"""What goes into each request: prompt templates, token budgets, chunks for map-reduce.

May import: `chat` (model facts), `cite`, `text` and the root values.
"""
