{#-
    An ordered rule table (first match wins) must end with a catch-all: a rule with every
    condition column empty, and no rule after it (later rules could never fire). Fails
    with one row when the catch-all is missing or not last.
-#}
{% test has_catch_all_rule(model, order_by, conditions) %}

with catch_all as (

    select min({{ order_by }}) as catch_all_order
    from {{ model }}
    where {% for column in conditions %}{{ column }} is null{% if not loop.last %} and {% endif %}{% endfor %}

)

select catch_all_order, (select max({{ order_by }}) from {{ model }}) as last_order
from catch_all
where catch_all_order is null
   or catch_all_order < (select max({{ order_by }}) from {{ model }})

{% endtest %}
