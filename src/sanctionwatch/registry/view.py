"""The neighbourhood of a vessel or company, as one JSON-able dict for the CLI, the API and the case file.

`network_view(store, query)`: the nodes within `depth` links (list status on each), the links with their
evidence, the paths risk follows from a vessel to designated entities (the `list_hit_related` evidence) and
the vessels sharing a company with designated vessels (clusters: context, not scored).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from sanctionwatch.lists.index import ListIndex
from sanctionwatch.registry.graph import (
    Graph,
    build_graph,
    clusters,
    neighbourhood,
    related_paths,
    resolve_node,
)
from sanctionwatch.registry.params import OwnershipParams
from sanctionwatch.registry.store import manifest, registry_rows
from sanctionwatch.store.layout import Store

MAX_NODES = 400  # a neighbourhood bigger than this is cut (OFAC links some companies to hundreds of entries)


def store_graph(store: Store, index: ListIndex | None = None,
                params: OwnershipParams | None = None) -> tuple[Graph, ListIndex]:
    """The graph of the store's list index (else the shipped lists) and its registry imports."""
    from sanctionwatch.lists.screen import default_index

    idx = index if index is not None else default_index(store)
    return build_graph(idx, registry_rows(store), params), idx


def network_view(store: Store, query: str, depth: int = 2, *, graph: tuple[Graph, ListIndex] | None = None,
                 params: OwnershipParams | None = None) -> dict[str, Any]:
    """{query, keys, nodes, edges, paths, clusters, truncated, registry_files}; `keys` empty: nothing found."""
    g, idx = graph if graph is not None else store_graph(store, params=params)
    keys = resolve_node(g, idx, query)
    out: dict[str, Any] = {"query": query, "keys": keys, "nodes": [], "edges": [], "paths": [], "clusters": [],
                           "truncated": False,
                           "registry_files": [f["path"] for f in manifest(store)["files"]]}
    if not keys:
        return out
    nodes, edges = [], []
    for k in keys:
        n, e = neighbourhood(g, k, depth)
        nodes.append(n)
        edges.append(e)
    n_df = pl.concat(nodes).unique("key", maintain_order=True)
    e_df = pl.concat(edges).unique(maintain_order=True)
    if n_df.height > MAX_NODES:  # keep the queried nodes and their direct links first
        out["truncated"] = True
        direct = e_df.filter(pl.col("a").is_in(keys) | pl.col("b").is_in(keys))
        near = set(keys) | set(direct["a"].to_list()) | set(direct["b"].to_list())
        n_df = n_df.filter(pl.col("key").is_in(list(near))).head(MAX_NODES)
        e_df = e_df.filter(pl.col("a").is_in(n_df["key"].implode()) & pl.col("b").is_in(n_df["key"].implode()))
    out["nodes"] = n_df.to_dicts()
    out["edges"] = e_df.to_dicts()
    vessels = [k for k in keys if k.startswith("imo-")]
    if vessels:
        out["paths"] = related_paths(g, vessels, params).to_dicts()
    cl = clusters(g)
    out["clusters"] = cl.filter(pl.col("vessel").is_in(keys) | pl.col("company").is_in(keys)).to_dicts()
    return out
