-- Every roster child 0-17 with parental items, derived classifications and design variables.
-- mig_status and cg_type follow INDICATORS.md §2.3.
create or replace table core.children as
with c as (
    select
        hh.hh_id,
        try_cast(r.HL1 as integer) as line,
        r.HL4 as sex,
        r.HL6 as age,
        r.HL12, r.HL13, r.HL14, r.HL15, r.HL16, r.HL17, r.HL18, r.HL19,
        r.pcg_ln, r.pcg_rel, r.pcg_age, r.pcg_sex, r.sch_attend, r.sch_level,
        coalesce(r.HL15 = '1', false) as mother_abroad,
        coalesce(r.HL19 = '1', false) as father_abroad,
        (r.HL12 is null or r.HL12 = '8' or r.HL16 is null or r.HL16 = '8'
         or (r.HL12 = '1' and r.HL13 is null) or (r.HL16 = '1' and r.HL17 is null)
         or (r.HL13 = '2' and (r.HL15 is null or r.HL15 = '8'))
         or (r.HL17 = '2' and (r.HL19 is null or r.HL19 = '8'))) as parent_info_missing
    from validated.roster as r
    join _pseudonyms as p using (submission_uuid)
    join core.households as hh on hh.hh_id = p.hh_id and hh.responded
    where r.HL6 between 0 and 17
),

classified as (
    select
        c.*,
        case
            when mother_abroad and father_abroad then 'both_abroad'
            when mother_abroad then 'mother_abroad'
            when father_abroad then 'father_abroad'
            when parent_info_missing then 'unknown'
            else 'none'
        end as mig_status,
        case
            when pcg_rel = '1' then 'mother'
            when pcg_rel = '2' then 'father'
            when pcg_rel in ('3', '4') then 'grandparent'
            when pcg_rel in ('5', '6', '7') then 'other_relative'
            when pcg_rel = '8' then 'non_relative'
            else 'unknown'
        end as cg_type
    from c
)

select
    k.*,
    case
        when k.pcg_ln = 0 then nullif(k.pcg_age, 98)
        else pc.age
    end as pcg_age_years,
    hh.village_code, hh.district_code, hh.stratum, hh.psu, hh.fpc, hh.hhweight,
    m.hh_mig_status
from classified as k
join core.households as hh using (hh_id)
left join core.persons as pc on pc.hh_id = k.hh_id and pc.line = k.pcg_ln
left join (
    select
        hh_id,
        case
            when bool_or(mig_status = 'both_abroad')
                or (bool_or(mig_status = 'mother_abroad')
                    and bool_or(mig_status = 'father_abroad')) then 'both_abroad'
            when bool_or(mig_status = 'mother_abroad') then 'mother_abroad'
            when bool_or(mig_status = 'father_abroad') then 'father_abroad'
            when bool_or(mig_status = 'unknown') then 'unknown'
            else 'none'
        end as hh_mig_status
    from classified group by hh_id
) as m using (hh_id);
