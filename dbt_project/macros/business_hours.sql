{#- Business hours (seeds business_hours, team_holidays; models dim_business_hours and
    fct_speed_to_lead). Written with dbt's cross-database macros where one exists; the one
    engine-specific step, reading a local wall-clock time in an IANA time zone, is
    dispatched. -#}

{#- The UTC instant of `local_timestamp` (a timestamp without zone) read as wall-clock time
    in time zone `tz` (an IANA name, a column or a quoted literal). -#}
{% macro local_to_utc(local_timestamp, tz) -%}
    {{ return(adapter.dispatch('local_to_utc', 'leadflow')(local_timestamp, tz)) }}
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp, tz) -%}
    to_utc_timestamp({{ local_timestamp }}, {{ tz }})
{%- endmacro %}

{% macro duckdb__local_to_utc(local_timestamp, tz) -%}
    timezone({{ tz }}, {{ local_timestamp }})
{%- endmacro %}

{#- ISO weekday (1 = Monday .. 7 = Sunday) of date `day` on or after 2001-01-01 (a Monday),
    without an engine's own weekday function. -#}
{% macro iso_weekday(day) -%}
    (mod({{ dbt.datediff("cast('2001-01-01' as date)", day, 'day') }}, 7) + 1)
{%- endmacro %}

{#- One row per row of `intervals` (columns `key`, `team`, `start_at`, `end_at`): the
    minutes between start_at and end_at that fall in the opening hours of `team`'s
    calendar (model dim_business_hours: one window per team and open local day, in UTC);
    0 when none, NULL when end_at is NULL or the team has no calendar. -#}
{% macro business_minutes(intervals, key, calendar) -%}
select
    intervals.{{ key }},
    case
        when intervals.end_at is null or calendars.team is null then null
        -- no window met: sum over no row (the left join's NULL window counts nothing)
        else coalesce(sum(case when windows.team is not null then
            {{ dbt.datediff(
                "case when windows.opens_at > intervals.start_at then windows.opens_at else intervals.start_at end",
                "case when windows.closes_at < intervals.end_at then windows.closes_at else intervals.end_at end",
                'second') }}
        end), 0) / 60.0
    end                                                             as business_minutes
from {{ intervals }} as intervals
left join (select distinct team from {{ calendar }}) as calendars
    on calendars.team = intervals.team
left join {{ calendar }} as windows
    on  windows.team = intervals.team
    and windows.opens_at < intervals.end_at
    and windows.closes_at > intervals.start_at
group by intervals.{{ key }}, intervals.end_at, calendars.team
{%- endmacro %}
