-- One row per lead and snapshot (as-of moment): what was known about the lead at that
-- moment, for the predictive score of models_ml. Point in time: every behaviour feature
-- counts only events with occurred_at <= as_of_at, profile fields supplied by a form
-- submitted after as_of_at are unknown (NULL), the first touch (channel, utm source and
-- campaign, landing page) is unknown before it happened, and no stage, deal (nor any of
-- a deal's extra columns), sales activity or owner enters the features at all (they are
-- sales' doing, or exist only for won deals, and would leak the outcome).
--
-- Snapshots (vars ml_snapshot_ages_days, ml_random_snapshots_per_lead, ml_horizon_days,
-- ml_target_stage):
--   training  the lead as of created_at + each age in ml_snapshot_ages_days and at
--             ml_random_snapshots_per_lead pseudo-random ages within the window, for leads whose
--             outcome window (created_at + ml_horizon_days) has closed by the data's as-of
--             moment and who had not reached the target stage by the snapshot; labelled
--             converted_within_horizon = reached the target stage (or a later one) within
--             ml_horizon_days of creation
--   scoring   every open lead (window still open, target stage not reached) as of the
--             data's as-of moment: the newest engagement event or lifecycle stage entry
--             (an export of leads and their deals may hold deals won long after the
--             last marketing event: their leads' windows have closed by then)
-- rule_score is the rule-based score of seeds scoring_rules / scoring_groups recomputed as
-- of the snapshot (the baseline to beat; the formula of macros/scoring.sql, as
-- fct_lead_rule_scores); it is not a feature.
-- Lead refresh (macros/lead_refresh.sql): a daily build recomputes the rows of the leads
-- it touched, the scoring row of every open lead (the as-of moment moved) and the
-- training rows of leads whose window has just closed; other training rows stay.
with params as (

    select
        {{ var('ml_horizon_days') }}                                as horizon_days,
        (select stage_order from {{ ref('lifecycle_stages') }}
         where stage = '{{ var("ml_target_stage") }}')              as target_stage_order,
        (select cast(value as double) from {{ ref('scoring_parameters') }}
         where parameter = 'engagement_half_life_days')             as half_life_days

),

events as (

    select lead_id, behaviour, occurred_at, quantity
    from {{ ref('int_scoring_events') }}

),

-- the newest dated fact of the warehouse: an engagement event or a lifecycle stage entry
-- (deals close after the last marketing event in an export of leads and their deals)
data_as_of as (

    select greatest(
        (select max(occurred_at) from events),
        (select max(entered_at) from {{ ref('fct_lead_stages') }})
    )                                                               as as_of_at

),

leads as (

    select
        leads.lead_id,
        leads.created_at,
        leads.is_free_email,
        leads.company_domain is not null                            as has_company,
        leads.identified_via,
        leads.original_touch_at,
        leads.original_channel,
        leads.original_utm_source,
        leads.original_utm_campaign,
        leads.original_landing_page_path,
        leads.seniority,
        leads.department,
        leads.country_code,
        leads.country_source,
        leads.region,
        leads.product_interest,
        title_form.submitted_at                                     as job_title_known_at,
        country_form.submitted_at                                   as country_known_at,
        product_form.submitted_at                                   as product_interest_known_at
    from {{ ref('dim_leads') }} as leads
    inner join {{ ref('int_people_merged') }} as people using (lead_id)
    left join {{ ref('int_form_submissions_identified') }} as title_form
        on title_form.submission_id = people.job_title_submission_id
    left join {{ ref('int_form_submissions_identified') }} as country_form
        on country_form.submission_id = people.country_code_submission_id
    left join {{ ref('int_form_submissions_identified') }} as product_form
        on product_form.submission_id = people.product_interest_submission_id
    {% if is_incremental_build() %}
    -- this model picks its leads itself (meta lead_refresh_filters_inputs: false):
    -- the leads the build refreshed
    where leads.lead_id in (select lead_id from {{ ref('state_lead_changes') }})
       -- open: scored as of the new as-of moment
       or leads.created_at + {{ leadflow.duration(var('ml_horizon_days'), 'day') }} > (select as_of_at from data_as_of)
       -- window closed since the last build: its training rows are new
       or leads.lead_id not in (select lead_id from {{ this }} where snapshot_kind = 'training')
    {% endif %}

),

target_reached as (

    select stages.lead_id, min(stages.entered_at) as reached_at
    from {{ ref('fct_lead_stages') }} as stages
    inner join {{ ref('lifecycle_stages') }} as stage_order using (stage)
    cross join params
    where not stage_order.is_side_exit
      and stage_order.stage_order >= params.target_stage_order
    group by stages.lead_id

),

-- the moments each lead is seen at: fixed ages (age_<days>), pseudo-random ones (random_<k>:
-- uniform over the window, to the hour, drawn from md5 of the lead and k: the same on every
-- rebuild), so that the training rows look like the open leads scored every day, whatever
-- their age; and 'scoring', the data's as-of moment
snapshot_choices as (

    {%- set snapshot_ages = var('ml_snapshot_ages_days') %}
    {%- if snapshot_ages is string %}{% set snapshot_ages = fromyaml(snapshot_ages) %}{% endif %}
    select 'age_' || fixed.age_days as snapshot_name, cast(fixed.age_days as double) as fixed_age_days,
           cast(null as bigint) as draw
    from (values {% for age in snapshot_ages %}({{ age }}){{ ', ' if not loop.last }}{% endfor %}) as fixed(age_days)

    {% if var('ml_random_snapshots_per_lead') | int > 0 %}
    union all

    select 'random_' || draws.k, cast(null as double), draws.k
    from {{ leadflow.series(1, var('ml_random_snapshots_per_lead') | int + 1, 1, 'draws', 'k') }}
    {% endif %}

    union all

    select 'scoring', cast(null as double), cast(null as bigint)

),

-- each lead at each of its moments, one pass over the leads (every later step reads these
-- rows, not the leads again: a CTE read twice is planned twice on Spark): a training row
-- for a moment within the window of a lead whose window has closed, the scoring row of a
-- lead whose window is open
lead_moments as (

    select
        leads.*,
        choice.snapshot_name,
        case
            when choice.draw is not null
                then ({{ leadflow.hex_to_bigint("substr(md5(leads.lead_id || ':' || choice.draw), 1, 8)") }}
                      % (params.horizon_days * 24)) / 24.0
            else choice.fixed_age_days
        end                                                         as age_days
    from leads
    cross join snapshot_choices as choice
    cross join params

),

lead_snapshots as (

    select
        moments.*,
        case when moments.snapshot_name = 'scoring' then 'scoring' else 'training' end as snapshot_kind,
        case
            when moments.snapshot_name = 'scoring' then data_as_of.as_of_at
            else moments.created_at + {{ leadflow.duration("cast(round(moments.age_days * 86400) as bigint)", "second") }}
        end                                                         as as_of_at
    from lead_moments as moments
    cross join params
    cross join data_as_of
    where case
        when moments.snapshot_name = 'scoring'
            then moments.created_at <= data_as_of.as_of_at
             and moments.created_at + {{ leadflow.duration('params.horizon_days', 'day') }} > data_as_of.as_of_at
        else moments.age_days < params.horizon_days
         and moments.created_at + {{ leadflow.duration('params.horizon_days', 'day') }} <= data_as_of.as_of_at
    end

),

-- the snapshots taken before the lead reached the target stage, with who the lead is as
-- known at each: a profile field supplied by a form submitted later is unknown (NULL), and
-- so is the first touch before it happened
known_fit as (

    select
        snapshots.lead_id,
        snapshots.snapshot_name,
        snapshots.snapshot_kind,
        snapshots.as_of_at,
        snapshots.created_at,
        target_reached.reached_at,
        snapshots.identified_via,
        snapshots.is_free_email,
        snapshots.has_company,
        case when snapshots.original_touch_at <= snapshots.as_of_at then snapshots.original_channel end
                                                                    as original_channel,
        case when snapshots.original_touch_at <= snapshots.as_of_at then snapshots.original_utm_source end
                                                                    as original_utm_source,
        case when snapshots.original_touch_at <= snapshots.as_of_at then snapshots.original_utm_campaign end
                                                                    as original_utm_campaign,
        case when snapshots.original_touch_at <= snapshots.as_of_at then snapshots.original_landing_page_path end
                                                                    as original_landing_page,
        case when snapshots.job_title_known_at <= snapshots.as_of_at then snapshots.seniority end as seniority,
        case when snapshots.job_title_known_at <= snapshots.as_of_at then snapshots.department end as department,
        case
            when snapshots.country_source = 'email_domain_tld' or snapshots.country_known_at <= snapshots.as_of_at
                then snapshots.country_code
        end                                                         as country_code,
        case
            when snapshots.country_source = 'email_domain_tld' or snapshots.country_known_at <= snapshots.as_of_at
                then snapshots.region
        end                                                         as region,
        case when snapshots.product_interest_known_at <= snapshots.as_of_at then snapshots.product_interest end
                                                                    as product_interest
    from lead_snapshots as snapshots
    left join target_reached using (lead_id)
    where target_reached.reached_at is null or target_reached.reached_at > snapshots.as_of_at

),

snapshot_events as (

    select
        snapshots.lead_id,
        snapshots.snapshot_name,
        events.behaviour,
        events.quantity,
        events.occurred_at < snapshots.created_at                   as is_before_creation,
        {{ leadflow.seconds_between('events.occurred_at', 'snapshots.as_of_at') }} / 86400.0 as days_ago
    from known_fit as snapshots
    inner join events
        on events.lead_id = snapshots.lead_id
        and events.occurred_at <= snapshots.as_of_at

),

{% set behaviours = ['pricing_page_view', 'demo_page_view', 'web_session', 'high_intent_form',
                     'other_form', 'human_email_click'] %}
{% set windows = [7, 30, 90] %}
-- per lead, snapshot and behaviour first, then one column per behaviour and window: the
-- wide pivot and the rule score aggregate the few rows per behaviour, not every event (the
-- range join's result is aggregated once; an engagement rule matches on the behaviour
-- alone, so its points are the rule's points times the behaviour's (decayed) quantity)
behaviour_windows as (

    select
        snapshot_events.lead_id,
        snapshot_events.snapshot_name,
        snapshot_events.behaviour,
        {% for window in windows %}
        sum(snapshot_events.quantity) filter (where snapshot_events.days_ago < {{ window }}) as quantity_{{ window }}d,
        {% endfor %}
        sum(snapshot_events.quantity)                               as quantity_total,
        sum({{ decayed_points('snapshot_events.quantity', 'true', 'snapshot_events.days_ago',
                              'params.half_life_days') }})          as decayed_quantity,
        min(snapshot_events.days_ago)                               as days_since,
        count(*) filter (where snapshot_events.is_before_creation)  as events_before_creation,
        count(*)                                                    as events
    from snapshot_events
    cross join params
    group by snapshot_events.lead_id, snapshot_events.snapshot_name, snapshot_events.behaviour

),

behaviour as (

    select
        lead_id,
        snapshot_name,
        {% for b in behaviours %}
        {% for window in windows %}
        coalesce(sum(quantity_{{ window }}d) filter (where behaviour = '{{ b }}'), 0) as {{ b }}s_{{ window }}d,
        {% endfor %}
        coalesce(sum(quantity_total) filter (where behaviour = '{{ b }}'), 0) as {{ b }}s_total,
        coalesce(sum(decayed_quantity) filter (where behaviour = '{{ b }}'), 0) as {{ b }}s_decayed,
        min(days_since) filter (where behaviour = '{{ b }}')        as days_since_{{ b }},
        {% endfor %}
        sum(events_before_creation) filter (where behaviour = 'web_session')
                                                                    as web_sessions_before_creation,
        bool_or(behaviour in ('email_unsubscribe', 'email_spam_report')) as has_unsubscribed,
        sum(events) filter (where behaviour = 'email_bounce')       as email_bounces
    from behaviour_windows
    group by lead_id, snapshot_name

),

rules as (

    select rules.score_type, rules.rule_group, rules.attribute, rules.attribute_value,
           rules.behaviour, rules.points, groups.min_points, groups.max_points, groups.is_decayed
    from {{ ref('scoring_rules') }} as rules
    inner join {{ ref('scoring_groups') }} as groups using (score_type, rule_group)

),

rule_engagement_groups as (

    select
        behaviour_windows.lead_id,
        behaviour_windows.snapshot_name,
        {{ capped_points(
            'sum(rules.points * case when rules.is_decayed then behaviour_windows.decayed_quantity'
            ~ ' else behaviour_windows.quantity_total end)',
            'min(rules.min_points)', 'max(rules.max_points)') }}     as points
    from behaviour_windows
    inner join rules
        on {{ engagement_rule_matches('behaviour_windows', 'rules') }}
    group by behaviour_windows.lead_id, behaviour_windows.snapshot_name, rules.rule_group

),

rule_engagement as (

    select lead_id, snapshot_name, sum(points) as engagement_points
    from rule_engagement_groups
    group by lead_id, snapshot_name

),

-- the fit attributes of int_lead_fit_attributes, as known at the snapshot
known_fit_attributes as (

    select lead_id, snapshot_name, attribute, lower(attribute_value) as attribute_value
    from (
        select
            known_fit.lead_id,
            known_fit.snapshot_name,
            fit.attribute,
            case fit.attribute
                when 'seniority' then known_fit.seniority
                when 'department' then known_fit.department
                when 'is_free_email' then cast(known_fit.is_free_email as {{ leadflow.type_text() }})
                when 'country_code' then known_fit.country_code
                when 'region' then known_fit.region
                when 'product_interest' then known_fit.product_interest
                when 'has_product_interest' then cast(known_fit.product_interest is not null as {{ leadflow.type_text() }})
                when 'has_company' then cast(known_fit.has_company as {{ leadflow.type_text() }})
            end                                                     as attribute_value
        from known_fit
        cross join (values ('seniority'), ('department'), ('is_free_email'), ('country_code'), ('region'), ('product_interest'), ('has_product_interest'), ('has_company')) as fit(attribute)
    ) as unpivoted
    where attribute_value is not null

),

-- the fit rules' points on what was known at the snapshot (fct_lead_rule_scores applies
-- the same rules to the lead's attributes as they are now)
known_rule_fit as (

    select lead_id, snapshot_name, sum(points) as fit_points
    from (
        select
            attributes.lead_id,
            attributes.snapshot_name,
            {{ capped_points('sum(rules.points)', 'min(rules.min_points)', 'max(rules.max_points)') }} as points
        from known_fit_attributes as attributes
        inner join rules
            on {{ fit_rule_matches('attributes', 'rules') }}
        group by attributes.lead_id, attributes.snapshot_name, rules.rule_group
    ) as fit_groups
    group by lead_id, snapshot_name

)

select
    {{ surrogate_key(['snapshots.lead_id', 'snapshots.snapshot_name']) }} as lead_feature_id,
    snapshots.lead_id,
    snapshots.snapshot_name,
    snapshots.snapshot_kind,
    snapshots.as_of_at,
    {{ leadflow.utc_date('snapshots.as_of_at') }}                   as as_of_date,
    snapshots.created_at,
    snapshots.snapshot_kind = 'training'                            as is_outcome_known,
    case
        when snapshots.snapshot_kind = 'training'
            then coalesce(snapshots.reached_at <= snapshots.created_at + {{ leadflow.duration('params.horizon_days', 'day') }}, false)
    end                                                             as converted_within_horizon,
    round(coalesce(known_rule_fit.fit_points, 0) + coalesce(rule_engagement.engagement_points, 0), 2)
                                                                    as rule_score,
    -- fit: who the lead is, as known at the snapshot
    round({{ leadflow.seconds_between('snapshots.created_at', 'snapshots.as_of_at') }} / 86400.0, 2) as lead_age_days,
    snapshots.is_free_email,
    snapshots.has_company,
    snapshots.identified_via,
    snapshots.original_channel,
    snapshots.original_utm_source,
    snapshots.original_utm_campaign,
    snapshots.original_landing_page,
    snapshots.seniority,
    snapshots.department,
    snapshots.country_code,
    snapshots.region,
    snapshots.product_interest,
    -- the rule score's two parts as known at the snapshot (features: the fit rules' points
    -- on the fit above, the engagement rules' decayed and capped points)
    round(coalesce(known_rule_fit.fit_points, 0), 2)                as rule_fit_points,
    round(coalesce(rule_engagement.engagement_points, 0), 2)        as rule_engagement_points,
    -- behaviour: what the lead did up to the snapshot
    {% for b in behaviours %}
    {% for window in windows %}
    cast(coalesce(behaviour.{{ b }}s_{{ window }}d, 0) as integer)  as {{ b }}s_{{ window }}d,
    {% endfor %}
    cast(coalesce(behaviour.{{ b }}s_total, 0) as integer)          as {{ b }}s_total,
    -- the rule score's input: each event counts half after engagement_half_life_days
    round(coalesce(behaviour.{{ b }}s_decayed, 0), 3)               as {{ b }}s_decayed,
    round(behaviour.days_since_{{ b }}, 2)                          as days_since_{{ b }},
    {% endfor %}
    cast(coalesce(behaviour.web_sessions_before_creation, 0) as integer) as web_sessions_before_creation,
    -- velocity: sessions of the last 7 days against the weekly rate of the 23 days before
    round(coalesce(behaviour.web_sessions_7d, 0)
          - (coalesce(behaviour.web_sessions_30d, 0) - coalesce(behaviour.web_sessions_7d, 0)) * 7 / 23.0, 3)
                                                                    as web_session_velocity,
    coalesce(behaviour.has_unsubscribed, false)                     as has_unsubscribed,
    cast(coalesce(behaviour.email_bounces, 0) as integer)           as email_bounces
from known_fit as snapshots
cross join params
left join behaviour using (lead_id, snapshot_name)
left join rule_engagement using (lead_id, snapshot_name)
left join known_rule_fit using (lead_id, snapshot_name)
