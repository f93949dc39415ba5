"""How names in this form's expressions map onto a section's rule table.

ODK Collect clears the answer of a question that is not relevant, so a relevance that reads
``${HL13}`` sees a blank when HL13 itself was not relevant, even if the export (edited by hand,
or corrupted) carries a value there. ``value`` reproduces that: a referenced answer counts only
where its own relevance holds. Without it one skip violation would cascade into "required"
findings on every question that depends on it.
"""

from __future__ import annotations

from parenting_assessment.instrument.model import MAIN_SECTION, Field, Instrument
from parenting_assessment.validate.expr_sql import Typed, text_value, to_num
from parenting_assessment.validate.expressions import SqlContext, repeat_aggregate, to_sql_boolean
from parenting_assessment.validate.rule_tables import POS, TODAY, RuleTable, q

NUMERIC = ("BIGINT", "DOUBLE", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT")


class FormContext:
    """Translate the expressions of one section against its rule table (alias ``t``)."""

    def __init__(self, ins: Instrument, rt: RuleTable, tables: dict[str, RuleTable]):
        self.ins = ins
        self.rt = rt
        self.tables = tables
        self.fields: dict[str, Field] = {f.name: f for f in ins.fields}
        self.numeric: set[str] = set()  # SQL of numeric answers handed to the translator

    def column(self, name: str) -> tuple[str, str]:
        """(SQL, type) of the stored answer ``${name}``; LookupError if unreachable."""
        f = self.fields.get(name)
        if f is None:
            raise LookupError(f"no question named {name!r} in the form")
        if f.section == self.rt.section:
            if not self.rt.has(name):
                raise LookupError(f"{name!r} has no column in typed.{self.rt.section}")
            return f"t.{q(name)}", self.rt.own[name]
        if f.section == MAIN_SECTION:
            return self.rt.parent_column(name), self.rt.parent[name]
        raise LookupError(f"{name!r} belongs to the repeat {f.section!r}")

    def value(self, name: str, stack: tuple[str, ...] = ()) -> str:
        """The answer as ODK sees it: blank where the question is not relevant."""
        if name in stack:
            raise LookupError(f"circular relevance through {name!r}")
        col, typ = self.column(name)
        f = self.fields[name]
        if f.relevant:
            col = f"(CASE WHEN {self.relevance(f.relevant, (*stack, name))} THEN {col} END)"
        if typ in NUMERIC:
            self.numeric.add(col)
        return col

    def context(self, stack: tuple[str, ...] = (), current: str | None = None) -> SqlContext:
        """A translator context for this section; ``current`` is the SQL for ``.``."""
        repeat = self.rt.section != MAIN_SECTION
        return SqlContext(
            column=lambda n: self.value(n, stack), current=current,
            aggregate=self.aggregate, position=f"t.{POS}" if repeat else None,
            today=f"COALESCE(t.{TODAY}, current_date)")

    def relevance(self, exprs: tuple[str, ...], stack: tuple[str, ...] = ()) -> str:
        """AND of the expressions as never-NULL SQL (TRUE when there are none)."""
        if not exprs:
            return "TRUE"
        return self.fast(" AND ".join(f"({to_sql_boolean(e, self.context(stack))})"
                                      for e in exprs))

    def boolean(self, expr: str, current: str | None = None, numeric: bool = False) -> str:
        """A constraint or other boolean expression, with ``.`` bound to ``current``."""
        if current is not None and numeric:
            self.numeric.add(current)
        return self.fast(to_sql_boolean(expr, self.context(current=current)))

    def fast(self, sql: str) -> str:
        """Replace the text re-parse of numeric answers by a cast (outermost first)."""
        for ref in sorted(self.numeric, key=len, reverse=True):
            sql = sql.replace(to_num(Typed(text_value(ref), "str")), f"CAST({ref} AS DOUBLE)")
        return sql

    def aggregate(self, func: str, name: str) -> str:
        """count()/sum()/... over a repeat of the same household (JavaRosa semantics)."""
        sec = name if name in self.ins.sections else getattr(self.fields.get(name), "section",
                                                             None)
        if sec is None or sec == MAIN_SECTION or sec not in self.tables:
            raise LookupError(f"{name!r} is not a field of a repeat with a table")
        parent_key = "t._row_key" if self.rt.section == MAIN_SECTION else "t._parent_key"
        cols = {f.name for f in self.ins.sections[sec].fields}
        agg = repeat_aggregate(f"typed.{sec}", "_parent_key", parent_key, columns=cols,
                               repeat_name=sec)
        return agg(func, name)
