"""Name normalisation for matching, as Polars expressions over whole columns.

Three forms per name: `norm` (uppercase ASCII words: `KUM UN SAN 3`), `key` (no spaces: `KUMUNSAN3`) and
`fold` (key with Korean romanisation variants folded: McCune-Reischauer vs Revised Romanisation, aspirated vs
plain consonants, so `MANGYONGBONG` = `MANGYEONGBONG`, `KUMUNSAN` = `GEUMEUNSAN`). `digits` holds the
numbers of the name (`3`), which fuzzy scores must not blur (hull 2 is not hull 3).
"""

from __future__ import annotations

import polars as pl
from normality import ascii_text

# Tokens dropped from names: legal forms (company names are listed with and without them) and ship prefixes.
LEGAL_FORMS = (
    "CO", "COMPANY", "LTD", "LIMITED", "CORP", "CORPORATION", "INC", "INCORPORATED", "LLC", "PLC", "GMBH",
    "JSC", "PJSC", "OJSC", "CJSC", "OOO", "OAO", "ZAO", "AO", "SA", "SAS", "SRL", "BV", "AG", "PTE", "FZE",
    "FZCO", "LLP", "SDN", "BHD", "PVT",
)
_LEGAL_RE = r"\b(?:" + "|".join(LEGAL_FORMS) + r")\b"
_SHIP_PREFIX_RE = r"^(?:(?:M ?V|M ?T|S ?S) )+"

# Ordered romanisation folds applied to the spaceless key (Korean: MR vs RR, voiced vs voiceless initials).
# Kept narrow on purpose: wider folds (L/R, SH/S, OO/U) made unrelated western names equal (SANDAL/SHANTAR).
KOREAN_FOLDS: tuple[tuple[str, str], ...] = (
    ("YEO", "YO"), ("EO", "O"), ("EU", "U"), ("TCH", "J"), ("CH", "J"),
    ("K", "G"), ("P", "B"), ("T", "D"), ("GG", "G"), ("BB", "B"), ("DD", "D"), ("JJ", "J"),
)
# Trailing Roman hull numbers (`ARGO I`, `SPARTA IV`) become digits so the numbers rule applies to them.
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8", "IX": "9",
          "X": "10"}


def ascii_fold(s: pl.Series) -> pl.Series:
    """Transliterate non-ASCII strings to ASCII (normality, the FtM transliterator); ASCII rows untouched."""
    s = s.cast(pl.Utf8)
    mask = s.str.contains(r"[^\x00-\x7F]").fill_null(False)
    if not mask.any():
        return s
    idx = mask.arg_true()
    folded = pl.Series([ascii_text(v) or "" for v in s.gather(idx).to_list()], dtype=pl.Utf8)
    return s.scatter(idx, folded)


def _norm(df: pl.DataFrame) -> pl.Series:
    """Uppercase words: punctuation to spaces, ship prefixes and `NO.` before hull numbers and legal forms dropped.

    Staged with materialised columns: nesting the when/then steps as one expression re-evaluates them.
    """
    s = pl.col("s")
    # `NO.` glued to the name (`CHIEMARUNO.6`) is unambiguous only with its dot: drop it before punctuation goes.
    df = df.select(pl.col("raw").str.to_uppercase().str.replace_all(r"([A-Z])NO\.\s*([0-9])", "$1 $2")
                   .str.replace_all(r"[^A-Z0-9]+", " ").alias("s"))
    df = df.with_columns(s.str.replace_all(r"([A-Z])([0-9])", "$1 $2").str.replace_all(r"([0-9])([A-Z])", "$1 $2")
                         .str.strip_chars())
    df = df.with_columns(s.str.replace_all(_LEGAL_RE, " ").str.replace_all(r"\s+", " ").str.strip_chars().alias("t"))
    df = df.with_columns(pl.when(pl.col("t") != "").then(pl.col("t")).otherwise(s).str.replace_all(r"\s+", " ")
                         .alias("s"))
    df = df.with_columns(s.str.replace(_SHIP_PREFIX_RE, "").str.strip_chars().alias("t"))
    df = df.with_columns(pl.when(pl.col("t") != "").then(pl.col("t")).otherwise(s).alias("s"))
    df = df.with_columns(s.str.extract(r" (I|II|III|IV|V|VI|VII|VIII|IX|X)$", 1).alias("r"))
    df = df.select(pl.when(pl.col("r").is_not_null()).then(
        s.str.replace(r" [IVX]+$", "") + pl.lit(" ") + pl.col("r").replace_strict(_ROMAN, default=pl.col("r"))
    ).otherwise(s).alias("s"))
    return df.select(s.str.replace_all(r"\b(?:NO )+([0-9])", "$1").str.strip_chars().alias("norm")).to_series()


def fold_expr(key: pl.Expr) -> pl.Expr:
    """Korean-romanisation fold of a spaceless key (see KOREAN_FOLDS)."""
    for a, b in KOREAN_FOLDS:
        key = key.str.replace_all(a, b, literal=True)
    return key


def name_forms(names: pl.Series) -> pl.DataFrame:
    """norm, key, fold and digits for a column of raw names (nulls stay null)."""
    df = pl.DataFrame({"norm": _norm(pl.DataFrame({"raw": ascii_fold(names)}))})
    return df.with_columns(
        pl.col("norm").str.replace_all(" ", "", literal=True).alias("key"),
        pl.col("norm").str.extract_all(r"[0-9]+").list.join(" ").alias("digits"),
    ).with_columns(fold_expr(pl.col("key")).alias("fold"))


def normalize_name(name: str) -> dict[str, str]:
    """The match forms of one name (convenience for tests and single queries)."""
    return name_forms(pl.Series([name])).row(0, named=True)
