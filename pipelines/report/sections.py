"""The report's sections: for each, its charts, its tables (each also written as CSV) and,
where the warehouse has nothing to show yet, the reason in words."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipelines.report import charts as ch
from pipelines.report.fmt import fmt
from pipelines.report.queries import ReportData

DEFAULT_MODEL = "linear"  # the attribution model the ROI charts show (all are in the table)
PSI_THRESHOLD = 0.25
ALL_COLOR = "#111827"
# a channel keeps its colour in every chart (order of the channels seed; others by name)
CHANNEL_COLORS = dict(zip(("organic_search", "paid_search", "paid_social", "organic_social",
                           "email", "referral", "partner", "events", "direct", "other"),
                          ch.PALETTE, strict=True))
CHECK_FAMILIES = {"gx_contract": "raw contracts (GX)", "quarantine_share": "quarantine share",
                  "gx_mart_suite": "mart suites (GX)", "quality_gate": "model gate",
                  "score_drift": "score drift"}
OUTCOME_COLORS = {"passed": "#10b981", "warning": "#f59e0b", "failed": "#ef4444"}
STAGES = (("leads", "Lead"), ("mqls", "MQL"), ("sqls", "SQL"), ("opportunities", "Opportunity"),
          ("customers", "Customer"))
STAGES_BY_KEY = (("lead", "Lead"), ("mql", "MQL"), ("sql", "SQL"), ("opportunity", "Opportunity"),
                 ("customer", "Customer"))
# the stages after lead, as rpt_funnel_conversion names its rate columns
FUNNEL_STEPS = ("mql", "sql", "opportunity", "customer")


@dataclass
class Table:
    """A table of the page and its CSV file ``<name>.csv``; columns: (column, header, unit)."""

    name: str
    caption: str
    frame: pd.DataFrame
    columns: list[tuple[str, str, str]]
    small_rows: list[bool] | None = None  # rows over a small sample, shown grey


@dataclass
class Section:
    key: str
    title: str
    lead: str
    charts: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    empty: str | None = None  # why there is nothing to show


def build_sections(data: ReportData) -> list[Section]:
    return [funnel(data), cohorts(data), attribution(data), sales(data), speed(data),
            scores(data), drift(data), quality(data)]


def channel_color(channel: str) -> str:
    return CHANNEL_COLORS.get(channel) or ch.PALETTE[sum(map(ord, channel)) % len(ch.PALETTE)]


def _channel_names(frame: pd.DataFrame, column: str, data: ReportData | None = None
                   ) -> list[str]:
    """The channels' report names (rpt_channels), else the key in words."""
    labels = data.channel_labels if data is not None else {}
    return [labels.get(c) or str(c).replace("_", " ").capitalize() for c in frame[column]]


def _months(labels: list[str], data: ReportData) -> list[str]:
    """Month labels ('YYYY-MM'), a partial month (rpt_report_periods) marked as such."""
    return [f"{m} (partial)" if m in data.partial_months else m for m in labels]


def _small(samples, data: ReportData) -> list[bool]:
    """Which samples are below the report's smallest readable sample (rpt_report_context)."""
    least = data.min_sample_size or 0
    return [bool(pd.notna(n) and n < least) for n in samples]


def funnel(data: ReportData) -> Section:
    s = Section("funnel", "Funnel", "Every lead since the data begins, by the furthest "
                "lifecycle stage it reached (any stage), and the strict conversion from one "
                "stage to the next (every earlier stage entered, in order).")
    if data.funnel.empty or not data.funnel["leads"].iloc[0]:
        s.empty = "no leads in the warehouse yet"
        return s
    row = data.funnel.iloc[0]  # the rates as rpt_funnel_conversion defines them
    frame = pd.DataFrame({
        "stage": [label for _, label in STAGES],
        "leads_reached": [row[c] for c, _ in STAGES],
        "share_of_leads": [1.0] + [row[f"any_lead_to_{s}_rate"] for s in FUNNEL_STEPS],
        "strict_leads": [row["leads"]] + [row[f"strict_{c}"] for c, _ in STAGES[1:]],
        "strict_conversion_from_previous": [None] + [
            row[f"strict_{a}_to_{b}_rate"]
            for a, b in zip(("lead",) + FUNNEL_STEPS, FUNNEL_STEPS, strict=False)],
    })
    s.charts.append(ch.bar_chart(
        "funnel_counts", "Leads reaching each stage", list(frame["stage"]),
        [ch.Series("leads", list(frame["leads_reached"]))], value_labels=True,
        x_title="lifecycle stage (furthest reached, any order)", y_title="leads"))
    entered = list(frame["strict_leads"])[:-1]  # the sample of each step: its first stage
    s.charts.append(ch.bar_chart(
        "funnel_conversion", "Strict conversion from the previous stage",
        [f"{a} → {b}" for (_, a), (_, b) in zip(STAGES, STAGES[1:], strict=False)],
        [ch.Series("conversion", list(frame["strict_conversion_from_previous"])[1:],
                   samples=entered, small=_small(entered, data))],
        unit="rate", value_labels=True, x_title="step (n = leads at its first stage)",
        y_title="conversion"))
    _velocity(s, data)
    s.tables.append(Table("funnel", "Funnel stages", frame, [
        ("stage", "Stage", "text"), ("leads_reached", "Leads reaching it", "count"),
        ("share_of_leads", "Share of all leads", "rate"),
        ("strict_leads", "In strict order", "count"),
        ("strict_conversion_from_previous", "Strict conversion from previous", "rate")]))
    return s


