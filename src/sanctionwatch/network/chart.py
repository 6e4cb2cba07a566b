"""Timeline chart (PNG): share of collector paths through each upstream, with the detected changes marked."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sanctionwatch.network.analyze import Analysis
from sanctionwatch.store.files import atomic_path

_MARK = {"upstream_appeared": ("^", "tab:green"), "upstream_disappeared": ("v", "tab:red"), "outage": ("x", "black")}


def write_chart(an: Analysis, dest: str | Path) -> Path:
    """Step plot of each upstream's share of the target's paths over time; written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tl = an.timeline.filter(pl.col("scope") == "*").sort("time")
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    end = an.selection.end
    for (u,), g in tl.group_by(["upstream"], maintain_order=True):
        xs, ys = g["time"].to_list(), g["share"].to_list()
        if end is not None and xs and xs[-1] < end:
            xs, ys = [*xs, end], [*ys, ys[-1]]
        name = an.names.get(u, "direct" if u == 0 else "")
        ax.step(xs, ys, where="post", label=f"AS{u} {name[:40]}".strip())
    for c in an.changes:
        if c.scope != "*":
            continue
        marker, color = _MARK[c.change]
        ax.scatter([c.start], [1.05], marker=marker, color=color, zorder=5, clip_on=False)
        ax.annotate(f"{c.change.replace('upstream_', '')} AS{c.upstream}" if c.upstream is not None else c.change,
                    (c.start, 1.05), xytext=(3, 4), textcoords="offset points", fontsize=7, rotation=60)
    ax.set_ylim(0, 1.45)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("share of collector paths")
    ax.set_xlabel("time (UTC)")
    ax.set_title(f"Upstreams of {an.target.label} (first-hop transit before the origin)", fontsize=10)
    if tl.height:
        ax.legend(loc="upper right", fontsize=7)
    else:
        ax.text(0.5, 0.5, f"no routes of {an.target.label} in the input", ha="center", transform=ax.transAxes)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return dest
