"""Case files: a self-contained HTML (and PDF) an analyst can hand on — map, timeline, the raw evidence
behind every event, list entries, list versions and data sources."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import shapely
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.collections import PolyCollection

from sanctionwatch import __version__
from sanctionwatch.report.basemap import land_polygons
from sanctionwatch.store import Store
from sanctionwatch.store.files import write_text_atomic
from sanctionwatch.web.queries import Queries

TEMPLATES = Path(__file__).parent / "templates"
# Raw positions shown per event: enough to verify by hand, small enough to print.
EVIDENCE_ROWS_PER_EVENT = 12
EVENT_COLORS = {"port_call": "#2b6cb0", "gap": "#718096", "encounter": "#c53030", "loitering": "#d69e2e",
                "destination_mismatch": "#805ad5", "identity_change": "#dd6b20", "spoofing": "#e53e3e",
                "sanctioned_area": "#000000"}


class VesselNotFound(LookupError):
    """The MMSI/IMO/name given matches no vessel in the store."""


@dataclass(frozen=True)
class Subject:
    mmsis: list[int]
    label: str


def resolve_vessel(q: Queries, text: str) -> Subject:
    """MMSI (9 digits), IMO (7 digits) or name (exact, case-insensitive) -> the MMSIs that used it."""
    text = text.strip()
    if text.isdigit() and len(text) == 9:
        mmsi = int(text)
        seen = q.dicts("select 1 from vessel_reports where mmsi = ? limit 1", [mmsi]) or q.dicts(
            f"select 1 from {q.track_table()} where mmsi = ? limit 1", [mmsi])
        if not seen:
            raise VesselNotFound(f"no vessel with MMSI {mmsi} in the store")
        return Subject([mmsi], f"MMSI {text}")
    if text.upper().removeprefix("IMO").strip().isdigit():
        imo = int(text.upper().removeprefix("IMO").strip())
        rows = q.dicts("select distinct mmsi from vessel_reports where imo = ? order by mmsi", [imo])
        label = f"IMO {imo}"
    else:
        rows = q.dicts("select distinct mmsi from vessel_reports where upper(name) = ? order by mmsi",
                       [text.upper()])
        label = text.upper()
    if not rows:
        raise VesselNotFound(f"no vessel matching {text!r} in the store")
    return Subject([r["mmsi"] for r in rows], label)


def _map_png(q: Queries, mmsis: list[int], events: list[dict]) -> str:
    """Track + events over coastlines as a base64 PNG."""
    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    xs, ys = [], []
    for mmsi in mmsis:
        tr = q.track(mmsi, None, None, zoom=8)
        for f in tr["features"]:
            c = np.array(f["geometry"]["coordinates"])
            if f["properties"]["kind"] == "track":
                ax.plot(c[:, 0], c[:, 1], color=plt.cm.YlOrRd(0.3 + 0.7 * f["properties"]["t"]), lw=1.6, zorder=3)
            else:
                ax.plot(c[:, 0], c[:, 1], color="#4a5568", lw=1.2, ls="--", zorder=3)
            xs += list(c[:, 0])
            ys += list(c[:, 1])
    for e in events:
        if e["lon"] is not None:
            ax.scatter(e["lon"], e["lat"], s=36, color=EVENT_COLORS.get(e["type"], "#444"), edgecolor="white",
                       zorder=4, label=e["type"])
            xs.append(e["lon"])
            ys.append(e["lat"])
    pad = max(0.5, 0.15 * max(np.ptp(xs), np.ptp(ys))) if xs else 0.0
    view = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad) if xs else (-180, -85, 180, 85)
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    box = shapely.box(*view)
    land = [np.asarray(p.exterior.coords) for p in land_polygons() if p.intersects(box)]
    ax.add_collection(PolyCollection(land, facecolor="#eae6dc", edgecolor="#a89f8a", linewidth=0.4, zorder=1))
    ax.set_facecolor("#cfe0ee")
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles, strict=True))
    if uniq:
        ax.legend(uniq.values(), uniq.keys(), loc="best", fontsize=8)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_aspect(1 / max(np.cos(np.deg2rad(np.mean(ys) if ys else 0)), 0.2))
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _evidence_rows(q: Queries, e: dict) -> list[dict]:
    """Raw positions (with source file:line) behind one event, evenly sampled over its interval."""
    if e.get("mmsi") is None:
        return []
    mmsis = [e["mmsi"]] + ([e["other_mmsi"]] if e.get("other_mmsi") is not None else [])
    rows = q.dicts(
        f"""select ts, mmsi, lat, lon, sog, cog, nav_status, source, src_line from positions
            where mmsi in ({",".join("?" * len(mmsis))}) and ts >= ? and ts <= ? order by ts""",
        [*mmsis, e["start"], e["end"]])
    if len(rows) > EVIDENCE_ROWS_PER_EVENT:
        idx = np.linspace(0, len(rows) - 1, EVIDENCE_ROWS_PER_EVENT).round().astype(int)
        rows = [rows[i] for i in idx]
    return rows


def _source_ids(sources: object) -> list[str]:
    """Dataset ids of a hit's `sources` ("un_sc_sanctions 2026-02-27, us_ofac_sdn 2024-05-03": id, version)."""
    return [part.split()[0] for part in str(sources or "").split(",") if part.strip()]