def _velocity(s: Section, data: ReportData) -> None:
    """Median days between stages (rpt_stage_velocity), with each step's sample."""
    v = data.velocity
    if v.empty or not v["sample_size"].sum():
        return
    names = dict(STAGES_BY_KEY)
    labels = [f"{names[a]} → {names[b]}" for a, b in zip(v["from_stage"], v["to_stage"],
                                                          strict=True)]
    s.charts.append(ch.hbar_chart(
        "stage_velocity", "Median days from one stage to the next", labels,
        list(v["median_days"]), unit="days", samples=list(v["sample_size"]),
        small=list(v["is_small_sample"]), x_title="median days (n = people in both stages)",
        y_title="lifecycle step",
        note="Grey: fewer people than the smallest sample the report reads from."))
    s.tables.append(Table("stage_velocity", "Days between lifecycle stages", v, [
        ("from_stage", "From", "text"), ("to_stage", "To", "text"),
        ("sample_size", "People (n)", "count"), ("median_days", "Median", "days"),
        ("p25_days", "25th percentile", "days"), ("p75_days", "75th percentile", "days"),
        ("mean_days", "Mean", "days")], small_rows=list(v["is_small_sample"])))


def cohorts(data: ReportData) -> Section:
    s = Section("cohorts", "Cohort conversion", "Leads grouped by the month they were created "
                "and their original channel: each cell is the share of the cohort that has "
                "reached the stage so far, with the cohort's size (n). Recent cohorts have "
                "had less time to convert; a partial month (the first with data, the one "
                "being filled) is marked, and a cohort smaller than the smallest readable "
                "sample is grey.")
    months = data.cohorts[data.cohorts["grouping_level"] == "month"]
    if months.empty:
        s.empty = "no lead cohorts yet"
        return s
    labels = [m.strftime("%Y-%m") for m in pd.to_datetime(months["cohort_month"])]
    by = data.cohorts[data.cohorts["grouping_level"] == "month_channel"].copy()
    by["label"] = pd.to_datetime(by["cohort_month"]).dt.strftime("%Y-%m")
    top = data.channels.set_index("original_channel")["leads"].sort_values(ascending=False)
    _cohort_heatmaps(s, data, list(top.index))
    stacked = by.pivot_table(index="label", columns="original_channel", values="leads",
                             aggfunc="sum").reindex(labels).fillna(0)
    order = list(top.index)
    s.charts.append(ch.bar_chart(
        "cohort_leads", "New leads per month by original channel", _months(labels, data),
        [ch.Series(c.replace("_", " "), list(stacked[c]), channel_color(c)) for c in order
         if c in stacked.columns],
        stacked=True, x_title="month the lead was created", y_title="new leads"))
    table = data.cohorts.copy()
    table["cohort_month"] = pd.to_datetime(table["cohort_month"]).dt.strftime("%Y-%m")
    table = table.sort_values(["cohort_month", "grouping_level"])
    s.tables.append(Table("cohort_conversion", "Conversion by cohort month and channel "
                          "(grey: a small cohort)", table, [
        ("cohort_month", "Cohort", "text"), ("original_channel", "Channel", "text"),
        ("leads", "Leads", "count"), ("mqls", "MQLs", "count"), ("sqls", "SQLs", "count"),
        ("opportunities", "Opportunities", "count"), ("customers", "Customers", "count"),
        ("any_lead_to_mql_rate", "Lead → MQL", "rate"),
        ("any_lead_to_customer_rate", "Lead → customer", "rate")],
        small_rows=_small(table["leads"], data)))
    return s


