"""Case files: the HTML carries the evidence (raw positions with file:line) and renders to a non-blank PDF."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from sanctionwatch.report.casefile import (
    VesselNotFound,
    render_html,
    resolve_vessel,
    vessel_context,
    write_report,
)
from sanctionwatch.web.queries import Queries
from tests.web.conftest import MMSI


def test_resolve_vessel_by_mmsi_imo_name(store):
    q = Queries(store)
    for key in (str(MMSI), "IMO 8705539", "8705539", "chonmasan"):
        assert resolve_vessel(q, key).mmsis == [MMSI]
    with pytest.raises(VesselNotFound):
        resolve_vessel(q, "NO SUCH SHIP")
    with pytest.raises(VesselNotFound, match="999999999"):
        resolve_vessel(q, "999999999")


def test_html_has_events_with_raw_evidence_and_sources(store, tmp_path):
    ctx = vessel_context(store, str(MMSI))
    port_call = next(e for e in ctx["events"] if e["type"] == "port_call")
    # the port call lasts 3 h at 10 s reporting: evidence rows are a sample from inside its interval
    assert 0 < len(port_call["raw_positions"]) <= 12
    assert all(port_call["start"] <= p["ts"] <= port_call["end"] for p in port_call["raw_positions"])
    html = render_html(ctx)
    assert "sim.nmea:1<" in html  # file:line of the first raw position
    assert "Rajin" in html and "KPNJN" in html and "data:image/png;base64," in html
    out = write_report(store, str(MMSI), tmp_path / "case.html")
    text = out.read_text()
    assert "sim.nmea:1<" in text and "<script" not in text  # self-contained, static


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("pdftoppm") is None
                    or shutil.which("pdftotext") is None,
                    reason="needs Debian chromium + poppler-utils (.ci/run installs them)")
def test_pdf_renders_non_blank(store, tmp_path):
    from PIL import Image

    pdf = write_report(store, str(MMSI), tmp_path / "case.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("L"))
    assert (page < 200).mean() > 0.02, "first page looks blank"
    # every page is numbered "Page N of M" and carries the document id (CSS @page margin boxes)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    assert len(pages) >= 2
    for i, p in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in p and "SW-CF-" in p, f"page {i} has no number or document id"


def test_case_file_states_band_reason_and_arithmetic(store, tmp_path):
    """The summary carries the band with its reason and the arithmetic behind the headline, and a hit shows
    the name that matched and why."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sanctionwatch.risk.run import risk_file

    for name, table in {
        "ranked": pa.table({"rank": pa.array([1], pa.uint32()), "mmsi": [MMSI], "band": ["high"],
                            "band_reason": ["DPRK port call at Rajin"], "points": [40.5], "risk_0_100": [61.0],
                            "signals": ["dprk_port_call"], "arithmetic": ["dprk_port_call 40.5 = 40.5"]}),
        "list_hits": pa.table({"mmsi": [MMSI], "caption": ["CHON MA SAN"], "dataset": ["un_sc_sanctions"],
                               "match_kind": ["strong"], "score": [1.0], "matched_name": ["CHONMASAN"],
                               "reasons": ["imo agrees"], "sources": ["un_sc_sanctions, us_ofac_sdn"]}),
    }.items():
        f = risk_file(store, name)
        f.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, f)
    try:
        html = render_html(vessel_context(store, str(MMSI)))
    finally:
        shutil.rmtree(risk_file(store, "ranked").parent)
    assert "Band: high" in html and "DPRK port call at Rajin" in html
    assert "dprk_port_call 40.5 = 40.5" in html
    assert "matched &#39;CHONMASAN&#39;" in html or "matched 'CHONMASAN'" in html
    assert "imo agrees" in html and "us_ofac_sdn" in html


def test_title_names_vessel_imo_and_flag(store):
    """The headline an editor needs: name, IMO and flag (MID 445 -> KP), not just the MMSI; the other name the
    hull sent is kept. Both names were sent once: the later one (CHONMASAN, day 2) heads the title."""
    ctx = vessel_context(store, str(MMSI), with_map=False)
    assert ctx["title"] == (f"Case file: CHONMASAN (IMO 8705539, flag KP; MMSI {MMSI}) — also reported as "
                            "CHON MA SAN")
    assert f"<h1>{ctx['title']}</h1>" in render_html(ctx)


