-- One row per person and lifecycle rule of seed lifecycle_rules they met, with met_at:
-- the first moment the rule's points (quantity * points of its signals) within the last
-- window_days (all time when blank) reach its threshold. A rule is the set of seed rows
-- sharing its name; threshold and window_days are read from its first row.
with rules as (

    select
        rule,
        stage,
        signal,
        points,
        first(threshold order by signal) over (partition by rule)   as threshold,
        first(window_days order by signal) over (partition by rule) as window_days
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
             or earlier.occurred_at > this.occurred_at - to_days(this.window_days::integer))
    group by all

)

select
    {{ surrogate_key(['lead_id', 'rule']) }}                        as rule_met_id,
    lead_id,
    stage,
    rule,
    min(occurred_at)                                                as met_at
from running
where window_points >= threshold
group by all
