"""The ownership graph: list relations + registry rows, merged by strong ids, and the paths risk follows.

Nodes are keyed so that one thing is one node:
* a list entry -> its `designation_id` (lists/designations.py: vessels by IMO, companies by company IMO);
* a registry vessel -> the designation of its IMO when listed, else `imo-<IMO>` (the same key form);
* a registry company -> its own node, `coimo-<company IMO>` or `co-<normalised name>`; when it matches a list
  entity (registry/match.py) a zero-hop `same` edge joins it to that designation, saying how it matched;
* a graph-only endpoint of a list relation (an unlisted owner named by OFAC) -> its relation node id.

Edges (`EDGE_SCHEMA`) read "a <verb> b" with their evidence: `registry <file>:<line>` or
`<dataset> <version>, <file>:<line>`. `related_paths` walks from each vessel along registry edges to its
companies, then along list links (both ways, never through another vessel, stopping at the first
designated node) up to `max_hops` counted links; `clusters` lists vessels sharing a company with designated
vessels (shown to the analyst, not scored).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sanctionwatch.lists.designations import designation_sources
from sanctionwatch.lists.index import ListIndex
from sanctionwatch.lists.relations import RELATION_SCHEMA, norm_name, norm_name_expr
from sanctionwatch.registry.load import ROW_SCHEMA
from sanctionwatch.registry.match import match_companies
from sanctionwatch.registry.params import OwnershipParams

NODE_SCHEMA = {"key": pl.Utf8, "label": pl.Utf8, "schema": pl.Utf8, "designated": pl.Boolean,
               "sources": pl.Utf8, "programs": pl.Utf8}
EDGE_SCHEMA = {"a": pl.Utf8, "b": pl.Utf8, "verb": pl.Utf8, "kind": pl.Utf8, "origin": pl.Utf8,
               "evidence": pl.Utf8, "factor": pl.Float64, "start_date": pl.Utf8, "end_date": pl.Utf8}
REGISTRY_VERBS = {"registered owner": ("owned by", "owner"), "beneficial owner": ("beneficially owned by", "owner"),
                  "ship manager": ("managed by", "manager"), "ISM manager": ("ISM-managed by", "manager"),
                  "operator": ("operated by", "operator")}
PATH_SCHEMA = {"vessel": pl.Utf8, "target": pl.Utf8, "hops": pl.Int64, "factor": pl.Float64, "path": pl.Utf8,
               "first_company": pl.Utf8, "first_role": pl.Utf8}


@dataclass
class Graph:
    nodes: pl.DataFrame
    edges: pl.DataFrame
    company_matches: pl.DataFrame  # registry/match.py MATCH_SCHEMA, rejected namesakes included

    def label(self, key: str) -> str:
        r = self.nodes.filter(pl.col("key") == key)
        return r["label"][0] if r.height else key


def _list_nodes(index: ListIndex) -> pl.DataFrame:
    """One node per designation, labelled with its lists' names (a renamed ship: `Fan Ke / EVER BRIGHT 88`)."""
    e = index.entries
    src = designation_sources(e)
    first = (e.sort("dataset", "entry_id").group_by("designation_id", maintain_order=True)
             .agg(pl.col("caption").unique(maintain_order=True).head(3).str.join(" / ").alias("label"),
                  pl.col("schema").first(),
                  pl.col("programs").drop_nulls().unique().sort().str.join("; ").alias("programs")))
    return first.join(src, on="designation_id").select(
        pl.col("designation_id").alias("key"), "label", "schema", pl.lit(True).alias("designated"), "sources",
        "programs")


def _relations(index: ListIndex) -> pl.DataFrame:
    return index.relations if index.relations is not None else pl.DataFrame(schema=RELATION_SCHEMA)


