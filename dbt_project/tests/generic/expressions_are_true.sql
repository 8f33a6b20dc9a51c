{#- Every row satisfies each named boolean expression over the model's columns
    (expressions: {name: expression}). One test (one query, one scan) per model instead of
    one per rule: a daily build's cost is mostly dbt's per-test overhead. Each failing row
    names a rule and how many rows break it; a NULL result breaks it too. -#}
{% test expressions_are_true(model, expressions) %}

with broken_counts as (

    select
        {%- for name, expression in expressions.items() %}
        count(*) filter (where not coalesce(({{ expression }}), false)) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

select rule_name, broken_rows
from {{ leadflow.unpivot_columns('broken_counts', expressions.keys() | list, 'rule_name', 'broken_rows') }} as counted
where broken_rows > 0

{% endtest %}
