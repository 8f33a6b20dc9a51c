"""Activation: routing leads to teams and reps, and segments.

The rules are data (dbt seeds routing_rules, sales_reps, sla_policies, nurture_rules and
the segment definitions in segments/); everything stateless is a dbt model under
dbt_project/models/activation/ (routing matches, SLA breaches, nurture tracks, the
segment base, the reps' response history). This package keeps what dbt cannot do:
routing's decision against the state of ops.lead_assignments (routing.py), the replay of
candidate rule files (replay.py), and writing the segment files (segments.py)."""
