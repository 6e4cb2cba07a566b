"""Time-series and composition charts of trade flows as matplotlib figures (PNG/SVG), reusable by the dashboard.

Inputs are tidy frames: `series_frame` -> (period, series, value_usd); `composition_frame` -> (period, chapter,
value_usd). Functions return figures and never call `plt.show()`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import polars as pl
from matplotlib.figure import Figure

from sanctionwatch.trade.analysis import flows_by_chapter, flows_by_period
from sanctionwatch.trade.data import TradeData
from sanctionwatch.trade.hs import chapter_label

SOURCE_NOTE = "Source: UN Comtrade (rows marked constructed_ are invented test data)"


def one_frequency(df: pl.DataFrame) -> pl.DataFrame:
    """Keep monthly or annual periods, whichever has more, so one axis never mixes 2017 with 2017-05."""
    monthly = df["period"].str.len_chars() == 7
    n_m = df.filter(monthly)["period"].n_unique()
    n_a = df.filter(~monthly)["period"].n_unique()
    return df.filter(monthly if n_m >= n_a else ~monthly)


def series_frame(data: TradeData, reporter: int, partner: int, flow: str, family: str = "HS") -> pl.DataFrame:
    """(period, series, value_usd): one series per flow, totals per period (one frequency)."""
    df = one_frequency(flows_by_period(data, reporter, partner, flow, family))
    return df.select("period", pl.col("flow").alias("series"), "value_usd").sort("series", "period")


def composition_frame(data: TradeData, reporter: int, partner: int, flow: str, family: str = "HS",
                      top: int = 6) -> pl.DataFrame:
    """(period, chapter, value_usd) with the `top` chapters by value and the rest as 'other' (one frequency)."""
    df = one_frequency(flows_by_chapter(data, reporter, partner, flow, family))
    if df.height == 0:
        return pl.DataFrame({"period": [], "chapter": [], "value_usd": []},
                            schema={"period": pl.String, "chapter": pl.String, "value_usd": pl.Float64})
    keep = (df.group_by("chapter").agg(pl.col("value_usd").sum()).sort("value_usd", descending=True)
            .head(top)["chapter"].to_list())
    df = df.with_columns(chapter=pl.when(pl.col("chapter").is_in(keep)).then(pl.col("chapter"))
                         .otherwise(pl.lit("other")))
    return df.group_by("period", "chapter").agg(pl.col("value_usd").sum()).sort("period", "chapter")


def timeseries_figure(frame: pl.DataFrame, title: str) -> Figure:
    """Line chart of value per period, one line per series (USD millions)."""
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    periods = sorted(set(frame["period"].to_list()))
    x = {p: i for i, p in enumerate(periods)}
    for name in sorted(set(frame["series"].to_list())):
        s = frame.filter(pl.col("series") == name).sort("period")
        ax.plot([x[p] for p in s["period"]], (s["value_usd"] / 1e6).to_list(), marker="o", ms=3, label=name)
    _period_axis(ax, periods)
    ax.set_ylabel("USD million")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.text(0.01, 0.005, SOURCE_NOTE, fontsize=7, color="0.4")
    return fig


def composition_figure(frame: pl.DataFrame, title: str) -> Figure:
    """Stacked bars of each chapter's share of the period's value (percent)."""
    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    periods = sorted(set(frame["period"].to_list()))
    totals = frame.group_by("period").agg(pl.col("value_usd").sum().alias("t"))
    f = frame.join(totals, on="period").with_columns(pct=100 * pl.col("value_usd") / pl.col("t"))
    bottom = [0.0] * len(periods)
    for ch in sorted(set(f["chapter"].to_list()), key=lambda c: (c == "other", c)):
        s = dict(zip(*f.filter(pl.col("chapter") == ch).select("period", "pct").to_dict(as_series=False).values(),
                     strict=True))
        vals = [s.get(p, 0.0) for p in periods]
        ax.bar(range(len(periods)), vals, bottom=bottom, label=chapter_label(ch))
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    _period_axis(ax, periods)
    ax.set_ylabel("% of value")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.text(0.01, 0.005, SOURCE_NOTE, fontsize=7, color="0.4")
    return fig


def _period_axis(ax: plt.Axes, periods: list[str]) -> None:
    step = max(1, len(periods) // 12)
    ax.set_xticks(range(0, len(periods), step), periods[::step], rotation=45, ha="right", fontsize=8)


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write PNG or SVG (by suffix) atomically and close the figure."""
    from sanctionwatch.store.files import atomic_path

    p = Path(path)
    if p.suffix.lower() not in (".png", ".svg"):
        raise ValueError(f"{p}: chart output must end in .png, .svg or .html")
    with atomic_path(p) as tmp:
        fig.savefig(tmp, format=p.suffix[1:].lower(), dpi=120)
    plt.close(fig)
    return p
