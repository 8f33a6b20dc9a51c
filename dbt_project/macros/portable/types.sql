{# Type names that DuckDB and Spark spell differently (docs: _portable.yml). #}

{# Text: DuckDB varchar; Spark wants string (its varchar needs a length). #}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text', 'leadflow')()) }}
{%- endmacro %}
{% macro default__type_text() -%}varchar{%- endmacro %}
{% macro spark__type_text() -%}string{%- endmacro %}

{# An instant in time: DuckDB timestamptz; Spark's timestamp is one (in the session time
   zone, UTC in profiles.yml). #}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'leadflow')()) }}
{%- endmacro %}
{% macro default__type_timestamptz() -%}timestamptz{%- endmacro %}
{% macro spark__type_timestamptz() -%}timestamp{%- endmacro %}

{# A list of text values. #}
{% macro type_text_list() -%}
    {{ return(adapter.dispatch('type_text_list', 'leadflow')()) }}
{%- endmacro %}
{% macro default__type_text_list() -%}varchar[]{%- endmacro %}
{% macro spark__type_text_list() -%}array<string>{%- endmacro %}

{# A naive timestamp (a date and time of day) read as UTC: an instant. On Spark through the
   session time zone, which profiles.yml sets to UTC. #}
{% macro utc_instant(naive) -%}
    {{ return(adapter.dispatch('utc_instant', 'leadflow')(naive)) }}
{%- endmacro %}
{% macro default__utc_instant(naive) -%}
    timezone('UTC', {{ naive }})
{%- endmacro %}
{% macro spark__utc_instant(naive) -%}
    cast(cast({{ naive }} as timestamp_ntz) as timestamp)
{%- endmacro %}

{# A DuckDB type name as written in a source's YAML (data_type) in this engine's spelling. #}
{% macro portable_type(data_type) -%}
    {{ return(adapter.dispatch('portable_type', 'leadflow')(data_type)) }}
{%- endmacro %}
{% macro default__portable_type(data_type) -%}{{ data_type }}{%- endmacro %}
{% macro spark__portable_type(data_type) -%}
    {%- set spelled = {'varchar': 'string', 'text': 'string', 'timestamptz': 'timestamp',
                       'timestamp with time zone': 'timestamp', 'varchar[]': 'array<string>',
                       'json': 'string', 'integer': 'int', 'hugeint': 'decimal(38, 0)', 'ubigint': 'decimal(20, 0)'} -%}
    {{ spelled.get(data_type | lower | trim, data_type) }}
{%- endmacro %}

{# A value as the text a key is hashed from (surrogate_key): the same text on both
   engines. DuckDB writes an instant with its offset ('2026-02-01 10:00:00+00', the session
   time zone being UTC); Spark's text of a timestamp has none, so it gets the same '+00'. #}
{% macro key_text(value) -%}
    {{ return(adapter.dispatch('key_text', 'leadflow')(value)) }}
{%- endmacro %}
{% macro default__key_text(value) -%}
    cast({{ value }} as varchar)
{%- endmacro %}
{% macro spark__key_text(value) -%}
    case when typeof({{ value }}) = 'timestamp' then cast({{ value }} as string) || '+00'
         else cast({{ value }} as string) end
{%- endmacro %}
