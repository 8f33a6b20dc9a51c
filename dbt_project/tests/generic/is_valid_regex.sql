{#- Every value is a regular expression the engine can compile (DuckDB: RE2, Spark: Java):
    an analyst's typo in a rule seed fails here, naming the pattern, instead of deep inside
    a model. -#}
{% test is_valid_regex(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and {{ leadflow.regexp_matches("''", column_name) }} is null

{% endtest %}