def _cohort_heatmaps(s: Section, data: ReportData, channels: list[str]) -> None:
    """Channel x cohort month grids of lead -> MQL and lead -> customer
    (rpt_cohort_conversion), all channels first, then by lead volume."""
    grid = data.cohort_grid
    if grid.empty:
        return
    grid = grid.assign(month=pd.to_datetime(grid["cohort_month"]).dt.strftime("%Y-%m"))
    months = sorted(grid["month"].unique())
    complete = grid.groupby("month")["is_complete_month"].first().reindex(months)
    notes = ["" if done else "partial" for done in complete]
    rows = ["(all)"] + [c for c in channels if c in set(grid["channel"])]
    names = grid.groupby("channel")["channel_label"].first()

    def cells(column: str) -> list[list]:
        wide = grid.pivot_table(index="channel", columns="month", values=column,
                                aggfunc="first").reindex(index=rows, columns=months)
        return [[None if pd.isna(v) else v for v in r] for r in wide.to_numpy().tolist()]

    samples = cells("leads")
    small = [[bool(v) if v is not None else False for v in r] for r in cells("is_small_sample")]
    for column, stage in (("any_lead_to_mql_rate", "MQL"),
                          ("any_lead_to_customer_rate", "customer")):
        s.charts.append(ch.heatmap(
            f"cohort_{'mql' if stage == 'MQL' else 'customer'}_rate",
            f"Lead → {stage} by cohort month and original channel",
            [str(names.get(r, r)) for r in rows], months, cells(column), unit="rate",
            samples=samples, small=small, column_notes=notes,
            x_title="cohort: month the lead was created",
            y_title="original channel", note="n = leads in the cohort; grey: a small sample."))


def attribution(data: ReportData) -> Section:
    s = Section("attribution", "Attribution, ROI and CAC",
                f"Spend against revenue credited to each channel. Charts use the "
                f"{DEFAULT_MODEL} model; the table holds every attribution model."
                + "".join(f" {label}: {note}." for label, note in data.channel_notes.items()))
    roi = data.roi
    if roi.empty or not (roi["spend_usd"].sum() or roi["attributed_revenue_usd"].sum()):
        s.empty = "no spend and no attributed revenue yet"
        return s
    model = DEFAULT_MODEL if DEFAULT_MODEL in set(roi["model"]) else roi["model"].iloc[0]
    one = roi[(roi["model"] == model) & ((roi["spend_usd"] > 0) | (roi["leads"] > 0))]
    one = one.sort_values("attributed_revenue_usd", ascending=False)
    s.charts.append(ch.bar_chart(
        "channel_spend_revenue", f"Spend and attributed revenue per channel ({model})",
        _channel_names(one, "channel", data),
        [ch.Series("spend", list(one["spend_usd"])),
         ch.Series("attributed revenue", list(one["attributed_revenue_usd"]))], unit="usd",
        x_title="channel (by attributed revenue)", y_title="USD"))
    paid = data.roi_sorted[data.roi_sorted["model"] == model] if not data.roi_sorted.empty \
        else data.roi_sorted
    if not paid.empty:  # rpt_channel_roi_ranked: best first, with the won deals touched
        values = list(paid["roi"])
        s.charts.append(ch.hbar_chart(
            "channel_roi", f"ROI per paid channel ({model}), best first",
            list(paid["channel_label"]), values, unit="rate",
            highlight=list(paid["roi"].fillna(0) < 0), samples=list(paid["wins_touched"]),
            small=list(paid["is_small_sample"]), clip=_clip(values),
            x_title="ROI (n = won deals the channel touched)", y_title="paid channel",
            note="(attributed revenue - spend) / spend; red: the channel loses money; a bar "
                 "cut by a break runs beyond the scale (its label gives the value); grey: "
                 "too few won deals to read."))
        by_cac = paid.sort_values("cac_rank")
        s.charts.append(ch.hbar_chart(
            "channel_cac", f"CAC per paid channel ({model}), cheapest first",
            list(by_cac["channel_label"]), list(by_cac["cac_usd"]), unit="usd",
            samples=list(by_cac["wins_touched"]), small=list(by_cac["is_small_sample"]),
            x_title="CAC in USD (n = won deals the channel touched)", y_title="paid channel",
            note="spend / attributed wins (the sum of the channel's credits)"))
    wide = roi.pivot_table(index="channel", columns="model", values="attributed_revenue_usd",
                           aggfunc="sum")
    wide = wide[wide.sum(axis=1) > 0]
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False).index]
    s.charts.append(ch.bar_chart(
        "attribution_models", "Attributed revenue per channel under each model",
        [data.channel_labels.get(c) or str(c).replace("_", " ").capitalize()
         for c in wide.index],
        [ch.Series(m.replace("_", " "), list(wide[m])) for m in wide.columns], unit="usd",
        x_title="channel", y_title="attributed revenue (USD)"))
    _campaign_roi(s, data, model)
    s.tables.append(Table("channel_roi", "ROI and CAC per attribution model and channel", roi, [
        ("model", "Model", "text"), ("channel", "Channel", "text"),
        ("spend_usd", "Spend", "usd"), ("leads", "Leads", "count"),
        ("customers", "Customers", "count"), ("cost_per_lead_usd", "Cost per lead", "usd"),
        ("attributed_wins", "Attributed wins", "count"),
        ("attributed_revenue_usd", "Attributed revenue", "usd"), ("cac_usd", "CAC", "usd"),
        ("roi", "ROI", "rate")]))
    return s


