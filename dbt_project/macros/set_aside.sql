{#
    A row that fails a data test of its staging model is set aside, not left to stop the
    build (docs/contracts.md#a-failing-test-never-blocks-the-warehouse).

    set_aside_failing_rows(), a post-hook of every staging model that reads raw
    (dbt_project.yml), reads the model's own data tests from the graph: for each test of
    a kind in var('set_aside_tests') (row-level rules on values: not null, accepted values,
    relationships), the rows of this build (the tests' scope, macros/test_scope.sql) that
    fail it are copied into state.set_aside_rows with the test's name, the column and the
    value, then deleted from the model. The tests then run on what is left and pass, so the
    models downstream build with the other rows. The next build takes the file's later rows
    and sets the same rows aside again if it reads them again (an incremental model re-reads
    a file only if all of its rows were set aside; a full refresh reads every row): nothing
    blocks, nothing is set aside twice. `leadflow quarantine` lists the rows with the
    test's name; `leadflow unload FILE` takes their file out; the Dagster run warns with the
    test and the count (pipelines/assets/dbt.py).

    Every other test (a key's primary_key or uniqueness, expressions across columns, tests
    of intermediate and marts) still stops the build: its failure means a bug in a model,
    not a bad input row.
#}

{% macro set_aside_failing_rows() -%}
    {%- if not execute or model.config.materialized not in ('table', 'incremental') -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set rules = set_aside_rules(model.unique_id) -%}
    {%- if not rules -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if '_file_id' not in columns or '_row_number' not in columns -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set held = set_aside_relation() -%}
    {#- a table built whole (a first build, a full refresh, a table model) is this build's
        rows; an incremental build's are the tests' scope, read from the run log of earlier
        builds (never the one this build may be creating meanwhile) -#}
    {%- set scope = (test_row_scope(this) if is_incremental() else '') or 'true' -%}
    {%- set insert -%}
        insert into {{ held }}
        select * from (
            {%- for rule in rules %}
            select
                '{{ model.name }}' as model_name, '{{ rule.test }}' as test_name,
                '{{ rule.column }}' as column_name,
                'failed dbt test {{ rule.test }}: {{ rule.column }} ' || {{ rule.reason }} as reason,
                failing._file_id as file_id, failing._row_number as row_number,
                {{ row_as_text('failing') }} as row_text, current_timestamp as set_aside_at
            from {{ this }} as failing
            where ({{ scope }}) and ({{ rule.condition }})
            {{ "union all" if not loop.last }}
            {%- endfor %}
        ) as failing
        where not exists (
            select 1 from {{ held }} as already
            where already.model_name = failing.model_name
              and already.test_name = failing.test_name
              and already.column_name = failing.column_name
              and already.file_id = failing.file_id
              and already.row_number is not distinct from failing.row_number)
    {%- endset -%}
    {%- do run_query(insert) -%}
    {%- set failing = [] -%}
    {%- for rule in rules -%}
        {%- do failing.append('(' ~ rule.condition ~ ')') -%}
    {%- endfor -%}
    {{ leadflow.delete_where(this, '(' ~ scope ~ ') and (' ~ failing | join(' or ') ~ ')') }}
{%- endmacro %}


{#- where set-aside rows are kept: state.set_aside_rows, beside the run log -#}
{% macro set_aside_relation() -%}
    {%- do return(leadflow.state_relation('set_aside_rows')) -%}
{%- endmacro %}


{#- on-run-start of a build: the table exists before the staging models' threads write it -#}
{% macro create_set_aside_table() -%}
    {%- if flags.WHICH in ('build', 'run') -%}
        {%- set relation = set_aside_relation() -%}
        {{ adapter.dispatch('create_set_aside_table', 'leadflow')(relation) }}
    {%- else -%}
        select 1 {#- nothing to set aside outside a build -#}
    {%- endif -%}
{%- endmacro %}


{% macro default__create_set_aside_table(relation) -%}
    create schema if not exists {{ relation.database }}.{{ relation.schema }};
    create table if not exists {{ relation }} (
        model_name    varchar not null,
        test_name     varchar not null,
        column_name   varchar not null,
        reason        varchar not null,
        file_id       bigint not null,
        row_number    bigint,
        row_text      varchar,
        set_aside_at  timestamptz not null
    )
{%- endmacro %}


{#- The rules of the model's tests that set rows aside: one per (test, column), each with
    the SQL condition of a failing row and the SQL text of its reason. -#}
{% macro set_aside_rules(model_id) -%}
    {%- set kinds = var('set_aside_tests') -%}
    {%- set rules = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' -%}
        {%- set meta = node.test_metadata -%}
        {%- if meta and meta.name in kinds and node.attached_node == model_id
              and (node.config.severity | lower) != 'warn' -%}
            {%- set args = meta.kwargs -%}
            {%- if meta.name == 'not_null' -%}
                {%- do rules.append(_null_rule(node.name, args.column_name)) -%}
            {%- elif meta.name == 'not_null_columns' -%}
                {%- for column in args.column_names -%}
                    {%- do rules.append(_null_rule(node.name, column)) -%}
                {%- endfor -%}
            {%- elif meta.name == 'accepted_values' -%}
                {%- do rules.append(_values_rule(node.name, args.column_name, args['values'])) -%}
            {%- elif meta.name == 'accepted_values_columns' -%}
                {%- for column, values in args['values'].items() -%}
                    {%- do rules.append(_values_rule(node.name, column, values)) -%}
                {%- endfor -%}
            {%- elif meta.name == 'relationships' -%}
                {%- do rules.append(_parent_rule(node.name, args.column_name, args.to, args.field)) -%}
            {%- elif meta.name == 'relationships_columns' -%}
                {%- for column, parent in args.references.items() -%}
                    {%- do rules.append(_parent_rule(node.name, column, parent.to, parent.field)) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(rules) -%}
{%- endmacro %}


{% macro _null_rule(test, column) -%}
    {%- do return({'test': test, 'column': column, 'condition': column ~ ' is null',
                   'reason': "'is missing'"}) -%}
{%- endmacro %}


{% macro _values_rule(test, column, values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append(value if value is number
                               else "'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do return({'test': test, 'column': column,
                   'condition': column ~ ' is not null and ' ~ column ~ ' not in ('
                                ~ literals | join(', ') ~ ')',
                   'reason': "'''' || cast(" ~ column ~ " as " ~ leadflow.type_text() ~ ") || ''' is not an accepted value'"}) -%}
{%- endmacro %}


{#- `to` is the test's text of its parent: ref('channels') -#}
{% macro _parent_rule(test, column, to, field) -%}
    {%- set name = to.replace('"', "'").split("'")[1] -%}
    {%- set parents = graph.nodes.values() | selectattr('name', 'equalto', name)
                      | selectattr('resource_type', 'in', ['model', 'seed', 'snapshot']) | list -%}
    {%- if parents | length != 1 -%}
        {%- do exceptions.raise_compiler_error('set aside: cannot find the parent ' ~ to
                                               ~ ' of test ' ~ test) -%}
    {%- endif -%}
    {%- set parent = api.Relation.create(database=parents[0].database, schema=parents[0].schema,
                                         identifier=parents[0].alias) -%}
    {%- do return({'test': test, 'column': column,
                   'condition': column ~ ' is not null and ' ~ column ~ ' not in (select ' ~ field
                                ~ ' from ' ~ parent ~ ' where ' ~ field ~ ' is not null)',
                   'reason': "'''' || cast(" ~ column ~ " as " ~ leadflow.type_text() ~ ") || ''' is not in " ~ name ~ "'"}) -%}
{%- endmacro %}


{#- the whole row of a table alias as text (JSON), to show what was set aside -#}
{% macro row_as_text(alias) -%}
    {{ adapter.dispatch('row_as_text', 'leadflow')(alias) }}
{%- endmacro %}

{% macro default__row_as_text(alias) -%}
    cast(to_json({{ alias }}) as varchar)
{%- endmacro %}

{% macro spark__row_as_text(alias) -%}
    to_json(struct({{ alias }}.*))
{%- endmacro %}


{#- Spark runs one statement at a time: the schema first, then the table -#}
{% macro spark__create_set_aside_table(relation) -%}
    {%- do run_query('create schema if not exists ' ~ relation.schema) -%}
    create table if not exists {{ relation }} (
        model_name    string not null,
        test_name     string not null,
        column_name   string not null,
        reason        string not null,
        file_id       bigint not null,
        row_number    bigint,
        row_text      string,
        set_aside_at  timestamp not null
    ) using parquet
{%- endmacro %}
