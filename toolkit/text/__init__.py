"""The words of a text: sentence splitting, TF-IDF similarity, LexRank centrality, token counts.

May import: `toolkit.errors`, `toolkit.models`. Nothing else of the toolkit.
"""