def test_no_python_reprs_and_ids_do_not_wrap(store):
    """Import formats read `NMEA: 1 file`, rejects `reason: n`, confidences without float32 noise; no `{'` or
    `['` anywhere; every event id sits whole in a no-wrap span (and its title) so the PDF cannot split it."""
    import re

    ctx = vessel_context(store, str(MMSI), with_map=False)
    ctx["sources"] = [{"import_id": "imp1", "inputs": ["sim.nmea"], "formats": {"nmea": 1, "csv": 2},
                       "positions": 20000, "vessel_reports": 2, "rejected": {"bad checksum": 3},
                       "ts_min": None, "ts_max": None}]
    ctx["events"][0]["confidence"] = 0.8999999761581421  # what a float32 column reads back as
    html = render_html(ctx)
    assert "NMEA: 1 file, CSV: 2 files" in html and "bad checksum: 3" in html
    assert "0.8999999761581421" not in html and "confidence 0.9" in html
    assert "2017-10-01 00:00:00 UTC" in html and "+00:00" not in html  # timestamps for people, not str(datetime)
    assert not re.search(r"[{\[](&#39;|')", html), "a Python dict/list repr leaked into the case file"
    assert ".id {" in html and "white-space: nowrap" in html
    for e in ctx["events"]:
        assert f'<span class="id" title="{e["event_id"]}">{e["event_id"]}</span>' in html


def _hits_table(rows: list[dict]):
    import pyarrow as pa

    cols = ("mmsi", "caption", "dataset", "match_kind", "score", "matched_name", "reasons", "sources")
    types = (pa.int32(), pa.string(), pa.string(), pa.string(), pa.float64(), pa.string(), pa.string(), pa.string())
    return pa.table({c: pa.array([r[c] for r in rows], t) for c, t in zip(cols, types, strict=True)})


def test_every_list_searched_is_named_with_version_and_result(store):
    """Before `risk` runs the file says 'not screened' (no false negative); after a screening with no hit it names
    every list of the shipped snapshot with its version and 'no match'; a hit marks exactly its lists."""
    import pyarrow.parquet as pq

    from sanctionwatch.lists.snapshot import manifest
    from sanctionwatch.risk.run import risk_file

    versions = {s["source"]: s["list_version"] for s in manifest()["sources"]}
    ctx = vessel_context(store, str(MMSI), with_map=False)
    assert ctx["screening"]["screened"] is None and ctx["screening"]["sentence"].startswith("Not screened")
    assert {r["result"] for r in ctx["screening"]["lists"]} == {"not screened"}
    f = risk_file(store, "list_hits")
    f.parent.mkdir(parents=True, exist_ok=True)
    try:
        pq.write_table(_hits_table([]), f)
        ctx = vessel_context(store, str(MMSI), with_map=False)
        s = ctx["screening"]
        assert {r["dataset"]: r["list_version"] for r in s["lists"]} == versions
        assert s["sentence"].startswith("Searched on ") and s["sentence"].endswith(": no match.")
        for d, v in versions.items():
            assert f"{d} {v}" in s["sentence"]
        html = render_html(ctx)
        part = html.split("<h3>Lists searched</h3>")[1].split("<h2>")[0]
        assert part.count("<td>no match</td>") == len(versions) and "shipped list snapshot" in part
        pq.write_table(_hits_table([
            {"mmsi": MMSI, "caption": "CHON MA SAN", "dataset": "un_sc_sanctions", "match_kind": "strong",
             "score": 1.0, "matched_name": "CHONMASAN", "reasons": "imo agrees",
             "sources": "un_sc_sanctions 2026-02-27, us_ofac_sdn 2024-05-03"},  # as screening writes it
            {"mmsi": MMSI, "caption": "CHON MA", "dataset": "gb_hmt_sanctions", "match_kind": "rejected",
             "score": 0.5, "matched_name": "CHON MA", "reasons": "imo differs", "sources": "gb_hmt_sanctions"}]), f)
        res = {r["dataset"]: r["result"] for r in vessel_context(store, str(MMSI), with_map=False)
               ["screening"]["lists"]}
    finally:
        shutil.rmtree(f.parent)
    assert res.pop("un_sc_sanctions") == res.pop("us_ofac_sdn") == "strong match: CHON MA SAN"
    assert set(res.values()) == {"no match"}  # a rejected namesake is not a match


