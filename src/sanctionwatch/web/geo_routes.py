"""Map reference layers: sanctioned areas and ports as GeoJSON."""

from __future__ import annotations

import shapely
from fastapi import APIRouter, HTTPException, Query

from sanctionwatch.geo.areas import load_areas
from sanctionwatch.geo.gazetteer import load_ports

# Ports layer: a regional view holds a few hundred ports; the cap keeps a world view light.
MAX_PORTS = 2_000


def router() -> APIRouter:
    r = APIRouter(prefix="/api", tags=["map layers"])

    @r.get("/areas")
    def areas() -> dict:
        """Configured sanctioned areas (GeoJSON FeatureCollection)."""
        df = load_areas()
        feats = [{"type": "Feature", "geometry": shapely.geometry.mapping(row["geometry"]),
                  "properties": {k: row[k] for k in ("area_id", "name", "description", "source") if k in row}}
                 for row in df.iter_rows(named=True)]
        return {"type": "FeatureCollection", "features": feats}

    @r.get("/ports")
    def ports(bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat"),
              country: str | None = Query(None, min_length=2, max_length=2)) -> dict:
        """Gazetteer ports (GeoJSON points with LOCODE, country and port-area radius)."""
        df = load_ports()
        if country:
            df = df.filter(df["country"] == country.upper())
        if bbox:
            try:
                a, b, c, d = (float(x) for x in bbox.split(","))
            except ValueError as e:
                raise HTTPException(422, "bbox must be minlon,minlat,maxlon,maxlat") from e
            df = df.filter(df["lon"].is_between(a, c) & df["lat"].is_between(b, d))
        feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                  "properties": {"name": p["name"], "locode": p["locode"], "country": p["country"],
                                 "radius_km": p["radius_km"]}}
                 for p in df.head(MAX_PORTS).iter_rows(named=True)]
        return {"type": "FeatureCollection", "features": feats}

    return r
