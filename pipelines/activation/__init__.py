"""Activation: routing leads to teams and reps, SLA watch, nurture tracks and segments.

The rules are data (dbt seeds routing_rules, sales_reps, sla_policies, nurture_rules and
the segment definitions in segments/); the logic is SQL in sql/; this package binds the
relations, writes the ``ops`` and ``activation`` tables and the segment files."""
