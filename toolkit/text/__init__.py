"""The words of a text: sentence splitting, TF-IDF similarity, LexRank centrality, token counts; and
the two helpers every stage shares: safe rendering/secret scrubbing (`safe`) and atomic writes (`files`).

May import: `toolkit.errors`, `toolkit.models`. Nothing else of the toolkit.
"""
