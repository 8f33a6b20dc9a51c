{#
    Rule lookups against seeds: ordered patterns, first match wins. They run on the distinct
    values of a CTE (a handful of combinations), never row by row, and join back.
#}

{# A pattern cell of channel_mapping: blank matches anything, (none) matches a missing value,
   anything else is a regular expression that must match the whole lower-cased value. #}
{% macro _pattern_matches(value, pattern) -%}
    (coalesce({{ pattern }}, '') = ''
     or ({{ pattern }} = '(none)' and {{ value }} is null)
     or ({{ pattern }} <> '(none)' and {{ value }} is not null and {{ leadflow.regexp_full_match(value, pattern) }}))
{%- endmacro %}

{#
    Select of the distinct (utm_source, utm_medium, referrer_host) of `from_cte` with the
    channel of the first matching rule of seed channel_mapping and that rule's id.
#}
{% macro channel_lookup(from_cte, source_col='utm_source', medium_col='utm_medium', referrer_col='referrer_host') -%}
    select
        combos.{{ source_col }}, combos.{{ medium_col }}, combos.{{ referrer_col }},
        {{ leadflow.arg_min('rules.channel', 'rules.priority') }} as channel,
        min(rules.priority) as channel_rule
    from (select distinct {{ source_col }}, {{ medium_col }}, {{ referrer_col }} from {{ from_cte }}) as combos
    inner join {{ ref('channel_mapping') }} as rules
        on {{ _pattern_matches('combos.' ~ source_col, 'rules.utm_source_pattern') }}
        and {{ _pattern_matches('combos.' ~ medium_col, 'rules.utm_medium_pattern') }}
        and {{ _pattern_matches('combos.' ~ referrer_col, 'rules.referrer_host_pattern') }}
    group by all
{%- endmacro %}

{# Select of the distinct paths of `from_cte` with the category of the first matching
   path_pattern of seed page_categories. #}
{% macro page_category_lookup(from_cte, path_col='page_path') -%}
    select
        paths.{{ path_col }},
        {{ leadflow.arg_min('rules.page_category', 'rules.priority') }} as page_category,
        {{ leadflow.arg_min('rules.is_high_intent', 'rules.priority') }} as is_high_intent_page
    from (select distinct {{ path_col }} from {{ from_cte }} where {{ path_col }} is not null) as paths
    inner join {{ ref('page_categories') }} as rules
        on {{ leadflow.regexp_full_match('paths.' ~ path_col, 'rules.path_pattern') }}
    group by all
{%- endmacro %}

{# Select of the distinct raw country values of `from_cte` with their ISO-2 code from seed
   country_aliases (matched without case, accents, dots or extra spaces). #}
{% macro country_lookup(from_cte, country_col='country_raw') -%}
    select distinct
        raw_values.{{ country_col }},
        aliases.country_code
    from (select distinct {{ country_col }} from {{ from_cte }} where {{ country_col }} is not null) as raw_values
    inner join {{ ref('country_aliases') }} as aliases
        on {{ country_key('raw_values.' ~ country_col) }} = aliases.alias
{%- endmacro %}

{# The matching key of a country spelling: "  U.S.A. " -> "usa", "España" -> "espana". #}
{% macro country_key(column) -%}
    trim({{ leadflow.regexp_replace(leadflow.regexp_replace(leadflow.strip_accents('lower(' ~ column ~ ')'), '[.,()]', ''), '\s+', ' ') }})
{%- endmacro %}
