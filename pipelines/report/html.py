"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no scripts,
no external resource of any kind, so it opens offline and prints cleanly."""

from __future__ import annotations

from html import escape

import pandas as pd

from pipelines.report.fmt import fmt
from pipelines.report.sections import Section, Table

MAX_ROWS = 60  # rows shown per table on the page; the CSV holds them all
OPEN_ROWS = 12  # longer tables start folded

CSS = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f8fafc; --card:#fff;
        --accent:#2563eb; --bad:#b91c1c; --ok:#047857; --warn:#b45309; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,
       sans-serif; color:var(--ink); background:var(--bg); }
header.top { background:#0f172a; color:#fff; padding:20px 32px; }
header.top h1 { margin:0; font-size:22px; font-weight:600; }
header.top p { margin:4px 0 0; color:#cbd5e1; font-size:13px; }
nav { background:#fff; border-bottom:1px solid var(--line); padding:8px 32px;
      position:sticky; top:0; z-index:1; }
nav a { color:var(--accent); text-decoration:none; margin-right:16px; font-size:13px; }
main { max-width:1280px; margin:0 auto; padding:16px 32px 48px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px;
          padding:16px 24px 20px; margin:20px 0; }
h2 { margin:0 0 4px; font-size:18px; }
p.lead { margin:0 0 12px; color:var(--muted); }
.kpis { display:grid; grid-template-columns:repeat(auto-fill,minmax(200px,1fr)); gap:12px;
        margin:0; padding:0; }
.kpi { background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:10px 14px;
       margin:0; }
.kpi dt { color:var(--muted); font-size:12px; }
.kpi dd { margin:2px 0 0; font-size:22px; font-weight:600; font-variant-numeric:tabular-nums; }
.charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(480px,1fr)); gap:16px; }
figure.chart { margin:0; border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
figcaption { font-weight:600; margin-bottom:4px; }
figure svg { width:100%; height:auto; display:block; overflow:visible; }
svg text { font:11px system-ui,sans-serif; fill:#4b5563; }
svg text.value { fill:var(--ink); font-weight:600; }
svg text.axis-title { fill:var(--muted); }
svg .grid { stroke:#eef0f3; } svg .axis-zero { stroke:#9ca3af; }
svg .line { fill:none; stroke-width:2; }
svg .reference { stroke:#9ca3af; stroke-dasharray:4 4; fill:none; }
svg .threshold { stroke:var(--bad); stroke-dasharray:5 3; }
svg .threshold-label { fill:var(--bad); }
svg .mark:hover { opacity:.75; }
ul.legend { list-style:none; margin:6px 0 0; padding:0; display:flex; flex-wrap:wrap; gap:4px 14px;
            font-size:12px; color:var(--muted); }
.swatch { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; }
.chart-note { margin:4px 0 0; font-size:12px; color:var(--muted); }
p.empty { background:#fff7ed; border:1px solid #fed7aa; color:#9a3412; border-radius:6px;
          padding:10px 14px; }
details { margin-top:10px; } summary { cursor:pointer; color:var(--accent); font-size:13px; }
.table-wrap { overflow-x:auto; margin-top:10px; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; font-size:13px; }
caption { text-align:left; font-weight:600; padding:4px 0 6px; }
caption a { font-weight:400; font-size:12px; margin-left:8px; color:var(--accent); }
th, td { padding:4px 10px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { background:var(--bg); text-align:left; font-weight:600; }
td.num, th.num { text-align:right; }
td.failed { color:var(--bad); font-weight:600; } td.warning { color:var(--warn); font-weight:600; }
td.passed { color:var(--ok); }
.kpis.compare { grid-template-columns:repeat(auto-fill,minmax(280px,1fr)); }
.kpi dd.small, .kpi dd.window.small, tr.small td { color:#9ca3af; }
.kpi dd.vs, .kpi dd.sample, .kpi dd.window, .kpi dd.partial { font-size:12px; font-weight:400;
  color:var(--muted); margin:2px 0 0; }
.kpi dd.partial { font-style:italic; }
.kpi dd.spark { margin:4px 0 0; display:flex; align-items:center; gap:6px; font-size:11px;
  color:var(--muted); }
.delta { font-weight:600; } .delta.good { color:var(--ok); } .delta.bad { color:var(--bad); }
.delta.muted { color:#9ca3af; }
aside[id=check-summary] { border-radius:6px; padding:10px 14px; margin:16px 0 0; font-size:13px; }
aside.checks-failed { background:#fef2f2; border:1px solid #fecaca; color:var(--bad); }
aside.checks-warning { background:#fffbeb; border:1px solid #fde68a; color:var(--warn); }
aside.checks-ok { background:#ecfdf5; border:1px solid #a7f3d0; color:var(--ok); }
aside[id=check-summary] ul { margin:4px 0; padding-left:18px; color:var(--ink); }
aside[id=check-summary] a { color:var(--accent); }
svg text.value tspan.n { fill:var(--muted); font-weight:400; }
svg text.value.small { fill:#9ca3af; }
svg text.cell { fill:var(--ink); font-size:11px; } svg text.cell.dark { fill:#fff; }
svg text.cell.small { fill:#9ca3af; } svg text.cell.n { font-size:9px; }
svg text.note { fill:var(--warn); font-style:italic; }
svg .cell-empty { fill:#fafafa; stroke:#f3f4f6; }
svg .break { stroke:#fff; stroke-width:2; fill:none; }
details.totals summary { margin-top:12px; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:16px; }
@media print { nav { display:none; } section { break-inside:avoid; } }
"""


