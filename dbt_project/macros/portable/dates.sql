{# Date and time arithmetic that DuckDB and Spark spell differently (docs: _portable.yml). #}

{# The number of `unit` boundaries crossed from `start` to `end` (DuckDB date_diff with a
   unit: day, hour, minute, second, month or year); days and larger in the session time
   zone (UTC). #}
{% macro date_diff(unit, start, end) -%}
    {%- if unit not in ('year', 'month', 'day', 'hour', 'minute', 'second') -%}
        {{ exceptions.raise_compiler_error("leadflow.date_diff: unit '" ~ unit ~ "' is not one of year, month, day, hour, minute, second") }}
    {%- endif -%}
    {{ return(adapter.dispatch('date_diff', 'leadflow')(unit, start, end)) }}
{%- endmacro %}
{% macro default__date_diff(unit, start, end) -%}
    date_diff('{{ unit }}', {{ start }}, {{ end }})
{%- endmacro %}
{% macro spark__date_diff(unit, start, end) -%}
    {%- if unit == 'day' -%}
        datediff(cast({{ end }} as date), cast({{ start }} as date))
    {%- elif unit == 'month' -%}
        ((year({{ end }}) * 12 + month({{ end }})) - (year({{ start }}) * 12 + month({{ start }})))
    {%- elif unit == 'year' -%}
        (year({{ end }}) - year({{ start }}))
    {%- else -%}
        {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}[unit] -%}
        {%- if seconds == 1 -%}
        (unix_seconds(cast({{ end }} as timestamp)) - unix_seconds(cast({{ start }} as timestamp)))
        {%- else -%}
        (floor(unix_seconds(cast({{ end }} as timestamp)) / {{ seconds }}) - floor(unix_seconds(cast({{ start }} as timestamp)) / {{ seconds }}))
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# The exact time from `start` to `end` in seconds, with fractions (a double). #}
{% macro seconds_between(start, end) -%}
    {{ return(adapter.dispatch('seconds_between', 'leadflow')(start, end)) }}
{%- endmacro %}
{% macro default__seconds_between(start, end) -%}
    epoch({{ end }} - {{ start }})
{%- endmacro %}
{% macro spark__seconds_between(start, end) -%}
    ((unix_micros({{ end }}) - unix_micros({{ start }})) / 1e6)
{%- endmacro %}

{# A duration of `amount` (an integer expression) `unit`s: month, day, hour, minute or
   second; to add to or subtract from a date or timestamp. #}
{% macro duration(amount, unit) -%}
    {%- if unit not in ('month', 'day', 'hour', 'minute', 'second') -%}
        {{ exceptions.raise_compiler_error("leadflow.duration: unit '" ~ unit ~ "' is not one of month, day, hour, minute, second") }}
    {%- endif -%}
    {{ return(adapter.dispatch('duration', 'leadflow')(amount, unit)) }}
{%- endmacro %}
{% macro default__duration(amount, unit) -%}
    to_{{ unit }}s({{ amount }})
{%- endmacro %}
{% macro spark__duration(amount, unit) -%}
    {%- if unit == 'month' -%}
    make_ym_interval(0, {{ amount }})
    {%- else -%}
    {%- set position = {'day': 0, 'hour': 1, 'minute': 2, 'second': 3}[unit] -%}
    make_dt_interval({% for i in range(position) %}0, {% endfor %}{{ amount }})
    {%- endif -%}
{%- endmacro %}

{# The UTC calendar date of the instant `instant`, whatever the session time zone. #}
{% macro utc_date(instant) -%}
    {{ return(adapter.dispatch('utc_date', 'leadflow')(instant)) }}
{%- endmacro %}
{% macro default__utc_date(instant) -%}
    cast(timezone('UTC', {{ instant }}) as date)
{%- endmacro %}
{% macro spark__utc_date(instant) -%}
    cast(convert_timezone('UTC', {{ instant }}) as date)
{%- endmacro %}

{# A timestamp as text in a strftime format (only %Y %m %d %H %M %S). #}
{% macro format_timestamp(value, format) -%}
    {{ return(adapter.dispatch('format_timestamp', 'leadflow')(value, format)) }}
{%- endmacro %}
{% macro default__format_timestamp(value, format) -%}
    strftime({{ value }}, '{{ format }}')
{%- endmacro %}
{% macro spark__format_timestamp(value, format) -%}
    {%- set java = format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd')
                          | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') -%}
    {%- if '%' in java -%}
        {{ exceptions.raise_compiler_error("leadflow.format_timestamp: only %Y %m %d %H %M %S are supported, not in '" ~ format ~ "'") }}
    {%- endif -%}
    date_format({{ value }}, '{{ java }}')
{%- endmacro %}
