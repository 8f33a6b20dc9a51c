"""Seconds of each timed step of the Spark suite, printed at its end by the conftest
(docs/scale-out.md quotes them)."""

TIMINGS: dict[str, float] = {}
