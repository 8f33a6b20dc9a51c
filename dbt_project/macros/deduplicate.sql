{#
    Rows of `relation` with one row per key: the first loaded copy (keep='first': earliest
    _loaded_at, _file_id, _row_number) or the latest (keep='latest'). Re-sent rows are rare,
    so only repeated keys are ranked; every other row passes through a hash join (about
    twice as fast as a window over the whole table on DuckDB). `key` is a SQL expression
    over the relation's columns, written with the alias `records`.
#}
{% macro deduplicate(relation, key, keep='first') -%}
    {%- set pick = 'min' if keep == 'first' else 'max' -%}
    select records.*
    from {{ relation }} as records
    left join (
        select
            {{ key }}                                                   as dedup_key,
            {{ pick }}((records._loaded_at, records._file_id, records._row_number)) as kept_copy
        from {{ relation }} as records
        group by 1
        having count(*) > 1
    ) as repeated
        on {{ key }} = repeated.dedup_key
    where repeated.dedup_key is null
       or (records._loaded_at, records._file_id, records._row_number) = repeated.kept_copy
{%- endmacro %}
