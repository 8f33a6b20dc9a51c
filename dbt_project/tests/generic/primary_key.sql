{#- The column is the model's key: a value in every row, and no value twice. One query
    instead of a unique and a not_null test (dbt's cost is per test). Each failing row is a
    key value with its count; a missing key shows as null. -#}
{% test primary_key(model, column_name) %}

select {{ column_name }} as key_value, count(*) as rows_with_it
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null

{% endtest %}
