-- One row per source and e-mail address as it was spelled there (email_raw): every place a
-- person's address appears, normalised, with when it was first and last seen and how
-- often. The person set and their creation time come from here; int_merge_decisions
-- explains each spelling.
-- Incremental: a daily build recomputes the spellings that rows of its new files carry
-- (state_build_batches), all of them when the rules changed.
{% set sources = [
    ('forms',          'stg_forms__submissions', 'submitted_at', 1),
    ('web_events',     'stg_web__events',        'occurred_at',  2),
    ('crm_deals',      'stg_crm__deal_states',   'created_at',   3),
    ('crm_activities', 'stg_crm__activities',    'occurred_at',  4),
    ('email_events',   'stg_email__events',      'occurred_at',  5),
] %}
with

batch as (

    select * from {{ current_batch() }} as batch

),

{% for source_name, model, at_column, rank in sources %}
{{ source_name }} as (

    select
        '{{ source_name }}'                                         as source_name,
        {{ rank }}                                                  as source_rank,
        email_raw,
        any_value(email)                                            as email,
        bool_and(is_valid_email)                                    as is_valid_email,
        min({{ at_column }})                                        as first_seen_at,
        max({{ at_column }})                                        as last_seen_at,
        count(*)                                                    as record_count
    from {{ ref(model) }}
    where email_raw is not null
    {% if is_incremental_build() %}
      and ((select is_full_refresh from batch)
           or email_raw in (select email_raw from {{ ref(model) }}
                            where _file_id > (select previous_through_file_id from batch)))
    {% endif %}
    group by email_raw

),
{% endfor %}

unioned as (

    {% for source_name, model, at_column, rank in sources %}
    select * from {{ source_name }}
    {{ "union all" if not loop.last }}
    {% endfor %}

)

select
    {{ surrogate_key(['source_name', 'email_raw']) }}               as address_id,
    case when is_valid_email then {{ lead_id('email') }} end        as lead_id,
    *
from unioned
