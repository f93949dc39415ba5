"""Run the GX column suites on frames pulled from DuckDB, and build Data Docs.

GX cannot read DuckDB through SQLAlchemy (see docs/architecture.md), so each section is pulled
into pandas - only the columns the expectations use, numbers as DOUBLE, blanks as NULL. GX costs
about 50-70 ms per expectation whatever the data size, plus the per-row work of COMPLETE
results, so two things keep it off the critical path:

* answers are stacked (``_row_key``, ``question``, ``answer``): every select_one of a section is
  checked by ONE in-set expectation (answers as ``list:code``), and the required questions by
  one not-null expectation per distinct relevance (row condition: the relevance AND
  ``question IN (...)``), instead of one expectation per question;
* up to ``row_limit`` rows per frame (stacks count a row per row and question) GX runs with
  COMPLETE results and names the failing rows; above it (national scale) it runs count-only:
  BASIC results on the wide frame, and the distinct profile of a stack (answer, condition
  columns, ``n_rows``) instead of the stack itself. The failing row keys then come from the
  SQL twin of each expectation.

Expectations on personal data (names, phones) always run count-only, so Data Docs never shows
a name or a phone number.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from parenting_assessment.validate.gx_suites import NUMERIC, GxCheck, expectation, row_condition
from parenting_assessment.validate.rule_tables import PARENT, RuleTable, q

KEY = "_row_key"
COMPLETE = {"result_format": "COMPLETE", "unexpected_index_column_names": [KEY]}
BASIC = {"result_format": "BASIC", "partial_unexpected_count": 0}


def wide_frame(con: duckdb.DuckDBPyConnection, rt: RuleTable, checks: list[GxCheck],
               keys: bool = True) -> pd.DataFrame:
    """Every column the checks read, and the row key when GX is to name rows."""
    cols = sorted({c.column for c in checks} | {x[0] for c in checks for x in c.condition})
    sel = ([f"t.{KEY}"] if keys else []) + [f"{_col(rt, col)} AS {q(col)}" for col in cols]
    return con.execute(f"SELECT {', '.join(sel)} FROM {rt.name} t").df()


def stacked_frame(con: duckdb.DuckDBPyConnection, rt: RuleTable, checks: list[GxCheck],
                  kind: str, profile: bool) -> pd.DataFrame:
    """Answers stacked as (``_row_key``, ``question``, ``answer``, condition columns).

    ``in_set``: the answer as ``list:code``. ``not_null``: ``'answered'`` or NULL - whether a
    question was answered is all GX needs, so no personal answer ever reaches it. With
    ``profile``, distinct rows with their count (``n_rows``) and no row key.
    """
    conds = sorted({x[0] for c in checks for x in c.condition})
    extra = "".join(f", {_col(rt, col)} AS {q(col)}" for col in conds)
    names = "".join(f", {q(col)}" for col in conds)

    def present(c: GxCheck) -> str:
        ref = f"t.{q(c.column)}"
        return (f"NULLIF(TRIM({ref}), '') IS NOT NULL" if rt.own[c.column] == "VARCHAR"
                else f"{ref} IS NOT NULL")

    if profile and kind == "not_null":
        # One scan: count rows by condition columns and answered flags, then unstack.
        flags = "".join(f", {present(c)} AS _p{i}" for i, c in enumerate(checks))
        base = (f"SELECT true AS _one{extra}{flags}, count(*) AS n_rows FROM {rt.name} t "
                "GROUP BY ALL")
        parts = [f"SELECT '{c.column}' AS question, CASE WHEN _p{i} THEN 'answered' END AS "
                 f"answer{names}, CAST(sum(n_rows) AS BIGINT) AS n_rows FROM _base GROUP BY ALL"
                 for i, c in enumerate(checks)]
        return con.execute(f"WITH _base AS MATERIALIZED ({base}) "
                           + " UNION ALL ".join(parts)).df()
    if profile:  # in_set: count the raw values of each column, then format the few distinct
        return con.execute(" UNION ALL ".join(
            f"SELECT '{c.column}' AS question, '{c.args[1]}:' || TRIM(v) AS answer, n_rows "
            f"FROM (SELECT t.{q(c.column)} AS v, count(*) AS n_rows FROM {rt.name} t "
            f"GROUP BY 1) WHERE NULLIF(TRIM(v), '') IS NOT NULL" for c in checks)).df()
    parts = []
    for c in checks:
        ref = f"t.{q(c.column)}"
        if kind == "in_set":
            answer = f"'{c.args[1]}:' || TRIM({ref})"
            where = f" WHERE NULLIF(TRIM({ref}), '') IS NOT NULL"
        else:
            answer, where = f"CASE WHEN {present(c)} THEN 'answered' END", ""
        parts.append(f"SELECT t.{KEY}, '{c.column}' AS question, {answer} AS answer{extra} "
                     f"FROM {rt.name} t{where}")
    return con.execute(" UNION ALL ".join(parts)).df()


def _col(rt: RuleTable, col: str) -> str:
    src, typ = (f"t.{q(col)}", rt.own[col]) if col in rt.own else (
        f"t.{q(PARENT + col)}", rt.parent[col])
    return f"CAST({src} AS DOUBLE)" if typ in NUMERIC else f"NULLIF(CAST({src} AS VARCHAR), '')"


class _Gx:
    """One ephemeral GX context for the run, with an optional Data Docs site."""

    def __init__(self, docs_dir: Path | None):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.ctx = gx.get_context(mode="ephemeral")
        self.ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.ctx.data_sources.add_pandas(name="survey")
        self.docs_dir = docs_dir
        if docs_dir:
            docs_dir.mkdir(parents=True, exist_ok=True)
            self.ctx.add_data_docs_site(site_name="local", site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})

    def run(self, name: str, df: pd.DataFrame, expectations: list, fmt: dict) -> list:
        gx = self.gx
        suite = self.ctx.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        batch = self.source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(
            "all")
        vd = self.ctx.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite))
        return vd.run(batch_parameters={"dataframe": df}, result_format=fmt).results

    def docs(self) -> None:
        if self.docs_dir:
            self.ctx.build_data_docs()


def _value(v: object) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _stacked(g: _Gx, con: duckdb.DuckDBPyConnection, rt: RuleTable, checks: list[GxCheck],
             kind: str, big: bool) -> tuple[list[dict], list[dict]]:
    """Run the stacked in-set or not-null checks of a section; (findings, result rows)."""
    import great_expectations.expectations as gxe

    family = "choice" if kind == "in_set" else "required"
    if kind == "in_set":
        codes = sorted({f"{c.args[1]}:{code}" for c in checks for code in c.args[0]})
        exps = [gxe.ExpectColumnValuesToBeInSet(column="answer", value_set=codes,
                                                meta={"rule_id": "choice:*"})]
    else:
        groups: dict[tuple, list[str]] = {}
        for c in checks:
            groups.setdefault(c.condition, []).append(c.column)
        exps = [gxe.ExpectColumnValuesToNotBeNull(
            column="answer", row_condition=row_condition(cond, cols),
            meta={"rule_id": "required:*"}) for cond, cols in groups.items()]
    fmt = {"result_format": "COMPLETE",
           "unexpected_index_column_names": ["question", "n_rows"] if big else [KEY, "question"]}
    df = stacked_frame(con, rt, checks, kind, profile=big)
    tally: dict[str, int] = {}
    findings = []
    for r in g.run(f"{rt.section}_{family}", df, exps, fmt):
        for row in r.result.get("unexpected_index_list") or []:
            tally[row["question"]] = tally.get(row["question"], 0) + int(row.get("n_rows", 1))
            if not big:
                value = row.get("answer")
                findings.append({"section": rt.section, "row_key": str(row[KEY]),
                                 "rule_id": f"{family}:{row['question']}",
                                 "field": row["question"], "checked_by": "great_expectations",
                                 "value": str(value).split(":", 1)[-1] if kind == "in_set"
                                 else None})
    return findings, [{"section": rt.section, "suite": f"{rt.section}_{family}",
                       "rule_id": f"{family}:{c.column}",
                       "expectation": exps[0].expectation_type,
                       "unexpected_count": tally.get(c.column, 0),
                       "success": tally.get(c.column, 0) == 0,
                       "mode": "profile" if big else "rows"} for c in checks]


def run_suites(con: duckdb.DuckDBPyConnection, tables: dict[str, RuleTable],
               checks: list[GxCheck], docs_dir: Path | None = None,
               row_limit: int = 100_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every section's suites; return (findings with GX row keys, one row per check)."""
    g = _Gx(docs_dir)
    findings: list[dict] = []
    results: list[dict] = []
    for name, rt in tables.items():
        mine = [c for c in checks if c.section == name]
        n = con.execute(f"SELECT count(*) FROM {rt.name}").fetchall()[0][0]
        if not mine or n == 0:
            continue
        big = n > row_limit
        value_checks = [c for c in mine if c.kind not in ("in_set", "not_null")]
        wide = wide_frame(con, rt, value_checks, keys=not big) if value_checks else None
        for suffix, group, fmt in (
                ("", [c for c in value_checks if not c.pii], BASIC if big else COMPLETE),
                ("_pii", [c for c in value_checks if c.pii], BASIC)):
            if not group:
                continue
            for r in g.run(name + suffix, wide, [expectation(c) for c in group], fmt):
                rule_id, col = r.expectation_config.meta["rule_id"], r.expectation_config.kwargs[
                    "column"]
                results.append({"section": name, "suite": name + suffix, "rule_id": rule_id,
                                "expectation": r.expectation_config.type,
                                "unexpected_count": int(r.result.get("unexpected_count") or 0),
                                "success": bool(r.success),
                                "mode": "counts" if fmt is BASIC else "rows"})
                findings += [{"section": name, "row_key": str(row[KEY]), "rule_id": rule_id,
                              "field": col, "value": _value(row.get(col)),
                              "checked_by": "great_expectations"}
                             for row in r.result.get("unexpected_index_list") or []]
        for kind in ("in_set", "not_null"):
            group = [c for c in mine if c.kind == kind]
            if group:  # a stack holds one row per row and question: that is what GX scans
                f, r = _stacked(g, con, rt, group, kind, n * len(group) > row_limit)
                findings += f
                results += r
    g.docs()
    return pd.DataFrame(findings), pd.DataFrame(results)