def _clip(values: list) -> float | None:
    """Where the ROI scale stops: when the highest value is more than three times the
    largest size of any other (and above 100%), at 1.5 times that size (at least 100%),
    so one outlier does not flatten every other bar."""
    shown = sorted((float(v) for v in values if pd.notna(v)), reverse=True)
    if len(shown) < 2:
        return None
    rest = max(abs(v) for v in shown[1:])
    if shown[0] <= max(3 * rest, 1.0):
        return None
    return max(1.5 * rest, 1.0)


def _campaign_roi(s: Section, data: ReportData, model: str) -> None:
    """Campaign x month ROI of the paid campaigns (rpt_campaign_roi_monthly)."""
    frame = data.campaign_roi
    if frame.empty:
        return
    one = frame[(frame["model"] == model) & (frame["spend_usd"] > 0)].copy()
    if one.empty:
        return
    one["month_label"] = pd.to_datetime(one["month"]).dt.strftime("%Y-%m")
    months = sorted(one["month_label"].unique())
    complete = one.groupby("month_label")["is_complete_month"].first().reindex(months)
    spend = one.groupby(["channel", "campaign"])["spend_usd"].sum().sort_values(
        ascending=False)
    rows = list(spend.index[:12])

    def cells(column: str) -> list[list]:
        wide = one.pivot_table(index=["channel", "campaign"], columns="month_label",
                               values=column, aggfunc="first").reindex(
            index=pd.MultiIndex.from_tuples(rows), columns=months)
        return [[None if pd.isna(v) else v for v in r] for r in wide.to_numpy().tolist()]

    small = [[bool(v) if v is not None else False for v in r]
             for r in cells("is_small_sample")]
    s.charts.append(ch.heatmap(
        "campaign_roi_monthly", f"ROI per campaign and month ({model})",
        [f"{c} ({data.channel_labels.get(ch_, ch_)})" for ch_, c in rows], months,
        cells("roi"), unit="rate", samples=cells("wins_touched"), small=small, diverging=True,
        column_notes=["" if done else "partial" for done in complete],
        x_title="month (spend paid, deals won)", y_title="campaign",
        note="(revenue credited to the campaign for deals won that month - its spend that "
             "month) / spend; n = won deals it touched; grey: a small sample. Revenue lands "
             "when a deal is won, so a campaign's payback shows in later months."))
    table = one.sort_values(["channel", "campaign", "month"])
    s.tables.append(Table("campaign_roi_monthly", f"Campaign ROI per month ({model})", table, [
        ("month_label", "Month", "text"), ("channel", "Channel", "text"),
        ("campaign", "Campaign", "text"), ("spend_usd", "Spend", "usd"),
        ("attributed_revenue_usd", "Attributed revenue", "usd"),
        ("wins_touched", "Won deals touched (n)", "count"), ("roi", "ROI", "rate")],
        small_rows=list(table["is_small_sample"])))


