{#
    Lead refresh: how the lead-level models stay incremental.

    Every model whose grain belongs to one lead (the lead itself, its submissions, sessions,
    touchpoints, stages, score points...) is materialized incremental with the custom
    strategy `lead_refresh`, set by folder in dbt_project.yml. A daily run recomputes all
    rows of the leads that something new touched (state_lead_changes: new form, web,
    e-mail, deal or activity rows, a web visitor stitched to another person) and leaves
    every other lead's rows as they are:

      delete from <model> where lead_id in (the refreshed leads);
      insert into <model> the model's rows for those leads.

    A lead's rows are always computed from all of that lead's data, never patched, so the
    result equals a full rebuild. When the rules change (a seed or a var of
    state_build_batches' fingerprint), the batch refreshes every lead; --full-refresh
    rebuilds everything.

    A lead-level model's SQL reads like a full-refresh model: the restriction to the
    refreshed leads is made by `ref` (below). While a lead-level model is built
    incrementally, a ref to a lead-keyed input returns that input's rows of the refreshed
    leads only. An input is lead-keyed when it is itself a lead-level model (keyed by
    lead_id) or when its meta `lead_key` names the column holding its lead's key: `lead_id`,
    or `email` (the normalised address, a plain string match, cheaper than hashing every
    event's address). Its meta `lead_refresh_unattached` may add a condition for rows tied
    to no lead that every refresh reads as well (records with an invalid address).

    Meta of a lead-level model (in its YAML):
      lead_refresh_also_delete     rows the strategy also deletes, that every build
                                   recomputes (e.g. rows tied to no lead)
      lead_refresh_filters_inputs  false: the model reads its inputs whole and chooses its
                                   rows itself (fct_lead_features rescores open leads)
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


{#- a node's config: is it a lead-level model (refreshed per lead)? -#}
{% macro is_lead_refresh(node_config) -%}
    {%- do return(node_config.get('materialized') == 'incremental'
                  and node_config.get('incremental_strategy') == 'lead_refresh') -%}
{%- endmacro %}


{#- the column holding a node's lead key (lead_id or email), none when it has none -#}
{% macro lead_key_of(node_config) -%}
    {%- set meta = node_config.get('meta') or {} -%}
    {%- if meta.get('lead_key') -%}
        {%- do return(meta.get('lead_key')) -%}
    {%- elif is_lead_refresh(node_config) -%}
        {%- do return('lead_id') -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}


{#- dbt's ref, restricted to the refreshed leads while a lead-level model builds
    incrementally (see above). Arguments as dbt's: ref('model'), ref('package', 'model'),
    version= or v=. -#}
{% macro ref() -%}
    {%- set version = kwargs.get('version') or kwargs.get('v') -%}
    {%- if (varargs | length) == 1 -%}
        {%- set relation = builtins.ref(varargs[0], version=version) -%}
    {%- else -%}
        {%- set relation = builtins.ref(varargs[0], varargs[1], version=version) -%}
    {%- endif -%}
    {%- do return(refreshed_leads_of(relation, varargs | last)) -%}
{%- endmacro %}


{% macro refreshed_leads_of(relation, input_name) -%}
    {%- if model is not mapping or model.get('resource_type') != 'model'
          or not is_lead_refresh(model.get('config', {})) -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {#- taken while parsing too, so that every lead-level model depends on the changes -#}
    {%- set changes = builtins.ref('state_lead_changes') -%}
    {%- if not execute or not is_incremental_build()
          or (model.config.get('meta') or {}).get('lead_refresh_filters_inputs') == false -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- set inputs = graph.nodes.values() | selectattr('name', 'equalto', input_name)
                     | selectattr('resource_type', 'equalto', 'model') | list -%}
    {%- set key = lead_key_of(inputs[0].config) if inputs else none -%}
    {%- if key is none -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- set unattached = (inputs[0].config.get('meta') or {}).get('lead_refresh_unattached') -%}
    {%- set restricted -%}
        (select * from {{ relation }}
         where {{ key }} in (select {{ key }} from {{ changes }})
         {%- if unattached %} or ({{ unattached }}){% endif %})
    {%- endset -%}
    {%- do return(restricted) -%}
{%- endmacro %}


{#- the condition of the rows a lead refresh replaces: the refreshed leads' rows, and
    those a model also drops because every build recomputes them (meta
    lead_refresh_also_delete). DuckDB deletes them (below); Spark rewrites the table
    without them (macros/portable/statements.sql). -#}
{% macro lead_refresh_replaced_rows() -%}
    {%- set key = lead_key_of(config) -%}
    {%- set also = (config.get('meta') or {}).get('lead_refresh_also_delete') -%}
    {{ key }} in (select {{ key }} from {{ builtins.ref('state_lead_changes') }})
    {%- if also %} or ({{ also }}){% endif %}
{%- endmacro %}


{% macro get_incremental_lead_refresh_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ lead_refresh_replaced_rows() }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }};
{%- endmacro %}


{#- The settings that change what the lead-level models compute: the rows of every seed
    (tests/dbt/test_lead_refresh.py checks that this list names them all) and the vars the
    models read. A new value refreshes every lead (state_build_batches). -#}
{% macro lead_rules_fingerprint() -%}
    {%- set seeds = [
        'alert_rules',
        'attribution_models',
        'attribution_parameters',
        'attribution_touch_types',
        'business_hours',
        'channel_mapping',
        'channels',
        'countries',
        'country_aliases',
        'email_bot_user_agents',
        'free_email_providers',
        'fx_rates',
        'job_title_patterns',
        'lifecycle_rule_gates',
        'lifecycle_rules',
        'lifecycle_stages',
        'ml_reason_phrases',
        'nurture_rules',
        'page_categories',
        'report_parameters',
        'rep_availability',
        'report_sales_teams',
        'routing_rules',
        'sales_reps',
        'score_tiers',
        'scoring_grades',
        'scoring_groups',
        'scoring_parameters',
        'scoring_rules',
        'sla_policies',
        'team_holidays',
    ] -%}
    {#- and the code of the lead-level models: a changed model recomputes every lead -#}
    {%- set code = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
            {%- if node.resource_type == 'model' and is_lead_refresh(node.config) -%}
                {%- do code.append(node.name ~ ':' ~ local_md5(node.raw_code)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    md5(
        {{ rule_vars_literal() }}
        || '{{ code | join(",") }}'
        {%- for seed in seeds %}
        || coalesce({{ leadflow.rows_fingerprint(ref(seed)) }}, '')
        {%- endfor %}
    )
{%- endmacro %}


{#- the vars the models read, as a SQL string literal (part of both fingerprints) -#}
{% macro rule_vars_literal() -%}
    {%- set vars = {} -%}
    {%- for name in ['email_strip_plus_tag', 'placeholder_values', 'own_site_domains',
                     'session_inactivity_minutes', 'double_submit_window_minutes',
                     'machine_open_max_seconds', 'scanner_click_max_seconds',
                     'email_click_stitch_seconds', 'deal_report_attributes',
                     'ml_target_stage', 'ml_horizon_days', 'ml_snapshot_ages_days',
                     'ml_random_snapshots_per_lead'] -%}
        {%- do vars.update({name: var(name, none)}) -%}
    {%- endfor -%}
    {{ leadflow.text_literal(tojson(vars, sort_keys=true)) }}
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
            {%- if node.resource_type == 'model' and is_lead_refresh(node.config) -%}
                {%- do required.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set missing = required | reject('in', succeeded) | list -%}
        {%- if not missing -%}
            {%- set node = graph.nodes.values() | selectattr('name', 'equalto', 'state_build_batches') | first -%}
            {{ leadflow.mark_batch_complete(leadflow.state_relation(node.alias)) }}
        {%- else -%}
            select 1 {#- nothing to mark: {{ missing | length }} lead model(s) not built -#}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
