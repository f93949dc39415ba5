"""Stratum-level sums for every indicator × disaggregation category, with numpy bincounts.

National scale means tens of millions of (indicator, unit) rows. Grouping them by string keys
eight times (once per disaggregation key) costs minutes, and fetching the strings into Python
to dictionary-encode them there took two thirds of a 30 s stage. Instead DuckDB hashes the
strings and only numbers reach Python:

* one small query lists the distinct (indicator, category of every key) combinations and
  another the distinct (PSU, stratum) pairs, each with the DuckDB ``hash`` of its strings;
* one scan fetches, per unit row, the two hashes, the weight, y and the missing flag;
* the hashes become dense integer codes (a hash-table lookup against the small lists). A hash
  collision inside a list is detected and the hashes are salted again, so codes are exact.

Then, with PSUs numbered stratum by stratum and rows sorted by combination (indicator first):

* the linear sums (n, Σw, Σwy, Σwy², Σw·missing, n with w ≠ 0) are one bincount per quantity
  over (combination × stratum), and a category's sum is the sum over its combinations;
* the PSU totals W_c, Y_c that the squared terms need are, per indicator and key, two
  bincounts over (category × PSU), folded to strata with ``np.add.reduceat``.

The result has exactly the shape of ``sql_taylor.stratum_sums`` (and a test checks they agree),
so ``sql_taylor.proportions`` turns it into estimates.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

_SOURCE = "indicators.unit_values"
LINEAR = ("n_unweighted", "w", "y", "n_pos", "wyy", "w_missing")
_MAX_SALT = 8


def _hash_expr(cols: list[str], salt: int) -> str:
    return f"hash({', '.join(cols)}{f', {salt}' if salt else ''})"


def _distinct_with_hash(con: duckdb.DuckDBPyConnection, select: str,
                        unique: list[str]) -> tuple[pd.DataFrame, int]:
    """Distinct rows of ``select`` with the salt that makes the hash of ``unique`` collision-free.

    If ``unique`` itself repeats (a PSU in two strata), the caller reports it.
    """
    for salt in range(_MAX_SALT):
        df = con.sql(f"""select *, {_hash_expr(unique, salt)} as h
                         from (select distinct {select} from {_SOURCE})""").df()
        if df["h"].is_unique or df.duplicated(unique).any():
            return df, salt
    raise RuntimeError(f"hash collisions in {unique} with {_MAX_SALT} salts")  # pragma: no cover


def _lookup(hashes: np.ndarray, table: pd.Series, what: str) -> np.ndarray:
    codes = pd.Index(table.to_numpy(np.uint64)).get_indexer(hashes)
    if (codes < 0).any():
        raise RuntimeError(f"{_SOURCE} changed while it was read ({what})")
    return codes


def all_stratum_sums(con: duckdb.DuckDBPyConnection, keys: tuple[str, ...]) -> dict[
        str, pd.DataFrame]:
    """{'total' | key: stratum sums} from ``indicators.unit_values``.

    Two small distinct queries (combinations, PSUs) and one scan fetching only numbers.
    """
    combo_cols = ["indicator_id", *keys]
    combos, c_salt = _distinct_with_hash(con, ", ".join(combo_cols), combo_cols)
    psus, p_salt = _distinct_with_hash(con, "psu::varchar as psu, stratum", ["psu"])
    if psus["psu"].isna().any() or psus["stratum"].isna().any():
        raise ValueError(f"{_SOURCE} has missing PSU or stratum values")
    if not psus["psu"].is_unique:
        bad = psus.loc[psus["psu"].duplicated(), "psu"].iloc[0]
        raise ValueError(f"PSU {bad!r} lies in several strata of {_SOURCE}")
    if len(combos) == 0:
        return {}

    # PSUs numbered stratum by stratum, so folding PSUs to strata is a reduceat over runs.
    st_code, strata = pd.factorize(psus["stratum"], sort=True)
    by_stratum = np.argsort(st_code, kind="stable")
    psus = psus.iloc[by_stratum].reset_index(drop=True)
    psu_stratum = st_code[by_stratum]
    n_psu, n_st = len(psus), len(strata)
    st_starts = np.flatnonzero(np.r_[True, psu_stratum[1:] != psu_stratum[:-1]])

    # Combinations numbered indicator-major, so an indicator's rows are one slice once sorted.
    combos = combos.sort_values("indicator_id", kind="stable").reset_index(drop=True)
    ind_code, ind_names = pd.factorize(combos["indicator_id"], sort=True)
    ind_bounds = np.searchsorted(ind_code, np.arange(len(ind_names) + 1))
    cats = {k: pd.factorize(combos[k], sort=True) for k in keys}

    tbl = con.sql(f"""select {_hash_expr(combo_cols, c_salt)} as c,
                             {_hash_expr(['psu::varchar'], p_salt)} as p,
                             weight::double as w, y::double as y, missing::double as m
                      from {_SOURCE}""").to_arrow_table()
    combo = _lookup(tbl["c"].to_numpy(), combos["h"], "combinations")
    psu = _lookup(tbl["p"].to_numpy(), psus["h"], "PSUs")
    w, y, m = (tbl[c].to_numpy() for c in ("w", "y", "m"))
    wy = w * y

    # Linear sums per (combination, quantity, stratum), quantities in the order of LINEAR.
    n_combo = len(combos)
    cs = combo * n_st + psu_stratum[psu]
    linear = np.stack([np.bincount(cs, weights=v, minlength=n_combo * n_st)
                       for v in (None, w, wy, (w != 0).astype(float), wy * y, w * m)])
    linear = np.ascontiguousarray(linear.reshape(len(LINEAR), n_combo, n_st).transpose(1, 0, 2))

    # Rows sorted by combination: a radix sort on small integer codes.
    order = np.argsort(combo.astype(np.int16 if n_combo < 2**15 else np.int32), kind="stable")
    combo_rows = np.bincount(combo, minlength=n_combo)
    row_bounds = np.r_[0, np.cumsum(combo_rows)]
    psu, w, wy = psu[order], w[order], wy[order]

    pieces: dict[str, list[dict[str, np.ndarray]]] = {k: [] for k in ("total", *keys)}
    for i in range(len(ind_names)):
        c0, c1 = ind_bounds[i], ind_bounds[i + 1]
        rows = slice(row_bounds[c0], row_bounds[c1])
        p_i, w_i, wy_i = psu[rows], w[rows], wy[rows]
        for key in ("total", *keys):
            if key == "total":
                cat_c, values = np.zeros(c1 - c0, dtype=np.int64), np.array(["total"], object)
            else:
                cat_c, values = cats[key][0][c0:c1], np.asarray(cats[key][1], dtype=object)
                if (cat_c < 0).all():
                    continue
            pieces[key].append(_cell_sums(
                ind_names[i], cat_c, combo_rows[c0:c1], values, p_i, w_i, wy_i,
                linear[c0:c1], n_psu, st_starts))
    out = {}
    for key, parts in pieces.items():
        if not parts:
            continue
        cols = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
        frame = pd.DataFrame(cols)
        frame["stratum"] = np.asarray(strata, dtype=object)[frame["stratum"].to_numpy()]
        out[key] = frame[["indicator_id", "disagg_value", "stratum", "w", "y", "yy", "yw", "ww",
                          "n_unweighted", "n_pos", "wyy", "w_missing"]]
    return out


def _cell_sums(name: str, cat_c: np.ndarray, combo_rows: np.ndarray, values: np.ndarray,
               p: np.ndarray, w: np.ndarray, wy: np.ndarray, linear: np.ndarray,
               n_psu: int, st_starts: np.ndarray) -> dict[str, np.ndarray]:
    """Sums per (category × stratum) of one indicator and one key.

    ``cat_c`` is the category code (−1 = none) of each of the indicator's combinations,
    ``combo_rows`` their row counts; ``p``, ``w``, ``wy`` are the indicator's rows, sorted by
    combination; ``linear`` holds its (combination × quantity × stratum) linear sums.
    """
    n_kv = int(cat_c.max()) + 1
    has = cat_c >= 0
    if n_kv == 1 and has.all():
        bins = p
    else:
        bins = np.repeat(cat_c * n_psu, combo_rows) + p
        if not has.all():
            keep = np.repeat(has, combo_rows)
            bins, w, wy = bins[keep], w[keep], wy[keep]
    size = n_kv * n_psu
    big_w = np.bincount(bins, weights=w, minlength=size).reshape(n_kv, n_psu)
    big_y = np.bincount(bins, weights=wy, minlength=size).reshape(n_kv, n_psu)
    yw = np.add.reduceat(big_y * big_w, st_starts, axis=1)
    yy = np.add.reduceat(np.square(big_y, out=big_y), st_starts, axis=1)
    ww = np.add.reduceat(np.square(big_w, out=big_w), st_starts, axis=1)

    # Linear sums of a category: sum over its combinations (a bincount, NaN stays in its cell).
    per_combo = linear[has].reshape(int(has.sum()), -1)
    flat = (cat_c[has, None] * per_combo.shape[1] + np.arange(per_combo.shape[1])).ravel()
    lin = np.bincount(flat, weights=per_combo.ravel(), minlength=n_kv * per_combo.shape[1])
    sums = dict(zip(LINEAR, lin.reshape(n_kv, len(LINEAR), -1).transpose(1, 0, 2), strict=True))
    sums.update(yy=yy, yw=yw, ww=ww)
    kv_g, st_g = np.nonzero(sums["n_unweighted"] > 0)
    out = {"indicator_id": np.full(len(kv_g), name, dtype=object), "disagg_value": values[kv_g],
           "stratum": st_g}
    for k in ("w", "y", "yy", "yw", "ww", "n_unweighted", "n_pos", "wyy", "w_missing"):
        out[k] = sums[k][kv_g, st_g]
    out["n_unweighted"] = out["n_unweighted"].round().astype("int64")
    return out
