-- Child modules (every child under 5, one selected child 5-17) linked to their roster row.
-- chweight = hhweight; fsweight = hhweight x number of roster children aged 5-17 (K).
create or replace table core.child_modules as
with m as (
    select
        p.hh_id,
        v.ch_ln as line,
        v.* exclude ({lineage}, ch_ln)
    from validated.child as v
    join _pseudonyms as p using (submission_uuid)
),

k as (
    select hh_id, count(*) filter (where age between 5 and 17) as n_5_17
    from core.children group by hh_id
)

select
    m.*,
    case when m.ch_type = '1' then coalesce(m.UF17 = '1', false)
         else coalesce(m.FS17 = '1', false) end as complete,
    try_cast(m.cage as integer) as cage_months,
    case when m.ch_type = '1' then m.UB2 else m.CB3 end as age_years,
    -- ECDI2030 (INDICATORS.md §4.6): 18 yes items, ecdi_sad not daily, ecdi_hit not more.
    -- Each term is coalesced: a DK or blank item counts as not achieved, never voids the score.
    coalesce(m.ecdi_walk_uneven = '1', false)::int
        + coalesce(m.ecdi_jump = '1', false)::int
        + coalesce(m.ecdi_dress = '1', false)::int
        + coalesce(m.ecdi_buttons = '1', false)::int
        + coalesce(m.ecdi_words10 = '1', false)::int
        + coalesce(m.ecdi_sent3 = '1', false)::int
        + coalesce(m.ecdi_sent5 = '1', false)::int
        + coalesce(m.ecdi_pronouns = '1', false)::int
        + coalesce(m.ecdi_name_object = '1', false)::int
        + coalesce(m.ecdi_letters5 = '1', false)::int
        + coalesce(m.ecdi_write_name = '1', false)::int
        + coalesce(m.ecdi_numbers1_5 = '1', false)::int
        + coalesce(m.ecdi_give3 = '1', false)::int
        + coalesce(m.ecdi_count10 = '1', false)::int
        + coalesce(m.ecdi_persist = '1', false)::int
        + coalesce(m.ecdi_ask_absent = '1', false)::int
        + coalesce(m.ecdi_offer_help = '1', false)::int
        + coalesce(m.ecdi_get_along = '1', false)::int
        + coalesce(m.ecdi_sad in ('2', '3', '4', '5'), false)::int
        + coalesce(m.ecdi_hit in ('1', '2', '3'), false)::int
        as ecdi_score,
    (coalesce(m.ecdi_walk_uneven, '8') = '8'
        or coalesce(m.ecdi_jump, '8') = '8'
        or coalesce(m.ecdi_dress, '8') = '8'
        or coalesce(m.ecdi_buttons, '8') = '8'
        or coalesce(m.ecdi_words10, '8') = '8'
        or coalesce(m.ecdi_sent3, '8') = '8'
        or coalesce(m.ecdi_sent5, '8') = '8'
        or coalesce(m.ecdi_pronouns, '8') = '8'
        or coalesce(m.ecdi_name_object, '8') = '8'
        or coalesce(m.ecdi_letters5, '8') = '8'
        or coalesce(m.ecdi_write_name, '8') = '8'
        or coalesce(m.ecdi_numbers1_5, '8') = '8'
        or coalesce(m.ecdi_give3, '8') = '8'
        or coalesce(m.ecdi_count10, '8') = '8'
        or coalesce(m.ecdi_persist, '8') = '8'
        or coalesce(m.ecdi_ask_absent, '8') = '8'
        or coalesce(m.ecdi_offer_help, '8') = '8'
        or coalesce(m.ecdi_get_along, '8') = '8'
        or coalesce(m.ecdi_sad, '8') = '8'
        or coalesce(m.ecdi_hit, '8') = '8') as ecdi_missing,
    -- Child labour (§4.10): hours coded 97-99 are DK and add 0.
    coalesce('1' in (m.CL1A, m.CL1B, m.CL1C, m.CL1X), false) as econ_active,
    coalesce('1' in (m.CL7, m.CL9, m.CL11A, m.CL11B, m.CL11C, m.CL11D, m.CL11E, m.CL11F,
                     m.CL11X), false) as chores_any,
    (case when m.CL8 between 0 and 96 then m.CL8 else 0 end
     + case when m.CL10 between 0 and 96 then m.CL10 else 0 end
     + case when m.CL13 between 0 and 96 then m.CL13 else 0 end) as chore_hours,
    coalesce(m.CL8 >= 97 or m.CL10 >= 97 or m.CL13 >= 97, false) as chore_hours_dk,
    c.sex, c.age as roster_age, c.mig_status, c.cg_type, c.hh_mig_status, c.HL14, c.HL18,
    hh.village_code, hh.district_code, hh.stratum, hh.psu, hh.fpc, hh.hhweight,
    case when m.ch_type = '1' then hh.hhweight
         else hh.hhweight * coalesce(k.n_5_17, 0) end as weight
from m
join core.households as hh on hh.hh_id = m.hh_id and hh.responded
left join core.children as c on c.hh_id = m.hh_id and c.line = m.line
left join k on k.hh_id = m.hh_id;
