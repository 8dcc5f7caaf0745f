"""``dsnparse report --format html``: one self-contained page, charts by Plotly, tables that sort.

The page makes no network request of any kind: plotly.js (from the ``plotly`` package, the
``dsnparse[report]`` extra) and the page's own script and styles are inlined, and its
Content-Security-Policy (``default-src 'none'``) allows only those two scripts, by their SHA-256
hashes, and no fetch, frame, form or font. Text from mail stays text: every table cell is
HTML-escaped, the chart labels are escaped for Plotly's own label markup (which would otherwise
read ``<a href=...>`` as a link), and the chart data travels in a JSON island whose ``<`` are
written ``\\u003c``. Only URLs of the packaged provider tables (``trusted_urls``) that use https
become links, never a URL that came with a message.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Collection, Mapping, Sequence
from importlib import resources
from typing import Any, TextIO

import plotly

from ..classify.blocks import catalogue
from ..summary import Table

CHART_BARS = 20
"""Most bars in one chart (the table below it lists every row)."""
CARDS = 12
"""Incidents shown as cards before the rest fold away under a "more" line."""
HTML_ROWS = 500
"""Most rows a section's table shows (``--format csv`` or ``json`` lists them all)."""

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:1em 1.5em;color:#1d2430;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #d6dbe3}
dl.period{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.5em 0 1em}dt{color:#5b6575}
dd{margin:0}section{break-inside:avoid-page}.note{color:#5b6575;font-size:.9em;margin:.3em 0}
table{border-collapse:collapse;margin:.4em 0;font-variant-numeric:tabular-nums}
th,td{padding:.25em .7em;border-bottom:1px solid #e7eaf0;text-align:left;vertical-align:top;
overflow-wrap:anywhere;max-width:40em}
th{background:#f2f4f8;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.n{text-align:right}.pair{display:grid;grid-template-columns:minmax(16em,max-content) 1fr;gap:1.5em;
align-items:start}.chart{width:100%;min-width:0;height:300px}.pair.time{grid-template-columns:1fr}
#incidents h2,#content_incidents h2{color:#9b1c1c}
.card{border-left:4px solid #c0392b;background:#fbf6f5;padding:.45em .8em;margin:.5em 0;break-inside:avoid}
.card.quiet,.card.accepted{border-left-color:#9aa5b5;background:#f6f7f9}.card p{margin:.15em 0}
.advice{font-weight:600}.facts{color:#5b6575;font-size:.9em}
.reply{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;white-space:pre-wrap;overflow-wrap:anywhere}
details>summary{cursor:pointer;color:#3b6ea8;margin:.4em 0}
@media print{body{max-width:none;padding:0;font-size:11px}
.pair{grid-template-columns:1fr 1.4fr}
th{cursor:auto}th::after{content:""!important}h2{break-after:avoid}.chart{height:260px}
a[href]::after{content:" (" attr(href) ")";font-size:.85em;color:#5b6575}}
"""

_SCRIPT = """
(function () {
  "use strict";
  var charts = JSON.parse(document.getElementById("chart-data").textContent);
  charts.forEach(function (c) {
    var horizontal = !c.time;
    var trace = {type: "bar", marker: {color: "#3b6ea8"}, hovertemplate: "%{label}: %{value}<extra></extra>"};
    trace[horizontal ? "y" : "x"] = c.labels;
    trace[horizontal ? "x" : "y"] = c.values;
    if (horizontal) { trace.orientation = "h"; }
    var axis = {type: "category", automargin: true};
    if (horizontal) { axis.autorange = "reversed"; }
    var layout = {margin: {t: 8, r: 16, b: 40, l: 16}, bargap: 0.25, font: {size: 12}};
    layout[horizontal ? "yaxis" : "xaxis"] = axis;
    layout[horizontal ? "xaxis" : "yaxis"] = {rangemode: "tozero", automargin: true, title: {text: c.unit}};
    var el = document.getElementById(c.id);
    if (horizontal) { el.style.height = Math.max(140, 22 * c.labels.length + 60) + "px"; }
    Plotly.newPlot(el, [trace], layout,
                   {displaylogo: false, displayModeBar: false, responsive: true});
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  function cell(row, i) { return row.cells[i].getAttribute("data-v") || row.cells[i].textContent; }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, i) {
      th.tabIndex = 0;
      function sort() {
        var down = th.getAttribute("aria-sort") !== "descending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = rows.every(function (r) { return cell(r, i) === "" || !isNaN(Number(cell(r, i))); });
        rows.sort(function (a, b) {
          var x = cell(a, i), y = cell(b, i);
          var d = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return down ? -d : d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sort(); } });
    });
  });
}());
"""


def plotly_js() -> str:
    """plotly.js as shipped inside the ``plotly`` Python package (no download, no CDN)."""
    return resources.files(plotly).joinpath("package_data", "plotly.min.js").read_text(encoding="utf-8")


def script_hash(script: str) -> str:
    """A CSP source for an inline script: ``'sha256-...'`` of its exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def csp(scripts: Sequence[str]) -> str:
    """The page's Content-Security-Policy: nothing but these inline scripts and inline styles (plotly.js
    styles its own elements); no fetch, image, frame, form or font."""
    hashes = " ".join(script_hash(s) for s in scripts)
    return f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def label(value: Any) -> str:
    """A chart label shown as text by Plotly, whose labels understand ``<br>``, ``<a href>`` and entities."""
    return html.escape(str(value), quote=False)


def _cell(column: str, value: Any, trusted: Collection[str]) -> str:
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | float):
        return f'<td class="n">{value:,}</td>'.replace("<td", f'<td data-v="{value}"', 1)
    text = "" if value is None else str(value)
    link = _link(text, trusted) if column.endswith("url") else None
    return f"<td>{link or html.escape(text)}</td>"


def _link(url: Any, trusted: Collection[str]) -> str | None:
    """A link to ``url`` when it is one of the ``trusted`` (packaged) https URLs, else ``None``."""
    text = str(url or "")
    if text not in trusted or not text.startswith("https://"):
        return None
    return f'<a href="{html.escape(text)}" rel="noopener noreferrer">{html.escape(text)}</a>'


def _table(table: Table, trusted: Collection[str]) -> str:
    heads = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in table.columns)
    body = "".join(
        "<tr>" + "".join(_cell(c, v, trusted) for c, v in zip(table.columns, row, strict=True)) + "</tr>"
        for row in table.rows[:HTML_ROWS]
    )
    more = len(table.rows) - HTML_ROWS
    tail = f'<p class="note">{more:,} more rows: --format csv or json lists them all.</p>' if more > 0 else ""
    return f'<table class="sortable"><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>{tail}'


def _card(table: Table, row: tuple[Any, ...], trusted: Collection[str]) -> str:
    """One incident: its advice, the facts in a line, the representative reply, the catalogue link."""
    data = dict(zip(table.columns, row, strict=True))
    facts = " · ".join(html.escape(f"{c.replace('_', ' ')}: {data[c]}")
                       for c in table.terminal if data.get(c) is not None)
    link = _link(data.get("help_url"), trusted)
    reply = f'<p class="reply">{html.escape(str(data["reply"]))}</p>' if data.get("reply") else ""
    end = html.escape(str(data.get("end") or ""))
    return (f'<div class="card {end}"><p class="advice">{html.escape(str(data[table.detail or ""]))}</p>'
            f'<p class="facts">{facts}</p>{reply}{f"<p>{link}</p>" if link else ""}</div>')


def _cards(table: Table, trusted: Collection[str]) -> str:
    cards = [_card(table, row, trusted) for row in table.rows[:HTML_ROWS]]
    shown, folded = cards[:CARDS], cards[CARDS:]
    more = (f"<details><summary>{len(folded):,} more</summary>{''.join(folded)}</details>" if folded else "")
    return "".join(shown) + more


def _chart(table: Table) -> dict[str, Any] | None:
    if not table.chart or not table.rows:
        return None
    time = table.name == "failures_by_time"
    rows = [r for r in table.rows if r[0] != "undated"] if time else table.rows[:CHART_BARS]
    if not rows:
        return None
    return {
        "id": f"chart-{table.name}", "time": time, "unit": table.columns[-1],
        "labels": [label(r[0]) for r in rows], "values": [r[-1] for r in rows],
    }


def _section(table: Table, chart: dict[str, Any] | None, trusted: Collection[str]) -> str:
    parts = [f'<section id="{html.escape(table.name)}"><h2>{html.escape(table.title)}</h2>']
    if table.note:
        parts.append(f'<p class="note">{html.escape(table.note)}</p>')
    if not table.rows:
        shown = '<p class="note">Nothing in the period.</p>'
    else:
        shown = _cards(table, trusted) if table.detail else _table(table, trusted)
    if chart is None:
        parts.append(shown)
    else:
        box = (f'<div class="chart" id="{html.escape(chart["id"])}" role="img" '
               f'aria-label="{html.escape(table.title)}"></div>')
        inner = box + shown if chart["time"] else shown + box
        parts.append(f'<div class="{"pair time" if chart["time"] else "pair"}">{inner}</div>')
    parts.append("</section>")
    return "".join(parts)


def _island(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` block that no text can close or break out of."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(tables: Sequence[Table], period: Mapping[str, Any], trusted: Collection[str] = ()) -> str:
    """The whole page as text; ``trusted`` are the packaged URLs that may become links."""
    charts = {t.name: _chart(t) for t in tables}
    sections = "".join(_section(t, charts[t.name], trusted) for t in tables)
    facts = "".join(f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(str(v))}</dd>"
                    for k, v in period.items() if v not in (None, ""))
    library = plotly_js()
    data = _island([c for c in charts.values() if c is not None])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp([library, _SCRIPT]), quote=False)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>dsnparse bounce report</title><style>{_STYLE}</style></head><body>"
        f'<header><h1>Bounce report</h1><dl class="period">{facts}</dl></header>'
        f'<main>{sections}</main>'
        f'<script type="application/json" id="chart-data">{data}</script>'
        f"<script>{library}</script><script>{_SCRIPT}</script></body></html>\n"
    )


def write_html(tables: Sequence[Table], period: Mapping[str, Any], out: TextIO) -> None:
    """Write the page (links only to the packaged provider URLs)."""
    out.write(render(tables, period, trusted_urls()))
    out.flush()


def trusted_urls() -> frozenset[str]:
    """The help and delisting URLs of the packaged catalogue (``data/blocks.toml``): the only ones that
    become links."""
    return frozenset(row.help_url for row in catalogue().rows if row.help_url)
