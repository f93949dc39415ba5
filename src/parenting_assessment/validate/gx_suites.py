"""Great Expectations 1.x column suites, built in code from the XLSForm (what to expect).

``build_checks`` decides, without importing GX, which column-level checks GX can express:
not-null for required questions whose relevance is a plain AND of comparisons (a GX row
condition), the choice list of every select_one, numeric ranges (``. >= a and . <= b``),
``regex(., ...)`` patterns and minimum lengths. Each check carries the id of the generated SQL
rule it mirrors, so the two engines' findings merge and their counts are compared. How the
checks are run (frames, result formats, Data Docs) is in gx_run.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parenting_assessment.instrument.model import MAIN_SECTION, Instrument
from parenting_assessment.validate.expr_parser import Binary, Call, Current, Literal, Number, Ref
from parenting_assessment.validate.expressions import ExpressionError, parse
from parenting_assessment.validate.findings import PII_FIELDS
from parenting_assessment.validate.rule_tables import RuleTable

OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
NUMERIC = ("BIGINT", "DOUBLE", "INTEGER", "TINYINT")


@dataclass(frozen=True)
class GxCheck:
    """One expectation: its kind, column, arguments, row condition and the rule it mirrors."""

    rule_id: str
    section: str
    column: str
    kind: str  # not_null | in_set | between | regex | length
    args: tuple = ()
    condition: tuple[tuple[str, str, object], ...] = ()

    @property
    def pii(self) -> bool:
        return self.column in PII_FIELDS or self.column.startswith("gps")


def _conjuncts(expr: str) -> list[Binary] | None:
    try:
        node = parse(expr)
    except ExpressionError:
        return None
    out: list[Binary] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Binary) and n.op == "and":
            stack += [n.right, n.left]
        elif isinstance(n, Binary) and n.op in OPS and isinstance(n.left, Ref) and isinstance(
                n.right, Literal | Number):
            out.append(n)
        else:
            return None
    return out


def _condition(exprs: tuple[str, ...], types: dict[str, str]) -> tuple | None:
    """Relevance as GX row-condition triples, or None when it is not a plain AND of comparisons."""
    conds = []
    for expr in exprs:
        parts = _conjuncts(expr)
        if parts is None:
            return None
        for b in parts:
            col, lit = b.left.name, b.right  # type: ignore[union-attr]
            if col not in types:
                return None
            if types[col] in NUMERIC:
                try:
                    value: object = float(lit.value)  # type: ignore[union-attr]
                except ValueError:
                    return None
            elif b.op in ("=", "!="):
                value = lit.text if isinstance(lit, Number) else lit.value
            else:
                return None
            conds.append((col, OPS[b.op], value))
    return tuple(conds)


def _constraint(expr: str) -> tuple[str, tuple] | None:
    try:
        node = parse(expr)
    except ExpressionError:
        return None
    if isinstance(node, Call) and node.name == "regex" and len(node.args) == 2 and isinstance(
            node.args[0], Current) and isinstance(node.args[1], Literal):
        # Whole-value match like ODK; groups made non-capturing (pandas warns on groups).
        pattern = re.sub(r"(?<!\\)\((?!\?)", "(?:", node.args[1].value)
        return "regex", (f"^(?:{pattern})$",)
    bounds: dict[str, float] = {}
    parts = [node.left, node.right] if isinstance(node, Binary) and node.op == "and" else [node]
    for p in parts:
        if not (isinstance(p, Binary) and p.op in (">=", "<=") and isinstance(p.right, Number)):
            return None
        if isinstance(p.left, Current):
            bounds["min" if p.op == ">=" else "max"] = p.right.value
        elif (isinstance(p.left, Call) and p.left.name == "string-length" and p.op == ">="
              and p.left.args in ((), (Current(),))):
            return "length", (p.right.value, None)
        else:
            return None
    return "between", (bounds.get("min"), bounds.get("max"))


def build_checks(ins: Instrument, tables: dict[str, RuleTable]) -> list[GxCheck]:
    """The column-level checks GX can express for every section (no GX import).

    Call before the rule tables are materialised: parent columns used in row conditions are
    registered on the tables.
    """
    out = []
    for name, rt in tables.items():
        sec = ins.sections[name]
        types = {**rt.own, **rt.parent}
        inst = sec.repeat_relevant if name != MAIN_SECTION else ()
        for f in sec.fields:
            if f.name not in rt.own or f.type in ("calculate", "note"):
                continue
            if f.required:
                cond = _condition(inst + f.relevant, types)
                for col, _, _ in cond or ():
                    if col in rt.parent:
                        rt.parent_column(col)  # the rule table must carry it
                if cond is not None:
                    out.append(GxCheck(f"required:{f.name}", name, f.name, "not_null", (), cond))
            if f.type == "select_one" and f.list_name in ins.choices:
                out.append(GxCheck(f"choice:{f.name}", name, f.name, "in_set",
                                   (tuple(ins.choice_names(f.list_name or "")), f.list_name)))
            con = _constraint(f.constraint) if f.constraint else None
            if con and (con[0] != "between" or rt.own[f.name] in NUMERIC):
                out.append(GxCheck(f"constraint:{f.name}", name, f.name, con[0], con[1]))
    return out


def row_condition(triples: tuple, questions: list[str] | None = None):
    """A GX row condition: AND of (column, op, value) triples, optionally question IN (...)."""
    from great_expectations.expectations.row_conditions import Column

    parts = [{"==": Column(col) == v, "!=": Column(col) != v, "<": Column(col) < v,
              "<=": Column(col) <= v, ">": Column(col) > v, ">=": Column(col) >= v}[op]
             for col, op, v in triples]
    if questions is not None:
        parts.append(Column("question").is_in(questions))
    cond = None
    for part in parts:
        cond = part if cond is None else cond & part
    return cond


def expectation(c: GxCheck):
    """The GX expectation of a range, regex or length check (one column, no condition)."""
    import great_expectations.expectations as gxe

    meta = {"meta": {"rule_id": c.rule_id}}
    if c.kind == "regex":
        return gxe.ExpectColumnValuesToMatchRegex(column=c.column, regex=c.args[0], **meta)
    if c.kind == "length":
        return gxe.ExpectColumnValueLengthsToBeBetween(column=c.column, min_value=c.args[0],
                                                       max_value=c.args[1], **meta)
    return gxe.ExpectColumnValuesToBeBetween(column=c.column, min_value=c.args[0],
                                             max_value=c.args[1], **meta)
