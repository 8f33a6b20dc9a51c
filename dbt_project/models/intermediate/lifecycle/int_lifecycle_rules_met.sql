-- One row per person and lifecycle rule of seed lifecycle_rules they met, with met_at:
-- the first moment the rule's points (quantity * points of its signals) within the last
-- window_days (all time when blank) reach its threshold. A rule is the set of seed rows
-- sharing its name; threshold and window_days are read from its first row.
-- A rule with a gate in seed lifecycle_rule_gates counts only at a moment the person's
-- rule score also reaches it: fit grade min_fit_grade or better (the fit score at least
-- that grade's min_score in seed scoring_grades) and engagement band min_engagement_band
-- or better (the engagement score as of that moment, decayed to it, at least the band's
-- min_score). The rule score is the formula of macros/scoring.sql, as fct_lead_rule_scores
-- and fct_lead_features.rule_score compute it. A blank gate holds no condition.
with rules as (

    select
        rule,
        stage,
        signal,
        points,
        {{ leadflow.first_ordered('threshold', 'signal') }} over (partition by rule)   as threshold,
        {{ leadflow.first_ordered('window_days', 'signal') }} over (partition by rule) as window_days
    from {{ ref('lifecycle_rules') }}

),

scored as (

    select
        rules.rule,
        rules.stage,
        rules.threshold,
        rules.window_days,
        signals.lead_id,
        signals.signal_id,
        signals.occurred_at,
        signals.quantity * rules.points                             as points
    from {{ ref('int_lifecycle_signals') }} as signals
    inner join rules using (signal)

),

-- points of each signal plus those of the same person and rule in the window before it
-- (ties at the same instant count together)
running as (

    select
        this.signal_id,
        this.rule,
        this.stage,
        this.lead_id,
        this.occurred_at,
        this.threshold,
        sum(earlier.points)                                         as window_points
    from scored as this
    inner join scored as earlier
        on earlier.lead_id = this.lead_id
        and earlier.rule = this.rule
        and earlier.occurred_at <= this.occurred_at
        and (this.window_days is null
             or earlier.occurred_at > this.occurred_at - {{ leadflow.duration('this.window_days::integer', 'day') }})
    group by all

),

reached as (

    select * from running where window_points >= threshold

),

-- the gates that hold a condition, as minimum fit and engagement scores
gates as (

    select
        gates.rule,
        case when gates.min_fit_grade is not null
            then coalesce(fit.min_score, -1e9) end                  as min_fit_score,
        case when gates.min_engagement_band is not null
            then coalesce(engagement.min_score, -1e9) end           as min_engagement_score
    from {{ ref('lifecycle_rule_gates') }} as gates
    left join {{ ref('scoring_grades') }} as fit
        on fit.score_type = 'fit' and fit.label = gates.min_fit_grade
    left join {{ ref('scoring_grades') }} as engagement
        on engagement.score_type = 'engagement'
        and engagement.label = cast(gates.min_engagement_band as {{ leadflow.type_text() }})
    where gates.min_fit_grade is not null or gates.min_engagement_band is not null

),

-- the moments a gated rule is reached: only these need the rule score
candidates as (

    select reached.signal_id, reached.rule, reached.lead_id, reached.occurred_at,
           gates.min_fit_score, gates.min_engagement_score
    from reached
    inner join gates using (rule)

),

params as (

    select cast(value as double) as half_life_days
    from {{ ref('scoring_parameters') }}
    where parameter = 'engagement_half_life_days'

),

score_rules as (

    select rules.*, groups.min_points, groups.max_points, groups.is_decayed
    from {{ ref('scoring_rules') }} as rules
    inner join {{ ref('scoring_groups') }} as groups using (score_type, rule_group)

),

fit_groups as (

    select
        attributes.lead_id,
        {{ capped_points('sum(score_rules.points)', 'min(score_rules.min_points)',
                         'max(score_rules.max_points)') }}          as points
    from {{ ref('int_lead_fit_attributes') }} as attributes
    inner join score_rules
        on {{ fit_rule_matches('attributes', 'score_rules') }}
    where attributes.lead_id in (select lead_id from candidates)
    group by attributes.lead_id, score_rules.rule_group

),

fit as (

    select lead_id, sum(points) as fit_score from fit_groups group by lead_id

),

engagement_groups as (

    select
        candidates.signal_id,
        candidates.rule,
        {{ capped_points(
            'sum(' ~ decayed_points('events.quantity * score_rules.points', 'score_rules.is_decayed',
                                    leadflow.seconds_between('events.occurred_at', 'candidates.occurred_at') ~ ' / 86400.0',
                                    'params.half_life_days') ~ ')',
            'min(score_rules.min_points)', 'max(score_rules.max_points)') }} as points
    from candidates
    inner join {{ ref('int_scoring_events') }} as events
        on events.lead_id = candidates.lead_id
        and events.occurred_at <= candidates.occurred_at
    inner join score_rules
        on {{ engagement_rule_matches('events', 'score_rules') }}
    cross join params
    group by candidates.signal_id, candidates.rule, score_rules.rule_group

),

engagement as (

    select signal_id, rule, sum(points) as engagement_score
    from engagement_groups
    group by signal_id, rule

),

passed as (

    select candidates.signal_id, candidates.rule
    from candidates
    left join fit using (lead_id)
    left join engagement using (signal_id, rule)
    where coalesce(fit.fit_score, 0) >= coalesce(candidates.min_fit_score, -1e9)
      and coalesce(engagement.engagement_score, 0)
          >= coalesce(candidates.min_engagement_score, -1e9)

)

select
    {{ surrogate_key(['reached.lead_id', 'reached.rule']) }}        as rule_met_id,
    reached.lead_id,
    reached.stage,
    reached.rule,
    min(reached.occurred_at)                                        as met_at
from reached
left join passed
    on passed.signal_id = reached.signal_id and passed.rule = reached.rule
where reached.rule not in (select rule from gates)
   or passed.signal_id is not null
group by all
