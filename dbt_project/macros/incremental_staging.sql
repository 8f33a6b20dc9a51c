{#
    Incremental staging of a raw table whose re-sent rows keep the first loaded copy
    (forms, deal states, activities): a daily build reads only the rows of files loaded after
    the newest file the model holds (_file_id is a global, increasing load sequence) and
    skips keys it already holds; every row again when the build's rules changed
    (state_build_batches.is_full_refresh: seeds such as channel_mapping or country_aliases
    shape these tables). Built from scratch, both are no-ops.
#}

{#- select the raw rows the model has not taken in yet -#}
{% macro new_raw_rows(table) -%}
    {%- set batch = current_batch() -%}
    select * from {{ source('raw', table) }}
    {%- if is_incremental_build() %}
    where (select is_full_refresh from {{ batch }})
       or _file_id > (select coalesce(max(_file_id), 0) from {{ this }})
    {%- endif %}
{%- endmacro %}


{#- a condition: the row's key is not in the model yet (or the rules changed) -#}
{% macro not_held_yet(key_expression, key_column) -%}
    {%- set batch = current_batch() -%}
    {%- if is_incremental_build() -%}
        ((select is_full_refresh from {{ batch }})
         or {{ key_expression }} not in (select {{ key_column }} from {{ this }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
