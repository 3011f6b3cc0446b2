"""The fault and adversarial suite (issue 8): bad files, hostile sources, failing endpoints, secrets and
two processes sharing one cache.

The scenarios live in `scenarios.py` (plain functions returning what they saw, with counts), so
`benchmarks/reliability.py` re-runs exactly what the tests assert on and prints the figures table.
Shared fixtures (`fake_server`, the network guard, a private cache folder) come from `tests/conftest.py`.
"""