def _lists_searched(store: Store, hits: list[dict]) -> dict:
    """Every list screening searched, with its version, age and this vessel's result on it — a negative
    result ("no match") is evidence too, but only against named, dated lists, and only if screening ran.

    Lists: the store's index (`sanctionwatch lists build`) when present, else the shipped snapshot's (what
    `sanctionwatch risk` falls back to, lists/screen.py `default_index`). Screened: the date
    STORE/risk/list_hits.parquet was written by `sanctionwatch risk`, None when it never ran."""
    from sanctionwatch.lists.freshness import list_ages, searched, stale_warning
    from sanctionwatch.risk.run import risk_file

    man_file = store.root / "lists" / "manifest.json"
    if man_file.exists():
        manifest, origin = json.loads(man_file.read_text()), "the store's list index (STORE/lists/manifest.json)"
    else:
        from sanctionwatch.lists.snapshot import manifest as snapshot_manifest

        snap = snapshot_manifest()
        manifest = {"sources": [{"dataset": s["source"], "list_version": s["list_version"]}
                                for s in snap["sources"]]}
        origin = f"the shipped list snapshot (sha256 {snap['sha256'][:12]})"
    ages = list_ages(manifest)
    hits_file = risk_file(store, "list_hits")
    screened = (datetime.fromtimestamp(hits_file.stat().st_mtime, UTC).date().isoformat()
                if hits_file.exists() else None)
    kept = [h for h in hits if h.get("match_kind") != "rejected"]
    rows = []
    for a in ages:
        mine = [h for h in kept if h.get("dataset") == a["dataset"]
                or a["dataset"] in _source_ids(h.get("sources"))]
        result = ("not screened" if screened is None else
                  "no match" if not mine else
                  "; ".join(f"{h.get('match_kind')} match: {h.get('caption')}" for h in mine))
        rows.append(dict(a, result=result))
    if screened is None:
        sentence = (f"Not screened: `sanctionwatch risk` has not run on this store; it would search "
                    f"{searched(ages)}.")
    else:
        matched = sorted({r["dataset"] for r in rows if r["result"] != "no match"})
        sentence = (f"Searched on {screened}: {searched(ages)}: "
                    + (f"match on {', '.join(matched)}." if matched else "no match."))
    return {"lists": rows, "origin": origin, "screened": screened, "sentence": sentence,
            "warning": stale_warning(ages)}


OWNERSHIP_EDGES_SHOWN = 60  # links listed per vessel in the case file (the rest: `sanctionwatch network`)


def _ownership(store: Store, identity: list[dict]) -> list[dict]:
    """Per IMO the vessel sent: its owners / managers / operators and their list links (registry imports and
    list statements), the scored paths to designated entities, and shared-company clusters (registry/view.py)."""
    imos = sorted({str(r["imo"]).zfill(7) for r in identity if r.get("imo")})
    if not imos:
        return []
    from sanctionwatch.registry.view import network_view, store_graph

    graph = store_graph(store)
    out = []
    for imo in imos:
        v = network_view(store, f"IMO {imo}", 2, graph=graph)
        label = {n["key"]: n for n in v["nodes"]}
        edges = [dict(e, a_label=label.get(e["a"], {}).get("label", e["a"]),
                      b_label=label.get(e["b"], {}).get("label", e["b"]),
                      b_status=(f"listed: {label[e['b']]['sources']}" if label.get(e["b"], {}).get("designated")
                                else "not listed")) for e in v["edges"]]
        direct = [e for e in edges if e["a"] in v["keys"] or e["b"] in v["keys"]]
        rest = [e for e in edges if e not in direct]
        out.append({"imo": imo, "keys": v["keys"], "edges": (direct + rest)[:OWNERSHIP_EDGES_SHOWN],
                    "edges_total": len(edges), "paths": v["paths"], "clusters": v["clusters"],
                    "registry_files": v["registry_files"]})
    return out