def _resolve_across_lists(rel: pl.DataFrame, index: ListIndex) -> pl.DataFrame:
    """A link target that its own list does not list (OFAC SDN names PRESIDENCY OF DEFENSE INDUSTRIES, which is
    on the non-SDN list) is the designation of another list bearing exactly that name (normalised), when
    exactly one designation does; otherwise it stays a graph-only node."""
    todo = rel.filter(~pl.col("b_resolved"))
    if todo.is_empty():
        return rel
    wanted = todo.select(norm_name_expr("b_caption").alias("n")).unique()
    names = index.names.filter(pl.col("field").is_in(["name", "alias"]) & (pl.col("schema") != "Vessel")).select(
        "entry_id", norm_name_expr("name").alias("n")).join(wanted, on="n")
    one = (names.join(index.entries.select("entry_id", "designation_id"), on="entry_id").group_by("n")
           .agg(pl.col("designation_id").unique().alias("d")).filter(pl.col("d").list.len() == 1)
           .select("n", pl.col("d").list.first().alias("x_key")))
    return (rel.with_columns(norm_name_expr("b_caption").alias("n"))
            .join(one, on="n", how="left")
            .with_columns(pl.when(~pl.col("b_resolved") & pl.col("x_key").is_not_null()).then(pl.col("x_key"))
                          .otherwise(pl.col("b_key")).alias("b_key"),
                          (pl.col("b_resolved") | pl.col("x_key").is_not_null()).alias("b_resolved"))
            .drop("n", "x_key"))


