"""Weights of `toolkit.check.decide`, written by `benchmarks/train_checker.py`
(FRANK valid split and the gold links of every 2nd SummHay instance only)."""

BIAS = 0.4606
WEIGHTS = (
    1.4422,  # coverage
    -0.6913,  # predicate
    -2.2297,  # novel
    2.8706,  # pairs
    -1.2095,  # number_gaps
    -1.5977,  # name_gaps
    -1.0616,  # date_gaps
    -0.9667,  # negation
    0.0000,  # long
    -8.0607,  # copied
    5.6394,  # longest
    0.6872,  # stitches
    0.0000,  # novel_words
    -1.9917,  # novel_names
    -0.5384,  # novel_plain
)
THRESHOLD = 0.38
