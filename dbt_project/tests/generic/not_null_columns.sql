{#- Every listed column has a value in every row. One test (one query, one scan) per model
    instead of one per column: a daily build's cost is mostly dbt's per-test overhead.
    Each failing row names a column and how many rows lack it. A key column keeps its own
    not_null beside its unique. -#}
{% test not_null_columns(model, column_names) %}

with null_counts as (

    select
        {%- for column in column_names %}
        count(*) filter (where {{ column }} is null) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

select column_name, null_rows
from {{ leadflow.unpivot_columns('null_counts', column_names, 'column_name', 'null_rows') }} as counted
where null_rows > 0

{% endtest %}
