"""Weights of `toolkit.decide`, written by `benchmarks/train_checker.py` (FRANK valid split only)."""

BIAS = -3.0236
WEIGHTS = (
    1.1568,
    -0.0541,
    -0.2935,
    1.9590,
    -1.2814,
    -1.8506,
    -0.9052,
    -0.5054,
    1.6890,
    -3.2751,
    1.2294,
    -0.5387,
    -0.8778,
)
THRESHOLD = 0.22
