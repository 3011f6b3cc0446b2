"""Weights of `toolkit.check.decide`, written by `benchmarks/train_checker.py`
(FRANK valid split and the gold links of every 2nd SummHay instance only)."""

BIAS = 0.0256
WEIGHTS = (
    2.0144,  # coverage
    -0.6243,  # predicate
    -2.5146,  # novel
    2.9506,  # pairs
    -1.2942,  # number_gaps
    -1.3642,  # name_gaps
    -0.9687,  # date_gaps
    -0.8995,  # negation
    0.0000,  # long
    -8.3211,  # copied
    5.6585,  # longest
    0.8372,  # stitches
    0.0000,  # novel_words
    -1.4110,  # novel_names
    -0.2123,  # novel_plain
)
THRESHOLD = 0.44