def _title(subj: Subject, identity: list[dict]) -> str:
    """`Case file: NAME (IMO n, flag XX; MMSI m) — also reported as ...`: the name and IMO most reported (the latest on a tie), other
    names after "also", and the flag from each MMSI's MID (ITU table) — what an editor puts in a headline."""
    from sanctionwatch.detect.identity import flag_of

    def top(key: str) -> list:
        count: dict = {}
        last: dict = {}
        for r in identity:
            if (v := r.get(key)) is not None:
                count[v] = count.get(v, 0) + r["reports"]
                last[v] = max(last.get(v, r["last_seen"]), r["last_seen"])
        return sorted(count, key=lambda v: (count[v], last[v]), reverse=True)

    names, imos = top("name"), top("imo")
    flags = sorted({f for m in subj.mmsis if (f := flag_of(m))})
    ids = ([f"IMO {imos[0]}"] if imos else ["no IMO sent"]) + [f"flag {'/'.join(flags) if flags else 'unknown'}"]
    mmsi = f"MMSI {', '.join(map(str, subj.mmsis))}"
    head = names[0] if names else subj.label
    also = f" — also reported as {', '.join(map(str, names[1:]))}" if len(names) > 1 else ""
    return f"Case file: {head} ({', '.join(ids)}; {mmsi}){also}"


def _when(v: object) -> str:
    return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if isinstance(v, datetime) else str(v or "?")


def _hours(e: dict) -> float | None:
    s, t = e.get("start"), e.get("end")
    return (t - s).total_seconds() / 3600 if isinstance(s, datetime) and isinstance(t, datetime) else None


def _event_sentence(e: dict) -> str:
    """One event as a clause of the narrative: what, when, where, how long, and the detector's why."""
    h = _hours(e)
    dur = f" for {h:.1f} h" if h is not None and h > 0 else ""
    where = (f" at {e['port']} ({e['locode']}, {e['country']})" if e.get("port")
             else f" near {abs(e['lat']):.2f}°{'N' if e['lat'] >= 0 else 'S'} {abs(e['lon']):.2f}°"
                  f"{'E' if e['lon'] >= 0 else 'W'}" if e.get("lat") is not None and e.get("lon") is not None
             else "")
    what = {"port_call": "called", "gap": "went dark (no AIS)", "encounter": "met MMSI {other}",
            "loitering": "loitered", "destination_mismatch": "sailed somewhere other than declared",
            "identity_change": "changed identity", "spoofing": "reported implausible positions",
            "sanctioned_area": "entered a sanctioned area"}.get(e["type"], e["type"].replace("_", " "))
    why = f": {e['why']}" if e.get("why") else ""
    return f"On {_when(e.get('start'))} it {what.format(other=e.get('other_mmsi'))}{where}{dur}{why}."


def narrative(title: str, identity: list[dict], destinations: list[dict], tracks: list[dict],
              events: list[dict], screening: dict, risk: list[dict]) -> list[str]:
    """The summary an editor reads first, generated only from the evidence below it (each sentence is traced
    to an event, a declaration, a list result or the risk arithmetic; nothing is inferred beyond them)."""
    head = title.removeprefix("Case file: ").split(" — ")[0]
    out = []
    seen = [t for t in tracks if t.get("positions")]
    if seen:
        out.append(f"{head} sent {sum(t['positions'] for t in seen):,} AIS positions between "
                   f"{_when(min(t['first'] for t in seen))} and {_when(max(t['last'] for t in seen))}.")
    else:
        out.append(f"{head} sent no AIS positions in this store; only its voyage/static reports were received.")
    if destinations:
        out.append("It declared " + ", then ".join(f"'{d['destination']}'" for d in destinations) + ".")
    out += [_event_sentence(e) for e in events]
    if not events:
        out.append("The detectors found no events in its track.")
    out.append(screening["sentence"].replace("`", ""))
    for r in risk:
        if r.get("band"):
            out.append(f"Risk band {r['band']}: {r.get('band_reason') or ''} (score {human(r.get('risk_0_100'))}"
                       f"/100).")
    return out


SECTION_OF_TYPE = {"port_call": "port_call", "gap": "gap", "encounter": "encounter", "loitering": "loitering",
                   "spoofing": "spoofing", "destination_mismatch": "destination", "identity_change": "identity",
                   "sanctioned_area": "area"}


