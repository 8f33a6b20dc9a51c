{#
    The rule-score formula (seeds scoring_rules, scoring_groups, scoring_parameters), written
    once for the stored scores (int_lead_score_points, int_lead_score_groups,
    fct_lead_rule_score_contributions, fct_lead_rule_scores) and for the score recomputed
    at each training snapshot (fct_lead_features.rule_score):

      a rule matches      a fit rule: the lead's attribute has the rule's value (lower
                          case); an engagement rule: an event of the rule's behaviour
      its points          rule points x the event's quantity (1 for a fit rule)
      decayed             x 0.5 ^ (days from the event to the moment scored / half-life),
                          for the groups whose is_decayed is true
      a group's points    the sum of its rules' points, held between min_points and
                          max_points
      the score           the sum of the groups' points
#}

{#- a join condition: the fit attribute row matches the fit rule -#}
{% macro fit_rule_matches(attributes, rules) -%}
    {{ rules }}.score_type = 'fit'
    and {{ attributes }}.attribute = {{ rules }}.attribute
    and {{ attributes }}.attribute_value = lower({{ rules }}.attribute_value)
{%- endmacro %}


{#- a join condition: the engagement event matches the engagement rule -#}
{% macro engagement_rule_matches(events, rules) -%}
    {{ rules }}.score_type = 'engagement'
    and {{ events }}.behaviour = {{ rules }}.behaviour
{%- endmacro %}


{#- points earned `days_ago` days before the moment scored, decayed to it; undecayed when
    the group keeps full points or the points have no time (fit: days_ago is null) -#}
{% macro decayed_points(points, is_decayed, days_ago, half_life_days) -%}
    case
        when {{ is_decayed }} and {{ days_ago }} is not null
            then {{ points }} * pow(0.5, {{ days_ago }} / {{ half_life_days }})
        else {{ points }}
    end
{%- endmacro %}


{#- a group's points held between its floor and its cap -#}
{% macro capped_points(points, min_points, max_points) -%}
    greatest({{ min_points }}, least({{ max_points }}, {{ points }}))
{%- endmacro %}
