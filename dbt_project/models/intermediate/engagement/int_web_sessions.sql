-- depends_on: {{ ref('state_build_batches') }}
-- One row per web session: a visitor's (anonymous_id's) events with no gap longer than
-- var session_inactivity_minutes. Sessions belong to the device, not yet to a person: join
-- int_identities_stitched on anonymous_id for the person (stitching can change later).
--
-- Incremental: a daily run re-sessionises only the visitors with events in raw files newer
-- than the newest file already here, from all of their events (a late event may split or
-- join sessions), and replaces all of those visitors' sessions (delete+insert keyed on
-- anonymous_id). A full refresh gives the same rows.
with

{% if is_incremental() %}
changed_visitors as (

    select distinct anonymous_id
    from {{ ref('stg_web__events') }}
    where _file_id > (select coalesce(max(max_file_id), 0) from {{ this }})

),
{% endif %}

events as (

    -- only what the sessions count: the landing hit's columns are joined back per session
    select
        events.anonymous_id,
        events.event_id,
        events.occurred_at,
        events.event_type,
        events.page_path,
        events.page_category,
        events.is_high_intent_page,
        events._file_id
    from {{ ref('stg_web__events') }} as events
    {% if is_incremental() %}
    inner join changed_visitors using (anonymous_id)
    {% endif %}
    where events.anonymous_id is not null

),

gaps as (

    select
        *,
        lag(occurred_at) over visitor_timeline                      as previous_occurred_at,
        row_number() over visitor_timeline                          as timeline_position
    from events
    window visitor_timeline as (partition by anonymous_id order by occurred_at, event_id)

),

numbered as (

    select
        *,
        sum(
            case
                when previous_occurred_at is null then 1
                when occurred_at > {{ dbt.dateadd('minute', var('session_inactivity_minutes'),
                                                  'previous_occurred_at') }} then 1
                else 0
            end
        ) over (
            partition by anonymous_id order by timeline_position
            rows between unbounded preceding and current row
        ) as session_number
    from gaps

),

sessions as (

    select
        anonymous_id,
        session_number,
        min(occurred_at)                                            as started_at,
        max(occurred_at)                                            as ended_at,
        count(*)                                                    as event_count,
        count(*) filter (where event_type = 'page')                 as page_view_count,
        count(distinct page_path) filter (where event_type = 'page') as unique_page_count,
        count(*) filter (where event_type = 'page' and page_category = 'pricing') as pricing_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'demo')    as demo_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'docs')    as docs_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'blog')    as blog_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'careers') as careers_page_views,
        count(*) filter (where event_type = 'page' and is_high_intent_page)       as high_intent_page_views,
        count(*) filter (where event_type = 'track')                as track_event_count,
        count(*) filter (where event_type = 'identify')             as identify_event_count,
        {{ leadflow.sorted_distinct_list('page_category',
            where="event_type = 'page' and page_category is not null") }} as page_categories,
        -- the landing hit: the session's first page view, else its first event
        coalesce(min(timeline_position) filter (where event_type = 'page'),
                 min(timeline_position))                            as landing_position,
        max(_file_id)                                               as max_file_id
    from numbered
    group by anonymous_id, session_number

),

-- the session's source is its landing hit's
landing as (

    select
        sessions.*,
        hits.page_url                                               as landing_page_url,
        hits.page_path                                              as landing_page_path,
        hits.page_category                                          as landing_page_category,
        hits.referrer_host,
        hits.utm_source,
        hits.utm_medium,
        hits.utm_campaign,
        hits.traffic_channel                                        as channel,
        hits.user_agent
    from sessions
    inner join numbered as landing_hit
        on  landing_hit.anonymous_id = sessions.anonymous_id
        and landing_hit.timeline_position = sessions.landing_position
    inner join {{ ref('stg_web__events') }} as hits
        on hits.event_id = landing_hit.event_id

)

select
    {{ surrogate_key(['anonymous_id', 'started_at']) }}             as session_id,
    anonymous_id,
    session_number,
    started_at,
    ended_at,
    cast(round({{ leadflow.seconds_between('started_at', 'ended_at') }}) as bigint) as duration_seconds,
    event_count,
    page_view_count,
    unique_page_count,
    pricing_page_views,
    demo_page_views,
    docs_page_views,
    blog_page_views,
    careers_page_views,
    high_intent_page_views,
    track_event_count,
    identify_event_count,
    page_view_count <= 1                                            as is_bounce,
    page_categories,
    landing_page_url,
    landing_page_path,
    landing_page_category,
    referrer_host,
    utm_source,
    utm_medium,
    utm_campaign,
    channel,
    user_agent,
    max_file_id
from landing