def sales(data: ReportData) -> Section:
    s = Section("sales", "Sales", "Deals closed per month: win rate, new and contracted "
                "recurring revenue (contracts assumed annual).")
    if data.sales.empty:
        s.empty = "no deal has closed yet"
        return s
    frame = data.sales.copy()
    frame["month"] = pd.to_datetime(frame["closed_month"]).dt.strftime("%Y-%m")
    labels = _months(list(frame["month"]), data)
    s.charts.append(ch.line_chart("sales_arr", "ARR at month end", labels,
                                  [ch.Series("ARR", list(frame["arr_usd"]))], unit="usd",
                                  x_title="month", y_title="ARR (USD)"))
    closed = list(frame["deals_won"] + frame["deals_lost"])
    s.charts.append(ch.bar_chart(
        "sales_win_rate", "Win rate of deals closed per month", labels,
        [ch.Series("win rate", list(frame["win_rate"]), samples=closed,
                   small=_small(closed, data))], unit="rate", value_labels=True,
        x_title="month the deals closed (n = deals closed)", y_title="win rate",
        note="Grey: fewer deals closed than the smallest sample the report reads from."))
    s.tables.append(Table("sales_kpis", "Sales KPIs per month", frame, [
        ("month", "Month", "text"), ("deals_won", "Won", "count"),
        ("deals_lost", "Lost", "count"), ("win_rate", "Win rate", "rate"),
        ("avg_won_deal_usd", "Average won deal", "usd"),
        ("avg_sales_cycle_days", "Sales cycle", "days"), ("new_mrr_usd", "New MRR", "usd"),
        ("arr_usd", "ARR", "usd"), ("arr_growth", "ARR growth", "rate")],
        small_rows=_small(closed, data)))
    return s


def speed(data: ReportData) -> Section:
    s = Section("speed", "Speed to lead and SLA", "Time from the handoff to sales (MQL) to "
                "the first sales touch; a breach is a first touch later than the SLA of the "
                "lead's tier (seed sla_policies), or none yet after it, counted in business "
                "hours of the team's calendar (seeds business_hours, team_holidays).")
    bins = data.speed_bins
    if bins.empty or not bins["leads"].sum():
        s.empty = "no lead has been handed to sales yet"
        return s
    s.charts.append(ch.bar_chart(
        "speed_distribution", "Leads by time to first touch", list(bins["response_time"]),
        [ch.Series("within SLA", list(bins["leads"] - bins["sla_breaches"]), "#10b981"),
         ch.Series("SLA breach", list(bins["sla_breaches"]), "#ef4444")], stacked=True,
        x_title="time from handoff to first sales touch", y_title="leads handed to sales"))
    teams = data.speed_teams
    s.charts.append(ch.hbar_chart(
        "sla_by_team", "SLA breach rate per team", [str(t) for t in teams["team"]],
        list(teams["sla_breach_rate"]), unit="rate", samples=list(teams["leads"]),
        small=_small(teams["leads"], data), x_title="SLA breach rate (n = leads handed)",
        y_title="team"))
    cols = [("leads", "Leads handed", "count"), ("leads_touched", "Touched", "count"),
            ("median_response_minutes", "Median response", "minutes"),
            ("p95_response_minutes", "p95 response", "minutes"),
            ("share_within_hour", "Within the hour", "rate"),
            ("sla_breaches", "SLA breaches", "count"),
            ("sla_breach_rate", "Breach rate", "rate")]
    s.tables.append(Table("speed_to_lead_distribution", "Leads by time to first touch", bins,
                          [("response_time", "Time to first touch", "text"),
                           ("leads", "Leads", "count"),
                           ("sla_breaches", "SLA breaches", "count")]))
    s.tables.append(Table("speed_to_lead_by_team", "Speed to lead per team", teams,
                          [("team", "Team", "text"), *cols],
                          small_rows=_small(teams["leads"], data)))
    s.tables.append(Table("speed_to_lead_by_channel", "Speed to lead per source channel",
                          data.speed_channels, [("source_channel", "Channel", "text"), *cols],
                          small_rows=_small(data.speed_channels["leads"], data)))
    if not data.response_bands.empty:
        _response_bands(s, data.response_bands, data)
    if data.open_breaches is not None:
        _open_breaches(s, data.open_breaches, data.open_breach_teams)
    return s