def test_document_id_and_evidence_digest(store):
    """The digest is sha256 of the canonical JSON of the cited events + hits: stable across runs (the document
    id differs, its suffix does not), changed by any edit of the evidence, stated in the file."""
    import hashlib
    import json

    from sanctionwatch.report.casefile import canonical_evidence, evidence_digest

    a = vessel_context(store, str(MMSI), with_map=False)
    b = vessel_context(store, str(MMSI), with_map=False)
    assert a["evidence_sha256"] == b["evidence_sha256"] == hashlib.sha256(
        canonical_evidence(a["events"], a["hits"])).hexdigest()
    assert a["document_id"].startswith("SW-CF-") and a["document_id"].endswith(a["evidence_sha256"][:8])
    doc = json.loads(canonical_evidence(a["events"], a["hits"]))
    assert [e["event_id"] for e in doc["events"]] == [e["event_id"] for e in a["events"]]
    assert doc["events"][0]["start"].endswith("Z") and "raw_positions" not in doc["events"][0]
    changed = [dict(e) for e in a["events"]]
    changed[0]["evidence"] = '{"gap_h": 7}'
    assert evidence_digest(changed, a["hits"]) != a["evidence_sha256"]
    html = render_html(a)
    assert a["evidence_sha256"] in html and a["document_id"] in html and "counter(pages)" in html


def test_narrative_and_methodology_from_the_evidence(store):
    """The summary is built from the events (in time order, each with where and how long) and the declarations;
    the appendix lists every detector parameter with its value and marks the sections that produced events."""
    from sanctionwatch.detect.params import flat_defaults

    ctx = vessel_context(store, str(MMSI), with_map=False)
    text = " ".join(ctx["narrative"])
    assert text.startswith(f"CHONMASAN (IMO 8705539, flag KP; MMSI {MMSI}) sent 20,000 AIS positions between "
                           "2017-10-01 00:00 UTC")
    assert "It declared 'VLADIVOSTOK', then 'NAMPO'." in text
    call = text.index("called at Rajin (KPNJN, KP) for 3.0 h")
    dark = text.index("went dark (no AIS) near 41.00°N 129.50°E for 6.0 h")
    assert call < dark  # time order: the call at 00:00, the gap from 05:00
    assert "Not screened" in text
    params = {f"{m['section']}.{p['name']}": p["value"] for m in ctx["methodology"] for p in m["params"]}
    assert params.keys() == flat_defaults().keys() and params["gap.min_gap_h"] == "6"
    used = {m["section"] for m in ctx["methodology"] if m["used"]}
    assert used == {"track", "gap", "port_call"}
    note = next(p["note"] for m in ctx["methodology"] if m["section"] == "gap" for p in m["params"]
                if p["name"] == "lookback_h")
    assert "12 h before" in note
    notes = {f"{m['section']}.{p['name']}": p["note"] for m in ctx["methodology"] for p in m["params"]}
    # same field name, different detectors: each keeps its own class's meaning
    assert "pilot stop" in notes["port_call.min_duration_h"] and "pilot stop" not in notes["loitering.min_duration_h"]
    # a comment block above a field is its meaning; a lower-case comment line continues the field above it
    assert notes["destination.went_dark_h"].startswith("Silent this long")
    assert notes["destination.en_route_min_closing"].startswith("share of") and "bearing" in \
        notes["destination.en_route_min_closing"] and not notes["destination.same_port_km"].endswith(")")
    html = render_html(ctx)
    assert "Appendix: methodology and limitations" in html and "shorter than 6 h is not reported" in html
