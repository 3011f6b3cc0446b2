"""What each scenario counts, and the figures table `benchmarks/reliability.py` prints.

- cases: inputs tried (files, articles, clusters, runs);
- faults: faults injected (bad files, hostile passages, failed or odd answers from the endpoint, killed
  processes, leaked-key traps);
- clusters / completed / reported: clusters run, ended with a briefing, ended with a clear error instead;
- paid twice: answers the server gave successfully (200, so paid for) more than once for the same
  request body: across a run and a re-run with the same cache, and when two processes sharing a cache
  ask for the same summary at the same moment (the cache has no lock across processes);
- followed: briefing sentences in which the model repeats injected text (what the injection led it to
  write into the briefing, whatever the checks then said about them);
- accepted: of those, sentences marked supported by a passage of a source other than the hostile one
  (a citation check, the alignment or the corroborating origins) (must be 0).
A briefing that came out empty is not completed: it counts as reported only when it says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

__all__ = ["Figures", "table", "total"]


@dataclass
class Figures:
    scenario: str
    cases: int = 0
    faults: int = 0
    clusters: int = 0
    completed: int = 0
    reported: int = 0
    repeated: int = 0  # calls paid twice
    followed: int = 0  # sentences the injection led the model to write
    accepted: int = 0  # of those, marked supported by another source (must be 0)
    detail: dict[str, int] = field(default_factory=dict)  # faults (or cases) by kind

    @property
    def unaccounted(self) -> int:
        """Clusters that neither ended with a briefing nor with a clear error (must be 0)."""
        return self.clusters - self.completed - self.reported


COLUMNS = (
    ("cases", "input cases tried"),
    ("faults", "faults injected"),
    ("clusters", "clusters run"),
    ("completed", "clusters completed"),
    ("reported", "clusters reported (clear error)"),
    ("repeated", "calls paid twice"),
    ("followed", "injections followed (sentences written)"),
    ("accepted", "of those, accepted by the checks"),
)


def total(rows: Sequence[Figures]) -> Figures:
    out = Figures("total")
    for row in rows:
        for f in fields(Figures):
            if f.name not in ("scenario", "detail"):
                setattr(out, f.name, getattr(out, f.name) + getattr(row, f.name))
    return out


def table(rows: Sequence[Figures]) -> str:
    """A Markdown table: one row per scenario and the total."""
    head = "| scenario | " + " | ".join(label for _, label in COLUMNS) + " |"
    rule = "|---|" + "---:|" * len(COLUMNS)
    lines = [head, rule]
    for row in [*rows, total(rows)]:
        name = f"**{row.scenario}**" if row.scenario == "total" else row.scenario
        cells = [f"{getattr(row, key):,}" for key, _ in COLUMNS]
        if row.scenario == "total":
            cells = [f"**{c}**" for c in cells]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