def _response_bands(s: Section, bands: pd.DataFrame, data: ReportData) -> None:
    """Conversion by response-time band, per tier (rpt_response_band_conversion): does a
    faster first touch go with more qualified leads and customers?"""
    overall = bands[bands["tier"] == "all"]
    s.charts.append(ch.hbar_chart(
        "sql_rate_by_response_band", "Sales-qualified rate by response time (all tiers)",
        [str(b) for b in overall["response_band"]], list(overall["sql_rate"]), unit="rate",
        samples=list(overall["leads"]), small=_small(overall["leads"], data),
        x_title="share of handed leads that became sales-qualified (n = leads handed)",
        y_title="time from handoff to first sales touch"))
    s.tables.append(Table(
        "conversion_by_response_band", "Conversion by response time, per tier (calendar time "
        "from the handoff to the first sales touch)", bands, [
            ("tier", "Tier", "text"), ("response_band", "Response", "text"),
            ("leads", "Leads handed", "count"), ("sales_qualified", "Sales-qualified", "count"),
            ("sql_rate", "SQL rate", "rate"), ("customers", "Customers", "count"),
            ("customer_rate", "Customer rate", "rate"),
            ("median_business_minutes", "Median business time", "minutes"),
            ("sla_breaches", "SLA breaches", "count")],
        small_rows=_small(bands["leads"], data)))


def _open_breaches(s: Section, breaches: pd.DataFrame, teams: pd.DataFrame) -> None:
    """Open assigned leads past the SLA of their tier (activation.sla_breaches, rolled up
    by the rpt_open_sla_breaches models)."""
    if breaches.empty:
        s.charts.append('<p class="empty">No open SLA breaches: every open assigned lead was '
                        "touched within the SLA of its tier.</p>")
        return
    s.charts.append(ch.bar_chart(
        "open_sla_breaches", "Open leads past their tier's SLA, per team", list(teams["team"]),
        [ch.Series("not touched yet", list(teams["untouched"]), "#ef4444"),
         ch.Series("touched late", list(teams["touched_late"]), "#f59e0b")], stacked=True,
        x_title="team", y_title="open leads past the SLA"))
    s.tables.append(Table("open_sla_breaches", "Open SLA breaches per team, owner and tier "
                          "(activation.sla_breaches)", breaches, [
        ("team", "Team", "text"), ("owner", "Owner", "text"), ("tier", "Tier", "text"),
        ("sla_hours", "SLA", "hours"),
        ("breaches", "Breaches", "count"), ("untouched", "Not touched yet", "count"),
        ("median_hours_over_sla", "Median over SLA", "hours"),
        ("max_hours_over_sla", "Longest over SLA", "hours")]))


