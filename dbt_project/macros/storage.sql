{#
    How the build's checkpoints treat the rows a lead refresh deletes.

    A daily build deletes the rows of a few percent of the leads from every lead-level
    table (macros/lead_refresh.sql), spread over all of its row groups. Left to itself,
    DuckDB's checkpoint then vacuums: it rewrites every row group that lost rows, that is
    nearly the whole table, so a daily build would write the warehouse again. A daily build
    therefore leaves deleted rows marked in place (max_vacuum_tasks = 0: its checkpoints
    write only what changed), and the builds that test every row (the Sunday run,
    `leadflow run --test-all-rows`), a `--full-refresh` or `--vars '{compact_storage: true}'`
    compact the row groups again (DuckDB's default).

    The setting is global to the DuckDB database dbt opens, so this on-run-start hook sets
    it once for every thread's connection.
#}
{% macro set_row_group_compaction() -%}
    {%- if flags.FULL_REFRESH or var('test_all_rows', false) or var('compact_storage', false) -%}
        reset max_vacuum_tasks
    {%- else -%}
        set max_vacuum_tasks = 0
    {%- endif -%}
{%- endmacro %}
