"""Batches through real Dagster materialisations into a real DuckDB file.

One sequence, run once for the module: batch b1 (a Kobo XLSX export), the same b1 again
(idempotent: nothing may change), then b2, a later export that repeats every b1 submission,
one of them EDITED (new ``_uuid``, same ``meta/rootUuid``, later ``_submission_time``), plus a
few submissions b1 did not have. Each run is ``materialize_all`` (raw_batch per partition, then
typed and validated), as ``parenting-assessment ingest`` runs it.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from pipelines.resources import SurveyResource
from pipelines.run import materialize_all

from parenting_assessment.ingest.reconcile import COLUMNS, batch_reconciliation, ingest_overlap
from parenting_assessment.instrument import load_instrument
from parenting_assessment.synth.api import DEFAULT_FRAME, DEFAULT_INSTRUMENT
from parenting_assessment.synth.frame import prepare_frame, read_frame
from parenting_assessment.synth.generate import generate, stage_rngs
from parenting_assessment.synth.kobo_xlsx import write_kobo_xlsx

B1, B2 = "b1_2026-09", "b2_2026-10"
STAGES = ("raw_batch", "typed_tables", "validated_tables")
VILLAGES = {"32.12.16.2001": ("24", "36", "8"), "52.03.13.2001": ("20", "30", "8")}


def snapshot(db: Path) -> dict[str, tuple]:
    """Row count and order-free content hash of every table and view of raw/typed/validated/meta."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema "
            "in ('raw', 'typed', 'validated', 'meta') order by all").fetchall()  # views too
        for schema, table in tables:
            name = f"{schema}.{table}"
            cols = tuple(r[:2] for r in con.execute(f"describe {name}").fetchall())
            n, digest = con.execute(
                f"select count(*), md5(coalesce(string_agg(md5(x::varchar), '' order by "
                f"md5(x::varchar)), '')) from {name} x").fetchall()[0]
            out[name] = (n, digest, cols)
    return out


def landing_state(landing: Path) -> list[tuple[str, int, int]]:
    return sorted((str(p.relative_to(landing)), p.stat().st_size, p.stat().st_mtime_ns)
                  for p in landing.rglob("*") if p.is_file())


def small_frame(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(DEFAULT_FRAME, dtype=str, keep_default_na=False)
    keep = frame[frame["kode_kemendagri"].isin(VILLAGES)].copy()
    for col, i in (("n_listed_pmi", 0), ("n_listed_non_pmi", 1), ("target_pmi", 2)):
        keep[col] = [VILLAGES[k][i] for k in keep["kode_kemendagri"]]
    keep.to_csv(path, index=False)
    return prepare_frame(read_frame(path), villages=None, households_per_village=None,
                         rng=stage_rngs(21)["frame"])


def edit_of(sub):
    """What KoboToolbox stores after an edit: new uuid, same root, later time, changed answer."""
    edited = copy.deepcopy(sub)
    edited.meta["_uuid"] = str(uuid.UUID(int=0xED17, version=4))
    t = datetime.fromisoformat(sub.meta["_submission_time"]) + timedelta(days=3)
    edited.meta["_submission_time"] = t.strftime("%Y-%m-%dT%H:%M:%S")
    edited.main["enum_notes"] = "Diperbaiki oleh supervisor."
    return edited


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("batches")
    ins = load_instrument(DEFAULT_INSTRUMENT)
    frame = small_frame(base / "source_frame.csv")
    (base / "frame.csv").write_text(frame.to_csv(index=False, lineterminator="\n"))
    syn = generate(frame, ins, 21, defect_rate=0.1)
    subs = syn.submissions
    first = subs[:-4]  # the later export adds these
    defective = set(syn.manifest["submission_uuid"])
    target = next(s for s in first if s.responded and s.uuid not in defective
                  and len(s.repeats.get("roster", [])) >= 3)
    edited = edit_of(target)
    second = [edited if s is target else s for s in subs]
    (base / "raw" / B1).mkdir(parents=True)
    write_kobo_xlsx(base / "raw" / B1 / "export_b1.xlsx", ins, first)
    survey = SurveyResource(
        raw=str(base / "raw"), frame=str(base / "frame.csv"), instrument=str(DEFAULT_INSTRUMENT),
        warehouse=str(base / "w.duckdb"), landing=str(base / "landing"),
        reports=str(base / "reports"), run_id="t")
    instance = dg.DagsterInstance.ephemeral()
    state, batches = {}, {}
    for run in ("first", "again"):
        materialize_all(survey, instance=instance, stages=STAGES)
        state[run] = (snapshot(base / "w.duckdb"), landing_state(base / "landing"))
        batches[run] = q(base / "w.duckdb", "select batch, status, message, files "
                         "from meta.batches order by batch")
    (base / "raw" / B2).mkdir()
    write_kobo_xlsx(base / "raw" / B2 / "export_b2.xlsx", ins, second)
    materialize_all(survey, instance=instance, stages=STAGES)
    with duckdb.connect(str(base / "w.duckdb")) as con:
        recon = batch_reconciliation(con)
    state["overlap"] = (snapshot(base / "w.duckdb"), landing_state(base / "landing"))
    return {"base": base, "state": state, "first": first, "second": second, "target": target,
            "edited": edited, "recon": recon, "instance": instance, "batches": batches,
            "db": base / "w.duckdb"}


def q(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_rerun_changes_nothing(runs):
    (before, landed_before), (after, landed_after) = runs["state"]["first"], runs["state"]["again"]
    volatile = {"meta.batches"}  # its updated_at records the re-run, by design
    assert {k: v for k, v in before.items() if k not in volatile} == {
        k: v for k, v in after.items() if k not in volatile}
    for table in ("raw.household", "raw.roster", "typed.household", "validated.household",
                  "meta.landed_files"):
        assert table in before and before[table][0] > 0
    assert landed_before == landed_after and len(landed_before) == 1
    assert runs["batches"]["again"] == [(B1, "ok", "", 1)]


def test_rerun_reports_the_file_as_already_landed(runs):
    rec = runs["instance"].fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("raw_batch"), asset_partitions=[B1]),
        limit=5).records
    assert len(rec) >= 2
    meta = rec[0].asset_materialization.metadata  # newest first: the re-run
    assert meta["files"].value[0]["status"] == "already landed"
    assert meta["rows_per_section"].value == {}
    assert meta["seen_before"].value == 0


