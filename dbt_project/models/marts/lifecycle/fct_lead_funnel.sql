-- One row per person: where they stand in the lifecycle (current stage = the furthest
-- stage entered, seed lifecycle_stages order), its funnel position (TOFU lead or recycled,
-- MOFU mql, BOFU sql and opportunity; customer and disqualified after the funnel), and
-- each stage's entered_at side by side (from fct_lead_stages).
with stages as (

    select * from {{ ref('fct_lead_stages') }}

),

pivoted as (

    select
        lead_id,
        {% for stage in ['lead', 'mql', 'sql', 'opportunity', 'customer', 'disqualified', 'recycled'] %}
        min(entered_at) filter (where stage = '{{ stage }}')        as {{ stage }}_entered_at,
        {% endfor %}
        {{ leadflow.arg_max('stage', 'stage_order') }}                                 as current_stage,
        {{ leadflow.arg_max('funnel_position', 'stage_order') }}                       as funnel_position,
        max(entered_at)                                             as current_stage_entered_at,
        min(entered_via) filter (where stage = 'mql')               as mql_rule,
        min(entered_via) filter (where stage = 'sql')               as sql_rule
    from stages
    group by lead_id

)

select
    pivoted.*,
    mql_entered_at is not null                                      as is_mql,
    sql_entered_at is not null                                      as is_sql,
    opportunity_entered_at is not null                              as is_opportunity,
    customer_entered_at is not null                                 as is_customer,
    disqualified_entered_at is not null                             as is_disqualified,
    recycled_entered_at is not null                                 as is_recycled,
    {{ leadflow.date_diff('day', 'lead_entered_at', 'customer_entered_at') }}          as days_lead_to_customer
from pivoted
