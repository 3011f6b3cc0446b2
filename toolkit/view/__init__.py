"""Show and export a briefing: standalone HTML, the notebook comparison widget, Markdown/HTML/DOCX.

May import: `check`, `cite`, `text` and the root values.
"""
