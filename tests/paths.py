"""Where the tests find the bundled example and the dev data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "syria-iraq-2025"
SEEDS = sorted(EXAMPLES.glob("[0-9][0-9][0-9]_*.txt"))
