{#- Every value is a regular expression DuckDB (RE2) can compile: an analyst's typo in a
    rule seed fails here, naming the pattern, instead of deep inside a model. -#}
{% test is_valid_regex(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and regexp_matches('', {{ column_name }}) is null

{% endtest %}
