"""What `leadflow run` shows while the daily job runs: one display per phase (ingest per
source with rows, each dbt build with models done of total and failures named, scoring,
activation, report), fed by the run's Dagster events as they happen."""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from pipelines.cli.progress import PhaseDisplay

# asset group -> the phase its steps belong to (dbt builds are phases of their own)
PHASES = {"ingest": "ingest", "ml": "scoring", "activation": "activation",
          "reports": "report"}


@dataclass
class _Phase:
    name: str
    total: int = 0  # dbt: models and seeds selected
    done: int = 0
    tests: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # steps not run: inputs not built
    parts: dict[str, str] = field(default_factory=dict)  # what it says, by asset


def step_phases(defs: dg.Definitions, checks: bool = False) -> dict[str, tuple[str, int]]:
    """The daily job's steps (op names) -> (the phase each belongs to, its asset count):
    each dbt build a phase of its own, "dbt 1/3" ..., the others by their asset group. With
    ``checks`` the steps that only run asset checks too (no assets): the ingestion
    contract's checks of raw tables as "ingest", the others (the marts' GX suites) as
    "mart checks"."""
    from pipelines.assets.dbt import DBT_ASSETS

    graph = defs.resolve_asset_graph()
    ops = {a.op.name: a for a in graph.assets_defs if a.is_executable and a.keys}
    dbt_ops = [a.op.name for a in DBT_ASSETS]
    found = {name: (f"dbt {i + 1}/{len(dbt_ops)}", len(ops[name].keys))
             for i, name in enumerate(dbt_ops)}
    for name, assets_def in ops.items():
        phase = PHASES.get(graph.get(next(iter(assets_def.keys))).group_name)
        if phase and name not in found:
            found[name] = (phase, len(assets_def.keys))
    if checks:
        for a in graph.assets_defs:
            if a.is_executable and not a.keys and a.check_keys:
                checked = PHASES.get(graph.get(next(iter(a.check_keys)).asset_key).group_name)
                found[a.op.name] = ("ingest" if checked == "ingest" else "mart checks", 0)
    return found


class RunProgress:
    """An event listener for ``DagsterInstance.add_event_listener``."""

    def __init__(self, display: PhaseDisplay, defs: dg.Definitions) -> None:
        self.display = display
        self.steps: dict[str, _Phase] = {}
        self.current: _Phase | None = None
        self.failed_checks: list[str] = []
        self.failed_steps: list[str] = []
        self.skipped_steps: list[str] = []
        self.quarantined_rows = self.quarantined_files = 0
        by_phase: dict[str, _Phase] = {}
        for step, (phase, assets) in step_phases(defs).items():
            self.steps[step] = by_phase.setdefault(phase, _Phase(phase))
            self.steps[step].total += assets if phase.startswith("dbt") else 1

    def __call__(self, entry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        kind = event.event_type_value
        phase = self.steps.get(entry.step_key or "")
        if kind == "STEP_START" and phase is not None:
            self.current = phase
            self._show(phase)
        elif kind == "ASSET_MATERIALIZATION" and phase is not None:
            self._materialized(phase, event.event_specific_data.materialization)
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if phase is not None:
                phase.tests += 1
            if not evaluation.passed:
                name = f"{evaluation.asset_key.path[-1]}:{evaluation.check_name}"
                self.failed_checks.append(name)
                if phase is not None:
                    phase.failed.append(name)
            if phase is not None:
                self._show(phase)
        elif kind == "STEP_SKIPPED" and phase is not None:
            phase.skipped.append(entry.step_key)
            self.skipped_steps.append(entry.step_key)
            self.current = phase
            self._show(phase)
        elif kind == "STEP_FAILURE":
            self.failed_steps.append(entry.step_key)
            if phase is not None:
                phase.failed.append(f"step {entry.step_key} failed")
                self._show(phase)

    def _materialized(self, phase: _Phase, materialization) -> None:
        meta = {k: v.value for k, v in materialization.metadata.items()}
        key = materialization.asset_key
        phase.done += 1
        if phase.name == "ingest":
            self.quarantined_rows += meta.get("rows_quarantined", 0)
            self.quarantined_files += meta.get("files_quarantined", 0)
            phase.parts[key.path[-1]] = f"{key.path[-1]} {meta.get('rows_loaded', 0):,}"
        elif phase.name == "scoring":
            if "version" in meta:
                phase.parts["model"] = f"model {meta['version']} trained"
            elif meta.get("trained") is False:
                phase.parts["model"] = "no model trained"
            if "rows" in meta:
                phase.parts["scores"] = f"{meta['rows']:,} leads scored"
        elif phase.name == "activation":
            if "open_leads" in meta:
                phase.parts["routing"] = (f"{meta['new']:,} leads routed, "
                                          f"{meta['reassigned']:,} reassigned")
            if "segments" in meta:
                phase.parts["segments"] = f"{meta['segments']} segments exported"
        elif phase.name == "report" and "report" in meta:
            phase.parts["report"] = str(meta["report"])
        self._show(phase)

    def _show(self, phase: _Phase) -> None:
        self.display.update(phase.name, self.text(phase))

    def text(self, phase: _Phase) -> str:
        failed = f"; failed: {', '.join(phase.failed[:5])}" + (
            f" and {len(phase.failed) - 5} more" if len(phase.failed) > 5 else "") \
            if phase.failed else ""
        if phase.skipped:
            failed += f"; skipped: {', '.join(phase.skipped)}"
        if phase.name.startswith("dbt"):
            return f"{phase.done}/{phase.total} models, {phase.tests} tests{failed}"
        if phase.name == "ingest":
            rows = ", ".join(phase.parts.values())
            held = (f"; quarantined {self.quarantined_rows:,} rows, "
                    f"{self.quarantined_files} files") if phase.done else ""
            return f"{phase.done}/{phase.total} sources: {rows} rows{held}{failed}"
        return ", ".join(phase.parts.values()) + failed or "..."

    def close(self) -> None:
        self.display.close()
