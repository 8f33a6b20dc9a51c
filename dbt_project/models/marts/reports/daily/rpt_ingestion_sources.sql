-- The daily report's data-quality table: one row per inbox source (DESIGN's six, in the
-- inbox contract's order, zeros for a source that never received a file): files taken in
-- (duplicates of a loaded file not counted), files quarantined whole, rows loaded and
-- rows quarantined, and the quarantined share of the rows read.
{%- set inbox = [('forms', 'forms'), ('web', 'web_events'), ('email', 'email_events'),
                 ('crm_deals', 'crm_deals'), ('crm_activities', 'crm_activities'),
                 ('spend', 'spend')] %}
with sources (display_order, source, source_table) as (

    values
    {%- for name, table in inbox %}
        ({{ loop.index }}, '{{ name }}', '{{ table }}'){{ "," if not loop.last }}
    {%- endfor %}

),

loaded as (
    {%- for name, table in inbox %}
    select '{{ name }}' as source, count(*) as rows_loaded from {{ source('raw', table) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

files as (

    select
        source,
        count(*) filter (where status not in ('duplicate', 'unloaded')) as files,
        count(*) filter (where status = 'quarantined')              as files_quarantined,
        max(loaded_at)                                              as last_loaded_at
    from {{ source('raw', '_files') }}
    group by source

),

quarantined as (

    select source, count(*) as rows_quarantined
    from {{ source('raw', '_quarantine') }}
    group by source

)

select
    sources.display_order,
    sources.source,
    sources.source_table,
    coalesce(files.files, 0)                                        as files,
    coalesce(files.files_quarantined, 0)                            as files_quarantined,
    coalesce(loaded.rows_loaded, 0)                                 as rows_loaded,
    coalesce(quarantined.rows_quarantined, 0)                       as rows_quarantined,
    coalesce(quarantined.rows_quarantined, 0)
        / nullif(coalesce(loaded.rows_loaded, 0) + coalesce(quarantined.rows_quarantined, 0), 0)
                                                                    as quarantine_share,
    files.last_loaded_at
from sources
left join loaded using (source)
left join files using (source)
left join quarantined using (source)
