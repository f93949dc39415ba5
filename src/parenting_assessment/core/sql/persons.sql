-- Usual members of responding households; names stay in the raw layer.
create or replace table core.persons as
select
    hh.hh_id,
    try_cast(r.HL1 as integer) as line,
    r.HL3 as relationship,
    r.HL4 as sex,
    r.HL6 as age
from validated.roster as r
join _pseudonyms as p using (submission_uuid)
join core.households as hh on hh.hh_id = p.hh_id and hh.responded;
