"""`leadflow scoring backtest`: judge rule changes of the hand-off on history before they
are switched on. The warehouse is only read: the dbt models are rebuilt with the
candidate seeds in a throwaway copy of it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from pipelines.cli.common import CliError, positive_int
from pipelines.project import paths


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pair(current: str, candidate: str) -> str:
    return f"{current} / {candidate}" if current != candidate else current


def backtest_table(result) -> str:
    """The comparison as a table: 'current / candidate' where they differ."""
    header = ("week", "MQLs", "MQL->customer", "customers", "recall", "scored",
              "rule AUC", "top-10% lift", "changed")
    lines = []
    for row in result.rows:
        r = dict(zip(result.columns, row, strict=True))
        lines.append((
            "all weeks" if r["week"] is None else r["week"].isoformat(),
            _pair(f"{r['mqls_current']:,}", f"{r['mqls_candidate']:,}"),
            _pair(_pct(r["mql_customer_rate_current"]), _pct(r["mql_customer_rate_candidate"])),
            f"{r['customers']:,}",
            _pair(_pct(r["recall_current"]), _pct(r["recall_candidate"])),
            f"{r['scored_leads']:,}",
            _pair(_num(r["rule_score_auc_current"], 3), _num(r["rule_score_auc_candidate"], 3)),
            _pair(_num(r["top_decile_lift_current"]), _num(r["top_decile_lift_candidate"])),
            f"{r['leads_changed']:,}",
        ))
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    out = ["  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in
                     enumerate(zip(header, widths, strict=True)))]
    out.append("  ".join("-" * w for w in widths))
    for n, line in enumerate(lines):
        if n == len(lines) - 1:
            out.append("  ".join("-" * w for w in widths))
        out.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                             enumerate(zip(line, widths, strict=True))))
    return "\n".join(out)


def cmd_scoring_backtest(args: argparse.Namespace) -> int:
    from pipelines.handoff import backtest
    from pipelines.handoff.rebuild import BuildOptions, RulesError

    where = paths()
    options = BuildOptions(horizon_days=args.horizon, score_age_days=args.score_age)
    rules_dir = Path(args.rules).expanduser().resolve()
    if args.out:
        target = Path(args.out).expanduser().resolve()
    else:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = where.exports / "backtests" / f"scoring_{stamp}.csv"
    if target.is_dir():
        raise CliError(f"--out {target} is a folder: give a file name")
    print(f"building the current and the candidate rules in a copy of {where.warehouse} "
          "(the warehouse is only read) ...", file=sys.stderr)
    try:
        result = backtest.run(where.warehouse, rules_dir, options, where.duckdb_temp)
    except RulesError as exc:
        raise CliError(str(exc)) from None
    try:
        backtest.write_csv(result, target)
    except OSError as exc:
        raise CliError(f"cannot write {exc.filename or target}: {exc.strerror}") from None
    print(f"rule backtest: current seeds vs candidate {', '.join(result.replaced)} "
          f"from {rules_dir} (cells 'current / candidate' where they differ; "
          f"horizon {options.horizon_days} days, rule score {options.score_age_days} days "
          "after creation)")
    print(backtest_table(result))
    total = result.total
    print(f"{total['leads_changed']:,} leads change stage; MQLs {total['mqls_current']:,} -> "
          f"{total['mqls_candidate']:,}, MQL->customer within {options.horizon_days} days "
          f"{_pct(total['mql_customer_rate_current'])} -> "
          f"{_pct(total['mql_customer_rate_candidate'])}, customers caught "
          f"{_pct(total['recall_current'])} -> {_pct(total['recall_candidate'])}")
    print(f"wrote {target}")
    return 0


BACKTEST_DESCRIPTION = """\
Replay candidate copies of the scoring and lifecycle seeds over the warehouse's history
beside the current seeds (dbt_project/seeds), week by week. DIR holds any of
scoring_rules.csv, scoring_groups.csv, scoring_grades.csv, scoring_parameters.csv (points,
caps, grades, decay half-life), lifecycle_rules.csv (MQL and SQL rules: points, threshold,
window) and lifecycle_rule_gates.csv, with the seed's columns; a file left out stays as it
is. Both rule sets are built by dbt, with the project's own models, in a throwaway copy
of the warehouse; the warehouse is only read and nothing in it changes."""

BACKTEST_EPILOG = """\
columns, current beside candidate (the CSV has one column per rule set; the last row,
'all', is the whole history):
  MQLs           leads entering MQL in the week
  MQL->customer  share of the week's MQLs that became customers within --horizon days
                 ('-' while that horizon has not closed)
  customers      leads becoming customers in the week; recall: the share of them that
                 were MQLs by then
  scored         leads created in the week scored --score-age days after creation (their
                 horizon closed, not converted by then); rule AUC: ROC AUC of the rule
                 score (fit + engagement) for conversion within the horizon; top-10% lift:
                 conversion of the top decile by rule score over the week's rate
  changed        leads whose stages (which, or when entered) differ, in the week of the
                 first difference"""


def add_scoring_parser(sub) -> None:
    """Register `leadflow scoring backtest`."""
    scoring = sub.add_parser("scoring", help="rule scoring: backtest rule changes on history",
                             description="Rule-based scoring and the lifecycle (MQL) rules.")
    ssub = scoring.add_subparsers(dest="scoring_command", required=True, metavar="SUBCOMMAND")
    bt = ssub.add_parser("backtest", help="replay candidate scoring / MQL rules over history",
                         description=BACKTEST_DESCRIPTION, epilog=BACKTEST_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    bt.add_argument("--rules", metavar="DIR", required=True,
                    help="folder of candidate seed files (see above)")
    bt.add_argument("--horizon", type=positive_int, default=90, metavar="DAYS",
                    help="conversion horizon in days (default 90)")
    bt.add_argument("--score-age", type=_age, default=7, metavar="DAYS",
                    help="days after creation the rule score is taken for AUC and lift "
                    "(default 7; 0 = at creation)")
    bt.add_argument("--out", metavar="CSV",
                    help="CSV file to write (default data/exports/backtests/"
                    "scoring_<time>.csv)")
    bt.set_defaults(func=cmd_scoring_backtest)


def _age(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more days, got {value}")
    return value

