-- The facts the daily report states in its header: the first lead's creation day (the
-- earliest day a report can be asked for before any model scores), the data's as-of
-- moment and the speed-to-lead SLA (fct_speed_to_lead). One row.
select
    (select min(created_at)::date from {{ ref('dim_leads') }})       as first_lead_date,
    (select max(as_of) from {{ ref('fct_speed_to_lead') }})          as data_as_of,
    (select any_value(sla_hours) from {{ ref('fct_speed_to_lead') }}) as sla_hours
