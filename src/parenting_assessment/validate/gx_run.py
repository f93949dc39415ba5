"""Run the GX column suites on frames pulled from DuckDB, and build Data Docs.

GX cannot read DuckDB through SQLAlchemy (see docs/architecture.md), so each section is pulled
into pandas - only the columns the expectations use, numbers as DOUBLE, blanks as NULL. GX costs
about 50-70 ms per expectation whatever the data size, plus the per-row work of COMPLETE
results, so two things keep it off the critical path:

* every select_one of a section is checked by ONE in-set expectation over the stacked answers
  (``question``, ``list:code``) instead of one expectation per question;
* up to ``row_limit`` rows a section runs with COMPLETE results and GX names the failing rows;
  above it (national scale) it runs count-only (BASIC results, and the distinct answer profile
  for the in-set check) and the failing row keys come from the SQL twin of each expectation.

Expectations on personal data (names, phones) always run count-only, so Data Docs never shows
a name or a phone number.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from parenting_assessment.validate.gx_suites import NUMERIC, GxCheck, expectation
from parenting_assessment.validate.rule_tables import PARENT, RuleTable, q

KEY = "_row_key"
COMPLETE = {"result_format": "COMPLETE", "unexpected_index_column_names": [KEY]}
BASIC = {"result_format": "BASIC", "partial_unexpected_count": 0}


def wide_frame(con: duckdb.DuckDBPyConnection, rt: RuleTable, checks: list[GxCheck]
               ) -> pd.DataFrame:
    """The row key and every column the checks (and their row conditions) read."""
    cols = sorted({c.column for c in checks} | {x[0] for c in checks for x in c.condition})
    sel = [f"t.{KEY}"]
    for col in cols:
        src, typ = (f"t.{q(col)}", rt.own[col]) if col in rt.own else (
            f"t.{q(PARENT + col)}", rt.parent[col])
        expr = f"CAST({src} AS DOUBLE)" if typ in NUMERIC else f"NULLIF(CAST({src} AS VARCHAR), '')"
        sel.append(f"{expr} AS {q(col)}")
    return con.execute(f"SELECT {', '.join(sel)} FROM {rt.name} t").df()


def answers_frame(con: duckdb.DuckDBPyConnection, rt: RuleTable, checks: list[GxCheck],
                  profile: bool) -> pd.DataFrame:
    """Stacked select_one answers as ``list:code``; with ``profile``, distinct ones with counts."""
    parts = [f"SELECT {KEY}, '{c.column}' AS question, '{c.args[1]}:' || TRIM(t.{q(c.column)}) "
             f"AS answer FROM {rt.name} t WHERE NULLIF(TRIM(t.{q(c.column)}), '') IS NOT NULL"
             for c in checks]
    sql = " UNION ALL ".join(parts)
    if profile:
        sql = (f"SELECT question, answer, count(*) AS n_rows, min({KEY}) AS {KEY} "
               f"FROM ({sql}) GROUP BY ALL")
    return con.execute(sql).df()


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


def run_suites(con: duckdb.DuckDBPyConnection, tables: dict[str, RuleTable],
               checks: list[GxCheck], docs_dir: Path | None = None,
               row_limit: int = 100_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every section's suites; return (findings with GX row keys, one row per check)."""
    import great_expectations.expectations as gxe

    g = _Gx(docs_dir)
    findings: list[dict] = []
    results: list[dict] = []
    for name, rt in tables.items():
        mine = [c for c in checks if c.section == name]
        n = con.execute(f"SELECT count(*) FROM {rt.name}").fetchall()[0][0]
        if not mine or n == 0:
            continue
        big = n > row_limit
        mode = "counts" if big else "rows"
        value_checks = [c for c in mine if c.kind != "in_set"]
        wide = wide_frame(con, rt, value_checks) if value_checks else None
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
        in_set = [c for c in mine if c.kind == "in_set"]
        if in_set:
            codes = sorted({f"{c.args[1]}:{code}" for c in in_set for code in c.args[0]})
            df = answers_frame(con, rt, in_set, profile=big)
            index = ["question", "n_rows"] if big else [KEY, "question"]
            exp = gxe.ExpectColumnValuesToBeInSet(column="answer", value_set=codes,
                                                  meta={"rule_id": "choice:*"})
            fmt = {"result_format": "COMPLETE", "unexpected_index_column_names": index}
            bad = g.run(f"{name}_choices", df, [exp], fmt)[0].result.get(
                "unexpected_index_list") or []
            tally: dict[str, int] = {}
            for row in bad:
                tally[row["question"]] = tally.get(row["question"], 0) + int(row.get("n_rows", 1))
                if not big:
                    findings.append({"section": name, "row_key": str(row[KEY]),
                                     "rule_id": f"choice:{row['question']}",
                                     "field": row["question"],
                                     "value": str(row["answer"]).split(":", 1)[-1],
                                     "checked_by": "great_expectations"})
            results += [{"section": name, "suite": f"{name}_choices",
                         "rule_id": f"choice:{c.column}",
                         "expectation": "expect_column_values_to_be_in_set",
                         "unexpected_count": tally.get(c.column, 0),
                         "success": tally.get(c.column, 0) == 0,
                         "mode": "profile" if big else mode} for c in in_set]
    g.docs()
    return pd.DataFrame(findings), pd.DataFrame(results)
