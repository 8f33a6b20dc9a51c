{#- The comparison of `leadflow scoring backtest` (pipelines/handoff/backtest.py): one row
    per week, and a last row for the whole history (week NULL), of the current rules beside
    the candidate ones. It runs on the throwaway copy of the warehouse in which both rule
    sets were built with dbt (pipelines/handoff/rebuild.py): it reads the tables kept from
    each build, schemas rules_current and rules_candidate (lead_stages = fct_lead_stages,
    rule_score_snapshots = the training rows of fct_lead_features: each lead's rule score
    at one age and its outcome within the horizon), and the parameter $horizon_days.
      mqls                   leads entering MQL in the week
      mql_customer_rate      of those, the share that became customers within the horizon
                             of their MQL date; blank while the horizon of a week's MQLs
                             has not closed by the data's newest fact (the whole history:
                             over the MQLs whose horizon closed)
      customers / recall     leads becoming customers in the week; the share of them that
                             were MQLs by then (the eventual customers the MQL rules catch)
      scored_leads           leads created in the week with a rule score snapshot (their
                             horizon closed, not yet converted at the snapshot)
      rule_score_auc         ROC AUC of the rule score at the snapshot for conversion
                             within the horizon of creation (ties count half)
      top_decile_lift        conversion of the top 10% by rule score over the week's rate
      leads_changed          leads whose stages (a stage entered, or when) differ between
                             the rule sets, in the week of their first difference -#}
with stages as (

    select 'current' as side, * from rules_current.lead_stages
    union all
    select 'candidate', * from rules_candidate.lead_stages

),

data_as_of as (

    select greatest(
        (select max(occurred_at) from {{ ref('int_scoring_events') }}),
        (select max(entered_at) from stages)
    )                                                               as as_of_at

),

mqls as (

    select
        mql.side,
        mql.entered_at                                              as mql_at,
        mql.entered_at + to_days(cast($horizon_days as integer)) <= data_as_of.as_of_at
                                                                    as is_mature,
        customer.entered_at <= mql.entered_at + to_days(cast($horizon_days as integer))
                                                                    as is_converted
    from stages as mql
    cross join data_as_of
    left join stages as customer
        on customer.side = mql.side and customer.lead_id = mql.lead_id
        and customer.stage = 'customer'
    where mql.stage = 'mql'

),

customers as (

    select
        customer.side,
        customer.entered_at                                         as customer_at,
        coalesce(mql.entered_at <= customer.entered_at, false)      as is_caught
    from stages as customer
    left join stages as mql
        on mql.side = customer.side and mql.lead_id = customer.lead_id and mql.stage = 'mql'
    where customer.stage = 'customer'

),

-- each row twice: in its week, and in the whole history (week NULL)
mql_rows as (

    select side, cast(date_trunc('week', mql_at) as date) as week, is_mature, is_converted from mqls
    union all
    select side, null, is_mature, is_converted from mqls

),

mql_weeks as (

    select
        side,
        week,
        count(*)                                                    as mqls,
        -- a week once all its MQLs' horizons closed; the whole history over those closed
        case when week is null or bool_and(is_mature) then
            count(*) filter (where is_mature and is_converted)
                / nullif(count(*) filter (where is_mature), 0) end  as mql_customer_rate
    from mql_rows
    group by side, week

),

customer_weeks as (

    select side, week, count(*) as customers, avg(cast(is_caught as integer)) as recall
    from (
        select side, cast(date_trunc('week', customer_at) as date) as week, is_caught from customers
        union all
        select side, null, is_caught from customers
    ) as rows
    group by all

),

snapshots as (

    select 'current' as side, * from rules_current.rule_score_snapshots
    union all
    select 'candidate', * from rules_candidate.rule_score_snapshots

),

