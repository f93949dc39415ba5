-- One record per parent abroad, linked to the roster lines of their resident children.
create or replace table core.migrants as
select
    p.hh_id,
    v.mig_role,
    list_transform(v.mig_children__list, lambda x: try_cast(x as integer)) as child_lines,
    v.mig_country,
    v.mig_years_away,
    v.mig_contact_freq,
    v.mig_remit_3m,
    hh.village_code, hh.district_code, hh.stratum, hh.psu, hh.fpc, hh.hhweight
from validated.migrant as v
join _pseudonyms as p using (submission_uuid)
join core.households as hh on hh.hh_id = p.hh_id and hh.responded;
