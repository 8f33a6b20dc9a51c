{#
    Incremental staging of a raw table whose re-sent rows keep the first loaded copy
    (forms, deal states, activities): a daily build reads only the rows of files loaded after
    the newest file the model holds (_file_id is a global, increasing load sequence) and
    skips keys it already holds; every row again when the rules the table was built with
    changed (its code, the vars, or a seed it refs such as country_aliases).
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


{#- whether the rules this model is built with differ from those its table was built with:
    its own code, the vars and the rows of the seeds it refs (country_aliases,
    channel_mapping...). The table remembers its rules itself (remember_rules, a post-hook
    set in dbt_project.yml), so staging reads nothing of the state layer; asked once while
    the model compiles, so its SQL holds the answer, not the fingerprint. -#}
{% macro rules_changed() -%}
    {%- if not execute -%}
        {%- do return(true) -%}
    {%- endif -%}
    {%- do return(built_with_rules(this) != rules_label()) -%}
{%- endmacro %}


{#- post-hook: record on the table the rules it was built with -#}
{% macro remember_rules() -%}
    {%- if execute -%}
        {{ adapter.dispatch('remember_rules', 'leadflow')(this, rules_label()) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__remember_rules(relation, label) -%}
    comment on table {{ relation }} is '{{ label }}'
{%- endmacro %}


{#- the rules label a table was built with (none when it has none) -#}
{% macro built_with_rules(relation) -%}
    {%- do return(adapter.dispatch('built_with_rules', 'leadflow')(relation)) -%}
{%- endmacro %}

{% macro default__built_with_rules(relation) -%}
    {%- set query -%}
        select comment from duckdb_tables()
        where database_name = '{{ relation.database }}' and schema_name = '{{ relation.schema }}'
          and table_name = '{{ relation.identifier }}'
    {%- endset -%}
    {%- set rows = run_query(query).columns[0].values() -%}
    {%- do return(rows[0] if rows else none) -%}
{%- endmacro %}


{#- 'leadflow rules <md5>' of the current model's code, the rule vars and its seeds' rows -#}
{% macro rules_label() -%}
    {%- set seeds = [] -%}
    {%- for node_id in model.depends_on.nodes | sort if node_id.startswith('seed.') -%}
        {%- set node = graph.nodes[node_id] -%}
        {%- do seeds.append(api.Relation.create(database=node.database, schema=node.schema,
                                                identifier=node.alias)) -%}
    {%- endfor -%}
    {%- set query -%}
        select md5('{{ local_md5(model.raw_code) }}' || {{ rule_vars_literal() }}
            {%- for seed in seeds %}
            || coalesce({{ leadflow.rows_fingerprint(seed) }}, '')
            {%- endfor %})
    {%- endset -%}
    {%- do return('leadflow rules ' ~ run_query(query).columns[0].values()[0]) -%}
{%- endmacro %}