scored as (

    select snapshots.side, cast(date_trunc('week', leads.created_at) as date) as week,
           snapshots.lead_id, snapshots.rule_score, snapshots.converted_within_horizon as y
    from snapshots
    inner join {{ ref('dim_leads') }} as leads using (lead_id)
    union all
    select snapshots.side, null, snapshots.lead_id, snapshots.rule_score,
           snapshots.converted_within_horizon
    from snapshots

),

ranked as (

    select
        *,
        -- the average rank of the score's ties (ranks from 1, lowest score first)
        rank() over (partition by side, week order by rule_score)
            + (count(*) over (partition by side, week, rule_score) - 1) / 2.0 as score_rank,
        row_number() over (partition by side, week order by rule_score desc, lead_id)
            <= ceil(count(*) over (partition by side, week) / 10.0) as is_top_decile
    from scored

),

score_weeks as (

    select
        side,
        week,
        count(*)                                                    as scored_leads,
        -- Mann-Whitney: (rank sum of the converted - P(P+1)/2) / (P x N)
        (sum(score_rank) filter (where y)
            - count(*) filter (where y) * (count(*) filter (where y) + 1) / 2.0)
            / nullif(count(*) filter (where y) * count(*) filter (where not y), 0)
                                                                    as rule_score_auc,
        avg(cast(y as integer)) filter (where is_top_decile)
            / nullif(avg(cast(y as integer)), 0)                    as top_decile_lift
    from ranked
    group by all

),

differences as (

    select
        coalesce(current_rules.lead_id, candidate_rules.lead_id)    as lead_id,
        min(least(current_rules.entered_at, candidate_rules.entered_at)) as first_difference_at
    from rules_current.lead_stages as current_rules
    full join rules_candidate.lead_stages as candidate_rules
        on candidate_rules.lead_id = current_rules.lead_id
        and candidate_rules.stage = current_rules.stage
    where current_rules.entered_at is distinct from candidate_rules.entered_at
    group by all

),

changed_weeks as (

    select week, count(*) as leads_changed
    from (
        select cast(date_trunc('week', first_difference_at) as date) as week from differences
        union all
        select null from differences
    ) as rows
    group by all

),

weeks as (

    select week from mql_weeks
    union select week from customer_weeks
    union select week from score_weeks
    union select week from changed_weeks
    union select null

)

select
    weeks.week,
    coalesce(mql_current.mqls, 0)                                   as mqls_current,
    coalesce(mql_candidate.mqls, 0)                                 as mqls_candidate,
    mql_current.mql_customer_rate                                   as mql_customer_rate_current,
    mql_candidate.mql_customer_rate                                 as mql_customer_rate_candidate,
    coalesce(customer_current.customers, 0)                         as customers,
    customer_current.recall                                         as recall_current,
    customer_candidate.recall                                       as recall_candidate,
    coalesce(score_current.scored_leads, 0)                         as scored_leads,
    score_current.rule_score_auc                                    as rule_score_auc_current,
    score_candidate.rule_score_auc                                  as rule_score_auc_candidate,
    score_current.top_decile_lift                                   as top_decile_lift_current,
    score_candidate.top_decile_lift                                 as top_decile_lift_candidate,
    coalesce(changed_weeks.leads_changed, 0)                        as leads_changed
from weeks
left join mql_weeks as mql_current
    on mql_current.side = 'current' and mql_current.week is not distinct from weeks.week
left join mql_weeks as mql_candidate
    on mql_candidate.side = 'candidate' and mql_candidate.week is not distinct from weeks.week
left join customer_weeks as customer_current
    on customer_current.side = 'current' and customer_current.week is not distinct from weeks.week
left join customer_weeks as customer_candidate
    on customer_candidate.side = 'candidate'
    and customer_candidate.week is not distinct from weeks.week
left join score_weeks as score_current
    on score_current.side = 'current' and score_current.week is not distinct from weeks.week
left join score_weeks as score_candidate
    on score_candidate.side = 'candidate' and score_candidate.week is not distinct from weeks.week
left join changed_weeks
    on changed_weeks.week is not distinct from weeks.week
order by weeks.week nulls last
