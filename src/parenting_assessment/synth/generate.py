"""Population -> truth -> sample -> submissions -> defects, in memory.

``generate`` is the testable core of ``synthesize``: it takes a frame DataFrame and an
Instrument and returns everything (population, truth, sample, submissions, manifest), so tests
can switch off non-response or defects and compare the export with the population. Each stage
draws from its own child seed, so changing one stage does not reshuffle the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from parenting_assessment.instrument import Instrument
from parenting_assessment.synth import answers, fieldwork, names, records
from parenting_assessment.synth.caregivers import caregivers
from parenting_assessment.synth.defects import inject_defects
from parenting_assessment.synth.population import Population, build_population
from parenting_assessment.synth.records import Submission
from parenting_assessment.synth.sampling import Sample, draw_sample
from parenting_assessment.synth.truth import compute_truth

STAGES = ("population", "answers", "sample", "records", "fieldwork", "defects", "frame")


@dataclass
class Synthesis:
    """Everything one synthetic survey round consists of."""

    frame: pd.DataFrame
    population: Population
    truth: pd.DataFrame
    sample: Sample
    submissions: list[Submission]
    manifest: pd.DataFrame
    pii: dict[str, set[str]] = field(default_factory=dict)


def stage_rngs(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per stage, all derived from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(STAGES))
    return {s: np.random.default_rng(c) for s, c in zip(STAGES, children, strict=True)}


def _fields(ins: Instrument, section: str, groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in ins.sections[section].fields
                 if len(f.path) > 2 and f.path[1] in groups)


def generate(frame: pd.DataFrame, ins: Instrument, seed: int, *, defect_rate: float = 0.03,
             nonresponse: float | None = None, module_nonresponse: float = 0.03) -> Synthesis:
    """Build the population, its truth, a sample and the submissions with injected defects."""
    rngs = stage_rngs(seed)
    pop = build_population(frame, rngs["population"])
    pop.u5 = answers.under5(pop, rngs["answers"])
    pop.fs = answers.five_to_17(pop, rngs["answers"])
    pop.caregivers = caregivers(pop, rngs["answers"])
    truth = compute_truth(pop, frame)
    sample = draw_sample(pop, frame, rngs["sample"], nonresponse=nonresponse,
                         module_nonresponse=module_nonresponse)
    subs, pii = build_submissions(pop, sample, frame, ins, rngs["records"], rngs["fieldwork"])
    subs, manifest = inject_defects(subs, frame, defect_rate, rngs["defects"])
    for s in subs:
        if s.main.get("resp_phone"):
            pii["phones"].add(s.main["resp_phone"])
        if s.main.get("gps"):
            pii["gps"].update(_gps_strings(s.main["gps"]))
    times = pd.Series([s.meta["_submission_time"] for s in subs])
    ids = fieldwork.submission_ids(times, rngs["fieldwork"])
    for s, i in zip(subs, ids, strict=True):
        s.meta["_id"] = int(i)
    subs.sort(key=lambda s: s.meta["_id"])
    return Synthesis(frame, pop, truth, sample, subs, manifest, pii)


def _gps_strings(gps: str) -> set[str]:
    lat, lon = gps.split()[:2]
    return {gps, lat, lon}


def build_submissions(pop: Population, sample: Sample, frame: pd.DataFrame, ins: Instrument,
                      rng: np.random.Generator, rng_field: np.random.Generator
                      ) -> tuple[list[Submission], dict[str, set[str]]]:
    """One Submission per selected household; respondents carry the whole questionnaire."""
    s = sample.households
    resp = s.loc[s["responded"], "hh"].to_numpy()
    p = pop.persons[pop.persons["hh"].isin(resp)].reset_index(drop=True)
    sasak = frame["kode_provinsi"].to_numpy()[p["village"]] == "52"
    p["HL2"] = names.person_names(p["HL4"].to_numpy(), sasak, rng)
    kids = p[p["is_child"]]
    youngest = kids.sort_values(["hh", "HL6", "line"]).drop_duplicates("hh").set_index("hh")
    resp_ln = np.where(youngest["HL14"] > 0, youngest["HL14"],
                       np.where(youngest["pcg_ln"] > 0, youngest["pcg_ln"], 1))
    resp_line = dict(zip(youngest.index, resp_ln, strict=True))
    ch_resp = {(r.hh, r.line): (r.HL14 if r.HL14 > 0 else r.pcg_ln if r.pcg_ln > 0
                                else resp_line[r.hh]) for r in kids.itertuples()}
    child_lines = kids.groupby("hh")["line"].agg(lambda x: " ".join(map(str, x))).to_dict()
    choices = {k: ins.choice_names(k) for k in ins.choices}

    roster: dict[int, list[dict[str, str]]] = {}
    for rec in p.to_dict("records"):
        row = {"HL1": str(rec["line"]), "HL2": rec["HL2"]}
        row.update(records.row_text(rec, records.ROSTER_FIELDS, choices, rng))
        roster.setdefault(rec["hh"], []).append(row)
    name_of = {(r.hh, r.line): r.HL2 for r in p.itertuples()}
    cm, cgm = sample.child_modules, sample.caregiver_modules
    u5 = pop.u5[pop.u5["hh"].isin(resp)].set_index(["hh", "line"], drop=False)
    fs = pop.fs[pop.fs["hh"].isin(resp)].set_index(["hh", "line"], drop=False)
    cg = pop.caregivers[pop.caregivers["hh"].isin(resp)].set_index(["hh", "cg_ln"], drop=False)
    cd = ("cd",)
    child = records.child_rows(
        cm, u5.to_dict("index"), fs.to_dict("index"), _fields(ins, "child", ("u5", *cd)),
        _fields(ins, "child", ("fs", *cd)), ch_resp, choices, rng)
    carers = records.caregiver_rows(cgm, cg.to_dict("index"), _fields(ins, "caregiver", ("cgm",)),
                                    choices, rng)
    migrants = records.migrant_rows(pop.migrants[pop.migrants["hh"].isin(resp)], child_lines)

    team = fieldwork.assign_enumerators(s, frame, ins.choice_names("enumerator"), rng_field)
    s = pd.concat([s, team], axis=1)
    count = {k: np.array([len(d.get(h, [])) for h in s["hh"]])
             for k, d in (("roster", roster), ("migrant", migrants), ("carer", carers))}
    n_u5 = cm[cm["ch_type"] == 1].groupby("hh").size().reindex(s["hh"]).fillna(0).to_numpy()
    minutes = fieldwork.interview_minutes(
        count["roster"], n_u5, (s["sel_fs_ln"] > 0).to_numpy(), count["carer"],
        count["migrant"], s["responded"].to_numpy(), rng_field)
    times = fieldwork.schedule(s, minutes, frame, rng_field)
    version = fieldwork.asset_version_uid(ins.form_id, ins.version)
    pii: dict[str, set[str]] = {"names": set(p["HL2"]), "phones": set(), "gps": set()}
    alt = rng.uniform(5, 900, len(frame))
    subs = []
    for i, r in enumerate(s.itertuples(index=False)):
        fr = frame.iloc[r.village]
        main = {"start": times["start"].iat[i], "end": times["end"].iat[i],
                "today": times["today"].iat[i], "deviceid": r.deviceid,
                "kab": fr["kode_kabupaten"], "village": r.kode_kemendagri, "enum_id": r.enum_id,
                "hh_listing_no": str(r.hh_listing_no), "hh_stratum": r.stratum,
                "visit_result": str(r.visit_result)}
        if r.consent > 0:
            main["consent"] = str(r.consent)
        reps: dict[str, list[dict[str, str]]] = {}
        if r.responded:
            reps = {"roster": roster[r.hh], "migrant": migrants.get(r.hh, []),
                    "child": child.get(r.hh, []), "caregiver": carers.get(r.hh, [])}
            main["resp_name"] = name_of[(r.hh, resp_line[r.hh])]
            if rng.random() < 0.9:
                main["resp_phone"] = names.phone_number(rng)
            main["gps"] = names.gps_point(fr["centroid_lat"], fr["centroid_lon"],
                                          alt[r.village], rng)
        main["hh_size"] = str(len(reps.get("roster", [])))
        if r.responded:
            main.update({"sel_fs_ln": str(r.sel_fs_ln), "mig_n": str(len(reps["migrant"])),
                         "ch_n": str(len(reps["child"])), "cg_n": str(len(reps["caregiver"]))})
            text = records.note(bool(reps["migrant"] and any(
                m["mig_role"] == "1" for m in reps["migrant"])), rng)
            if text:
                main["enum_notes"] = text
        uid = fieldwork.new_uuid(rng)
        meta = {"_uuid": uid, "_submission_time": times["submission"].iat[i],
                "_validation_status": "validation_status_approved" if r.responded
                and rng.random() < 0.15 else "", "_notes": "", "_status": "submitted_via_web",
                "_submitted_by": r.submitted_by, "__version__": version, "_tags": "",
                "meta/rootUuid": f"uuid:{uid}"}
        subs.append(Submission(main, {k: v for k, v in reps.items() if v}, meta, int(r.hh),
                               bool(r.responded)))
    return subs, pii
