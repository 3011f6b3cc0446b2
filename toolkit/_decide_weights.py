"""Weights of `toolkit.decide`, written by `benchmarks/train_checker.py` (FRANK valid split only)."""

BIAS = 0.3755
WEIGHTS = (0.9341, -0.3645, -1.8979, 2.3503, -1.1361, -1.9000, -0.8217, -0.4471, 0.0000, -3.4035, 1.6914, -0.4297, 0.0000)
THRESHOLD = 0.29
