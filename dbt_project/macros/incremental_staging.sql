{#
    Incremental staging of a raw table whose re-sent rows keep the first loaded copy
    (forms, deal states, activities): a daily build reads only the rows of files loaded after
    the newest file the model holds (_file_id is a global, increasing load sequence) and
    skips keys it already holds; every row again when the rules changed since the last
    complete build (seeds such as channel_mapping or country_aliases shape these tables).
    Built from scratch, both are no-ops.
#}

{#- select the raw rows the model has not taken in yet -#}
{% macro new_raw_rows(table) -%}
    select * from {{ source('raw', table) }}
    {%- if is_incremental_build() and not rules_changed() %}
    where _file_id > (select coalesce(max(_file_id), 0) from {{ this }})
    {%- endif %}
{%- endmacro %}


{#- a condition: the row's key is not in the model yet (any row when the rules changed) -#}
{% macro not_held_yet(key_expression, key_column) -%}
    {%- if is_incremental_build() and not rules_changed() -%}
        {{ key_expression }} not in (select {{ key_column }} from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- whether the rules (lead_rules_fingerprint) differ from those of the last complete
    build, as state_build_batches.is_full_refresh says of this build; asked once while the
    model compiles, so its SQL holds the answer, not the fingerprint. Staging does not
    depend on the state layer: the fingerprint is computed here and compared with the run
    log's last complete batch, read as a relation, so the answer is the same whether
    state_build_batches has logged this build yet or not (and true when there is no log).
    The seeds are read without a ref too: those that shape staging are refs of the staging
    model itself, so they are loaded before it; the others cannot change its rows. -#}
{% macro rules_changed() -%}
    {%- set log = run_log_relation('state_build_batches') if execute else none -%}
    {%- if log is none -%}
        {%- do return(true) -%}
    {%- endif -%}
    {%- set query -%}
        select {{ lead_rules_fingerprint(by_ref=false) }} is distinct from (
            select arg_max(rules_fingerprint, batch_number) filter (where is_complete)
            from {{ log }})
    {%- endset -%}
    {%- do return(run_query(query).columns[0].values()[0]) -%}
{%- endmacro %}


{#- the relation of a state model as it stands in the warehouse (none before its first
    build), looked up without a ref: reading the run log creates no dependency -#}
{% macro run_log_relation(name) -%}
    {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                   | selectattr('name', 'equalto', name) | first -%}
    {%- do return(adapter.get_relation(database=node.database, schema=node.schema,
                                       identifier=node.alias)) -%}
{%- endmacro %}