def build_graph(index: ListIndex, registry: pl.DataFrame | None = None,
                params: OwnershipParams | None = None) -> Graph:
    """Nodes and edges from the index's relations and the registry rows (ROW_SCHEMA)."""
    p = params or OwnershipParams()
    reg = registry if registry is not None else pl.DataFrame(schema=ROW_SCHEMA)
    to_desig = index.entries.select("entry_id", "designation_id")
    nodes = [_list_nodes(index)]
    rel = _relations(index)
    rel = (rel.join(to_desig.rename({"entry_id": "a_id", "designation_id": "a_key"}), on="a_id", how="left")
           .join(to_desig.rename({"entry_id": "b_id", "designation_id": "b_key"}), on="b_id", how="left")
           .with_columns(pl.coalesce("a_key", "a_id").alias("a_key"), pl.coalesce("b_key", "b_id").alias("b_key")))
    rel = _resolve_across_lists(rel, index)
    nodes.append(rel.filter(~pl.col("b_resolved")).select(
        pl.col("b_key").alias("key"), pl.col("b_caption").alias("label"), pl.col("b_schema").alias("schema"),
        pl.lit(False).alias("designated"), pl.lit(None, dtype=pl.Utf8).alias("sources"),
        pl.lit(None, dtype=pl.Utf8).alias("programs")))
    edges = [rel.select(pl.col("a_key").alias("a"), pl.col("b_key").alias("b"), "verb", "kind",
                        pl.lit("list").alias("origin"),
                        pl.format("{} {}, {}", "dataset", "list_version", "source_ref").alias("evidence"),
                        pl.lit(1.0).alias("factor"), "start_date", "end_date")]
    matches = match_companies(reg, index, p) if reg.height else pl.DataFrame(
        schema={**dict.fromkeys(("company", "company_imo"), pl.Utf8)}).with_columns(
        [pl.lit(None, dtype=pl.Utf8).alias(c) for c in ("designation_id", "match_kind", "reasons", "entry_ref",
                                                       "dataset", "list_version")] +
        [pl.lit(None, dtype=pl.Float64).alias("factor")])
    if reg.height:
        vkeys = index.idents.filter((pl.col("kind") == "imo") & pl.col("valid")).join(
            to_desig, on="entry_id").group_by("value").agg(pl.col("designation_id").min())
        ckey = pl.when(pl.col("company_imo").is_not_null()).then(pl.format("coimo-{}", "company_imo")) \
            .otherwise(pl.concat_str([pl.lit("co-"), norm_name_expr("company").str.replace_all(" ", "-")
                .str.to_lowercase()]))
        verbs = {k: v[0] for k, v in REGISTRY_VERBS.items()}
        kinds = {k: v[1] for k, v in REGISTRY_VERBS.items()}
        r = reg.join(vkeys, left_on="imo", right_on="value", how="left").with_columns(
            pl.coalesce("designation_id", pl.format("imo-{}", "imo")).alias("vkey"), ckey.alias("ckey"))
        nodes.append(r.filter(pl.col("designation_id").is_null()).select(
            pl.col("vkey").alias("key"), pl.coalesce("vessel_name", pl.format("IMO {}", "imo")).alias("label"),
            pl.lit("Vessel").alias("schema"), pl.lit(False).alias("designated"),
            pl.lit(None, dtype=pl.Utf8).alias("sources"), pl.lit(None, dtype=pl.Utf8).alias("programs")))
        nodes.append(r.select(
            pl.col("ckey").alias("key"),
            pl.concat_str([pl.coalesce("company", pl.lit("company")),
                           pl.when(pl.col("company_imo").is_not_null())
                           .then(pl.format(" (company IMO {})", "company_imo")).otherwise(pl.lit(""))]).alias("label"),
            pl.lit("Company").alias("schema"), pl.lit(False).alias("designated"),
            pl.lit(None, dtype=pl.Utf8).alias("sources"), pl.lit(None, dtype=pl.Utf8).alias("programs")))
        edges.append(r.select(
            pl.col("vkey").alias("a"), pl.col("ckey").alias("b"),
            pl.col("role").replace_strict(verbs, return_dtype=pl.Utf8).alias("verb"),
            pl.col("role").replace_strict(kinds, return_dtype=pl.Utf8).alias("kind"), pl.lit("registry").alias("origin"),
            pl.format("registry {}", "source_ref").alias("evidence"), pl.lit(1.0).alias("factor"),
            "start_date", "end_date"))
        # a registry company bearing the very name of a graph-only list node (named by a list, not listed:
        # OFAC's unlisted owners and link targets) is that node: exact normalised name, no hop
        only = nodes[1].select("key", norm_name_expr("label").alias("n"))
        named = rel.filter(~pl.col("b_resolved")).group_by("b_key").agg(
            pl.format("named by {} {}, {}", "dataset", "list_version", "source_ref").first().alias("by"))
        same_only = (r.select("ckey", "company").unique().with_columns(
            norm_name_expr("company").alias("n"))
            .join(only, on="n").join(named, left_on="key", right_on="b_key"))
        edges.append(same_only.select(
            pl.col("ckey").alias("a"), pl.col("key").alias("b"), pl.lit("is the company").alias("verb"),
            pl.lit("same").alias("kind"), pl.lit("match").alias("origin"),
            pl.format("name equal; {}", "by").alias("evidence"), pl.lit(1.0).alias("factor"),
            pl.lit(None, dtype=pl.Utf8).alias("start_date"), pl.lit(None, dtype=pl.Utf8).alias("end_date")))
        ok = matches.filter(pl.col("match_kind") != "rejected").with_columns(ckey.alias("ckey"))
        edges.append(ok.select(
            pl.col("ckey").alias("a"), pl.col("designation_id").alias("b"), pl.lit("is listed as").alias("verb"),
            pl.lit("same").alias("kind"), pl.lit("match").alias("origin"),
            pl.format("{}; {} {}, {}", "reasons", "dataset", "list_version", "entry_ref").alias("evidence"),
            "factor", pl.lit(None, dtype=pl.Utf8).alias("start_date"), pl.lit(None, dtype=pl.Utf8).alias("end_date")))
    node_df = pl.concat([n.select([pl.col(c).cast(t) for c, t in NODE_SCHEMA.items()]) for n in nodes]).unique(
        "key", keep="first", maintain_order=True)
    edge_df = pl.concat([e.select([pl.col(c).cast(t) for c, t in EDGE_SCHEMA.items()]) for e in edges]).unique(
        maintain_order=True)
    return Graph(node_df, edge_df, matches)


