"""`/api/network/{id}`: the ownership / management network of a vessel or company (registry/view.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel

from sanctionwatch.store import Store


class NetworkView(BaseModel):
    """Nodes (list status on each), links with their evidence, the paths risk scores, shared-company clusters."""

    query: str
    keys: list[str]
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    paths: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    truncated: bool
    registry_files: list[str]


def router(store: Store) -> APIRouter:
    r = APIRouter(prefix="/api/network", tags=["network"])
    cache: dict[str, Any] = {}

    def graph():
        """The graph, built once per process and again when a registry file was loaded since (seconds)."""
        man = store.root / "registry" / "manifest.json"
        stamp = man.stat().st_mtime_ns if man.exists() else 0
        if cache.get("stamp") != stamp:
            from sanctionwatch.registry.view import store_graph

            cache["graph"], cache["stamp"] = store_graph(store), stamp
        return cache["graph"]

    @r.get("/{node_id}", response_model=NetworkView)
    def network(node_id: str = PathParam(..., max_length=200, description="`IMO 9187629` (ship or company IMO), "
                                          "a list entry / designation id, a graph node key, or a name"),
                depth: int = Query(2, ge=1, le=3, description="Links from the vessel or company")) -> NetworkView:
        """Who stands behind a ship: owners, managers, operators (registry imports), their list links, the other
        vessels they control; each link cites its registry file:line or list entry and version."""
        from sanctionwatch.registry.view import network_view

        view = network_view(store, node_id, depth, graph=graph())
        if not view["keys"]:
            raise HTTPException(404, f"no vessel or company {node_id!r} in the lists or the registry imports")
        return NetworkView(**view)

    return r
