{#
    Which rows the data tests of a daily build read: the rows that build wrote.

    - Lead-refresh models (macros/lead_refresh.sql), and views over one with meta
      `test_refreshed_leads` (fct_lead_rule_score_contributions, fct_merge_decisions): the rows
      of the leads the build refreshed (state_lead_changes; every lead in a full batch).
    - Models with meta `test_new_rows_column` (the incremental event models): the rows
      whose file id column is newer than the previous build's (state_build_batches); all
      rows in a full-refresh batch.
    - Every other model, and every row with `dbt build --full-refresh` or
      `--vars '{test_all_rows: true}'` (the scheduled Sunday run): all rows.

    A unique test on a lead-refresh model still sees whole leads, and relationships still
    look the parent up in the whole parent table. The config `where:` of a test applies
    on top, as in dbt.
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set scope = test_row_scope(relation) -%}
    {%- if scope -%}
        {%- do conditions.append(scope) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{% macro test_row_scope(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or var('test_all_rows', false) -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set tested = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.alias == relation.identifier
              and node.schema == relation.schema -%}
            {%- do tested.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if tested | length != 1 -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set node = tested[0] -%}
    {%- if is_lead_refresh(node.config) or node.config.get('meta', {}).get('test_refreshed_leads') -%}
        {%- set key = lead_key_of(node.config) or 'lead_id' -%}
        {%- do return(key ~ ' in (select ' ~ key ~ ' from ' ~ leadflow.state_relation('state_lead_changes') ~ ')') -%}
    {%- endif -%}
    {%- set column = node.config.get('meta', {}).get('test_new_rows_column') -%}
    {#- the event models do not depend on the run log: their tests may run before this
        build's batch is logged (the last batch then tests a superset of the new rows), or
        on a first build before there is any log (every row) -#}
    {%- set batches = leadflow.state_relation('state_build_batches') -%}
    {%- if column and load_relation(batches) is not none -%}
        {%- set batch = '(select * from ' ~ batches ~ ' order by batch_number desc limit 1)' -%}
        {%- do return('(' ~ column ~ ' > (select previous_through_file_id from ' ~ batch
                      ~ ') or (select is_full_refresh from ' ~ batch ~ '))') -%}
    {%- endif -%}
    {%- do return('') -%}
{%- endmacro %}