def methodology(events: list[dict]) -> list[dict]:
    """Per detector section: its parameters (detect/params.py `flat_defaults`) with the meaning stated beside
    each field in params.py, and whether an event in this file came from it."""
    import inspect
    import re
    from dataclasses import fields

    from sanctionwatch.detect import params as dp

    notes: dict[str, str] = {}  # `section.field` -> the comment beside the field in its own params class
    for sec in fields(dp.DEFAULT):
        # a comment beside a field describes it (lower-case comment lines right after it continue it);
        # comment lines above a field with none beside it describe that field
        above: list[str] = []
        cont: str | None = None  # the field whose beside-comment the next comment lines continue
        for line in inspect.getsource(type(getattr(dp.DEFAULT, sec.name))).splitlines():
            if c := re.match(r"\s+#\s*(.+)$", line):
                if cont and not c.group(1)[0].isupper():  # a capital starts a new note for what follows
                    notes[cont] += " " + c.group(1).strip()
                else:
                    cont = None
                    above.append(c.group(1).strip())
            elif m := re.match(r"\s+(\w+):\s*[^=]+=([^#]*)(?:#\s*(.+))?$", line):
                key = f"{sec.name}.{m.group(1)}"
                notes[key] = (m.group(3) or " ".join(above)).strip()
                cont, above = (key if m.group(3) else None), []
            else:
                cont, above = None, []
    used = {SECTION_OF_TYPE.get(e["type"]) for e in events}
    out: dict[str, dict] = {}
    for key, value in dp.flat_defaults().items():
        sec, name = key.split(".", 1)
        d = out.setdefault(sec, {"section": sec, "used": sec in used or sec == "track", "params": []})
        d["params"].append({"name": name, "value": human(value), "note": notes.get(key, "")})
    return list(out.values())


def limitations(screening: dict) -> list[str]:
    """What this file cannot show, stated with the thresholds that bound it (from the detector defaults)."""
    from sanctionwatch.detect.params import DEFAULT as P

    out = [
        f"AIS is self-reported and received unevenly: a silence shorter than {P.gap.min_gap_h:g} h is not "
        "reported, and a reported gap means no position was received, not that the transmitter was off; the gap "
        "evidence states whether other ships nearby were received.",
        f"Port calls shorter than {P.port_call.min_duration_h:g} h and encounters shorter than "
        f"{P.encounter.min_duration_h:g} h or farther apart than {P.encounter.max_distance_km:g} km are not "
        "detected; a transfer by a ship that sent no AIS at all cannot be seen.",
        "Flags are read from the MMSI's country code (MID), which the ship itself sets; the registry flag may "
        "differ.",
        "Parameters are the package defaults; a detector run with `--set` overrides is not recorded in the "
        "store and would differ.",
        "A 'no match' is only against the lists and versions named in 'Lists searched'; "
        + ("some are older than the freshness bound, so recent designations may be missing."
           if screening.get("warning") else "later designations are not covered."),
        "Risk scores rank vessels for review; they are not findings of a sanctions violation.",
    ]
    return out


# The stored columns of a cited event and of a list hit that the evidence digest covers (what the file cites).
DIGEST_EVENT_KEYS = ("event_id", "type", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "port", "locode",
                     "country", "confidence", "evidence")


