"""Predictive lead scoring: plain, tested Python (features, train, evaluate, score,
explain, registry) that the Dagster assets in ``pipelines`` call."""