def scores(data: ReportData) -> Section:
    s = Section("scores", "Lead scores and model quality",
                f"The open leads scored on {data.report_date}, and how the model in service "
                "did on its validation leads (the newest leads whose outcome is known), beside "
                "the rule-based score.")
    run = data.model_run
    if run is None:
        s.empty = data.missing.get("scores") or data.missing.get("model")
        return s
    scored = "scores" not in data.missing
    if scored:
        bins = data.score_bins
        labels = [f"{a}-{b}" if a != b else f"{a}"
                  for a, b in zip(bins["score_from"], bins["score_to"], strict=True)]
        s.charts.append(ch.bar_chart(
            "score_distribution", "Open leads by score (1-99) and tier",
            labels, [ch.Series(f"tier {t}", list(bins[f"tier_{t.lower()}"])) for t in "ABCD"],
            stacked=True, x_title="score band", y_title="open leads scored"))
    else:  # a model in service, no open lead to score (every outcome window has closed)
        s.lead += f" {data.missing['scores'][0].upper()}{data.missing['scores'][1:]}."
    evaluation = run["evaluation"]
    tiers = pd.DataFrame(evaluation.get("tiers", []))
    rule_tiers = pd.DataFrame(evaluation.get("rule_tiers", []))
    if not tiers.empty:
        n = list(tiers["rows"]) if "rows" in tiers else None
        series = [ch.Series("model tier", list(tiers["conversion_rate"]), samples=n,
                            small=_small(n, data) if n else None)]
        if not rule_tiers.empty:
            rule = rule_tiers.set_index("tier").reindex(tiers["tier"])
            rn = list(rule["rows"]) if "rows" in rule else None
            series.append(ch.Series("rule-score quartile", list(rule["conversion_rate"]),
                                    samples=rn, small=_small(rn, data) if rn else None))
        s.charts.append(ch.bar_chart(
            "conversion_by_tier", "Conversion by tier on validation leads",
            [f"Tier {t}" for t in tiers["tier"]], series, unit="rate", value_labels=True,
            x_title="tier (n = validation leads in it)", y_title="conversion"))
    calibration = pd.DataFrame(evaluation.get("calibration", []))
    rule_cal = pd.DataFrame(evaluation.get("rule_calibration", []))
    base = run.get("base_rate") or evaluation.get("model", {}).get("base_rate")
    if not calibration.empty:
        cal_series = [("model", list(calibration["predicted"]), list(calibration["observed"]))]
        if not rule_cal.empty:
            cal_series.append(("rule score", list(rule_cal["predicted"]),
                               list(rule_cal["observed"])))
        s.charts.append(ch.xy_chart(
            "calibration", "Calibration: predicted against observed conversion", cal_series,
            x_title="predicted probability (band mean)", y_title="observed conversion"))
        lift = _lift(calibration, rule_cal, base)
        s.charts.append(ch.bar_chart(
            "lift", "Lift by decile (top decile first)", list(lift["decile"]),
            [ch.Series("model", list(lift["model_lift"]))]
            + ([ch.Series("rule score", list(lift["rule_lift"]))] if "rule_lift" in lift
               else []), unit="ratio", note="conversion in the decile / overall conversion",
            x_title="score decile (D1 = highest scores)", y_title="lift"))
        s.tables.append(Table("calibration", "Calibration by score band (lowest first)",
                              calibration, [("band", "Band", "count"), ("rows", "Leads", "count"),
                                            ("predicted", "Predicted", "rate"),
                                            ("observed", "Observed", "rate")]))
        s.tables.append(Table("lift", "Lift by decile", lift,
                              [("decile", "Decile", "text"),
                               ("model_lift", "Model lift", "ratio"),
                               *([("rule_lift", "Rule-score lift", "ratio")]
                                 if "rule_lift" in lift else [])]))
    s.tables.insert(0, Table("model_quality", f"Model {run['model_version']} "
                             f"({run['model_kind']}) against the rule score",
                             _quality(run), [("metric", "Metric", "text"),
                                             ("model", "Model", "score"),
                                             ("rule_score", "Rule score", "score")]))
    if scored:
        s.tables.append(Table(
            "score_distribution", f"Open leads by score on {data.report_date}", bins,
            [("score_from", "Score from", "count"), ("score_to", "Score to", "count"),
             ("leads", "Leads", "count"),
             *[(f"tier_{t.lower()}", f"Tier {t}", "count") for t in "ABCD"]]))
        s.tables.append(Table("score_tiers", f"Open leads per tier on {data.report_date}",
                              data.tiers, [("tier", "Tier", "text"), ("leads", "Leads", "count"),
                                           ("mean_probability", "Mean probability", "rate"),
                                           ("min_score", "Lowest score", "count"),
                                           ("max_score", "Highest score", "count")]))
    if not tiers.empty:
        s.tables.append(Table("conversion_by_tier", "Conversion by tier (validation leads)",
                              tiers, [("tier", "Tier", "text"), ("rows", "Leads", "count"),
                                      ("conversions", "Conversions", "count"),
                                      ("conversion_rate", "Conversion", "rate")]))
    return s


def _lift(calibration: pd.DataFrame, rule: pd.DataFrame, base: float | None) -> pd.DataFrame:
    bands = calibration.sort_values("band", ascending=False).reset_index(drop=True)
    out = pd.DataFrame({"decile": [f"D{i + 1}" for i in range(len(bands))],
                        "model_lift": bands["observed"] / base if base else None})
    if not rule.empty and base:
        out["rule_lift"] = list(rule.sort_values("band", ascending=False)["observed"] / base)
    return out


def _quality(run: dict) -> pd.DataFrame:
    names = (("roc_auc", "ROC AUC"), ("pr_auc", "PR AUC"), ("brier", "Brier score (lower is "
             "better)"), ("top_decile_precision", "Precision in the top decile"),
             ("top_decile_lift", "Lift in the top decile"))
    rows = [{"metric": label, "model": run.get(key), "rule_score": run.get(f"rule_{key}")}
            for key, label in names]
    # the validation leads as of their creation only (later snapshots of a lead that has
    # not converted yet are easy to rank by age alone)
    at_creation = (run.get("evaluation") or {}).get("at_creation")
    if at_creation:
        rows += [{"metric": f"{label}, at creation", "model": at_creation["model"].get(key),
                  "rule_score": at_creation.get("rule", {}).get(key)}
                 for key, label in names if key in ("roc_auc", "pr_auc", "top_decile_lift")]
    return pd.DataFrame(rows)


