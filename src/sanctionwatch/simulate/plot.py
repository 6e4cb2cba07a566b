"""Map of a simulated run (matplotlib): land from global-land-mask, tracks from the CSV, labelled behaviours."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from sanctionwatch.store.files import atomic_path

_STYLE = {"encounter": ("*", "#d62728"), "gap": ("X", "#9467bd"), "loitering": ("o", "#ff7f0e"),
          "spoofing": ("D", "#8c564b"), "identity_change": ("^", "#e377c2"), "port_call": (".", "#1f77b4")}


def plot_run(run_dir: str | Path, png: str | Path, *, bbox: tuple[float, float, float, float] | None = None,
             title: str | None = None) -> Path:
    """Draw every track of run_dir/traffic.csv (DPRK-flag MMSIs in red) and its non-control labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from global_land_mask import globe

    run_dir = Path(run_dir)
    df = pl.read_csv(run_dir / "traffic.csv", columns=["MMSI", "Latitude", "Longitude"],
                     schema_overrides={"MMSI": pl.Int64, "Latitude": pl.Float64, "Longitude": pl.Float64})
    labels = [json.loads(x) for x in (run_dir / "labels.jsonl").read_text().splitlines()]
    lat0, lat1, lon0, lon1 = bbox or (df["Latitude"].min() - 0.5, df["Latitude"].max() + 0.5,
                                      df["Longitude"].min() - 0.5, df["Longitude"].max() + 0.5)
    fig, ax = plt.subplots(figsize=(10, 10 * (lat1 - lat0) / ((lon1 - lon0) * np.cos(np.radians((lat0 + lat1) / 2)))))
    gl = np.linspace(lat0, lat1, 600)
    go = np.linspace(lon0, lon1, 600)
    land = globe.is_land(*np.meshgrid(gl, go, indexing="ij"))
    ax.imshow(land, origin="lower", extent=(lon0, lon1, lat0, lat1), cmap="Greys", vmin=0, vmax=3, aspect="auto")
    for (mmsi,), g in df.group_by("MMSI", maintain_order=True):
        red = str(mmsi).startswith("445")
        la, lo = g["Latitude"].to_numpy().copy(), g["Longitude"].to_numpy().copy()
        jump = np.flatnonzero(np.hypot(np.diff(la), np.diff(lo)) > 0.2) + 1  # spoofed jumps / two hulls: no line
        la, lo = np.insert(la, jump, np.nan), np.insert(lo, jump, np.nan)
        ax.plot(lo, la, lw=0.8 if red else 0.4, color="#c0392b" if red else "#4a6fa5",
                alpha=0.9 if red else 0.5)
    seen = set()
    for x in labels:
        if x["control"] or x["lat"] is None or x["type"] not in _STYLE or x["type"] == "port_call":
            continue
        m, c = _STYLE[x["type"]]
        ax.scatter(x["lon"], x["lat"], marker=m, color=c, s=90, zorder=5,
                   label=None if x["type"] in seen else x["type"], edgecolors="black", linewidths=0.5)
        seen.add(x["type"])
    for x in {(x["port"], x["lat"], x["lon"]) for x in labels if x["type"] == "port_call"}:
        ax.annotate(x[0], (x[2], x[1]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{title or run_dir.name}: {df['MMSI'].n_unique()} MMSIs, red = DPRK flag (MID 445)")
    png = Path(png)
    with atomic_path(png) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
    plt.close(fig)
    return png
