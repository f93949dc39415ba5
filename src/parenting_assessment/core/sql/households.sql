-- One row per selected household that reached the validated layer, with its design variables.
-- Weights (SAMPLING.md §2): w_h = N_h / r_h, where r_h counts responding, accepted households
-- of the stratum; non-respondents keep weight 0 and stay listed for response rates.
create or replace table core.households as
with hh as (
    select
        p.hh_id,
        h.village as village_code,
        h.hh_stratum as stratum_type,
        h.village || '|' || h.hh_stratum as stratum,
        h.enum_id,
        h.today as interview_date,
        (h.visit_result = '1' and h.consent = '1') as responded,
        try_cast(h.hh_size as integer) as hh_size
    from validated.household as h
    join _pseudonyms as p using (submission_uuid)
),

strata as (
    select
        kode_kemendagri || '|pmi' as stratum,
        n_listed_pmi as n_listed,
        target_pmi as n_target
    from _frame
    union all
    select
        kode_kemendagri || '|non_pmi',
        n_listed_non_pmi,
        target_non_pmi
    from _frame
),

counts as (
    select
        stratum,
        count(*) as n_submitted,
        count(*) filter (where responded) as n_responded
    from hh group by stratum
)

select
    hh.*,
    f.kode_kabupaten as district_code,
    s.n_listed as fpc,
    greatest(s.n_target, c.n_submitted) as n_selected,
    c.n_responded,
    hh.hh_id as psu,
    case when hh.responded then s.n_listed / c.n_responded else 0 end as hhweight
from hh
join counts as c using (stratum)
left join strata as s using (stratum)
left join _frame as f on f.kode_kemendagri = hh.village_code;