def drift(data: ReportData) -> Section:
    s = Section("drift", "Drift", "Population stability index (PSI) of today's scores and "
                "features against the model's validation leads; above "
                f"{PSI_THRESHOLD} a column is flagged.")
    if data.drift.empty:
        s.empty = data.missing.get("scores") or f"no drift measured on {data.report_date}"
        return s
    top = data.drift.head(15)
    flagged = int(data.drift["is_drifted"].sum())
    s.lead += (f" {flagged} of {len(data.drift)} columns flagged." if flagged
               else f" No column of {len(data.drift)} is flagged.")
    s.charts.append(ch.hbar_chart(
        "drift_psi", "PSI: the probability, then the largest feature shifts",
        [str(c) for c in top["column_name"]], list(top["psi"]), unit="score",
        threshold=PSI_THRESHOLD, threshold_label=f"flag at {PSI_THRESHOLD}",
        highlight=list(top["is_drifted"]), x_title="population stability index",
        y_title="column"))
    s.tables.append(Table("drift", "Drift per column", data.drift, [
        ("column_name", "Column", "text"), ("psi", "PSI", "score"),
        ("is_drifted", "Flagged", "text")]))
    return s


def quality(data: ReportData) -> Section:
    s = Section("quality", "Data quality", "Rows loaded and quarantined per source (all files "
                "so far), the commonest quarantine reasons, and the checks of the run.")
    src = data.sources
    if src.empty or not src["rows_loaded"].sum():
        s.empty = "no file has been loaded yet"
        return s
    s.charts.append(ch.bar_chart("rows_loaded", "Rows loaded per source", list(src["source"]),
                                 [ch.Series("rows loaded", list(src["rows_loaded"]))],
                                 value_labels=True, x_title="inbox source",
                                 y_title="rows loaded"))
    rows_read = list(src["rows_loaded"] + src["rows_quarantined"])
    s.charts.append(ch.hbar_chart("quarantine_share", "Share of rows quarantined per source",
                                  list(src["source"]), list(src["quarantine_share"]),
                                  unit="rate", threshold=0.05, threshold_label="warn at 5%",
                                  samples=rows_read, x_title="rows quarantined "
                                  "(n = rows read)", y_title="inbox source"))
    checks = data.checks
    if checks.empty:
        why = f"run {data.run_id[:8]} recorded no checks" if data.run_id else \
            "no run of the daily job is recorded"
        s.charts.append(f'<p class="empty">No checks to show: {why}.</p>')
    else:
        families = checks.assign(family=checks["check"].map(
            lambda c: CHECK_FAMILIES.get(c, "dbt tests")))
        counts = families.pivot_table(index="family", columns="outcome", values="check",
                                      aggfunc="count").fillna(0)
        passed = int(checks["passed"].sum())
        s.charts.append(ch.bar_chart(
            "checks", f"Checks of run {data.run_id[:8]}: {passed:,} of {len(checks):,} passed",
            list(counts.index), [ch.Series(o, list(counts[o]), color) for o, color in
                                 OUTCOME_COLORS.items() if o in counts], stacked=True,
            value_labels=True, x_title="kind of check", y_title="checks"))
    s.tables.append(Table("data_quality_sources", "Rows per source", src, [
        ("source", "Source", "text"), ("files", "Files", "count"),
        ("files_quarantined", "Files quarantined", "count"),
        ("rows_loaded", "Rows loaded", "count"), ("rows_quarantined", "Rows quarantined", "count"),
        ("quarantine_share", "Quarantined", "rate")]))
    s.tables.append(Table("quarantine_reasons", "Commonest quarantine reasons", data.quarantine,
                          [("source", "Source", "text"), ("reason", "Reason", "text"),
                           ("rows", "Rows", "count")]))
    attention = checks[checks["outcome"].isin(("failed", "warning"))] if not checks.empty \
        else checks
    if not attention.empty:  # the summary at the top of the page links here
        s.tables.append(Table("checks_attention", "Checks that failed or warned", attention, [
            ("asset", "Asset", "text"), ("check", "Check", "text"),
            ("outcome", "Outcome", "text"), ("severity", "Severity", "text")]))
    if not checks.empty:
        s.tables.append(Table("checks", "Asset checks of the run (failures first)", checks, [
            ("asset", "Asset", "text"), ("check", "Check", "text"),
            ("outcome", "Outcome", "text"), ("severity", "Severity", "text")]))
    return s


def kpi_cards(data: ReportData) -> list[tuple[str, str]]:
    return [(row.kpi_label, fmt(row.value, row.unit)) for row in data.kpis.itertuples()]
