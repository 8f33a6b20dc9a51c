-- depends_on: {{ ref('state_build_batches') }}
-- One row per e-mail event, flagged when a machine did it: privacy-proxy opens and
-- link-scanner clicks, with the rule that fired. Raw counts use every row; human counts
-- use is_human_open / is_human_click.
--
-- Rules (first that applies wins; thresholds are vars, user agents seed email_bot_user_agents):
--   open : user agent of a known proxy          -> 'proxy_user_agent:<bot_name>'
--          within machine_open_max_seconds of delivery -> 'opened_within_<n>s_of_delivery'
--   click: user agent of a known scanner or bot -> 'scanner_user_agent:<bot_name>'
--          within scanner_click_max_seconds of delivery -> 'clicked_within_<n>s_of_delivery'
--
-- Incremental: a daily run re-classifies every event of the messages (message_id) touched
-- by raw files newer than the newest one here, so a late 'delivered' event still counts.
with

{% if is_incremental() %}
changed_messages as (

    select distinct message_id
    from {{ ref('stg_email__events') }}
    where _file_id > (select coalesce(max(_file_id), 0) from {{ this }})

),
{% endif %}

events as (

    select events.*
    from {{ ref('stg_email__events') }} as events
    {% if is_incremental() %}
    inner join changed_messages using (message_id)
    {% endif %}

),

deliveries as (

    select
        message_id,
        min(occurred_at) filter (where event_type = 'delivered') as delivered_at,
        min(occurred_at) filter (where event_type = 'processed') as processed_at
    from events
    group by message_id

),

bot_agents as (

    select
        agents.user_agent,
        agents.event_type,
        {{ leadflow.arg_min('bots.bot_name', 'bots.priority') }} as bot_name
    from (
        select distinct user_agent, event_type
        from events
        where event_type in ('open', 'click') and user_agent is not null
    ) as agents
    inner join {{ ref('email_bot_user_agents') }} as bots
        on (bots.applies_to = 'any' or bots.applies_to = agents.event_type)
        and {{ leadflow.regexp_matches('lower(agents.user_agent)', 'bots.user_agent_pattern') }}
    group by all

),

timed as (

    select
        events.*,
        deliveries.delivered_at,
        {{ leadflow.seconds_between('coalesce(deliveries.delivered_at, deliveries.processed_at)', 'events.occurred_at') }}
                                                                    as seconds_after_delivery,
        bot_agents.bot_name
    from events
    left join deliveries using (message_id)
    left join bot_agents
        on  events.user_agent = bot_agents.user_agent
        and events.event_type = bot_agents.event_type

),

classified as (

    select
        *,
        case
            when event_type = 'open' and bot_name is not null
                then 'proxy_user_agent:' || bot_name
            when event_type = 'open' and seconds_after_delivery <= {{ var('machine_open_max_seconds') }}
                then 'opened_within_{{ var("machine_open_max_seconds") }}s_of_delivery'
            when event_type = 'click' and bot_name is not null
                then 'scanner_user_agent:' || bot_name
            when event_type = 'click' and seconds_after_delivery <= {{ var('scanner_click_max_seconds') }}
                then 'clicked_within_{{ var("scanner_click_max_seconds") }}s_of_delivery'
        end as machine_rule
    from timed

)

select
    event_id,
    message_id,
    occurred_at,
    email,
    is_valid_email,
    event_type,
    campaign_id,
    link_url,
    link_path,
    user_agent,
    ip_address,
    delivered_at,
    seconds_after_delivery,
    event_type = 'open'  and machine_rule is not null                as is_machine_open,
    event_type = 'click' and machine_rule is not null                as is_scanner_click,
    machine_rule,
    event_type = 'open'  and machine_rule is null                    as is_human_open,
    event_type = 'click' and machine_rule is null                    as is_human_click,
    _file_id,
    _loaded_at
from classified