def _steps(g: Graph) -> pl.DataFrame:
    """Edges as steps (src -> dst) with their words and hop cost. A statement reads the same whichever way it is
    walked ("X linked to Y (OFAC ...)"); a registry step, always vessel -> company, reads "managed by X
    (registry f.csv:3)". Registry edges are walked vessel -> company only; list links and `same` both ways;
    `same` (a registry company is a list entity) costs no hop."""
    lab = g.nodes.select("key", "label")
    e = g.edges.join(lab.rename({"key": "a", "label": "a_label"}), on="a", how="left").join(
        lab.rename({"key": "b", "label": "b_label"}), on="b", how="left")
    a_l, b_l = pl.coalesce("a_label", "a"), pl.coalesce("b_label", "b")
    e = e.with_columns(
        pl.concat_str([pl.when(pl.col("origin").is_in(["registry", "match"])).then(pl.col("verb"))
                       .otherwise(pl.concat_str([a_l, pl.lit(" "), pl.col("verb")])),
                       pl.lit(" "), b_l, pl.lit(" ("), pl.col("evidence"), pl.lit(")")]).alias("words"),
        pl.when(pl.col("kind") == "same").then(0).otherwise(1).alias("cost"))
    cols = ["words", "cost", "factor", "origin", "verb"]
    fwd = e.select(pl.col("a").alias("src"), pl.col("b").alias("dst"), *cols)
    back = e.filter(pl.col("origin") != "registry").select(pl.col("b").alias("src"), pl.col("a").alias("dst"), *cols)
    return pl.concat([fwd, back])


def related_paths(g: Graph, vessels: list[str] | None = None, params: OwnershipParams | None = None) -> pl.DataFrame:
    """PATH_SCHEMA rows: for each undesignated vessel with registry edges (or the given vessel keys), the best
    path (fewest hops, then highest factor) to each designated entity within `max_hops`."""
    p = params or OwnershipParams()
    steps = _steps(g)
    kind_of = g.nodes.select("key", "schema", "designated")
    steps = steps.join(kind_of.rename({"key": "dst", "schema": "dst_schema", "designated": "dst_designated"}),
                       on="dst", how="left").with_columns(pl.col("dst_designated").fill_null(False))
    reg = steps.filter(pl.col("origin") == "registry")
    starts = reg.select(pl.col("src").alias("vessel")).unique()
    if vessels is not None:
        starts = starts.filter(pl.col("vessel").is_in(vessels))
    designated_v = kind_of.filter(pl.col("designated") & (pl.col("schema") == "Vessel"))["key"].implode()
    starts = starts.filter(~pl.col("vessel").is_in(designated_v))
    vlabel = g.nodes.select(pl.col("key").alias("src"), pl.col("label").alias("v_label"))
    cur = reg.join(starts, left_on="src", right_on="vessel").join(vlabel, on="src", how="left").select(
        pl.col("src").alias("vessel"), pl.col("dst").alias("node"), pl.col("cost").alias("hops"), "factor",
        pl.concat_str([pl.coalesce("v_label", "src"), pl.lit(" -> "), pl.col("words")]).alias("path"),
        pl.concat_list(pl.col("src"), pl.col("dst")).alias("seen"),
        "dst_designated", pl.col("dst").alias("first_company"), pl.col("verb").alias("first_role"))
    found = [cur.filter(pl.col("dst_designated"))]
    cur = cur.filter(~pl.col("dst_designated"))
    nonreg = steps.filter((pl.col("origin") != "registry") & (pl.col("dst_schema").fill_null("") != "Vessel"))
    for _ in range(2 * p.max_hops + 1):  # zero-cost `same` steps need extra rounds
        if cur.is_empty():
            break
        nxt = cur.join(nonreg, left_on="node", right_on="src").with_columns(
            (pl.col("hops") + pl.col("cost")).alias("hops"), (pl.col("factor") * pl.col("factor_right")).alias("factor"))
        nxt = nxt.filter((pl.col("hops") <= p.max_hops) & ~pl.col("seen").list.contains(pl.col("dst")))
        nxt = nxt.select("vessel", pl.col("dst").alias("node"), "hops", "factor",
                         pl.concat_str([pl.col("path"), pl.lit(" -> "), pl.col("words")]).alias("path"),
                         pl.concat_list(pl.col("seen"), pl.col("dst")).alias("seen"),
                         pl.col("dst_designated_right").alias("dst_designated"), "first_company", "first_role")
        nxt = nxt.sort(["hops", "factor"], descending=[False, True]).unique(["vessel", "node"], keep="first",
                                                                            maintain_order=True)
        found.append(nxt.filter(pl.col("dst_designated")))
        cur = nxt.filter(~pl.col("dst_designated"))
    out = pl.concat(found).rename({"node": "target"})
    out = out.sort(["hops", "factor", "path"], descending=[False, True, False]).unique(
        ["vessel", "target"], keep="first", maintain_order=True)
    return out.select([pl.col(c).cast(t) for c, t in PATH_SCHEMA.items()])


