"""The hand-off from marketing to sales, judged on history before a rule change is switched
on: `leadflow scoring backtest` (candidate scoring and lifecycle seeds replayed beside the
current ones) and `leadflow handoff simulate` (a candidate MQL rule set, routing rules and
reps together). Both rebuild the dbt models with the candidate seeds in a throwaway copy
of the warehouse (rebuild.py); the warehouse itself is only read."""