def table_html(table: Table) -> str:
    frame = table.frame
    head = "".join(f'<th scope="col" class="{"" if unit == "text" else "num"}">'
                   f"{escape(header)}</th>" for _, header, unit in table.columns)
    rows = []
    small = table.small_rows or []
    for i, record in enumerate(frame.head(MAX_ROWS).to_dict("records")):
        cells = []
        for column, _, unit in table.columns:
            value = record.get(column)
            text = fmt(value, unit) if not (unit == "text" and pd.isna(value)) else "–"
            cls = "num" if unit != "text" else (str(value) if column == "outcome" else "")
            cells.append(f'<td class="{cls}">{escape(text)}</td>')
        grey = ' class="small" title="a small sample"' if i < len(small) and small[i] else ""
        rows.append(f"<tr{grey}>" + "".join(cells) + "</tr>")
    more = (f" (first {MAX_ROWS} of {len(frame):,} rows)" if len(frame) > MAX_ROWS else "")
    return (f'<div class="table-wrap"><table data-table="{escape(table.name)}">'
            f"<caption>{escape(table.caption)}{escape(more)}"
            f'<a href="{escape(table.name)}.csv">CSV</a></caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def section_html(section: Section) -> str:
    parts = [f'<section id="{section.key}" data-section="{section.key}" '
             f'aria-labelledby="h-{section.key}">',
             f'<h2 id="h-{section.key}">{escape(section.title)}</h2>',
             f'<p class="lead">{escape(section.lead)}</p>']
    if section.empty:
        parts.append(f'<p class="empty">No data to show: {escape(section.empty)}.</p>')
    else:
        parts.append('<div class="charts">' + "".join(section.charts) + "</div>")
        for table in section.tables:
            opened = " open" if len(table.frame) <= OPEN_ROWS else ""
            parts.append(f'<details id="table-{escape(table.name)}"{opened}>'
                         f"<summary>Table: {escape(table.caption)} "
                         f"({len(table.frame):,} rows)</summary>{table_html(table)}</details>")
    parts.append("</section>")
    return "".join(parts)


def page(title: str, subtitle: str, cards: list[tuple[str, str]], sections: list[Section],
         footer: str, tiles: str = "", alerts: str = "") -> str:
    """The whole page: header, the checks needing attention, the headline figures (the
    period comparison ``tiles`` first, the whole-history ``cards`` below), one section per
    part, footer."""
    nav = "".join(f'<a href="#{s.key}">{escape(s.title)}</a>' for s in sections)
    kpis = "".join(f'<div class="kpi"><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>'
                   for label, value in cards)
    totals = (f'<dl class="kpis">{kpis}</dl>' if cards else
              '<p class="empty">No data to show: the KPI table is empty.</p>')
    if tiles:
        lead = ("The latest complete month against the month before, and the last 30 and 7 "
                "complete days against the window before each (marts.rpt_kpi_comparison); "
                "the day being filled and the month to date are left out of every "
                "comparison. n is the sample a rate or average rests on; grey: a small "
                "sample, its change not to be read.")
        body = (tiles + '<details class="totals"><summary>Whole history to date '
                "(marts.rpt_headline_kpis)</summary>" + totals + "</details>")
        csv = '<a href="kpi_comparison.csv">CSV</a> · <a href="headline_kpis.csv">CSV (totals)</a>'
    else:
        lead, body = "The whole warehouse to date (marts.rpt_headline_kpis).", totals
        csv = '<a href="headline_kpis.csv">CSV</a>'
    headline = ('<section id="headline" data-section="headline" aria-labelledby="h-headline">'
                '<h2 id="h-headline">Headline figures</h2>'
                f'<p class="lead">{escape(lead)}</p>{body}'
                f'<p class="chart-note">{csv}</p></section>')
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{CSS}</style></head><body>"
            f'<header class="top"><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>'
            f'<nav aria-label="Sections"><a href="#headline">Headline</a>{nav}</nav>'
            f"<main>{alerts}{headline}{''.join(section_html(s) for s in sections)}</main>"
            f"<footer>{escape(footer)}</footer></body></html>\n")
