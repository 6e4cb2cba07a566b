"""Text normalisation shared by the gazetteer's alias table and AIS destination strings (Polars expressions)."""

from __future__ import annotations

import polars as pl

# Separators that mean "from A to B" in AIS destination fields: '>', '>>', '=>', '->'.
ROUTE_ARROW = r"\s*(?:=+>+|-+>+|>+)\s*"
# A LOCODE written as 'CNSHA' or 'CN SHA' (UN/LOCODE: 2-letter ISO country + 3 of A-Z / 2-9).
LOCODE_LIKE = r"[A-Z]{2} ?[A-Z2-9]{3}"
# 'RU ULU - MA JFL', 'RULED/DEBRV', 'RU ULU TO EG AIS': treated as routes only between two LOCODE-like tokens.
CODE_PAIR = rf"^({LOCODE_LIKE})\s*(?:-|/|\bTO\b)\s*({LOCODE_LIKE})$"


def fold_upper(expr: pl.Expr) -> pl.Expr:
    """Upper-case, strip accents and apostrophes (UST'-LUGA -> UST-LUGA, GÖTEBORG -> GOTEBORG)."""
    return (expr.str.to_uppercase().str.normalize("NFKD").str.replace_all(r"[^\x00-\x7F]", "")
            .str.replace_all(r"['`]", ""))


def route_marked(expr: pl.Expr) -> pl.Expr:
    """Folded text with every route separator turned into a single '>'."""
    e = fold_upper(expr).str.strip_chars().str.replace_all(ROUTE_ARROW, ">")
    return e.str.replace(CODE_PAIR, "${1}>${2}")


def clean_words(expr: pl.Expr) -> pl.Expr:
    """Letters/digits only, single-spaced: 'PORTSAID,EG' -> 'PORTSAID EG', 'ST.-PETERSBURG' -> 'ST PETERSBURG'."""
    return expr.str.replace_all(r"[^A-Z0-9]+", " ").str.strip_chars()


def name_key(expr: pl.Expr) -> pl.Expr:
    """Key for exact name matching: folded, punctuation to spaces."""
    return clean_words(fold_upper(expr))


def nospace(expr: pl.Expr) -> pl.Expr:
    """Key without spaces, so 'SHANG HAI' == 'SHANGHAI' and 'CN SHA' == 'CNSHA'."""
    return expr.str.replace_all(" ", "")
