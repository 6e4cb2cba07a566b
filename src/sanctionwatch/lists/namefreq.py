"""How common a ship name is: the shipped name-frequency table and the 'other bearers' estimate from it.

The table (`data/namefreq/name_frequency.csv.gz`, built by `scripts/build_name_frequency.py` from every real
AIS file in the project's reference data plus the names of every listed vessel) has two kinds of rows:
* `name`: a folded spaceless name key (lists/normalize.py `fold`) with `n_vessels` (distinct MMSIs sending
  it) and `n_designations` (distinct listed vessels bearing it as name, alias or former name);
* `word`: a folded name word with `n_names` (distinct names containing it).

`other_bearers(forms)` estimates how many *other* ships carry a name: at least the observed bearers minus
one (the larger of the vessel and designation counts, since a listed ship may also be in the traffic), and
at least what its words predict if they were independent (N * prod((n_word + 1/2) / N), minus the name
itself). `ATLAS`, `STELLA`, `PROGRESS` come out common, `KUM UN SAN 3` rare. The product reads only the
shipped table, never the reference data.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from sanctionwatch.lists.normalize import fold_expr

TABLE = "name_frequency.csv.gz"


def table_path() -> Path:
    return Path(str(resources.files("sanctionwatch") / "data" / "namefreq" / TABLE))


@cache
def load_table(path: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(names: key, n_vessels, n_designations; words: word, n_names; total distinct names)."""
    p = Path(path) if path else table_path()
    raw = gzip.decompress(p.read_bytes())
    header = [ln for ln in raw.decode("utf-8").splitlines()[:20] if ln.startswith("#")]
    total = next(int(ln.split("=", 1)[1]) for ln in header if ln.startswith("# total_names="))
    df = pl.read_csv(raw, comment_prefix="#", schema={"kind": pl.Utf8, "key": pl.Utf8, "n_vessels": pl.Int64,
                                                       "n_designations": pl.Int64, "n_names": pl.Int64})
    names = df.filter(pl.col("kind") == "name").select("key", "n_vessels", "n_designations")
    words = df.filter(pl.col("kind") == "word").select(pl.col("key").alias("word"), "n_names")
    return names, words, total


def word_keys(norm: pl.Expr) -> pl.Expr:
    """Folded words of a normalised name (the `word` keys of the table)."""
    return norm.str.split(" ").list.eval(fold_expr(pl.element())).list.unique()


def other_bearers(forms: pl.DataFrame, smoothing: float = 0.5, path: str | None = None) -> pl.DataFrame:
    """forms (fold, norm) -> the same rows with `bearers` (observed) and `others` (estimated other ships)."""
    names, words, total = load_table(path)
    n = float(max(total, 1))
    df = forms.select("fold", "norm").unique().with_row_index("_i")
    w = df.select("_i", word_keys(pl.col("norm")).alias("word")).explode("word").filter(
        pl.col("word").is_not_null() & (pl.col("word") != ""))
    w = w.join(words, on="word", how="left").with_columns(
        ((pl.col("n_names").fill_null(0) + smoothing) / n).log().alias("lp"))
    est = w.group_by("_i").agg(pl.col("lp").sum().alias("lp"))
    df = df.join(est, on="_i", how="left").join(names.rename({"key": "fold"}), on="fold", how="left")
    bearers = pl.max_horizontal(pl.col("n_vessels").fill_null(0), pl.col("n_designations").fill_null(0))
    words_est = (pl.lit(n) * pl.col("lp").fill_null(-1e9).exp() - 1.0).clip(lower_bound=0.0)
    return df.select("fold", "norm", bearers.alias("bearers"),
                     pl.max_horizontal((bearers - 1).clip(lower_bound=0).cast(pl.Float64), words_est)
                     .alias("others"))
