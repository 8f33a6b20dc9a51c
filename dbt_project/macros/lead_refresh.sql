{#
    Lead refresh: how the lead-level models stay incremental.

    Every model whose grain belongs to one lead (the lead itself, its submissions, sessions,
    touchpoints, stages, score points...) is materialized incremental with the custom
    strategy `lead_refresh`. A daily run recomputes all rows of the leads that something
    new touched (state_lead_changes: new form, web, e-mail, deal or activity rows, a web
    visitor stitched to another person) and leaves every other lead's rows as they are:

      delete from <model> where lead_id in (the refreshed leads);
      insert into <model> the model's rows for those leads.

    A lead's rows are always computed from all of that lead's data, never patched, so the
    result equals a full rebuild. When the rules change (a seed or a var of
    state_build_batches' fingerprint), the batch refreshes every lead; --full-refresh
    rebuilds everything.

    In a model: filter each input read per lead with `where {{ in_refreshed_leads() }}`.
#}

{#- this build's row of state_build_batches (its files, whether it refreshes everything),
    as a one-row subquery -#}
{% macro current_batch() -%}
    (select * from {{ ref('state_build_batches') }} order by batch_number desc limit 1)
{%- endmacro %}


{% macro is_incremental_build() -%}
    {#- a unit test compiles the model without a relation of its own: not incremental -#}
    {%- do return(this is not none and is_incremental()) -%}
{%- endmacro %}


{#- `column` holds the lead's lead_id, or with key='email' its normalised e-mail (a
    plain string match, cheaper than hashing every event's address) -#}
{% macro in_refreshed_leads(column='lead_id', key='lead_id') -%}
    {#- the ref is taken outside the if, so that parsing records the dependency -#}
    {%- set changes = ref('state_lead_changes') -%}
    {%- if is_incremental_build() -%}
        {{ column }} in (select {{ key }} from {{ changes }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro get_incremental_lead_refresh_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set key = config.get('lead_key', 'lead_id') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {#- a model may also drop rows that every build recomputes (config lead_refresh_also_delete) -#}
    {%- set also = config.get('lead_refresh_also_delete') -%}
    delete from {{ target }}
    where {{ key }} in (select lead_id from {{ ref('state_lead_changes') }})
    {%- if also %} or ({{ also }}){% endif %};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }};
{%- endmacro %}


{#- The settings that change what the lead-level models compute: the rows of every seed
    (tests/dbt/test_lead_refresh.py checks that this list names them all) and the vars the
    models read. A new value refreshes every lead (state_build_batches). -#}
{% macro lead_rules_fingerprint() -%}
    {%- set seeds = [
        'attribution_models',
        'attribution_parameters',
        'attribution_touch_types',
        'channel_mapping',
        'channels',
        'countries',
        'country_aliases',
        'email_bot_user_agents',
        'free_email_providers',
        'fx_rates',
        'job_title_patterns',
        'lifecycle_rules',
        'lifecycle_stages',
        'ml_reason_phrases',
        'nurture_rules',
        'page_categories',
        'report_parameters',
        'report_sales_teams',
        'routing_rules',
        'sales_reps',
        'scoring_grades',
        'scoring_groups',
        'scoring_parameters',
        'scoring_rules',
        'sla_policies',
    ] -%}
    {%- set vars = {} -%}
    {%- for name in ['email_strip_plus_tag', 'placeholder_values', 'own_site_domains',
                     'session_inactivity_minutes', 'double_submit_window_minutes',
                     'machine_open_max_seconds', 'scanner_click_max_seconds',
                     'email_click_stitch_seconds', 'deal_report_attributes',
                     'ml_target_stage', 'ml_horizon_days', 'ml_snapshot_ages_days',
                     'ml_random_snapshots_per_lead'] -%}
        {%- do vars.update({name: var(name, none)}) -%}
    {%- endfor -%}
    {#- and the code of the lead-level models: a changed model recomputes every lead -#}
    {%- set code = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
            {%- if node.resource_type == 'model'
                  and node.config.get('incremental_strategy') == 'lead_refresh' -%}
                {%- do code.append(node.name ~ ':' ~ local_md5(node.raw_code)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    md5(
        {{ "'" ~ (tojson(vars, sort_keys=true) | replace("'", "''")) ~ "'" }}
        || '{{ code | join(",") }}'
        {%- for seed in seeds %}
        || coalesce((select string_agg(md5(cast(seed_rows as varchar)), ','
                                       order by md5(cast(seed_rows as varchar)))
                     from {{ ref(seed) }} as seed_rows), '')
        {%- endfor %}
    )
{%- endmacro %}


{#- on-run-end: mark this build's batch complete when every lead-level model (and the
    state models they read) succeeded; a build that failed or left one out is taken in
    again, with its files and visitor moves, by the next build. -#}
{% macro complete_lead_refresh_batch(results) -%}
    {%- if execute -%}
        {%- set succeeded = [] -%}
        {%- for result in results -%}
            {%- if result.node.resource_type == 'model' and result.status == 'success' -%}
                {%- do succeeded.append(result.node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set required = ['state_build_batches', 'state_visitor_leads', 'state_lead_changes'] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                  and node.config.get('incremental_strategy') == 'lead_refresh' -%}
                {%- do required.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set missing = required | reject('in', succeeded) | list -%}
        {%- if not missing -%}
            {%- set node = graph.nodes.values() | selectattr('name', 'equalto', 'state_build_batches') | first -%}
            {%- set batches = api.Relation.create(database=node.database, schema=node.schema,
                                                  identifier=node.alias) -%}
            update {{ batches }} set is_complete = true
            where batch_number = (select max(batch_number) from {{ batches }})
        {%- else -%}
            select 1 {#- nothing to mark: {{ missing | length }} lead model(s) not built -#}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
