{#
    Aggregates that DuckDB and Spark spell differently (docs: _portable.yml). `order_by` is
    one SQL expression or a list of them, compared in order (a row value on both engines).
#}

{% macro _order_key(order_by) -%}
    {%- if order_by is string -%}{{ order_by }}{%- else -%}({{ order_by | join(', ') }}){%- endif -%}
{%- endmacro %}

{# The value of the row with the smallest `order_by`, among rows where value is not NULL
   (DuckDB's arg_min; Spark's min_by keeps NULL values, so they are given no order). #}
{% macro arg_min(value, order_by) -%}
    {{ return(adapter.dispatch('arg_min', 'leadflow')(value, order_by)) }}
{%- endmacro %}
{% macro default__arg_min(value, order_by) -%}
    arg_min({{ value }}, {{ leadflow._order_key(order_by) }})
{%- endmacro %}
{% macro spark__arg_min(value, order_by) -%}
    min_by({{ value }}, case when {{ value }} is not null then {{ leadflow._order_key(order_by) }} end)
{%- endmacro %}

{# The value of the row with the largest `order_by`, among rows where value is not NULL. #}
{% macro arg_max(value, order_by) -%}
    {{ return(adapter.dispatch('arg_max', 'leadflow')(value, order_by)) }}
{%- endmacro %}
{% macro default__arg_max(value, order_by) -%}
    arg_max({{ value }}, {{ leadflow._order_key(order_by) }})
{%- endmacro %}
{% macro spark__arg_max(value, order_by) -%}
    max_by({{ value }}, case when {{ value }} is not null then {{ leadflow._order_key(order_by) }} end)
{%- endmacro %}

{# The value of the row with the smallest `order_by`, NULL values included. #}
{% macro arg_min_null(value, order_by) -%}
    {{ return(adapter.dispatch('arg_min_null', 'leadflow')(value, order_by)) }}
{%- endmacro %}
{% macro default__arg_min_null(value, order_by) -%}
    arg_min_null({{ value }}, {{ leadflow._order_key(order_by) }})
{%- endmacro %}
{% macro spark__arg_min_null(value, order_by) -%}
    min_by({{ value }}, {{ leadflow._order_key(order_by) }})
{%- endmacro %}

{# Text values joined by `separator` (a SQL string), in the order of `order_by`. #}
{% macro string_agg(value, separator, order_by, distinct=false) -%}
    {{ return(adapter.dispatch('string_agg', 'leadflow')(value, separator, order_by, distinct)) }}
{%- endmacro %}
{% macro default__string_agg(value, separator, order_by, distinct=false) -%}
    string_agg({{ 'distinct ' if distinct }}{{ value }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__string_agg(value, separator, order_by, distinct=false) -%}
    listagg({{ 'distinct ' if distinct }}{{ value }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{# The distinct non-NULL values of a group as a sorted list; with `where` (a SQL condition),
   of the group's rows that meet it only, and NULL when none does (Spark's collect_set
   would give an empty list). #}
{% macro sorted_distinct_list(value, where=none) -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'leadflow')(value, where)) }}
{%- endmacro %}
{% macro default__sorted_distinct_list(value, where=none) -%}
    {%- if where is none -%}
    list_sort(list(distinct {{ value }}))
    {%- else -%}
    list_sort(list(distinct {{ value }}) filter (where {{ where }}))
    {%- endif -%}
{%- endmacro %}
{% macro spark__sorted_distinct_list(value, where=none) -%}
    {%- if where is none -%}
    array_sort(collect_set({{ value }}))
    {%- else -%}
    case when count({{ value }}) filter (where {{ where }}) > 0
         then array_sort(collect_set({{ value }}) filter (where {{ where }})) end
    {%- endif -%}
{%- endmacro %}

{# The values of a group as a sorted list; for values that are never NULL (DuckDB would
   keep a NULL, Spark leaves it out). #}
{% macro sorted_list(value) -%}
    {{ return(adapter.dispatch('sorted_list', 'leadflow')(value)) }}
{%- endmacro %}
{% macro default__sorted_list(value) -%}
    list_sort(list({{ value }}))
{%- endmacro %}
{% macro spark__sorted_list(value) -%}
    array_sort(collect_list({{ value }}))
{%- endmacro %}

{# The continuous (interpolated) quantile `fraction` of a group's values. #}
{% macro quantile_cont(value, fraction) -%}
    {{ return(adapter.dispatch('quantile_cont', 'leadflow')(value, fraction)) }}
{%- endmacro %}
{% macro default__quantile_cont(value, fraction) -%}
    quantile_cont({{ value }}, {{ fraction }})
{%- endmacro %}
{% macro spark__quantile_cont(value, fraction) -%}
    percentile({{ value }}, {{ fraction }})
{%- endmacro %}

{# The value of the first row in the order of `order_by`, NULL or not (DuckDB's
   first(value order by ...), also as a window function). #}
{% macro first_ordered(value, order_by) -%}
    {{ return(adapter.dispatch('first_ordered', 'leadflow')(value, order_by)) }}
{%- endmacro %}
{% macro default__first_ordered(value, order_by) -%}
    first({{ value }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__first_ordered(value, order_by) -%}
    min_by({{ value }}, {{ leadflow._order_key(order_by) }})
{%- endmacro %}

{# The md5s of the rows of `relation`, joined by ',' in their order: a fingerprint of a
   table's content (to tell when a seed of rules changed). Each engine has its own text of
   a row, so a fingerprint is compared only with one taken on the same engine. #}
{% macro rows_fingerprint(relation) -%}
    {{ return(adapter.dispatch('rows_fingerprint', 'leadflow')(relation)) }}
{%- endmacro %}
{% macro default__rows_fingerprint(relation) -%}
    (select string_agg(md5(cast(seed_rows as varchar)), ','
                                       order by md5(cast(seed_rows as varchar)))
                     from {{ relation }} as seed_rows)
{%- endmacro %}
{% macro spark__rows_fingerprint(relation) -%}
    (select listagg(md5(to_json(struct(*))), ',') within group (order by md5(to_json(struct(*))))
                     from {{ relation }})
{%- endmacro %}
