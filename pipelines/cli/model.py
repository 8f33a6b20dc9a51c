"""`leadflow model train | evaluate | score | list | promote | rollback`: the predictive lead
score from the command line, on the warehouse (or, for `evaluate --csv` and `score --csv`,
on any lead table), and the model registry."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.cli.common import CliError, positive_int
from pipelines.project import paths


def _registry():
    from models_ml.registry import Registry

    return Registry(paths().models)


@contextmanager
def _warehouse(write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    from pipelines.resources import WarehouseBusy, open_duckdb, warehouse_lock

    where = paths()
    if not where.warehouse.exists():
        raise CliError(f"no warehouse at {where.warehouse} yet: run `leadflow run` first")
    try:
        if write:
            with warehouse_lock(where.warehouse_lock):
                con = open_duckdb(where.warehouse, temp_dir=where.duckdb_temp)
                try:
                    yield con
                finally:
                    con.close()
        else:
            con = open_duckdb(where.warehouse, read_only=True)
            try:
                yield con
            finally:
                con.close()
    except WarehouseBusy as exc:
        raise CliError(str(exc)) from None
    except duckdb.IOException as exc:
        raise CliError(f"cannot open the warehouse (is a run writing it?): {exc}") from None


def _config(args: argparse.Namespace):
    from models_ml.train import TrainConfig

    return TrainConfig(seed=args.seed, calibration=args.calibration, threads=args.threads)


def _version(args: argparse.Namespace) -> str:
    version = args.version or _registry().current()
    if version is None:
        raise CliError("no model in service yet: run `leadflow model train` first")
    return version


def cmd_train(args: argparse.Namespace) -> int:
    from models_ml import runs
    from models_ml.evaluation_text import evaluation_lines
    from models_ml.features import FeatureError
    from models_ml.registry import GateConfig

    gate_config = GateConfig(tolerance=args.tolerance, rule_margin=args.rule_margin)
    with _warehouse(write=True) as con:
        try:
            outcome = runs.train_and_gate(con, _registry(), _config(args),
                                          gate_config=gate_config, promote=not args.no_promote)
        except FeatureError as exc:
            raise CliError(str(exc)) from None
        runs.write_run(con, outcome, _registry())
    window = outcome.metadata["training_window"]
    print("\n".join(evaluation_lines(
        outcome.evaluation, f"model {outcome.version} ({outcome.metadata['kind']}), trained on "
        f"{window['training_rows']:,} rows, validated on {window['validation_rows']:,} "
        f"(leads created from {window['validation_from'][:10]})")))
    print("\ncandidates (validation ROC AUC): " + ", ".join(
        f"{k} {v:.4f}" for k, v in outcome.metadata["candidate_roc_auc"].items()))
    print(f"saved to {_registry().folder(outcome.version)}")
    print(f"gate: {outcome.decision.reason}")
    if outcome.decision.accepted and args.no_promote:
        print(f"model {outcome.version} kept as a candidate (--no-promote): "
              f"`leadflow model promote {outcome.version}` serves it")
    if not outcome.decision.accepted:
        raise CliError(f"model {outcome.version} not promoted; "
                       f"{_registry().current()} stays in service")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from models_ml.evaluation_text import evaluation_lines
    from models_ml.features import FeatureError
    from models_ml.registry import RegistryError

    if args.csv:
        return _evaluate_csv(args)
    if args.target or args.drop or args.keep or args.baseline is not None:
        raise CliError("--target, --drop, --keep and --baseline go with --csv")
    from models_ml import runs

    with _warehouse(write=False) as con:
        version = _version(args)
        try:
            evaluation = runs.evaluate_version(con, _registry(), version, _config(args))
        except (FeatureError, RegistryError) as exc:
            raise CliError(str(exc)) from None
    print("\n".join(evaluation_lines(evaluation, f"model {version} on today's validation rows")))
    return 0


class FoldProgress:
    """The folds of a cross-validation on stderr: one line rewritten on a terminal, plain
    lines otherwise."""

    def __init__(self, stream=None):
        import sys
        import time

        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.clock = time.monotonic
        self.started = self.clock()

    def __call__(self, done: int, folds: int, auc: float | None) -> None:
        elapsed = self.clock() - self.started
        line = (f"cross-validation: fold {done}/{folds} done, ROC AUC {auc:.4f}, "
                f"{elapsed:.0f}s" if done else f"cross-validation: {folds} folds ...")
        end = "\n" if not self.tty or done == folds else ""
        self.stream.write(("\r\033[K" if self.tty else "") + line + end)
        self.stream.flush()


def _read_csv(path: Path):
    import pandas as pd

    if not path.is_file():
        raise CliError(f"no such file: {path}")
    try:
        return pd.read_csv(path, sep=None, engine="python")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CliError(f"cannot read {path} as CSV: {str(exc).splitlines()[0]}") from None


def _names(values: list[str] | None) -> list[str]:
    """Column names from repeatable, comma-separated options."""
    return [c.strip() for value in values or [] for c in value.split(",") if c.strip()]


def _evaluate_csv(args: argparse.Namespace) -> int:
    import numpy as np

    from models_ml.crossval import cross_validate, prepare_table
    from models_ml.evaluation_text import evaluation_lines
    from models_ml.features import FeatureError, FeatureSpec
    from models_ml.leakage import find_identifiers, find_leaks

    path = Path(args.csv)
    if not args.target:
        raise CliError("--csv needs --target COLUMN (the 0/1 or yes/no outcome)")
    table = _read_csv(path)
    drop, keep = _names(args.drop), _names(args.keep)
    unknown = [c for c in keep if c not in table.columns]
    if unknown:
        raise CliError(f"--keep: no column {unknown[0]!r} in {path.name}")
    try:
        column = args.baseline or None  # bare --baseline: the plain model only
        table, y, spec = prepare_table(table, args.target, drop, column, args.positive)
        others = [c for c in table.columns if c not in spec.columns]
        identifiers = [f for f in find_identifiers(table, others) if f.column not in keep]
        ids = {f.column for f in identifiers}
        leaks = [f for f in find_leaks(table, y, [c for c in spec.columns if c not in ids],
                                       args.seed) if f.column not in keep]
        excluded = ids | {f.column for f in leaks}
        spec = FeatureSpec(tuple(c for c in spec.numeric if c not in excluded),
                           tuple(c for c in spec.categorical if c not in excluded))
        if not spec.columns:
            raise FeatureError("no feature column left after excluding identifiers and "
                               "suspected leaks (--keep COLUMN uses one anyway)")
        result = cross_validate(table, y, spec, _config(args), args.folds, column,
                                plain_baseline=args.baseline is not None,
                                progress=FoldProgress())
    except FeatureError as exc:
        raise CliError(str(exc)) from None
    print(f"{path.name}: {len(y):,} rows, {int(y.sum()):,} positive; "
          f"{len(spec.numeric)} numeric and {len(spec.categorical)} categorical columns")
    if identifiers:
        print("  excluded as identifiers: " + "; ".join(
            f"{f.column} ({f.reason})" for f in identifiers))
    if leaks:
        print("  excluded as suspected leaks (--keep COLUMN to use one):")
        for finding in leaks:
            print(f"    {finding.column}: {finding.reason}")
    if keep:
        print(f"  kept on request (--keep): {', '.join(keep)}")
    print(f"  numeric: {', '.join(spec.numeric) or '-'}")
    print(f"  categorical: {', '.join(spec.categorical) or '-'}")
    print(f"{result.folds}-fold stratified cross-validation (seed {args.seed}); winners: "
          + ", ".join(result.winners) + "; ROC AUC per fold: "
          + ", ".join(f"{a:.4f}" for a in result.fold_auc))
    if result.plain_fold_auc:
        print(f"model: ROC AUC {np.mean(result.fold_auc):.3f} ± {np.std(result.fold_auc):.3f} "
              "(mean ± sd over the folds)")
        plain = result.plain_fold_auc
        print("baseline HistGradientBoostingClassifier (default): ROC AUC "
              f"{np.mean(plain):.3f} ± {np.std(plain):.3f}; per fold: "
              + ", ".join(f"{a:.4f}" for a in plain))
    print()
    print("\n".join(evaluation_lines(result.evaluation, "out-of-fold figures")))
    return 0


def _seed(table: str):
    """A seed as the warehouse holds it (``seeds.<name>``; the dbt seed file before the
    first run)."""
    import pandas as pd

    from pipelines.project import DBT_PROJECT_DIR

    if paths().warehouse.exists():
        with _warehouse(write=False) as con:
            try:
                return con.execute(f"SELECT * FROM {table}").df()
            except duckdb.CatalogException:
                pass
    return pd.read_csv(DBT_PROJECT_DIR / "seeds" / f"{table.split('.')[-1]}.csv")


def _score_csv(args: argparse.Namespace) -> int:
    import sys

    from models_ml.csv_scoring import score_csv
    from models_ml.features import FeatureError
    from models_ml.registry import RegistryError
    from models_ml.runs import REASON_PHRASES, SCORE_TIERS

    table = _read_csv(Path(args.csv))
    version = _version(args)
    try:
        model, _ = _registry().load(version)
        result = score_csv(model, table, _seed(REASON_PHRASES), _seed(SCORE_TIERS), version,
                           args.id, args.allow_missing)
    except (FeatureError, RegistryError) as exc:
        raise CliError(str(exc)) from None
    report = sys.stdout if args.out else sys.stderr
    if args.out:
        result.table.to_csv(args.out, index=False)
    else:
        result.table.to_csv(sys.stdout, index=False)
    where = args.out or "stdout"
    print(f"scored {len(result.table):,} rows of {Path(args.csv).name} with model {version} "
          f"into {where}", file=report)
    renamed = {f: c for f, c in result.matched.items() if f != c}
    if renamed:
        print("columns matched by name: " + ", ".join(f"{c} -> {f}" for f, c in
                                                      renamed.items()), file=report)
    if result.unknown:
        print(f"unknown for every row (not in the CSV): {', '.join(result.unknown)}",
              file=report)
    for name, count in result.not_numbers.items():
        print(f"{name}: {count:,} values are not numbers, scored as unknown", file=report)
    tiers = result.table["tier"].value_counts() if "tier" in result.table else None
    if tiers is not None:
        print("tiers: " + ", ".join(f"{t} {int(tiers.get(t, 0)):,}" for t in "ABCD"),
              file=report)
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from models_ml import runs
    from models_ml.evaluation_text import drift_lines
    from models_ml.features import FeatureError
    from models_ml.registry import RegistryError

    if args.csv:
        return _score_csv(args)
    if args.out or args.id or args.allow_missing:
        raise CliError("--out, --id and --allow-missing go with --csv")
    with _warehouse(write=True) as con:
        version = _version(args)
        try:
            outcome = runs.score_open_leads(con, _registry(), version)
        except (FeatureError, RegistryError) as exc:
            raise CliError(str(exc)) from None
        runs.write_scores(con, outcome)
    scores = outcome.scores
    if not len(scores):
        print(f"no open lead to score with model {version}: every lead's outcome window has "
              "closed by the data's as-of moment (or it reached the target stage)")
        return 0
    print(f"scored {len(scores):,} open leads for {outcome.score_date} with model {version} "
          "into ml.lead_scores")
    if len(scores):
        tiers = scores["tier"].value_counts()
        print("tiers: " + ", ".join(f"{t} {int(tiers.get(t, 0)):,}" for t in "ABCD"))
        print("top leads:")
        for row in scores.nsmallest(5, "priority_rank").itertuples(index=False):
            print(f"  #{row.priority_rank:<4} {row.lead_id}  score {row.score:>3}  "
                  f"tier {row.tier}  {row.reason_1}; {row.reason_2}; {row.reason_3}")
        print("\n".join(drift_lines(outcome.drift)))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from models_ml import runs

    registry = _registry()
    if not registry.versions():
        print(f"no model in {registry.root} yet: run `leadflow model train`")
        return 0
    where = paths()
    if where.warehouse.exists():
        with _warehouse(write=False) as con:
            table = runs.model_list(con, registry)
    else:
        table = runs.model_list(None, registry)
    print(f"{'version':<22} {'status':<9} {'kind':<19} {'trained':<16} {'ROC AUC':>7} "
          f"{'Brier':>6} {'rule AUC':>8} {'rule Brier':>10}")
    for row in table.itertuples(index=False):
        print(f"{row.version:<22} {row.status:<9} {row.kind or '-':<19} "
              f"{(row.trained_at or '-')[:16].replace('T', ' '):<16} {_fig(row.roc_auc):>7} "
              f"{_fig(row.brier):>6} {_fig(row.rule_roc_auc):>8} {_fig(row.rule_brier):>10}")
        note = getattr(row, "status_note", None)
        print(f"    {note if isinstance(note, str) and note else row.gate}")
    return 0


def _fig(value) -> str:
    import math

    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.4f}"


def cmd_promote(args: argparse.Namespace) -> int:
    from models_ml import runs
    from models_ml.registry import RegistryError

    with _warehouse(write=True) as con:
        registry = _registry()
        previous = registry.current()
        try:
            runs.promote(con, registry, args.version, force=args.force)
        except RegistryError as exc:
            raise CliError(str(exc)) from None
    print(f"model {args.version} is now served" + (f" (was {previous})" if previous else ""))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from models_ml import runs
    from models_ml.registry import RegistryError

    with _warehouse(write=True) as con:
        try:
            current, previous, _ = runs.rollback(con, _registry())
        except RegistryError as exc:
            raise CliError(str(exc)) from None
    print(f"rolled back: model {previous} is served again (was {current})")
    return 0


def add_model_parser(sub) -> None:
    """Register `leadflow model ...` on the main parser's subparsers."""
    model = sub.add_parser("model", help="predictive lead score: train, evaluate, score",
                           description="The predictive lead score: P(lead reaches the target "
                           "stage within the horizon of its creation; dbt vars ml_target_stage, "
                           "default customer, and ml_horizon_days, default 90), trained on the "
                           "warehouse.")
    msub = model.add_subparsers(dest="model_command", required=True, metavar="SUBCOMMAND")

    def common(p):
        p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        p.add_argument("--calibration", choices=["isotonic", "sigmoid"], default="isotonic",
                       help="probability calibration (default isotonic)")
        p.add_argument("--threads", type=positive_int, default=None,
                       help="threads for model fitting (default: all)")

    train = msub.add_parser("train", help="train, evaluate and gate a new model",
                            description="Train on leads whose outcome window has closed, "
                            "evaluate on the newest ones against the rule score, save under "
                            "data/models/<version>/ and serve it only if, on the same "
                            "validation leads, it beats the rule score (ROC AUC and Brier; "
                            "the rule score calibrated on the calibration leads) and does "
                            "not trail the served model by more than --tolerance (exit 2 "
                            "when refused; the served model stays).")
    common(train)
    train.add_argument("--tolerance", type=float, default=0.01,
                       help="ROC AUC the new model may trail the served one by (default 0.01)")
    train.add_argument("--rule-margin", type=float, default=0.0,
                       help="ROC AUC by which it must beat the rule score (default 0)")
    train.add_argument("--no-promote", action="store_true",
                       help="keep an accepted model as a candidate (serve it with `promote`)")
    train.set_defaults(func=cmd_train)

    evaluate = msub.add_parser(
        "evaluate", help="evaluate a model, or the approach on a labelled CSV",
        description="Without --csv: the figures of a registered model (default: the one in "
        "service) on today's validation rows. With --csv FILE --target COLUMN: the same "
        "preprocessing and model families under stratified cross-validation on any labelled "
        "lead table (numeric and categorical columns detected). Identifier columns (unique "
        "per row, or monotonic with a value per row) and suspected leaks (a column that "
        "alone ranks the outcome almost perfectly, or is mostly missing for one class and "
        "decisive where filled) are excluded and named; --keep uses one anyway. The folds' "
        "progress goes to stderr.")
    evaluate.add_argument("--version", help="model version (default: the one in service)")
    evaluate.add_argument("--csv", help="a labelled lead table (CSV, delimiter sniffed)")
    evaluate.add_argument("--target", help="the outcome column of --csv")
    evaluate.add_argument("--drop", action="append", metavar="COLUMNS",
                          help="comma-separated columns of --csv to leave out (repeatable)")
    evaluate.add_argument("--keep", action="append", metavar="COLUMN",
                          help="use a column of --csv that was excluded as an identifier or "
                          "a suspected leak (repeatable)")
    evaluate.add_argument("--positive", help="the target value that means converted "
                          "(default: true/1/the larger value)")
    evaluate.add_argument("--baseline", nargs="?", const="", metavar="COLUMN",
                          help="with --csv: also fit a default HistGradientBoostingClassifier "
                          "on the same folds and print its ROC AUC beside the model's; "
                          "COLUMN, if given: a score column to compare against too (left out "
                          "of the features)")
    evaluate.add_argument("--folds", type=positive_int, default=5, help="folds (default 5)")
    common(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    score = msub.add_parser("score", help="score every open lead into ml.lead_scores, or a CSV",
                            description="Score every open lead with a model (default: the "
                            "one in service): probability, 1-99 score, tier, priority rank "
                            "and three reasons in words; replaces today's rows only. With "
                            "--csv FILE: score the rows of any lead table instead, as a CSV "
                            "with those columns appended (a missing model column is an error "
                            "naming it).")
    score.add_argument("--version", help="model version (default: the one in service)")
    score.add_argument("--csv", help="score the rows of this lead table instead (a bought "
                       "list, another CRM's export): its columns are matched to the model's "
                       "feature columns by name; nothing is written to the warehouse")
    score.add_argument("--out", help="with --csv: write the scored rows here (default: "
                       "stdout)")
    score.add_argument("--id", metavar="COLUMN", help="with --csv: the column that names each "
                       "row in the priority ranking (default: row numbers)")
    score.add_argument("--allow-missing", action="store_true",
                       help="with --csv: score model columns the CSV lacks as unknown")
    score.set_defaults(func=cmd_score)

    listing = msub.add_parser("list", help="registered models with metrics and status",
                              description="Every model version, newest first: its ROC AUC "
                              "and Brier score beside the rule score's on its validation "
                              "leads, and its status (served, refused, retired, candidate).")
    listing.set_defaults(func=cmd_list)

    promote = msub.add_parser("promote", help="serve a model version",
                              description="Serve VERSION from now on (recorded in "
                              "ml.model_runs); a model the gate refused needs --force.")
    promote.add_argument("version", metavar="VERSION")
    promote.add_argument("--force", action="store_true",
                         help="serve it even though the quality gate refused it")
    promote.set_defaults(func=cmd_promote)

    rollback = msub.add_parser("rollback", help="serve the previously served model again",
                               description="Serve again the model that served before the "
                               "current one (recorded in ml.model_runs).")
    rollback.set_defaults(func=cmd_rollback)
