-- The facts the daily report states in its header: the first lead's creation day (the
-- earliest day a report can be asked for before any model scores), the data's as-of
-- moment and the smallest sample a rate or
-- average is read from (report_parameters.min_sample_size; smaller ones are greyed). One row.
select
    (select min(created_at)::date from {{ ref('dim_leads') }})       as first_lead_date,
    (select max(as_of) from {{ ref('fct_speed_to_lead') }})          as data_as_of,
    (select max(cast(value as integer)) from {{ ref('report_parameters') }}
     where parameter = 'min_sample_size')                            as min_sample_size
