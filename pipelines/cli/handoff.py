"""`leadflow scoring backtest` and `leadflow handoff simulate`: judge rule changes of the
hand-off on history before they are switched on. The warehouse is only read: both
rebuild the dbt models with the candidate seeds in a throwaway copy of it."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from pipelines.cli.common import CliError, iso_date, positive_int
from pipelines.project import paths


def _progress():
    """A step printer for stderr: what was done, seconds since the start."""
    started = time.monotonic()

    def say(step: str) -> None:
        print(f"  {step} ({time.monotonic() - started:.0f} s)", file=sys.stderr)

    return say


def _check_inputs(rules_dir: Path, warehouse: Path) -> None:
    """The folder and the warehouse exist: said before the long work is announced."""
    if not rules_dir.is_dir():
        raise CliError(f"no such folder: {rules_dir}")
    if not warehouse.is_file():
        raise CliError(f"no warehouse at {warehouse} yet: run `leadflow run` first")


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
    _check_inputs(rules_dir, where.warehouse)
    print(f"building the current and the candidate rules in a copy of {where.warehouse} "
          "(the warehouse is only read) ...", file=sys.stderr)
    try:
        result = backtest.run(where.warehouse, rules_dir, options, where.duckdb_temp,
                              _progress())
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


# ---------------------------------------------------------------- handoff simulate


def _minutes(value) -> str:
    if value is None:
        return "-"
    return f"{value / 60:.1f} h" if value >= 90 else f"{value:.0f} min"


def _table(header: tuple[str, ...], lines: list[tuple[str, ...]], total: bool) -> str:
    widths = [max([len(h), *(len(line[i]) for line in lines)]) for i, h in enumerate(header)]

    def fmt(cells):
        return "  ".join(c.rjust(w) if i else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [fmt(header), rule]
    for n, line in enumerate(lines):
        if total and n == len(lines) - 1:
            out.append(rule)
        out.append(fmt(line))
    return "\n".join(out)


def handoff_tables(result) -> tuple[str, str]:
    """The week table and the rep table: 'current / candidate' where they differ."""
    weeks = []
    for row in result.weeks:
        r = dict(zip(result.week_columns, row, strict=True))
        weeks.append((
            "window" if r["week"] is None else r["week"].isoformat(),
            _pair(f"{r['handed_current']:,}", f"{r['handed_candidate']:,}"),
            _pair(_minutes(r["expected_response_minutes_current"]),
                  _minutes(r["expected_response_minutes_candidate"])),
            _pair(f"{r['expected_sla_breaches_current']:.1f}",
                  f"{r['expected_sla_breaches_candidate']:.1f}"),
            _pair(f"{r['expected_conversions_lost_current']:.2f}",
                  f"{r['expected_conversions_lost_candidate']:.2f}"),
        ))
    week_table = _table(("week", "handed", "exp. response", "exp. SLA breaches",
                         "exp. conversions lost"), weeks, total=True)
    reps = []
    for row in result.reps:
        r = dict(zip(result.rep_columns, row, strict=True))
        available = r["is_available_candidate"]
        status = "-" if available is None else ("no" if not available else (
            f"away {r['away_days_candidate']}d" if r["away_days_candidate"] else "yes"))
        estimate = "*" if r["is_team_estimate"] else ""
        cap = r["max_open_leads_candidate"]
        reps.append((
            r["team"], r["owner"], status, "-" if cap is None else f"{cap:,}",
            _pair(f"{r['leads_current']:,}", f"{r['leads_candidate']:,}"),
            _pair(f"{r['passed_on_current']:,}", f"{r['passed_on_candidate']:,}"),
            _minutes(r["expected_response_minutes"]) + estimate,
            _pct(r["expected_within_sla"]),
            _pair(f"{r['expected_sla_breaches_current']:.1f}",
                  f"{r['expected_sla_breaches_candidate']:.1f}"),
            _pair(f"{r['expected_conversions_lost_current']:.2f}",
                  f"{r['expected_conversions_lost_candidate']:.2f}"),
        ))
    rep_table = _table(("team", "owner", "candidate", "cap", "leads", "passed on",
                        "exp. response", "within SLA",
                        "exp. breaches", "exp. conv. lost"), reps, total=False)
    return week_table, rep_table


def cmd_handoff_simulate(args: argparse.Namespace) -> int:
    from pipelines.handoff import simulate
    from pipelines.handoff.rebuild import BuildOptions, RulesError

    if args.date_from > args.date_to:
        raise CliError(f"--from {args.date_from} is after --to {args.date_to}")
    where = paths()
    options = BuildOptions(horizon_days=args.horizon)
    rules_dir = Path(args.rules).expanduser().resolve()
    _check_inputs(rules_dir, where.warehouse)
    print(f"building the current and the candidate rules in a copy of {where.warehouse} "
          "(the warehouse is only read) ...", file=sys.stderr)
    try:
        result = simulate.run(where.warehouse, rules_dir, args.date_from, args.date_to,
                              options, where.duckdb_temp, _progress())
    except RulesError as exc:
        raise CliError(str(exc)) from None
    if not result.weeks:
        raise CliError(f"no lead was handed to sales (entered MQL) from {args.date_from} to "
                       f"{args.date_to} under either rule set: nothing to compare")
    week_table, rep_table = handoff_tables(result)
    days = (result.end - result.start).days + 1
    print(f"hand-off replay {result.start} .. {result.end} ({days} days): current seeds vs "
          f"candidate {', '.join(result.replaced)} from {rules_dir} (cells 'current / "
          "candidate' where they differ)")
    print(week_table)
    print()
    print(rep_table)
    if any(row[result.rep_columns.index("is_team_estimate")] for row in result.reps):
        print("* no touched lead of this rep yet: the team's figures")
    bands = ", ".join(f"{band} {_pct(rate)} ({mature:,} leads)"
                      for band, _, mature, rate in result.bands)
    print(f"measured conversion within {options.horizon_days} days of hand-off by response "
          f"band: {bands}")
    print("expected: response = the owner's median minutes to the first touch; SLA breaches "
          "= leads x the owner's share answered outside the SLA; conversions lost = leads x "
          "the owner's answers' average shortfall, band by band, against the conversion of "
          "answers within the hour (the team's figures for a rep without history)")
    if args.out:
        target = Path(args.out).expanduser().resolve()
        try:
            simulate.write_csv(result, target)
        except OSError as exc:
            raise CliError(f"cannot write {exc.filename or target}: {exc.strerror}") from None
        print(f"wrote {target} and {target.with_name(target.stem + '_reps.csv')}")
    return 0


HANDOFF_DESCRIPTION = """\
Replay the hand-off of a past window under a candidate rule set beside the current seeds:
the leads the MQL rules hand to sales (entering MQL from --from to --to), the rep each is
dealt to by routing's rules and dealing at its hand-off (weighted round-robin; a rep away
that day in rep_availability, not available in sales_reps or holding max_open_leads open
leads passes it to the next rep of the team, else it waits in the team queue), and what
the owners' measured response history lets one expect: speed-to-lead, SLA breaches and
conversions lost to slow response. DIR holds any of the scoring and lifecycle seeds of
`leadflow scoring backtest`, routing_rules.csv, sales_reps.csv and rep_availability.csv,
with the seed's columns; a file left out stays as it is. The warehouse is only read and
nothing in it changes."""


def add_handoff_parser(sub) -> None:
    """Register `leadflow handoff simulate`."""
    handoff = sub.add_parser("handoff", help="the marketing-to-sales hand-off: what-if on history",
                             description="The hand-off from marketing to sales: MQL rules, "
                             "routing, reps.")
    hsub = handoff.add_subparsers(dest="handoff_command", required=True, metavar="SUBCOMMAND")
    sim = hsub.add_parser("simulate", help="replay candidate MQL, routing and rep rules together",
                          description=HANDOFF_DESCRIPTION,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    sim.add_argument("--rules", metavar="DIR", required=True,
                     help="folder of candidate rule files (see above)")
    sim.add_argument("--from", dest="date_from", type=iso_date, required=True, metavar="DATE",
                     help="first hand-off day, YYYY-MM-DD (UTC)")
    sim.add_argument("--to", dest="date_to", type=iso_date, required=True, metavar="DATE",
                     help="last hand-off day, YYYY-MM-DD (UTC), inclusive")
    sim.add_argument("--horizon", type=positive_int, default=90, metavar="DAYS",
                     help="conversion horizon in days for the conversions lost (default 90)")
    sim.add_argument("--out", metavar="CSV",
                     help="also write the week table to CSV (and the rep table beside it, "
                     "<name>_reps.csv)")
    sim.set_defaults(func=cmd_handoff_simulate)