def test_overlapping_batch_adds_only_new_submissions(runs):
    before, after = runs["state"]["again"][0], runs["state"]["overlap"][0]
    old_roots = {s.meta["meta/rootUuid"] for s in runs["first"]}
    roots = {s.meta["meta/rootUuid"] for s in runs["second"]}
    assert len(roots - old_roots) >= 1
    assert after["typed.household"][0] == len(roots)
    assert after["typed.household"][0] - before["typed.household"][0] == len(roots - old_roots)
    assert after["raw.household"][0] == len(runs["first"]) + len(runs["second"])
    b2 = runs["instance"].fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("raw_batch"), asset_partitions=[B2]),
        limit=1).records[0].asset_materialization.metadata
    assert b2["rows_read"].value == sum(after[f"raw.{s}"][0] - before[f"raw.{s}"][0] for s in (
        "household", "roster", "migrant", "child", "caregiver"))
    seen = sum(s.meta["meta/rootUuid"] in old_roots for s in runs["second"])
    seen_roster = sum(len(s.repeats.get("roster", [])) for s in runs["second"]
                      if s.meta["meta/rootUuid"] in old_roots)
    assert "| household |" in b2["overlap"].value
    assert b2["seen_before"].value >= seen + seen_roster
    with duckdb.connect(str(runs["db"]), read_only=True) as con:
        overlap = ingest_overlap(con, B2).set_index("section")
    assert overlap.loc["household", "seen_before"] == seen
    assert overlap.loc["household", "edited"] == 1
    assert overlap.loc["roster", "seen_before"] == seen_roster
    assert overlap.loc["roster", "edited"] == len(runs["target"].repeats["roster"])


def test_edit_replaces_its_earlier_version(runs):
    old, new = runs["target"].uuid, runs["edited"].uuid
    root = runs["target"].meta["meta/rootUuid"].removeprefix("uuid:")
    kept = q(runs["db"], "select submission_uuid, _batch, enum_notes from typed.household "
             "where submission_root = ?", [root])
    assert kept == [(new, B2, "Diperbaiki oleh supervisor.")]
    dups = q(runs["db"], "select section, count(*), any_value(kept_uuid), any_value(_batch) "
             "from typed.duplicates where submission_uuid = ? group by all order by 1", [old])
    n_roster = len(runs["target"].repeats["roster"])
    assert ("household", 1, new, B1) in dups and ("roster", n_roster, new, B1) in dups
    reasons = q(runs["db"], "select distinct reason from typed.duplicates "
                "where submission_uuid = ?", [old])
    assert reasons == [("replaced by a later edit",)]
    roster = q(runs["db"], "select count(*) from typed.roster where submission_root = ?", [root])
    assert roster == [(n_roster,)]


def test_exact_resubmissions_are_listed_once_each(runs):
    n_b1 = len(runs["first"])
    got = q(runs["db"], "select reason, count(*) from typed.duplicates where section = "
            "'household' and _batch = ? group by all order by 1", [B1])
    assert dict(got) == {"exact re-submission": n_b1 - 1, "replaced by a later edit": 1}


def test_every_batch_reconciles(runs):
    recon = runs["recon"]
    assert list(recon.columns) == COLUMNS
    assert recon["balanced"].all()
    assert set(recon["batch"]) == {B1, B2}
    assert set(recon["section"]) == {"household", "roster", "migrant", "child", "caregiver"}
    b1 = recon[recon["batch"] == B1]
    # the later export supersedes every b1 copy: all of b1 is accounted for as duplicates
    assert (b1["duplicates"] == b1["rows_read"]).all() and (b1["accepted"] == 0).all()
    b2 = recon[recon["batch"] == B2].set_index("section")
    assert b2.loc["household", "quarantined"] > 0 and b2.loc["household", "accepted"] > 0
    stored = q(runs["db"], "select * from meta.batch_reconciliation order by all")
    assert len(stored) == len(recon)
    whole = q(runs["db"], "select sum(rows_read), sum(accepted), sum(duplicates), "
              "sum(quarantined) from validated.reconciliation")[0]
    assert tuple(int(v) for v in whole) == tuple(
        int(recon[c].sum()) for c in ("rows_read", "accepted", "duplicates", "quarantined"))
