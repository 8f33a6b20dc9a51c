{#- Rows where a boolean SQL expression over the model's columns is not true fail. -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
