"""The code location loads, and the batch sensor registers new batch folders."""

import json

import dagster as dg
from pipelines.definitions import defs
from pipelines.resources import SurveyResource
from pipelines.sensors import raw_folder_sensor


def test_definitions_load_with_every_stage():
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_batch", "typed_tables", "validated_tables", "core_model", "indicator_values",
            "survey_estimates", "mapping_report"} <= keys


def test_library_never_imports_dagster():
    import subprocess
    import sys

    code = ("import sys, parenting_assessment.cli, parenting_assessment.estimation, "
            "parenting_assessment.validate.run, parenting_assessment.core.build, "
            "parenting_assessment.report.render; print('dagster' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sensor_registers_new_batches_once(tmp_path):
    (tmp_path / "b2026_10_01").mkdir()
    (tmp_path / "b2026_10_01" / "export.xlsx").write_bytes(b"PK\x03\x04 placeholder")
    (tmp_path / "empty").mkdir()
    instance = dg.DagsterInstance.ephemeral()
    survey = SurveyResource(watch=str(tmp_path))
    ctx = dg.build_sensor_context(instance=instance, resources={"survey": survey})
    res = raw_folder_sensor(ctx)
    assert [r.partition_key for r in res.run_requests] == ["b2026_10_01"]
    assert res.dynamic_partitions_requests[0].partition_keys == ["b2026_10_01"]
    # Same files again: nothing new is requested.
    ctx2 = dg.build_sensor_context(instance=instance, resources={"survey": survey},
                                   cursor=res.cursor)
    again = raw_folder_sensor(ctx2)
    assert again.run_requests == []
    assert json.loads(res.cursor) == json.loads(again.cursor)
