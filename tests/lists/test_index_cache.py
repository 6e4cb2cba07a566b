"""The on-disk cache of indexes built from list files (lists/index.py `cached_index`): hit on the second call,
invalidated when a list file changes, rebuilt when corrupt; progress reported. Builds are counted, not timed."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from sanctionwatch.lists import index as lindex
from sanctionwatch.lists.sources import SOURCES

HMT = SOURCES["gb_hmt_sanctions"]  # the smallest real list (78 lines): cheap to build several times


@pytest.fixture
def env(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A private lists_dir with a copy of the real HMT excerpt, a private cache, and a build counter."""
    lists = tmp_path / "lists"
    dest = lists / HMT.local
    dest.parent.mkdir(parents=True)
    shutil.copy(shared_data / "sanctions" / HMT.local, dest)
    monkeypatch.setenv("SANCTIONWATCH_LISTS_DIR", str(lists))
    monkeypatch.setenv("SANCTIONWATCH_CACHE_DIR", str(tmp_path / "cache"))
    builds = []
    real = lindex.build_index

    def counting(loaded):
        builds.append([ll.dataset for ll in loaded])
        return real(loaded)

    monkeypatch.setattr(lindex, "build_index", counting)
    return {"file": dest, "builds": builds, "cache": tmp_path / "cache"}


def _get() -> lindex.ListIndex:
    return lindex.cached_index([HMT.id])


def test_second_call_is_a_cache_hit_with_the_same_index(env):
    first = _get()
    assert len(env["builds"]) == 1 and first.entries.height > 0
    second = _get()
    assert len(env["builds"]) == 1, "the second call rebuilt instead of reading the cache"
    tables = lindex._tables(first)
    assert {"entries", "names", "idents"} <= set(tables)
    assert all(lindex._tables(second)[k].equals(v) for k, v in tables.items())  # every table read back
    assert second.manifest == first.manifest and "cache_key" not in second.manifest
    assert second.versions() == {"gb_hmt_sanctions": first.versions()["gb_hmt_sanctions"]}
    (d,) = [p for p in (env["cache"] / "lists" / "index").iterdir() if not p.name.startswith(".")]
    assert sorted(p.name for p in d.iterdir()) == sorted([*(f"{k}.parquet" for k in tables), "manifest.json"])


def test_a_changed_list_file_invalidates_the_cache(env):
    before = _get()
    raw = env["file"].read_bytes()  # the file is Windows-1252: edit bytes
    assert b"AL-QAHTANI" in raw
    env["file"].write_bytes(raw.replace(b"AL-QAHTANI", b"AL-QAHTANY"))
    after = _get()
    assert len(env["builds"]) == 2
    names = set(after.names["name"].to_list())
    assert not any("QAHTANI" in n for n in names) and any("QAHTANY" in n for n in names)
    assert after.manifest["sources"][0]["sha256"] != before.manifest["sources"][0]["sha256"]
    _get()
    assert len(env["builds"]) == 2  # the new files are cached in turn


@pytest.mark.parametrize("damage", ["cut_parquet", "bad_manifest", "missing_table"])
def test_a_corrupt_cache_is_rebuilt_not_fatal(env, damage):
    good = _get()
    (d,) = [p for p in (env["cache"] / "lists" / "index").iterdir() if not p.name.startswith(".")]
    if damage == "cut_parquet":
        raw = (d / "names.parquet").read_bytes()
        (d / "names.parquet").write_bytes(raw[: len(raw) // 2])
    elif damage == "bad_manifest":
        (d / "manifest.json").write_text("{not json", encoding="utf-8")
    else:
        (d / "idents.parquet").unlink()
    again = _get()
    assert len(env["builds"]) == 2
    assert again.entries.equals(good.entries) and again.names.equals(good.names)
    _get()
    assert len(env["builds"]) == 2  # the rebuilt cache is good again


def test_progress_is_monotone_and_ends_at_total(env):
    calls: list[tuple[str, int, int]] = []
    lindex.cached_index([HMT.id], progress=lambda s, d, t: calls.append((s, d, t)))
    stages = list(dict.fromkeys(s for s, _, _ in calls))
    assert stages == ["loading lists", "indexing"]
    for s in stages:
        done = [d for st, d, _ in calls if st == s]
        totals = {t for st, _, t in calls if st == s}
        assert done == sorted(done) and len(totals) == 1 and done[-1] == totals.pop()
    calls.clear()
    lindex.cached_index([HMT.id], progress=lambda s, d, t: calls.append((s, d, t)))
    assert calls == []  # a cache hit has nothing to report


def test_default_index_uses_the_cache(env):
    from sanctionwatch.lists.screen import default_index, screen_queries

    idx = default_index(sources=[HMT.id])
    default_index(sources=[HMT.id])
    assert len(env["builds"]) == 1
    hits = screen_queries(["TONG SAN 2"], idx)  # the excerpt's one vessel, read back from the cache
    assert hits.filter(pl.col("entity_id") == "imo-8937675").height == 1


def test_an_unwritable_cache_is_not_fatal(env, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    monkeypatch.setenv("SANCTIONWATCH_CACHE_DIR", str(blocker))
    a, b = _get(), _get()
    assert len(env["builds"]) == 2 and a.entries.equals(b.entries)  # built each time, never an error
