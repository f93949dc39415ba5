"""The whole asset graph on a freshly generated export, checked against an independent
computation from the generated file (plain pandas + a loop over strata written here)."""

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from pipelines.run import materialize_all

from generated_survey import generated_survey

ROOT = Path(__file__).resolve().parents[2]
INSTRUMENT = ROOT / "data" / "instrument" / "pemetaan_pengasuhan.xlsx"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    synth, survey = generated_survey(
        base, seed=7, villages=5, households_per_village=24, run_id="t1"
    )
    materialize_all(survey)
    return synth, survey, base


def independent_village_estimates(export: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """lb_parent_abroad per village: ratio estimate and Taylor SE, from the XLSX directly."""
    sheets = pd.read_excel(
        export, sheet_name=None, dtype=str, keep_default_na=False, engine="openpyxl"
    )
    main = next(iter(sheets.values()))
    col = {c.split("/")[-1]: c for c in main.columns}
    hh = pd.DataFrame(
        {
            "idx": main["_index"],
            "village": main[col["village"]],
            "stratum": main[col["hh_stratum"]],
            "resp": (main[col["visit_result"]] == "1") & (main[col["consent"]] == "1"),
        }
    )
    roster = sheets["roster"]
    rcol = {c.split("/")[-1]: c for c in roster.columns}
    kids = pd.DataFrame(
        {
            "idx": roster["_parent_index"],
            "age": roster[rcol["HL6"]].astype(int),
            "y": ((roster[rcol["HL15"]] == "1") | (roster[rcol["HL19"]] == "1")).astype(float),
        }
    )
    kids = kids[kids["age"] <= 17]
    hh = hh[hh["resp"]]
    listed = {}
    for r in frame.itertuples():
        listed[(r.kode_kemendagri, "pmi")] = r.n_listed_pmi
        listed[(r.kode_kemendagri, "non_pmi")] = r.n_listed_non_pmi
    r_h = hh.groupby(["village", "stratum"]).size()
    rows = []
    for village, vh in hh.groupby("village"):
        k = kids.merge(vh, on="idx")
        w = k.apply(lambda r: listed[(r.village, r.stratum)] / r_h[(r.village, r.stratum)], axis=1)
        p = float((w * k["y"]).sum() / w.sum())
        var = 0.0
        for stratum, sh in vh.groupby("stratum"):
            n = len(sh)
            big_n = listed[(village, stratum)]
            z = []
            for idx in sh["idx"]:
                kk = k[k["idx"] == idx]
                wk = big_n / n
                z.append(float((wk * (kk["y"] - p)).sum() / w.sum()))
            z = np.array(z)
            if n > 1:
                var += (1 - n / big_n) * n / (n - 1) * float(((z - z.mean()) ** 2).sum())
        rows.append({"area_code": village, "p": 100 * p, "se": 100 * math.sqrt(var), "n": len(k)})
    return pd.DataFrame(rows)


def test_village_estimates_match_independent_computation(run):
    synth, survey, _ = run
    frame = pd.read_csv(synth.frame_path, dtype={"kode_kemendagri": str})
    expected = independent_village_estimates(synth.export_path, frame)
    with duckdb.connect(survey.warehouse, read_only=True) as con:
        got = con.execute("""select area_code, estimate, se, n_unweighted from estimates.estimates
                             where indicator_id = 'lb_parent_abroad' and level = 'village'
                               and disagg_key = 'total'""").df()
    m = expected.merge(got, on="area_code")
    assert len(m) == len(frame)
    assert np.allclose(m["estimate"], m["p"], atol=1e-9)
    assert np.allclose(m["se_y"], m["se_x"], atol=1e-9)
    assert (m["se_y"] > 0).any()
    assert (m["n_unweighted"] == m["n"]).all()


def test_report_lists_every_frame_village(run):
    synth, survey, base = run
    frame = pd.read_csv(synth.frame_path, dtype=str)
    html = (base / "reports" / "t1" / "report_id.html").read_text(encoding="utf-8")
    for r in frame.itertuples():
        assert f'data-area="{r.kode_kemendagri}"' in html
        assert r.desa in html


def test_no_planted_pii_in_outputs(run):
    synth, survey, base = run
    planted = [v for v in synth.pii_values if len(v) >= 6]
    assert planted, "the generator must plant names and phone numbers"
    texts = [
        p.read_bytes().decode("utf-8", "ignore")
        for p in (base / "reports").rglob("*")
        if p.is_file()
    ]
    with duckdb.connect(survey.warehouse, read_only=True) as con:
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('core', 'indicators', 'estimates')"
        ).fetchall():
            texts.append(con.execute(f"select * from {schema}.{table}").df().to_csv())
    blob = "\n".join(texts)
    leaked = [v for v in planted if v in blob]
    assert leaked == []
