"""Citation markers (`[S1:3]`) written and read in ONE place: formatting and normalising markers,
reading a model's answer into cited sentences, reading a summary's Markdown.

May import: `text` and the root values.
"""
