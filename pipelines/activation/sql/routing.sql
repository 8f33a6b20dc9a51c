-- Routing: one row per lead of `routable_leads`, the assignment it gets this run.
-- Relations (temp views set up by pipelines/activation/routing.py):
--   routable_leads     lead_id, created_at, country_code, region, product_interest, tier
--   routing_rules      seed routing_rules     (ordered, first match wins)
--   sales_reps         seed sales_reps        (team, capacity_weight, is_available)
--   sla_policies       seed sla_policies      (tier -> queue)
--   prior_assignments  ops.lead_assignments as it stood before this run (empty to replay)
-- Parameter $assigned_at: when the rules fire (the run's moment).
--
-- action: new        no owner yet: routed by its first matching rule
--         reassigned an owner already, but the first matching rule has overrides_existing
--                    and points at another team, or at another (available) named rep
--         kept       an owner already: owner, team, rule and assigned_at stay; the queue
--                    follows the lead's current tier
-- Weighted round-robin: each available rep of a team holds capacity_weight slots, dealt
-- round by round (round k holds every rep with weight >= k, by owner name), so weights
-- 2 and 1 give a, b, a, ...; the leads a team receives this run are numbered after the
-- last sequence number the team handed out (kept in ops.lead_assignments), oldest lead
-- first, and lead n takes slot (n - 1) mod slots.
with fired as (

    select
        leads.lead_id,
        leads.created_at,
        leads.tier,
        rules.rule_id,
        rules.assign_team,
        rules.assign_owner,
        rules.queue                                                 as rule_queue,
        coalesce(rules.overrides_existing, false)                   as overrides_existing
    from routable_leads as leads
    left join routing_rules as rules
        on  (rules.country_code is null or upper(trim(rules.country_code)) = leads.country_code)
        and (rules.region is null or rules.region = leads.region)
        and (rules.product_interest is null
             or lower(trim(rules.product_interest)) = lower(trim(leads.product_interest)))
        and (rules.tier is null or rules.tier = leads.tier)
    qualify row_number() over (partition by leads.lead_id order by rules.rule_order nulls last) = 1

),

targeted as (

    select
        fired.*,
        coalesce(fired.assign_team, named.team)                     as target_team,
        case when named.is_available and named.capacity_weight > 0
             then named.owner end                                   as named_owner,
        coalesce(fired.rule_queue, policies.queue)                  as target_queue
    from fired
    left join sales_reps as named
        on named.owner = fired.assign_owner
    left join sla_policies as policies
        on policies.tier = coalesce(fired.tier, 'unscored')

),

decided as (

    select
        targeted.*,
        prior.team                                                  as prior_team,
        prior.owner                                                 as prior_owner,
        prior.rule_id                                               as prior_rule_id,
        prior.round_robin_seq                                       as prior_round_robin_seq,
        prior.assigned_at                                           as prior_assigned_at,
        case
            when prior.owner is null then 'new'
            when targeted.overrides_existing
                 and (targeted.target_team is distinct from prior.team
                      or (targeted.named_owner is not null
                          and targeted.named_owner is distinct from prior.owner))
                then 'reassigned'
            else 'kept'
        end                                                         as action
    from targeted
    left join prior_assignments as prior using (lead_id)

),

slots as (

    select
        team,
        owner,
        row_number() over (partition by team order by round_number, owner) - 1 as slot_index,
        count(*) over (partition by team)                           as slot_count
    from (
        select team, owner, unnest(generate_series(1, capacity_weight)) as round_number
        from sales_reps
        where is_available and capacity_weight > 0
    )

),

team_offsets as (

    select team, max(round_robin_seq) as last_seq
    from prior_assignments
    where round_robin_seq is not null
    group by team

),

rotating as (

    select
        decided.lead_id,
        decided.target_team,
        coalesce(team_offsets.last_seq, 0) + row_number() over (
            partition by decided.target_team order by decided.created_at, decided.lead_id
        )                                                           as round_robin_seq
    from decided
    left join team_offsets
        on team_offsets.team = decided.target_team
    where decided.action <> 'kept'
      and decided.named_owner is null
      and decided.target_team is not null

),

rotated as (

    select
        rotating.lead_id,
        rotating.round_robin_seq,
        slots.owner
    from rotating
    left join slots
        on  slots.team = rotating.target_team
        and slots.slot_index = (rotating.round_robin_seq - 1) % slots.slot_count

)

select
    decided.lead_id,
    decided.action,
    case when decided.action = 'kept' then decided.prior_team
         else decided.target_team end                               as team,
    case when decided.action = 'kept' then decided.prior_owner
         else coalesce(decided.named_owner, rotated.owner) end      as owner,
    decided.target_queue                                            as queue,
    decided.tier,
    case when decided.action = 'kept' then decided.prior_rule_id
         else decided.rule_id end                                   as rule_id,
    case when decided.action = 'kept' then decided.prior_round_robin_seq
         else rotated.round_robin_seq end                           as round_robin_seq,
    case when decided.action = 'kept' then decided.prior_assigned_at
         else cast($assigned_at as timestamptz) end                 as assigned_at,
    decided.prior_owner                                             as previous_owner
from decided
left join rotated using (lead_id)
