"""Weights of `toolkit.check.decide`, written by `benchmarks/train_checker.py`
(FRANK valid split and the gold links of every 2nd SummHay instance only)."""

BIAS = 0.9285
WEIGHTS = (
    0.8829,  # coverage
    -0.4378,  # predicate
    -2.9768,  # novel
    3.2724,  # pairs
    -1.2716,  # number_gaps
    -1.4395,  # name_gaps
    -1.1470,  # date_gaps
    -1.0852,  # negation
    0.0000,  # long
    -8.2702,  # copied
    5.3528,  # longest
    0.7016,  # stitches
    0.0000,  # novel_words
    -2.1359,  # novel_names
    -0.0639,  # novel_plain
    -4.7179,  # repeats
)
THRESHOLD = 0.40
