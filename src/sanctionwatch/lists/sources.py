"""The list catalogue: each source's format, local snapshot (under `lists_dir()`: the setting, else the packaged
snapshot) and official URLs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sanctionwatch import settings

if TYPE_CHECKING:  # the loaders import followthemoney (~1 s): loaded on first use, so `--help` stays fast
    from sanctionwatch.lists.model import LoadedList

_OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"


@dataclass(frozen=True)
class ListSource:
    """One list: loader, local snapshot (file or folder, relative to lists_dir) and download URLs."""

    id: str
    title: str
    format: str  # ofac_sdn | ofac_cons | un_xml | hmt_conlist | uk_derived | ftm
    local: str
    urls: tuple[str, ...]  # official download URLs; for multi-file lists, one per file in the folder
    default: bool = True  # part of `lists build` without --source


SOURCES: dict[str, ListSource] = {
    s.id: s
    for s in [
        ListSource("us_ofac_sdn", "OFAC Specially Designated Nationals", "ofac_sdn", "ofac/2024-05-03",
                   tuple(_OFAC + f for f in ("SDN.CSV", "ADD.CSV", "ALT.CSV", "SDN_COMMENTS.CSV"))),
        ListSource("us_ofac_sdn_2019", "OFAC SDN snapshot 2019-01-15 (with add/alt)", "ofac_sdn",
                   "ofac/2019-01-15", (), default=False),
        ListSource("us_ofac_cons", "OFAC Consolidated (non-SDN) list", "ofac_cons",
                   "ofac/consolidated_non_sdn_2025-12",
                   tuple(_OFAC + f for f in ("CONS_PRIM.CSV", "CONS_ADD.CSV", "CONS_ALT.CSV", "CONS_COMMENTS.CSV"))),
        ListSource("un_sc_sanctions", "UN Security Council consolidated list", "un_xml",
                   "un/un_consolidated_2026-02-27.xml",
                   ("https://scsanctions.un.org/resources/xml/en/consolidated.xml",)),
        ListSource("gb_hmt_sanctions", "UK OFSI consolidated list (ConList.csv)", "hmt_conlist",
                   "uk/hmt_2020_excerpt/ConList.csv",
                   ("https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",)),
        ListSource("gb_fcdo_sanctions", "UK Sanctions List (derived tables)", "uk_derived",
                   "uk/uk_sanctions_list_2026-05_derived", ()),
        ListSource("opensanctions", "OpenSanctions FtM export", "ftm",
                   "opensanctions/yente_t1_entities.ftm.json",
                   ("https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json",)),
    ]
}

# Local file names that multi-file downloads are saved as, so the folder loaders find them.
DOWNLOAD_NAMES = {
    "ofac_sdn": ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
    "ofac_cons": ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
    "un_xml": ("consolidated.xml",),
    "hmt_conlist": ("ConList.csv",),
    "ftm": ("entities.ftm.json",),
}

def _ofac(kind: str) -> Callable[[Path], LoadedList]:
    def load(p: Path) -> LoadedList:
        from sanctionwatch.lists.ofac import load_ofac

        return load_ofac(p, kind)

    return load


def _lazy(module: str, name: str) -> Callable[[Path], LoadedList]:
    def load(p: Path) -> LoadedList:
        import importlib

        return getattr(importlib.import_module(f"sanctionwatch.lists.{module}"), name)(p)

    return load


LOADERS: dict[str, Callable[[Path], LoadedList]] = {
    "ofac_sdn": _ofac("sdn"),
    "ofac_cons": _ofac("cons"),
    "un_xml": _lazy("un", "load_un"),
    "hmt_conlist": _lazy("uk", "load_hmt_conlist"),
    "uk_derived": _lazy("uk", "load_uk_derived"),
    "ftm": _lazy("opensanctions", "load_ftm"),
}


def lists_dir() -> Path:
    """Folder of list snapshots: the `lists_dir` setting if set, else the packaged snapshot (unpacked once
    into the user cache; see lists/snapshot.py). Never a path relative to the working directory."""
    configured = settings.get("lists_dir")
    if configured:
        return Path(configured).expanduser()
    from sanctionwatch.lists.snapshot import snapshot_dir

    return snapshot_dir()


def default_path(src: ListSource) -> Path:
    """Where a list loads from by default: with `lists_dir` set, that folder; else the newest copy that
    `sanctionwatch lists download` put in the user cache; else the packaged snapshot."""
    if not settings.get("lists_dir"):
        latest = Path(settings.get("cache_dir")).expanduser() / "lists" / src.id / "latest.json"
        if latest.exists():
            cached = Path(json.loads(latest.read_text()).get("path", ""))
            if cached.exists():
                return cached
    return lists_dir() / src.local


def source(source_id: str) -> ListSource:
    """Look up a catalogue entry, with a clear error listing the known ids."""
    if source_id not in SOURCES:
        raise KeyError(f"unknown list {source_id!r}; known: {', '.join(SOURCES)}")
    return SOURCES[source_id]


def load_source(src: ListSource, path: str | Path | None = None) -> LoadedList:
    """Load one source from `path` (default: `default_path(src)`)."""
    p = Path(path) if path else default_path(src)
    if not p.exists():
        raise FileNotFoundError(f"list {src.id}: {p} not found (set SANCTIONWATCH_LISTS_DIR, or unset it to use "
                                f"the packaged snapshot, or `sanctionwatch lists download {src.id}`)")
    loaded = LOADERS[src.format](p)
    from sanctionwatch.lists.validate import check_files

    for f in check_files(src, p):  # a cut or malformed local file is reported, not loaded as a short list
        if f.severity == "error":
            loaded.problem(f"{p.name if p.is_dir() else p.parent.name}/{f.file}", f"{f.message} (check {f.check})")
    meta = (p if p.is_dir() else p.parent) / "meta.json"
    if src.format in ("ofac_sdn", "ofac_cons") and meta.exists():
        # A cached download: OFAC files carry no date, the download recorded it (see download.py).
        loaded.list_version = json.loads(meta.read_text()).get("list_version") or loaded.list_version
    return loaded