def clusters(g: Graph) -> pl.DataFrame:
    """Undesignated vessels sharing a company (owner, manager, operator, or a list "linked to" company) with
    designated vessels: vessel, company, via, designated_vessels (keys), evidence. Context, not a score."""
    e = g.edges.filter(pl.col("kind") != "same")
    # registry company nodes count as their listed designation too, so a registry ship and a listed ship
    # managed by the same (listed) company meet
    same = g.edges.filter(pl.col("kind") == "same").select(pl.col("a").alias("b"), pl.col("b").alias("alias"))
    ve = e.join(g.nodes.select("key", "schema", "designated"), left_on="a", right_on="key", how="left").filter(
        pl.col("schema") == "Vessel")
    ve = pl.concat([ve.select("a", "b", "verb", "evidence", "designated"),
                    ve.join(same, on="b").select("a", pl.col("alias").alias("b"), "verb", "evidence", "designated")])
    des = ve.filter(pl.col("designated").fill_null(False)).group_by("b").agg(
        pl.col("a").unique().sort().alias("designated_vessels"))
    und = ve.filter(~pl.col("designated").fill_null(False))
    out = und.join(des, on="b").with_columns(pl.col("designated_vessels").list.set_difference(
        pl.concat_list(pl.col("a")))).filter(pl.col("designated_vessels").list.len() > 0)
    return out.select(pl.col("a").alias("vessel"), pl.col("b").alias("company"), pl.col("verb").alias("via"),
                      "designated_vessels", "evidence").unique(["vessel", "company"], maintain_order=True)


def neighbourhood(g: Graph, key: str, depth: int = 2) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(nodes, edges) within `depth` edges of `key` (zero-hop `same` edges followed for free)."""
    keys = {key}
    e = g.edges
    for _ in range(depth):
        touch = e.filter(pl.col("a").is_in(list(keys)) | pl.col("b").is_in(list(keys)))
        new = set(touch["a"].to_list()) | set(touch["b"].to_list())
        same = e.filter((pl.col("kind") == "same") & (pl.col("a").is_in(list(new)) | pl.col("b").is_in(list(new))))
        new |= set(same["a"].to_list()) | set(same["b"].to_list())
        if new <= keys:
            break
        keys |= new
    edges = e.filter(pl.col("a").is_in(list(keys)) & pl.col("b").is_in(list(keys)))
    nodes = g.nodes.filter(pl.col("key").is_in(list(keys)))
    return nodes, edges


def resolve_node(g: Graph, index: ListIndex, text: str) -> list[str]:
    """Node keys for a query: a node key or entry id, `IMO 1234567` (vessel IMO or company IMO), or a name."""
    t = text.strip()
    if t in set(g.nodes["key"].to_list()):
        return [t]
    hit = index.entries.filter(pl.col("entry_id") == t)
    if hit.height:
        return hit["designation_id"].unique().to_list()
    from sanctionwatch.lists.ids import parse_imo

    imo = parse_imo(t)
    if imo:
        out = index.idents.filter(pl.col("value") == imo).join(index.entries.select("entry_id", "designation_id"),
                                                              on="entry_id")["designation_id"].unique().to_list()
        out += [k for k in (f"imo-{imo}", f"coimo-{imo}") if k in set(g.nodes["key"].to_list())]
        return sorted(set(out))
    n = norm_name(t)
    return g.nodes.filter(norm_name_expr("label") == n)["key"].unique().sort() \
        .to_list()
