"""Load and run the domain rules kept as data in ``domain_rules.yaml``.

The YAML is the single place for the survey's cross-question rules (ids, families, severities,
bilingual messages, thresholds, SQL); this module only checks the file's shape, substitutes the
numeric parameters and runs each rule. A malformed file fails with one line naming the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import yaml

SEVERITIES = ("error", "warning")
KEYS = ("id", "family", "severity", "section", "field", "message_en", "message_id", "sql")
HELPER_VIEWS = """
create or replace temp view _resp as
  select * from typed.household where visit_result = '1' and consent = '1';
create or replace temp view _roster as
  select *, coalesce(try_cast(HL1 as bigint),
                     try_cast(regexp_extract(_row_key, '\\[(\\d+)\\]$', 1) as bigint)) as _line
  from typed.roster;
"""


class DomainRuleError(ValueError):
    """The domain-rule file is unusable; the message names the file and the rule."""


@dataclass(frozen=True)
class DomainRule:
    """One cross-question rule; ``sql`` returns row_key, value and optionally field."""

    id: str
    family: str
    severity: str
    section: str
    field: str
    message_en: str
    message_id: str
    sql: str
    params: dict[str, float] = field(default_factory=dict)

    def render(self, text: str) -> str:
        """Substitute ``{param}`` placeholders (numbers only, so no SQL can be injected)."""
        return text.format(**{k: _number(v) for k, v in self.params.items()})


def _number(v: object) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise DomainRuleError(f"parameter value {v!r} is not a number")
    return repr(v)


def default_path() -> Path:
    """The rule file shipped with the package."""
    return Path(str(resources.files("parenting_assessment.validate") / "domain_rules.yaml"))


def load_rules(path: Path | None = None, sections: tuple[str, ...] | None = None,
               params: dict[str, dict[str, float]] | None = None) -> list[DomainRule]:
    """Read and check the rule file; ``params`` overrides thresholds per rule id."""
    path = Path(path or default_path())
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DomainRuleError(f"{path}: cannot read the domain rules ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise DomainRuleError(f"{path}: expected a mapping with a 'rules' list")
    rules, seen = [], set()
    for i, raw in enumerate(doc["rules"], start=1):
        where = f"{path}: rule {i} ({raw.get('id', '?') if isinstance(raw, dict) else '?'})"
        if not isinstance(raw, dict):
            raise DomainRuleError(f"{where}: not a mapping")
        missing = [k for k in KEYS if k not in raw]
        if missing:
            raise DomainRuleError(f"{where}: missing {', '.join(missing)}")
        if raw["severity"] not in SEVERITIES:
            raise DomainRuleError(f"{where}: severity must be error or warning")
        if sections is not None and raw["section"] not in sections:
            raise DomainRuleError(f"{where}: unknown section {raw['section']!r}")
        if raw["id"] in seen:
            raise DomainRuleError(f"{where}: duplicate id")
        seen.add(raw["id"])
        rule = DomainRule(**{k: str(raw[k] or "") for k in KEYS},
                          params=dict(raw.get("params") or {}))
        if params and rule.id in params:
            rule = replace(rule, params={**rule.params, **params[rule.id]})
        try:
            rule.render(rule.sql + rule.message_en + rule.message_id)
        except (KeyError, IndexError, DomainRuleError) as exc:
            raise DomainRuleError(f"{where}: bad parameter {exc}") from exc
        rules.append(rule)
    return rules


def run_domain_rules(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame,
                     rules: list[DomainRule]) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Findings of every rule, and the rules that could not run (with the database's reason)."""
    con.execute(HELPER_VIEWS)
    cols = [c for c in ("kode_kemendagri", "kode_kabupaten", "centroid_lat", "centroid_lon")
            if c in frame.columns]
    con.register("_frame_df", frame[cols])
    con.execute("create or replace temp table _frame as select * from _frame_df")
    con.unregister("_frame_df")
    parts, failed = [], []
    for r in rules:
        sql = r.render(r.sql)
        try:
            hits = con.execute(f"""
                select t.submission_uuid, x.row_key, x.field, x.value, t._batch as batch
                from (select row_key, value,
                             {"field" if _has_field(con, sql) else "null"} as field
                      from ({sql})) x
                join typed.{r.section} t on t._row_key = x.row_key""").df()
        except duckdb.Error as exc:
            failed.append({"rule_id": r.id, "section": r.section, "field": r.field,
                           "expression": r.id, "reason": str(exc).splitlines()[0]})
            continue
        if hits.empty:
            continue
        hits["field"] = hits["field"].fillna(r.field).replace("", r.field)
        hits = (hits.groupby(["submission_uuid", "row_key", "field", "batch"], dropna=False)
                ["value"].agg(lambda v: "; ".join(sorted({str(x) for x in v if x is not None})))
                .reset_index())
        hits = hits.assign(section=r.section, rule_id=r.id, rule_family=r.family,
                           severity=r.severity, message=r.render(r.message_en),
                           message_id=r.render(r.message_id), checked_by="sql")
        parts.append(hits)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out, failed


def _has_field(con: duckdb.DuckDBPyConnection, sql: str) -> bool:
    cols = [d[0] for d in con.execute(f"select * from ({sql}) limit 0").description]
    return "field" in cols
