"""`leadflow routing simulate` and `leadflow segments list | export`: activation from the
command line. Both read the warehouse read-only; neither changes it."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import duckdb

from pipelines.cli.common import CliError, read_only_warehouse
from pipelines.cli.common import iso_date as _date
from pipelines.project import DBT_PROJECT_DIR, paths


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    from pipelines.activation.warehouse import table_exists

    return table_exists(con, schema, table)


# ---------------------------------------------------------------- routing simulate


def _value(value):
    """None for a missing value (None, NaN or pandas NA), else the value."""
    try:
        return None if value is None or value != value else value
    except TypeError:  # pandas NA
        return None


def _cell(value, fmt, missing: str = "-") -> str:
    value = _value(value)
    return missing if value is None else fmt(value)


def _minutes(value) -> str:
    if _value(value) is None:
        return "-"
    return f"{value / 60:.1f} h" if value >= 90 else f"{value:.0f} min"


def cmd_routing_simulate(args: argparse.Namespace) -> int:
    from pipelines.activation import replay
    from pipelines.activation.routing import RoutingError

    if args.date_from > args.date_to:
        raise CliError(f"--from {args.date_from} is after --to {args.date_to}")
    candidate = bool(args.rules or args.reps or args.availability)
    where = paths().warehouse
    if where.is_file():  # compiled before the warehouse is opened (dbt opens it too)
        try:
            queries = replay.replay_queries(where)
        except RoutingError as exc:
            raise CliError(str(exc)) from None
    with read_only_warehouse() as con:
        for schema, table in (("marts", "dim_leads"), ("staging", "stg_ml__lead_scores"),
                              ("activation", "rep_response_history")):
            if not _has_table(con, schema, table):
                raise CliError(f"no {schema}.{table} yet: run `leadflow run` first")
        try:
            baseline = None
            if candidate:  # the seeds as they stand, to compare the candidate with
                replay.bind_seed_files(con, DBT_PROJECT_DIR / "seeds")
                baseline = replay.simulate(con, queries, args.date_from, args.date_to)
            replay.bind_seed_files(con, DBT_PROJECT_DIR / "seeds",
                                   rules=Path(args.rules) if args.rules else None,
                                   reps=Path(args.reps) if args.reps else None,
                                   availability=(Path(args.availability)
                                                 if args.availability else None))
            result = replay.simulate(con, queries, args.date_from, args.date_to)
        except RoutingError as exc:
            raise CliError(str(exc)) from None
    days = (result.end - result.start).days + 1
    print(f"routing replay of {result.leads:,} leads created {result.start} .. {result.end} "
          f"({days} days), as if none had an owner"
          + (" (candidate files; 'seed' = leads under the seed files)" if candidate else ""))
    before = {(r["team"], r["owner"]): r["leads"] for r in baseline.rows} if baseline else {}
    print(f"{'team':<12}{'owner':<18}{'weight':>7}{'avail':>6}{'leads':>8}"
          + (f"{'seed':>7}" if candidate else "")
          + f"{'share':>7}{'per day':>8}{'tier A':>7}{'cap':>6}{'peak':>6}{'away d':>7}"
          f"{'passed':>7}{'took':>6}{'exp. response':>15}{'within SLA':>11}")
    for row in result.rows:
        response = _value(row["expected_response_minutes"])
        estimate = "*" if row["is_team_estimate"] and response is not None else " "
        print(f"{row['team']:<12}{row['owner']:<18}"
              f"{_cell(row['capacity_weight'], lambda w: str(int(w))):>7}"
              f"{_cell(row['is_available'], lambda a: 'yes' if a else 'no'):>6}"
              f"{row['leads']:>8,}"
              + (f"{before.get((row['team'], row['owner']), 0):>7,}" if candidate else "")
              + f"{_cell(row['share'], lambda s: f'{s:.0%}', '0%'):>7}"
              f"{row['leads'] / days:>8.1f}{row['tier_a_leads']:>7,}"
              f"{_cell(row['max_open_leads'], lambda c: str(int(c))):>6}"
              f"{row['peak_open_leads']:>6,}{row['away_days']:>7,}"
              f"{row['passed_on_leads']:>7,}{row['fallback_leads']:>6,}"
              f"{_minutes(response):>14}{estimate}"
              f"{_cell(row['expected_within_sla'], lambda w: f'{w:.0%}'):>11}")
    for label, sim in (("seed rules", baseline), ("", result)):
        if sim is not None and (line := _expected(sim)):
            print(f"expected speed-to-lead{' under the ' + label if label else ''}: {line}")
    if any(row["is_team_estimate"] and row["leads"] for row in result.rows):
        print("* no touched lead of this rep yet: the team's figure")
    print("rules fired: " + ", ".join(f"{rule} {count:,}" for rule, count in result.rules))
    for label, sim in (("seed files", baseline), ("", result)):
        if sim is not None:
            print(f"capacity{' under the ' + label if label else ''}: " + _notes(sim))
    print("cap = max_open_leads (- none), peak = most open leads held, away d = days away in "
          "the window, passed = leads the rep could not take (away or at the cap), took = "
          "leads it got because another rep could not")
    return 0


def _notes(sim) -> str:
    """The leads that did not go where the round-robin or the rule first sent them."""
    if not sim.notes:
        return "every lead went to the rep whose turn it was (no cap or absence bit)"
    queued = sum(n for note, n in sim.notes if note.startswith("team_"))
    return (", ".join(f"{note} {n:,}" for note, n in sim.notes)
            + (f"; {queued:,} left in the team queue without owner" if queued else ""))


def _expected(sim) -> str | None:
    """The lead-weighted median response of the owners and share within the SLA."""
    minutes = within = weight = 0.0
    for row in sim.rows:
        response = _value(row["expected_response_minutes"])
        if row["leads"] and response is not None:
            minutes += row["leads"] * response
            within += row["leads"] * (_value(row["expected_within_sla"]) or 0.0)
            weight += row["leads"]
    if not weight:
        return None
    return (f"{_minutes(minutes / weight)} (lead-weighted median response of the owners), "
            f"{within / weight:.0%} within the SLA")


# ---------------------------------------------------------------- segments


def _definitions():
    from pipelines.activation import segments

    try:
        return segments.load_definitions()
    except segments.SegmentError as exc:
        raise CliError(str(exc)) from None


def cmd_segments_list(args: argparse.Namespace) -> int:
    from pipelines.activation import segments

    definitions = _definitions()
    counts: dict = {}
    where = paths()
    if where.warehouse.exists():
        with read_only_warehouse() as con:
            if _has_table(con, "activation", "segments"):
                counts = segments.member_counts(con)
    print(f"{'segment':<24}{'members':>9}  {'materialised':<13}description")
    for name, seg in definitions.items():
        members, day = counts.get(name, (None, None))
        wrapped = textwrap.wrap(seg.description, 70) or [""]
        print(f"{name:<24}{('-' if members is None else f'{members:,}'):>9}  "
              f"{(str(day) if day else 'not yet'):<13}{wrapped[0]}")
        for line in wrapped[1:]:
            print(" " * 48 + line)
    return 0


def cmd_segments_export(args: argparse.Namespace) -> int:
    from pipelines.activation import segments

    try:
        segments.check_name(args.name)
    except segments.SegmentError as exc:
        raise CliError(str(exc)) from None
    definitions = _definitions()
    if args.name not in definitions:
        known = ", ".join(definitions) or "none"
        raise CliError(f"unknown segment {args.name!r} (known: {known})")
    with read_only_warehouse() as con:
        if not _has_table(con, "activation", "segments"):
            raise CliError("no segments materialised yet: run `leadflow run` first")
        materialised = segments.member_counts(con)
        if args.name not in materialised:
            raise CliError(f"segment {args.name!r} has not been materialised yet (it is new): "
                           "run `leadflow run` first")
        day = materialised[args.name][1]
        try:
            if args.out:
                target = Path(args.out).expanduser().resolve()
                if target.is_dir():
                    target = target / f"{args.name}.{args.format}"
            else:
                target = segments.default_path(paths().exports, args.name, day, args.format)
            rows = segments.export(con, args.name, args.format, target,
                                   hash_emails=args.hash_emails)
        except segments.SegmentError as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:
            raise CliError(f"cannot write {exc.filename or target}: {exc.strerror}") from None
    print(f"wrote {rows:,} leads of segment {args.name} (materialised {day}) to {target}")
    return 0


def _columns_help() -> str:
    from pipelines.activation.segments import EXPORT_COLUMNS

    return "\n".join(f"  {name:<24}{meaning}" for name, meaning in EXPORT_COLUMNS)


def add_activation_parsers(sub) -> None:
    """Register `leadflow routing ...` and `leadflow segments ...` on the main parser."""
    routing = sub.add_parser("routing", help="lead routing: replay rules before switching them on",
                             description="Lead routing (seed routing_rules, sales_reps).")
    rsub = routing.add_subparsers(dest="routing_command", required=True, metavar="SUBCOMMAND")
    sim = rsub.add_parser(
        "simulate", help="replay the routing rules over past leads",
        description="Replay the routing rules as they stand in dbt_project/seeds (or --rules "
        "/ --reps / --availability files) over the leads created between --from and --to, as "
        "if none had an owner, and print the load per rep and the speed-to-lead to expect "
        "(each rep's historical median response). Each lead is dealt on its creation day: "
        "reps away that day (rep_availability) or holding max_open_leads open leads "
        "(sales_reps; a lead counts until it is won or disqualified) pass it to the next "
        "rep of the team, else it waits in the team queue; the capacity line counts these "
        "by reason. Reads the warehouse only; changes nothing.")
    sim.add_argument("--from", dest="date_from", type=_date, required=True, metavar="DATE",
                     help="first creation day, YYYY-MM-DD (UTC)")
    sim.add_argument("--to", dest="date_to", type=_date, required=True, metavar="DATE",
                     help="last creation day, YYYY-MM-DD (UTC), inclusive")
    sim.add_argument("--rules", metavar="CSV",
                     help="a candidate routing_rules.csv (default: the seed)")
    sim.add_argument("--reps", metavar="CSV",
                     help="a candidate sales_reps.csv, e.g. with max_open_leads caps "
                          "(default: the seed)")
    sim.add_argument("--availability", metavar="CSV",
                     help="a candidate rep_availability.csv of absences (default: the seed)")
    sim.set_defaults(func=cmd_routing_simulate)

    seg = sub.add_parser("segments", help="marketing segments: list, export",
                         description="Segments defined in segments/*.yml, materialised on "
                         "every run (consented leads only).")
    ssub = seg.add_subparsers(dest="segments_command", required=True, metavar="SUBCOMMAND")
    lst = ssub.add_parser("list", help="the segments, their members and descriptions",
                          description="Every defined segment with its member count at the "
                          "last run and its description.")
    lst.set_defaults(func=cmd_segments_list)
    exp = ssub.add_parser(
        "export", help="write a segment to CSV or Parquet",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Write the members of a segment, as materialised by the last run, to "
            "data/exports/segments/NAME/<date>.<format> or --out. Leads without marketing "
            "consent never leave. Text cells starting with = + - @ (or a tab or carriage "
            "return) get a leading ' so that no spreadsheet runs them as a formula.", 78),
        epilog="columns, in this order:\n" + _columns_help())
    exp.add_argument("name", metavar="NAME", help="segment name (see `leadflow segments list`)")
    exp.add_argument("--format", choices=["csv", "parquet"], default="csv",
                     help="file format (default csv)")
    exp.add_argument("--out", metavar="PATH",
                     help="output file (or folder) instead of the exports folder")
    exp.add_argument("--hash-emails", action="store_true",
                     help="e-mails as hex SHA-256 of the lower-cased, trimmed address")
    exp.set_defaults(func=cmd_segments_export)
