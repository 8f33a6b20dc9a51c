-- Floor of int_email_events_classified: one pass over the cleaned e-mail events with each
-- message's delivery time (a grouped aggregate joined back) and the bot of each distinct
-- user agent (the seed's patterns matched once per distinct agent and event type).
with deliveries as (

    select
        message_id,
        min(occurred_at) filter (where event_type = 'delivered') as delivered_at,
        min(occurred_at) filter (where event_type = 'processed') as processed_at
    from staging.stg_email__events
    group by message_id

),

bots as (

    select agents.user_agent, agents.event_type, arg_min(bots.bot_name, bots.priority) as bot_name
    from (
        select distinct user_agent, event_type
        from staging.stg_email__events
        where event_type in ('open', 'click') and user_agent is not null
    ) as agents
    inner join seeds.email_bot_user_agents as bots
        on (bots.applies_to = 'any' or bots.applies_to = agents.event_type)
        and regexp_matches(lower(agents.user_agent), bots.user_agent_pattern)
    group by agents.user_agent, agents.event_type

),

timed as (

    select
        events.event_id, events.message_id, events.occurred_at, events.email,
        events.is_valid_email, events.event_type, events.campaign_id, events.link_url,
        events.link_path, events.user_agent, events.ip_address, deliveries.delivered_at,
        epoch(events.occurred_at - coalesce(deliveries.delivered_at, deliveries.processed_at))
            as seconds_after_delivery,
        bots.bot_name, events._file_id, events._loaded_at
    from staging.stg_email__events as events
    left join deliveries using (message_id)
    left join bots on events.user_agent = bots.user_agent and events.event_type = bots.event_type

),

classified as (

    select
        *,
        case
            when event_type = 'open' and bot_name is not null then 'proxy_user_agent:' || bot_name
            when event_type = 'open' and seconds_after_delivery <= 15
                then 'opened_within_15s_of_delivery'
            when event_type = 'click' and bot_name is not null then 'scanner_user_agent:' || bot_name
            when event_type = 'click' and seconds_after_delivery <= 60
                then 'clicked_within_60s_of_delivery'
        end as machine_rule
    from timed

)

select
    event_id, message_id, occurred_at, email, is_valid_email, event_type, campaign_id,
    link_url, link_path, user_agent, ip_address, delivered_at, seconds_after_delivery,
    event_type = 'open' and machine_rule is not null as is_machine_open,
    event_type = 'click' and machine_rule is not null as is_scanner_click,
    machine_rule,
    event_type = 'open' and machine_rule is null as is_human_open,
    event_type = 'click' and machine_rule is null as is_human_click,
    _file_id, _loaded_at
from classified
