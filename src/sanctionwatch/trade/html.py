"""Self-contained interactive HTML charts (inline SVG + a few lines of inline JS; no CDN, no network).

Hovering a point or bar shows its exact value; clicking a legend entry hides/shows a series. The data
behind the chart is embedded as JSON (`<script type="application/json" id="data">`) — the page's JSON twin.
"""

from __future__ import annotations

import html
import json

import polars as pl

from sanctionwatch.trade.charts import SOURCE_NOTE
from sanctionwatch.trade.hs import chapter_label

R_LEGEND = 300  # legend width: chapter labels are up to 40 characters
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
W, H, L, R, T, B = 1000, 380, 70, R_LEGEND, 30, 70

_JS = """
document.querySelectorAll('[data-toggle]').forEach(el => el.addEventListener('click', () => {
  const k = el.getAttribute('data-toggle');
  document.querySelectorAll('[data-series="' + k + '"]').forEach(s => {
    s.style.display = s.style.display === 'none' ? '' : 'none'; });
  el.style.opacity = el.style.opacity === '0.35' ? '1' : '0.35';
}));
const tip = document.getElementById('tip');
document.querySelectorAll('[data-tip]').forEach(el => {
  el.addEventListener('mousemove', e => { tip.textContent = el.getAttribute('data-tip');
    tip.style.left = (e.pageX + 12) + 'px'; tip.style.top = (e.pageY + 12) + 'px'; tip.style.display = 'block'; });
  el.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
});
"""


def _page(title: str, svg: str, payload: dict) -> str:
    data = json.dumps(payload, default=str).replace("</", "<\\/")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title><style>"
        "body{font:14px system-ui,sans-serif;margin:16px}#tip{position:absolute;display:none;background:#222;"
        "color:#fff;padding:3px 6px;border-radius:3px;font-size:12px;pointer-events:none}"
        "[data-toggle]{cursor:pointer}</style></head><body><h3>" + html.escape(title) + "</h3>" + svg +
        "<p style='color:#666;font-size:12px'>" + html.escape(SOURCE_NOTE) + ". Click a legend entry to hide it.</p>"
        "<div id='tip'></div><script type='application/json' id='data'>" + data + "</script><script>" + _JS +
        "</script></body></html>"
    )


def _axes(periods: list[str], ymax: float, ylabel: str) -> list[str]:
    out = [f"<line x1='{L}' y1='{H - B}' x2='{W - R}' y2='{H - B}' stroke='#333'/>",
           f"<line x1='{L}' y1='{T}' x2='{L}' y2='{H - B}' stroke='#333'/>",
           f"<text x='14' y='{T + (H - T - B) / 2}' transform='rotate(-90 14 {T + (H - T - B) / 2})' "
           f"text-anchor='middle' font-size='12'>{html.escape(ylabel)}</text>"]
    for i in range(5):
        v = ymax * i / 4
        y = H - B - (H - T - B) * i / 4
        out.append(f"<text x='{L - 6}' y='{y + 4:.1f}' text-anchor='end' font-size='11'>{v:,.1f}</text>"
                   f"<line x1='{L}' y1='{y:.1f}' x2='{W - R}' y2='{y:.1f}' stroke='#eee'/>")
    step = max(1, len(periods) // 12)
    for i, p in enumerate(periods):
        if i % step == 0:
            x = _x(i, len(periods))
            out.append(f"<text x='{x:.1f}' y='{H - B + 14}' transform='rotate(45 {x:.1f} {H - B + 14})' "
                       f"font-size='11'>{html.escape(p)}</text>")
    return out


def _x(i: int, n: int) -> float:
    return L + (W - L - R) * (i + 0.5) / max(n, 1)


def _legend(names: list[str]) -> list[str]:
    return [f"<g data-toggle='{html.escape(n)}'><rect x='{W - R + 12}' y='{T + 18 * k}' width='12' height='12' "
            f"fill='{PALETTE[k % len(PALETTE)]}'/><text x='{W - R + 30}' y='{T + 18 * k + 10}' font-size='12'>"
            f"{html.escape(n)}</text></g>" for k, n in enumerate(names)]


def timeseries_html(frame: pl.DataFrame, title: str) -> str:
    """Interactive line chart (USD millions) of (period, series, value_usd)."""
    periods = sorted(set(frame["period"].to_list()))
    names = sorted(set(frame["series"].to_list()))
    ymax = max(1e-9, float(frame["value_usd"].max() or 0.0) / 1e6) * 1.05
    parts = _axes(periods, ymax, "USD million")
    idx = {p: i for i, p in enumerate(periods)}
    for k, n in enumerate(names):
        s = frame.filter(pl.col("series") == n).sort("period")
        pts = [(_x(idx[p], len(periods)), H - B - (H - T - B) * (v / 1e6) / ymax, p, v)
               for p, v in zip(s["period"], s["value_usd"], strict=True)]
        color = PALETTE[k % len(PALETTE)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in pts)
        parts.append(f"<g data-series='{html.escape(n)}'><polyline points='{path}' fill='none' stroke='{color}' "
                     f"stroke-width='2'/>" + "".join(
                         f"<circle cx='{x:.1f}' cy='{y:.1f}' r='4' fill='{color}' "
                         f"data-tip='{html.escape(n)} {p}: USD {v:,.0f}'/>" for x, y, p, v in pts) + "</g>")
    parts += _legend(names)
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}'>" + "".join(parts) + "</svg>"
    return _page(title, svg, {"kind": "timeseries", "rows": frame.to_dicts()})


def composition_html(frame: pl.DataFrame, title: str) -> str:
    """Interactive stacked bars of each chapter's percent share per period of (period, chapter, value_usd)."""
    periods = sorted(set(frame["period"].to_list()))
    chapters = sorted(set(frame["chapter"].to_list()), key=lambda c: (c == "other", c))
    totals = {p: float(v) for p, v in frame.group_by("period").agg(pl.col("value_usd").sum()).rows()}
    cell = {(p, c): float(v) for p, c, v in frame.select("period", "chapter", "value_usd").rows()}
    parts = _axes(periods, 100.0, "% of value")
    bw = (W - L - R) / max(len(periods), 1) * 0.8
    for i, p in enumerate(periods):
        acc = 0.0
        for k, c in enumerate(chapters):
            v = cell.get((p, c), 0.0)
            pct = 100 * v / totals[p] if totals.get(p) else 0.0
            y0 = H - B - (H - T - B) * (acc + pct) / 100
            hgt = (H - T - B) * pct / 100
            acc += pct
            label = chapter_label(c)
            parts.append(f"<rect data-series='{html.escape(label)}' x='{_x(i, len(periods)) - bw / 2:.1f}' "
                         f"y='{y0:.1f}' width='{bw:.1f}' height='{hgt:.1f}' fill='{PALETTE[k % len(PALETTE)]}' "
                         f"data-tip='{p} {label}: {pct:.1f}% (USD {v:,.0f})'/>")
    parts += _legend([chapter_label(c) for c in chapters])
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}'>" + "".join(parts) + "</svg>"
    return _page(title, svg, {"kind": "composition", "rows": frame.to_dicts()})
