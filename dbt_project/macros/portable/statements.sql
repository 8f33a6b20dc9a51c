{#
    Statements that change stored rows: DuckDB deletes and updates in place; Spark on plain
    Parquet tables has no DELETE, UPDATE or MERGE (docs/scale-out.md). Their Spark form
    rewrites the table: the rows to keep are written to a scratch table `<table>__rewrite`
    first (Spark cannot overwrite a table while reading it), then copied over the table
    with INSERT OVERWRITE, and the scratch table dropped. A rewrite costs a pass over the
    whole table; on Delta tables (production) the same macros would be DELETE and MERGE.

    The macros that take effect through run_query (the incremental strategies below, which
    run several statements) return the last statement for dbt to run as the model's main
    statement.
#}

{#- a relation of the state schema (the run log, set-aside rows) for raw SQL -#}
{% macro state_relation(identifier) -%}
    {{ return(adapter.dispatch('state_relation', 'leadflow')(identifier)) }}
{%- endmacro %}
{% macro default__state_relation(identifier) -%}
    {{ return(api.Relation.create(database=target.database, schema='state', identifier=identifier)) }}
{%- endmacro %}
{#- Spark has no database above the schema: a relation names none -#}
{% macro spark__state_relation(identifier) -%}
    {{ return(api.Relation.create(schema='state', identifier=identifier)) }}
{%- endmacro %}


{#- delete the rows of `relation` meeting `condition` (a row whose condition is NULL stays) -#}
{% macro delete_where(relation, condition) -%}
    {{ return(adapter.dispatch('delete_where', 'leadflow')(relation, condition)) }}
{%- endmacro %}
{% macro default__delete_where(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}
{% macro spark__delete_where(relation, condition) -%}
    {%- set found = run_query('select 1 from ' ~ relation ~ ' where ' ~ condition ~ ' limit 1') -%}
    {%- if found | length == 0 -%}
        {{ return('select 1') }}
    {%- endif -%}
    {{ return(leadflow.spark_rewrite(relation,
        'select * from ' ~ relation ~ ' where not coalesce((' ~ condition ~ '), false)')) }}
{%- endmacro %}


{#- Spark: replace the rows of `relation` by those of `select_sql` (which may read the
    relation itself). The scratch table is written and copied by run_query; the drop of
    the scratch table is returned as the statement left for the caller to run. -#}
{% macro spark_rewrite(relation, select_sql) -%}
    {%- set scratch = relation.incorporate(path={'identifier': relation.identifier ~ '__rewrite'}) -%}
    {%- do run_query('drop table if exists ' ~ scratch) -%}
    {%- do run_query('create table ' ~ scratch ~ ' using parquet as ' ~ select_sql) -%}
    {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ scratch) -%}
    {{ return('drop table if exists ' ~ scratch) }}
{%- endmacro %}


{#- on-run-start: how DuckDB's checkpoints treat deleted rows (macros/storage.sql); Spark
    rewrites whole files and has nothing to set -#}
{% macro row_group_compaction() -%}
    {{ return(adapter.dispatch('row_group_compaction', 'leadflow')()) }}
{%- endmacro %}
{% macro default__row_group_compaction() -%}
    {{ return(set_row_group_compaction()) }}
{%- endmacro %}
{% macro spark__row_group_compaction() -%}
    {{ return('select 1') }}
{%- endmacro %}


{#- on-run-end: mark the newest batch of the run log complete (macros/lead_refresh.sql) -#}
{% macro mark_batch_complete(batches) -%}
    {{ return(adapter.dispatch('mark_batch_complete', 'leadflow')(batches)) }}
{%- endmacro %}
{% macro default__mark_batch_complete(batches) -%}
    update {{ batches }} set is_complete = true
    where batch_number = (select max(batch_number) from {{ batches }})
{%- endmacro %}
{% macro spark__mark_batch_complete(batches) -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(batches) -%}
        {%- if column.name == 'is_complete' -%}
            {%- do columns.append('batch_number = (select max(batch_number) from ' ~ batches
                                  ~ ') or is_complete as is_complete') -%}
        {%- else -%}
            {%- do columns.append(adapter.quote(column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(leadflow.spark_rewrite(batches, 'select ' ~ columns | join(', ') ~ ' from ' ~ batches)) }}
{%- endmacro %}


{#- post-hook of the staging tables that remember the rules they were built with
    (macros/incremental_staging.sql): DuckDB a table comment, Spark a table property -#}
{% macro spark__remember_rules(relation, label) -%}
    alter table {{ relation }} set tblproperties ('leadflow.rules' = '{{ label }}')
{%- endmacro %}

{% macro spark__built_with_rules(relation) -%}
    {%- if load_relation(relation) is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set rows = run_query('show tblproperties ' ~ relation) -%}
    {%- for row in rows if row[0] == 'leadflow.rules' -%}
        {%- do return(row[1]) -%}
    {%- endfor -%}
    {%- do return(none) -%}
{%- endmacro %}


{#-
    The two incremental strategies Leadflow adds to dbt-spark's (append, insert_overwrite,
    merge, microbatch), on plain Parquet tables. dbt-spark's incremental materialization
    first writes the model's new rows as a temporary view, then asks these two macros
    (root-project versions of dbt-spark's own) to validate the strategy and give its SQL.

    - lead_refresh (macros/lead_refresh.sql): the rows of the refreshed leads (and of
      meta lead_refresh_also_delete) are replaced by the new rows.
    - delete+insert: the rows whose unique_key is among the new rows' are replaced by them;
      without a unique_key, the new rows are appended.

    The new rows are written to `<table>__new` first: the view may read the table itself
    (int_web_sessions reads its own open sessions), which the rewrite replaces.
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy in ['lead_refresh', 'delete+insert'] -%}
        {%- do return(raw_strategy) -%}
    {%- endif -%}
    {%- do return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) -%}
{% endmacro %}


{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
    {%- if strategy not in ['lead_refresh', 'delete+insert'] -%}
        {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
    {%- endif -%}
    {%- set column_list = adapter.get_columns_in_relation(target) | map(attribute='quoted')
                          | join(', ') -%}
    {%- if strategy == 'delete+insert' and not unique_key -%}
        {{ return('insert into table ' ~ target ~ ' select ' ~ column_list ~ ' from ' ~ source) }}
    {%- endif -%}
    {%- set new_rows = target.incorporate(path={'identifier': target.identifier ~ '__new'}) -%}
    {%- do run_query('drop table if exists ' ~ new_rows) -%}
    {%- do run_query('create table ' ~ new_rows ~ ' using parquet as select ' ~ column_list
                     ~ ' from ' ~ source) -%}
    {%- if strategy == 'lead_refresh' -%}
        {%- set replaced = lead_refresh_replaced_rows() -%}
    {%- else -%}
        {%- set keys = [unique_key] if unique_key is string else unique_key -%}
        {%- set replaced = '(' ~ keys | join(', ') ~ ') in (select ' ~ keys | join(', ')
                           ~ ' from ' ~ new_rows ~ ')' -%}
    {%- endif -%}
    {%- set rewrite = leadflow.spark_rewrite(target,
            'select ' ~ column_list ~ ' from ' ~ target ~ ' where not coalesce((' ~ replaced
            ~ '), false) union all select ' ~ column_list ~ ' from ' ~ new_rows) -%}
    {%- do run_query(rewrite) -%}
    {{ return('drop table if exists ' ~ new_rows) }}
{% endmacro %}


{#- seeds on Spark: a seed's column types (its column_types in DuckDB's spelling, or
    what dbt infers from the CSV) as Spark spells them, for its table and its rows -#}
{% macro seed_column_types(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(leadflow.portable_type(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}
    {%- do return(types) -%}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set types = leadflow.seed_column_types(model, agate_table) -%}
    {%- set sql -%}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ types[loop.index0] }}{{ ", " if not loop.last }}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {%- endset -%}
    {%- call statement('_') -%}
        {{ sql }}
    {%- endcall -%}
    {{ return(sql) }}
{%- endmacro %}


{#- the seed's rows as typed literals: dbt-spark's bindings reach a Spark session as
    Python-formatted text, which mangles quotes and backslashes -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set types = leadflow.seed_column_types(model, agate_table) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            ({%- for value in row -%}
                cast({{ leadflow.seed_literal(value) }} as {{ types[loop.index0] }}){{ ", " if not loop.last }}
            {%- endfor -%}){{ "," if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}


{#- unit test fixtures on Spark. A string literal: Spark reads a backslash in '...' as an
    escape, so a regular expression of a seed (\b, \d) keeps its backslashes only doubled
    (dbt-spark's form escapes the quote alone). -#}
{% macro spark__escape_single_quotes(expression) -%}
{{ expression | replace("\\", "\\\\") | replace("'", "\\'") }}
{%- endmacro %}

{#- A list value of a fixture, written as DuckDB's list literal (['a', 'b']): Spark cannot
    cast text to an array, so the list is read as JSON. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- if type.lower().startswith('array') and field is string -%}
        {%- set text = field.strip("'").replace("\\'", '"') -%}
        from_json('{{ text }}', '{{ type }}')
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}


{#- A unit test's input rows: dbt's own fixture (one `select ... union all` per row) on
    DuckDB. On Spark one inline `values` list: Spark's analyser takes up to a minute over a
    union of a few hundred selects (a seed a unit test reads whole), a values list is one
    relation. Lists (arrays, read with from_json) keep dbt's form. -#}
{% macro get_fixture_sql(rows, column_name_to_data_types) -%}
    {{ return(adapter.dispatch('get_fixture_sql', 'leadflow')(rows, column_name_to_data_types)) }}
{%- endmacro %}

{% macro default__get_fixture_sql(rows, column_name_to_data_types) -%}
    {{ return(dbt.get_fixture_sql(rows, column_name_to_data_types)) }}
{%- endmacro %}

{% macro spark__get_fixture_sql(rows, column_name_to_data_types) -%}
    {%- set columns = adapter.get_columns_in_relation(this) if not column_name_to_data_types else [] -%}
    {%- set types = {} -%}
    {%- set quoted = {} -%}
    {%- for column in columns -%}
        {%- do types.update({column.name | lower: column.data_type}) -%}
        {%- do quoted.update({column.name | lower: column.quoted}) -%}
    {%- endfor -%}
    {%- set has_list = [] -%}
    {%- for type in types.values() if type.lower().startswith('array') -%}
        {%- do has_list.append(type) -%}
    {%- endfor -%}
    {%- if (rows | length) < 2 or not types or has_list -%}
        {{ return(dbt.get_fixture_sql(rows, column_name_to_data_types)) }}
    {%- endif -%}
    {%- set default_row = {} -%}
    {%- for name, type in types.items() -%}
        {%- do default_row.update({name: safe_cast('null', type) | trim}) -%}
    {%- endfor -%}
    {%- set lines = [] -%}
    {%- for row in rows -%}
        {%- set values = default_row.copy() -%}
        {%- do values.update(format_row(row, types)) -%}
        {%- do lines.append('(' ~ values.values() | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- set sql -%}
-- Fixture for {{ model.name }}
select * from values
{{ lines | join(',\n') }}
as fixture({{ quoted.values() | join(', ') }})
    {%- endset -%}
    {{ return(sql) }}
{%- endmacro %}
