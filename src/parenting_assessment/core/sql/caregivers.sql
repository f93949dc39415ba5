-- Caregiver interviews with cgweight = hhweight / pi (INDICATORS.md §2.2): pi = 1 for the
-- primary caregiver of a child under 5, otherwise k / K (k: the 5-17 children this person is
-- primary caregiver of; K: the household's children aged 5-17).
create or replace table core.caregivers as
with g as (
    select
        p.hh_id,
        v.cg_ln as line,
        v.* exclude ({lineage}, cg_ln)
    from validated.caregiver as v
    join _pseudonyms as p using (submission_uuid)
),

care as (
    select
        hh_id,
        try_cast(pcg_ln as integer) as line,
        count(*) filter (where age < 5) as n_u5,
        count(*) filter (where age between 5 and 17) as n_5_17
    from core.children where pcg_ln > 0 group by all
),

k as (
    select hh_id, count(*) filter (where age between 5 and 17) as n_5_17
    from core.children group by hh_id
),

pi as (
    select
        g.hh_id,
        g.line,
        case
            when coalesce(care.n_u5, 0) > 0 then 1.0
            when coalesce(care.n_5_17, 0) > 0 and k.n_5_17 > 0 then care.n_5_17 / k.n_5_17
        end as pi
    from g
    left join care on care.hh_id = g.hh_id and care.line = g.line
    left join k on k.hh_id = g.hh_id
)

select
    g.*,
    coalesce(g.cg_result = '1', false) as complete,
    case
        when g.cg_rel = '1' then 'mother'
        when g.cg_rel = '2' then 'father'
        when g.cg_rel in ('3', '4') then 'grandparent'
        when g.cg_rel in ('5', '6', '7') then 'other_relative'
        when g.cg_rel = '8' then 'non_relative'
        else 'unknown'
    end as cg_type,
    -- Burden items (§4.12): 0-3 each, 8 = DK; the score is prorated in the catalogue.
    -- A blank item counts as not answered (coalesce), so the count is never NULL.
    coalesce(g.cb_stress in ('0', '1', '2', '3'), false)::int
        + coalesce(g.cb_tired in ('0', '1', '2', '3'), false)::int
        + coalesce(g.cb_money_daily in ('0', '1', '2', '3'), false)::int
        + coalesce(g.cb_money_school in ('0', '1', '2', '3'), false)::int
        + coalesce(g.cb_health in ('0', '1', '2', '3'), false)::int
        + coalesce(g.cb_social in ('0', '1', '2', '3'), false)::int as burden_n_answered,
    coalesce(try_cast(case when g.cb_stress in ('0', '1', '2', '3') then g.cb_stress end as integer), 0)
        + coalesce(try_cast(case when g.cb_tired in ('0', '1', '2', '3') then g.cb_tired end as integer), 0)
        + coalesce(try_cast(case when g.cb_money_daily in ('0', '1', '2', '3') then g.cb_money_daily end as integer), 0)
        + coalesce(try_cast(case when g.cb_money_school in ('0', '1', '2', '3') then g.cb_money_school end as integer), 0)
        + coalesce(try_cast(case when g.cb_health in ('0', '1', '2', '3') then g.cb_health end as integer), 0)
        + coalesce(try_cast(case when g.cb_social in ('0', '1', '2', '3') then g.cb_social end as integer), 0) as burden_sum,
    pi.pi,
    hh.village_code, hh.district_code, hh.stratum, hh.psu, hh.fpc, hh.hhweight, hh.hh_mig_status,
    hh.hhweight / pi.pi as weight
from g
join core.households as hh on hh.hh_id = g.hh_id and hh.responded
join pi on pi.hh_id = g.hh_id and pi.line = g.line;
