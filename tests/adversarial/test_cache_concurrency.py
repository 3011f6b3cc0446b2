"""Two notebook kernels (processes) sharing one cache folder at once, and one killed mid-run: nothing
lost, nothing corrupted, and a last run is served entirely from the cache."""

from __future__ import annotations

from pathlib import Path

import scripted_model
from fakeserver import FakeServer, Reply

from .kernel import KILLED, OWN, SHARED, scenario


def test_two_kernels_share_one_cache_and_lose_nothing(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.handler = lambda body: Reply(text=scripted_model.answer(body), delay=0.02)
    r = scenario(fake_server, tmp_path)
    a, b = r.results["A"], r.results["B"]
    # both kernels produced full briefings, the same for the clusters they shared
    for name, got in (("A", a), ("B", b)):
        assert set(got) == {str(s) for s in SHARED + OWN[name]}
        assert all(len(x["sentences"]) >= 3 and set(x["statuses"]) == {"supported"} for x in got.values())
    assert all(a[str(s)]["sentences"] == b[str(s)]["sentences"] for s in SHARED)
    # every entry is whole: one per distinct request, none unreadable, no temporary file left
    assert r.both.unreadable == [] and r.both.temporary == 0
    assert r.both.entries == len(SHARED) + len(OWN["A"]) + len(OWN["B"])
    # a kernel killed mid-run leaves only whole entries; re-running it asks only for what is missing
    assert r.killed_after >= 8 and r.after_kill.unreadable == []
    assert 0 < r.rerun_expected < len(KILLED)
    assert r.rerun_requests == r.rerun_expected
    assert all(len(x["sentences"]) >= 3 for x in r.results["D"].values())
    # and a last run over everything makes no request at all, with the same briefings
    assert r.last_requests == 0
    assert all(x["calls"] == 0 and x["cached"] == 1 for x in r.last.values())
    for name in ("A", "B", "D"):
        assert all(r.last[seed]["sentences"] == x["sentences"] for seed, x in r.results[name].items())
