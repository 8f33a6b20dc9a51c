"""`leadflow model train | evaluate | score`: the predictive lead score from the command
line, on the warehouse (or, for `evaluate --csv`, on any labelled lead table)."""

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

    with _warehouse(write=True) as con:
        try:
            outcome = runs.train_and_gate(con, _registry(), _config(args))
        except FeatureError as exc:
            raise CliError(str(exc)) from None
        runs.write_run(con, outcome)
    window = outcome.metadata["training_window"]
    print("\n".join(evaluation_lines(
        outcome.evaluation, f"model {outcome.version} ({outcome.metadata['kind']}), trained on "
        f"{window['training_rows']:,} rows, validated on {window['validation_rows']:,} "
        f"(leads created from {window['validation_from'][:10]})")))
    print("\ncandidates (validation ROC AUC): " + ", ".join(
        f"{k} {v:.4f}" for k, v in outcome.metadata["candidate_roc_auc"].items()))
    print(f"saved to {_registry().folder(outcome.version)}")
    print(f"gate: {outcome.decision.reason}")
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
    if args.target or args.drop or args.baseline is not None:
        raise CliError("--target, --drop and --baseline go with --csv")
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
    import numpy as np
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
        column = args.baseline or None  # bare --baseline: the plain model only
        table, y, spec = prepare_table(table, args.target, drop, column, args.positive)
        result = cross_validate(table, y, spec, _config(args), args.folds, column,
                                plain_baseline=args.baseline is not None)
    except FeatureError as exc:
        raise CliError(str(exc)) from None
    print(f"{path.name}: {len(y):,} rows, {int(y.sum()):,} positive; "
          f"{len(spec.numeric)} numeric and {len(spec.categorical)} categorical columns")
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
                            "data/models/<version>/ and promote it unless it is worse than "
                            "the model in service (exit 2 when refused).")
    common(train)
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
    evaluate.add_argument("--baseline", nargs="?", const="", metavar="COLUMN",
                          help="with --csv: also fit a default HistGradientBoostingClassifier "
                          "on the same folds and print its ROC AUC beside the model's; "
                          "COLUMN, if given: a score column to compare against too (left out "
                          "of the features)")
    evaluate.add_argument("--folds", type=positive_int, default=5, help="folds (default 5)")
    common(evaluate)
    evaluate.set_defaults(func=cmd_evaluate)

    score = msub.add_parser("score", help="score every open lead into ml.lead_scores",
                            description="Score every open lead with a model (default: the "
                            "one in service): probability, 0-100 score, tier, priority rank "
                            "and three signed reasons; replaces today's rows only.")
    score.add_argument("--version", help="model version (default: the one in service)")
    score.set_defaults(func=cmd_score)
