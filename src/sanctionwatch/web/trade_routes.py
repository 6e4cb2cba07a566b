"""Trade endpoints for the dashboard: pairs in the store, series (JSON) and charts (PNG data URIs)."""

from __future__ import annotations

import base64
import io

import matplotlib.pyplot as plt
from fastapi import APIRouter, HTTPException, Query

from sanctionwatch.store import Store
from sanctionwatch.trade.charts import composition_figure, composition_frame, series_frame, timeseries_figure
from sanctionwatch.trade.data import TradeData
from sanctionwatch.web.queries import Queries

FLOWS = ("import", "export", "re-export", "re-import")


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def router(store: Store, q: Queries) -> APIRouter:
    r = APIRouter(prefix="/api/trade", tags=["trade"])

    def pairs(limit: int) -> list[dict]:
        return q.dicts("""select reporter_code, any_value(reporter) as reporter, partner_code,
                                 any_value(partner) as partner, flow, count(*) as rows
                          from trade_flows where partner_code <> 0 group by reporter_code, partner_code, flow
                          order by rows desc, reporter_code, partner_code, flow limit ?""", [limit])

    @r.get("/pairs")
    def trade_pairs(limit: int = Query(50, ge=1, le=500)) -> list[dict]:
        """Reporter/partner/flow combinations in the store (largest first)."""
        return pairs(limit)

    @r.get("/series")
    def trade_series(reporter: int, partner: int, flow: str = "export") -> list[dict]:
        """Value per period for one reporter->partner flow (the JSON twin of the charts)."""
        if flow not in FLOWS:
            raise HTTPException(422, f"flow must be one of {', '.join(FLOWS)}")
        data = TradeData.from_store(store, [reporter, partner])
        return series_frame(data, reporter, partner, flow).to_dicts()

    @r.get("/charts")
    def trade_charts(limit: int = Query(2, ge=1, le=6)) -> dict:
        """Time-series and composition charts for the largest pairs in the store."""
        items = []
        for p in pairs(limit):
            data = TradeData.from_store(store, [p["reporter_code"], p["partner_code"]])
            title = f"{p['reporter']} {p['flow']}s with {p['partner']}"
            s = series_frame(data, p["reporter_code"], p["partner_code"], p["flow"])
            if s.height:
                items.append({"title": title + " (USD)", "png": _png(timeseries_figure(s, title)),
                              "series": s.to_dicts()})
            c = composition_frame(data, p["reporter_code"], p["partner_code"], p["flow"])
            if c.height:
                items.append({"title": title + " by HS chapter", "png": _png(composition_figure(c, title)),
                              "series": c.to_dicts()})
        return {"items": items}

    return r
