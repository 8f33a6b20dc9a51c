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
    if args.target or args.drop:
        raise CliError("--target and --drop go with --csv")
    from models_ml import runs

    with _warehouse(write=False) as con:
        version = _version(args)
        try:
            evaluation = runs.evaluate_version(con, _registry(), version, _config(args))
        except (FeatureError, RegistryError) as exc:
            raise CliError(str(exc)) from None
    print("\n".join(evaluation_lines(evaluation, f"model {version} on today's validation rows")))
    return 0


def _evaluate_csv(args: argparse.Namespace) -> int:
    import pandas as pd

    from models_ml.crossval import cross_validate, prepare_table
    from models_ml.evaluation_text import evaluation_lines
    from models_ml.features import FeatureError

    path = Path(args.csv)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    if not args.target:
        raise CliError("--csv needs --target COLUMN (the 0/1 or yes/no outcome)")
    try:
        table = pd.read_csv(path, sep=None, engine="python")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CliError(f"cannot read {path} as CSV: {str(exc).splitlines()[0]}") from None
    drop = [c.strip() for c in (args.drop or "").split(",") if c.strip()]
    try:
        table, y, spec = prepare_table(table, args.target, drop, args.baseline, args.positive)
        result = cross_validate(table, y, spec, _config(args), args.folds, args.baseline)
    except FeatureError as exc:
        raise CliError(str(exc)) from None
    print(f"{path.name}: {len(y):,} rows, {int(y.sum()):,} positive; "
          f"{len(spec.numeric)} numeric and {len(spec.categorical)} categorical columns")
    print(f"  numeric: {', '.join(spec.numeric) or '-'}")
    print(f"  categorical: {', '.join(spec.categorical) or '-'}")
    print(f"{result.folds}-fold stratified cross-validation (seed {args.seed}); winners: "
          + ", ".join(result.winners) + "; ROC AUC per fold: "
          + ", ".join(f"{a:.4f}" for a in result.fold_auc))
    print()
    print("\n".join(evaluation_lines(result.evaluation, "out-of-fold figures")))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from models_ml import runs
    from models_ml.evaluation_text import drift_lines
    from models_ml.features import FeatureError
    from models_ml.registry import RegistryError

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
        "lead table (numeric and categorical columns detected).")
    evaluate.add_argument("--version", help="model version (default: the one in service)")
    evaluate.add_argument("--csv", help="a labelled lead table (CSV, delimiter sniffed)")
    evaluate.add_argument("--target", help="the outcome column of --csv")
    evaluate.add_argument("--drop", help="comma-separated columns of --csv to leave out "
                          "(identifiers, leaky fields)")
    evaluate.add_argument("--positive", help="the target value that means converted "
                          "(default: true/1/the larger value)")
    evaluate.add_argument("--baseline", help="a score column of --csv to compare against "
                          "(left out of the features)")
    evaluate.add_argument("--folds", type=positive_int, default=5, help="folds (default 5)")
    common(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    score = msub.add_parser("score", help="score every open lead into ml.lead_scores",
                            description="Score every open lead with a model (default: the "
                            "one in service): probability, 0-100 score, tier, priority rank "
                            "and three signed reasons; replaces today's rows only.")
    score.add_argument("--version", help="model version (default: the one in service)")
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
