"""Many clusters in one run: resumable runs, manifests, the Batch API path.

May import: every stage except `cli`, and the root.
"""
