"""Weights of `toolkit.check.decide`, written by `benchmarks/train_checker.py` (FRANK valid split only)."""

BIAS = 0.3755
WEIGHTS = (
    0.9341,  # coverage
    -0.3645,  # predicate
    -1.8979,  # novel
    2.3503,  # pairs
    -1.1361,  # number_gaps
    -1.9000,  # name_gaps
    -0.8217,  # date_gaps
    -0.4471,  # negation
    0.0000,  # long
    -3.4035,  # copied
    1.6914,  # longest
    -0.4297,  # stitches
    0.0000,  # novel_words
)
THRESHOLD = 0.29
