-- Floor of int_web_sessions: the plain 30-minute sessionization (lag, then a running sum
-- of session starts) over the narrow columns the sessions need; the landing hit (first
-- page view, else first event) is joined back once by its position on the timeline.
with events as (

    select anonymous_id, event_id, occurred_at, event_type, page_path, page_category,
           is_high_intent_page, _file_id
    from staging.stg_web__events
    where anonymous_id is not null

),

gaps as (

    select
        *,
        lag(occurred_at) over timeline as previous_occurred_at,
        row_number() over timeline as position
    from events
    window timeline as (partition by anonymous_id order by occurred_at, event_id)

),

numbered as (

    select
        *,
        sum(case when previous_occurred_at is null
                   or occurred_at - previous_occurred_at > interval 30 minute then 1 else 0 end)
            over (partition by anonymous_id order by position
                  rows between unbounded preceding and current row) as session_number
    from gaps

),

sessions as (

    select
        anonymous_id,
        session_number,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        count(*) filter (where event_type = 'page') as page_view_count,
        count(distinct page_path) filter (where event_type = 'page') as unique_page_count,
        count(*) filter (where event_type = 'page' and page_category = 'pricing') as pricing_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'demo') as demo_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'docs') as docs_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'blog') as blog_page_views,
        count(*) filter (where event_type = 'page' and page_category = 'careers') as careers_page_views,
        count(*) filter (where event_type = 'page' and is_high_intent_page) as high_intent_page_views,
        count(*) filter (where event_type = 'track') as track_event_count,
        count(*) filter (where event_type = 'identify') as identify_event_count,
        list_sort(list(distinct page_category)
            filter (where event_type = 'page' and page_category is not null)) as page_categories,
        coalesce(min(position) filter (where event_type = 'page'), min(position)) as landing_position,
        max(_file_id) as max_file_id
    from numbered
    group by anonymous_id, session_number

)

select
    md5(concat_ws('|', coalesce(cast(sessions.anonymous_id as varchar), '∅'),
                  coalesce(cast(sessions.started_at as varchar), '∅'))) as session_id,
    sessions.anonymous_id,
    sessions.session_number,
    sessions.started_at,
    sessions.ended_at,
    -- rounded half away from zero as the model does (a bare cast rounds half to even)
    round(epoch(sessions.ended_at - sessions.started_at))::bigint as duration_seconds,
    sessions.event_count,
    sessions.page_view_count,
    sessions.unique_page_count,
    sessions.pricing_page_views,
    sessions.demo_page_views,
    sessions.docs_page_views,
    sessions.blog_page_views,
    sessions.careers_page_views,
    sessions.high_intent_page_views,
    sessions.track_event_count,
    sessions.identify_event_count,
    sessions.page_view_count <= 1 as is_bounce,
    sessions.page_categories,
    landing.page_url as landing_page_url,
    landing.page_path as landing_page_path,
    landing.page_category as landing_page_category,
    landing.referrer_host,
    landing.utm_source,
    landing.utm_medium,
    landing.utm_campaign,
    landing.traffic_channel as channel,
    landing.user_agent,
    sessions.max_file_id
from sessions
inner join numbered as landing_hit
    on  landing_hit.anonymous_id = sessions.anonymous_id
    and landing_hit.position = sessions.landing_position
inner join staging.stg_web__events as landing on landing.event_id = landing_hit.event_id
