"""``batch_reconciliation`` and ``ingest_overlap`` on a hand-built warehouse: every count known."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from parenting_assessment.ingest.reconcile import COLUMNS, batch_reconciliation, ingest_overlap
from parenting_assessment.warehouse import replace_table


def rows(batch: str, section: str, roots: list[str], uuids: list[str] | None = None):
    uuids = uuids or roots
    return pd.DataFrame({"_batch": batch, "submission_root": roots, "submission_uuid": uuids,
                         "_row_key": [f"{u}/{section}[{i}]" for i, u in enumerate(uuids)]})


@pytest.fixture()
def con():
    con = duckdb.connect()
    for s in ("raw", "typed", "validated", "meta"):
        con.execute(f"create schema {s}")
    # b1: s1 s2 s3; b2 (later export): s2 again, s3 edited (s3b), s4 new
    replace_table(con, "raw.household", pd.concat([
        rows("b1", "household", ["s1", "s2", "s3"]),
        rows("b2", "household", ["s2", "s3", "s4"], ["s2", "s3b", "s4"])]))
    replace_table(con, "raw.roster", pd.concat([
        rows("b1", "roster", ["s1", "s1", "s3"]), rows("b2", "roster", ["s3"], ["s3b"]),
        pd.DataFrame({"_batch": ["b2"], "submission_root": [None], "submission_uuid": [None],
                      "_row_key": ["orphan:x.csv:9"]})]))
    replace_table(con, "typed.duplicates", pd.DataFrame({
        "section": ["household", "household", "roster"], "_batch": ["b1", "b1", "b1"],
        "reason": ["exact re-submission", "replaced by a later edit",
                   "replaced by a later edit"]}))
    replace_table(con, "validated.quarantine", pd.DataFrame({
        "section": ["household", "roster", "roster", "roster"],
        "batch": ["b1", "b1", "b1", "b2"], "rule_id": ["range", "range", "range", "orphan"]}))
    replace_table(con, "validated.household", rows("b2", "household", ["s2", "s3", "s4"]))
    replace_table(con, "validated.roster", rows("b2", "roster", ["s3"]))
    yield con
    con.close()


def test_counts_per_batch_and_section(con):
    got = batch_reconciliation(con)
    assert list(got.columns) == COLUMNS
    assert got.drop(columns="balanced").values.tolist() == [
        ["b1", "household", 3, 0, 2, 1],
        ["b1", "roster", 3, 0, 1, 2],
        ["b2", "household", 3, 3, 0, 0],
        ["b2", "roster", 2, 1, 0, 1],
    ]
    assert got["balanced"].all()
    stored = con.execute("select * from meta.batch_reconciliation").df()
    pd.testing.assert_frame_equal(stored, got, check_dtype=False)


def test_a_lost_row_unbalances_its_batch_only(con):
    con.execute("delete from validated.roster")
    got = batch_reconciliation(con).set_index(["batch", "section"])["balanced"]
    assert not got[("b2", "roster")]
    assert got.drop(("b2", "roster")).all()


def test_before_validation_nothing_is_accounted_for(con):
    for t in ("validated.quarantine", "validated.household", "validated.roster",
              "typed.duplicates"):
        con.execute(f"drop table {t}")
    got = batch_reconciliation(con)
    assert (got[["accepted", "duplicates", "quarantined"]] == 0).all().all()
    assert not got["balanced"].any()


def test_ingest_overlap_counts_what_other_batches_delivered(con):
    got = ingest_overlap(con, "b2").set_index("section")
    assert got.loc["household"].tolist() == [3, 2, 1]  # s2 and s3 seen; s3 as a new version
    assert got.loc["roster"].tolist() == [2, 1, 1]  # the orphan belongs to no submission
    first = ingest_overlap(con, "b1").set_index("section")
    assert first.loc["household"].tolist() == [3, 2, 1]  # b1's s3 is another version of s3b