def _canon(v: object) -> object:
    if isinstance(v, datetime):
        return v.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(v, dict):
        return {str(k): _canon(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_canon(x) for x in v]
    if isinstance(v, float) and v != v:
        return None  # NaN is not JSON
    if isinstance(v, float | int | str | bool) or v is None:
        return v
    return str(v)


def canonical_evidence(events: list[dict], hits: list[dict]) -> bytes:
    """The cited evidence as canonical JSON (UTF-8, sorted keys, no whitespace, timestamps ISO 8601 UTC `Z`):
    `{"events": [the DIGEST_EVENT_KEYS of each event, in file order], "hits": [every list-hit column]}`."""
    doc = {"events": [{k: e.get(k) for k in DIGEST_EVENT_KEYS} for e in events], "hits": hits}
    return json.dumps(_canon(doc), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def evidence_digest(events: list[dict], hits: list[dict]) -> str:
    """sha256 (hex) of `canonical_evidence`: a reader recomputes it from the store to show nothing changed."""
    return hashlib.sha256(canonical_evidence(events, hits)).hexdigest()


def vessel_context(store: Store, vessel: str, *, with_map: bool = True) -> dict:
    """Everything the vessel case file shows, as plain data (also the report's JSON twin)."""
    q = Queries(store)
    subj = resolve_vessel(q, vessel)
    events: list[dict] = []
    for m in subj.mmsis:
        events += q.events(mmsi=m, limit=5000)
    events.sort(key=lambda e: (e["start"], e["event_id"]))
    for e in events:
        e["evidence_parsed"] = json.loads(e["evidence"]) if e.get("evidence") else {}
        e["why"] = str(e["evidence_parsed"].get("rule", "")) if isinstance(e["evidence_parsed"], dict) else ""
        e["raw_positions"] = _evidence_rows(q, e)
    hits = [h for m in subj.mmsis for h in q.list_hits(m)]
    identity = [dict(r, mmsi=m) for m in subj.mmsis for r in q.identity_history(m)]
    digest = evidence_digest(events, hits)
    now = datetime.now(UTC)
    ctx = {
        "title": _title(subj, identity),
        # one id per document: when it was made and which evidence it cites (same evidence, same suffix)
        "document_id": f"SW-CF-{now:%Y%m%dT%H%M%SZ}-{digest[:8]}",
        "evidence_sha256": digest,
        "subject": subj.label,
        "mmsis": subj.mmsis,
        "generated_at": now.isoformat(timespec="seconds"),
        "version": __version__,
        "store": str(store.root),
        "identity": identity,
        "ownership": _ownership(store, identity),
        "destinations": [dict(r, mmsi=m) for m in subj.mmsis for r in q.destinations(m)],
        "tracks": [dict(q.track_summary(m), mmsi=m) for m in subj.mmsis],
        "risk": [r for m in subj.mmsis for r in q.risk_of(m)],
        "breakdown": [r for m in subj.mmsis for r in q.risk_breakdown(m)],
        "hits": hits,
        "screening": (screening := _lists_searched(store, hits)),
        "list_warning": screening["warning"],
        "events": events,
        "sources": [{k: r.get(k) for k in ("import_id", "inputs", "formats", "positions", "vessel_reports",
                                            "rejected", "ts_min", "ts_max")} for r in store.imports()],
        "map_png": _map_png(q, subj.mmsis, events) if with_map else None,
        "methodology": methodology(events),
        "limitations": limitations(screening),
    }
    ctx["narrative"] = narrative(ctx["title"], identity, ctx["destinations"], ctx["tracks"], events, screening,
                                 ctx["risk"])
    return ctx


def human(v: object) -> str:
    """A value as a person reads it: floats to 4 significant digits (no float32 noise such as
    0.8999999761581421), timestamps `YYYY-MM-DD HH:MM:SS UTC`, lists comma-joined, mappings `key: value`, None blank, never a Python repr."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, datetime):
        u = v.astimezone(UTC) if v.tzinfo else v
        ms = f".{u.microsecond // 1000:03d}" if u.microsecond else ""  # raw fixes keep their milliseconds
        return f"{u:%Y-%m-%d %H:%M:%S}{ms}" + (" UTC" if v.tzinfo else "")
    if isinstance(v, dict):
        return "; ".join(f"{k}: {human(x)}" for k, x in v.items())
    if isinstance(v, list | tuple | set):
        return ", ".join(human(x) for x in v)
    return str(v)


def formats_h(formats: dict | None) -> str:
    """Import formats as `NMEA: 1 file, CSV: 2 files` (the import manifest's {format: file count})."""
    return ", ".join(f"{k.upper()}: {n} file{'s' if n != 1 else ''}" for k, n in (formats or {}).items())


def render_html(context: dict) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters.update(human=human, formats_h=formats_h)
    return env.get_template("casefile.html.j2").render(**context)


def html_to_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print the HTML to PDF with headless Chromium (a real browser engine), atomically."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        raise RuntimeError("PDF output needs Chromium (Debian: apt-get install chromium); HTML output works without")
    with tempfile.TemporaryDirectory() as prof:
        tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.tmp")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={prof}",
               "--no-pdf-header-footer", f"--print-to-pdf={tmp_pdf}", html_path.resolve().as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        tmp_pdf.replace(pdf_path)
    return pdf_path


def write_report(store: Store, vessel: str, out: Path) -> Path:
    """Write the vessel's case file to `out` (.html, or .pdf via Chromium)."""
    html = render_html(vessel_context(store, vessel))
    if out.suffix.lower() == ".pdf":
        with tempfile.TemporaryDirectory() as d:
            h = Path(d) / "casefile.html"
            h.write_text(html, encoding="utf-8")
            return html_to_pdf(h, out)
    return write_text_atomic(out, html)
