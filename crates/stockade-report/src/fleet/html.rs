//! The fleet report as one self-contained HTML page: inline CSS, nothing
//! loaded from anywhere. Hosts, checks and threats are tables; each host's
//! problem checks, with their evidence, fold out under "Host details".
//!
//! A fleet of one (a single audit) shows its checks unfolded, with filters
//! by status and minimum severity: a small inline script shows the filter
//! form (hidden without JavaScript, where every check stays listed) and
//! hides the rows it leaves out. A URL fragment such as
//! `#status=fail,warn&severity=high` sets the filters on load.

use std::fmt::Write as _;
use std::io::{self, Write};

use stockade_core::{Finding, Status};

use super::single;
use super::{
    COLUMNS, CheckRow, Fleet, FleetHost, RenderOptions, Rollup, ThreatRow, check_label,
    findings_within,
};

const STYLE: &str = r#"
:root { --fail:#b42318; --warn:#b54708; --error:#7a2e98; --pass:#067647; --muted:#667085;
        --line:#e4e7ec; --bg:#f9fafb; --ink:#101828; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
header { padding: 24px 32px 16px; background: var(--bg); border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 32px 0 8px; font-size: 18px; }
main { padding: 0 32px 48px; }
.meta { color: var(--muted); margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.card b { display: block; font-size: 24px; }
.card.bad b { color: var(--fail); }
nav { margin-top: 12px; }
nav a { margin-right: 16px; }
a { color: #1849a9; text-decoration: none; }
a:hover { text-decoration: underline; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; position: sticky; top: 0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.zero { color: #d0d5dd; }
td.fail, .s-fail { color: var(--fail); font-weight: 600; }
td.warn, .s-warn { color: var(--warn); font-weight: 600; }
td.error, .s-error { color: var(--error); font-weight: 600; }
.s-pass { color: var(--pass); }
.s-manual, .s-info, .s-not-applicable { color: var(--muted); }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; }
.sev { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600;
       background: #f2f4f7; color: #344054; white-space: nowrap; }
.sev-critical { background: #fee4e2; color: #912018; }
.sev-high { background: #fef0c7; color: #93370d; }
.sev-medium { background: #fdf7d5; color: #854a0e; }
.sev-low { background: #eff8ff; color: #175cd3; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; font-size: 12.5px; white-space: nowrap; }
.chip.fail { border-color: #fda29b; background: #fef3f2; }
.chip.warn { border-color: #fec84b; background: #fffaeb; }
.chip.error { border-color: #d6bbfb; background: #f9f5ff; }
.risks { display: flex; flex-wrap: wrap; gap: 2px 10px; }
.risks span.risk { white-space: nowrap; }
.source { display: block; color: var(--muted); font-size: 12px; }
.problems li { color: var(--error); }
details.host { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; }
details.host > summary { cursor: pointer; padding: 8px 12px; font-weight: 600; background: var(--bg); border-radius: 8px; }
details.host > div { padding: 4px 12px 12px; }
details.more > summary { cursor: pointer; color: #1849a9; font-size: 12.5px; }
.evidence { color: var(--muted); font-size: 12.5px; margin: 2px 0 0 12px; }
.title { color: var(--muted); }
form.filters { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 8px 0;
               padding: 8px 12px; border: 1px solid var(--line); border-radius: 8px; background: var(--bg); }
form.filters[hidden] { display: none; }
form.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 10px; }
form.filters legend { float: left; font-weight: 600; margin-right: 6px; }
form.filters label { white-space: nowrap; }
#shown { color: var(--muted); }
tr[hidden] { display: none; }
"#;

/// Applies the filter form to the rows of the single host's checks; reads
/// and writes the URL fragment (`#status=fail,warn&severity=high`).
const SCRIPT: &str = r#"
(function () {
  var form = document.getElementById('filters');
  if (!form) { return; }
  var order = ['info', 'low', 'medium', 'high', 'critical'];
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-status]'));
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name=status]'));
  function apply(write) {
    var statuses = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    var severity = form.elements.severity.value;
    var min = order.indexOf(severity);
    var shown = 0;
    rows.forEach(function (row) {
      var keep = statuses.indexOf(row.getAttribute('data-status')) >= 0 &&
        order.indexOf(row.getAttribute('data-severity')) >= min;
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' checks shown';
    if (write && window.history && history.replaceState) {
      history.replaceState(null, '', '#status=' + statuses.join(',') + '&severity=' + severity);
    }
  }
  var params = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (part) {
    var at = part.indexOf('=');
    if (at > 0) { params[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1)); }
  });
  if (params.status !== undefined) {
    var wanted = params.status.split(',');
    boxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
  }
  if (order.indexOf(params.severity) >= 0) { form.elements.severity.value = params.severity; }
  form.hidden = false;
  form.addEventListener('change', function () { apply(true); });
  apply(false);
})();
"#;

/// Chips shown before the rest fold into "and N more".
const CHIPS_SHOWN: usize = 24;

/// `&`, `<`, `>`, `"` and `'` as entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes the page.
pub fn render(fleet: &Fleet<'_>, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let rollup = Rollup::of(fleet);
    // A single audit (`audit --format html`): its host's summary, then every
    // check with filters; the fleet tables would repeat the same rows.
    let single = fleet.is_single_audit(options);
    let mut page = String::with_capacity(64 * 1024);
    head(fleet, &rollup, single, &mut page);
    page.push_str("<main>\n");
    problems(fleet, &mut page);
    hosts(fleet, options, &mut page);
    if let Some(host) = fleet.hosts.first()
        && single
    {
        sections(host, &mut page);
        open_threats(fleet, host, &mut page);
        page.push_str("<section id=\"details\"><h2>Checks</h2>\n");
    } else {
        checks(fleet, &rollup, &mut page);
        threats(fleet, &rollup, &mut page);
        page.push_str("<section id=\"details\"><h2>Host details</h2>\n");
    }
    for (index, host) in fleet.hosts.iter().enumerate() {
        // A fleet of one shows its details unfolded.
        details(
            index,
            host,
            options,
            fleet.hosts.len() == 1,
            single,
            &mut page,
        );
    }
    page.push_str("</section>\n</main>\n");
    if single {
        let _ = writeln!(page, "<script>{SCRIPT}</script>");
    }
    page.push_str("</body>\n</html>\n");
    out.write_all(page.as_bytes())
}

fn head(fleet: &Fleet<'_>, rollup: &Rollup<'_>, single: bool, page: &mut String) {
    let title = escape(&fleet.title);
    let failing = rollup
        .checks
        .iter()
        .filter(|c| c.problem_hosts() > 0)
        .count();
    let open = rollup.open_threats().count();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <h1>{title}</h1>\n<p class=\"meta\">Generated {} by stockade {}.</p>\n<div class=\"cards\">",
        escape(&fleet.generated_at),
        env!("CARGO_PKG_VERSION"),
    );
    if !single {
        card(page, fleet.hosts.len(), "hosts", false);
    }
    card(
        page,
        failing,
        &if single {
            format!("of {} checks fail or warn", rollup.checks.len())
        } else {
            format!("of {} checks fail or warn somewhere", rollup.checks.len())
        },
        failing > 0,
    );
    card(
        page,
        open,
        if single {
            "threats open"
        } else {
            "threats open somewhere"
        },
        open > 0,
    );
    if !fleet.problems.is_empty() {
        card(page, fleet.problems.len(), "files not read", true);
    }
    if single {
        page.push_str("</div>\n</header>\n");
        return;
    }
    page.push_str(
        "</div>\n<nav><a href=\"#hosts\">Hosts</a><a href=\"#checks\">Checks</a>\
         <a href=\"#threats\">Threats</a><a href=\"#details\">Host details</a></nav>\n</header>\n",
    );
}

fn card(page: &mut String, n: usize, label: &str, bad: bool) {
    let class = if bad { "card bad" } else { "card" };
    let _ = write!(
        page,
        "<div class=\"{class}\"><b>{n}</b>{}</div>",
        escape(label)
    );
}

fn problems(fleet: &Fleet<'_>, page: &mut String) {
    if fleet.problems.is_empty() {
        return;
    }
    page.push_str("<section id=\"errors\"><h2>Files not read</h2>\n<ul class=\"problems\">\n");
    for problem in &fleet.problems {
        let _ = writeln!(
            page,
            "<li data-file=\"{}\">{}</li>",
            escape(&problem.file),
            escape(&problem.message)
        );
    }
    page.push_str("</ul></section>\n");
}

/// `hosts/web-1.json` → `web-1.json`.
/// The host's origin in a table cell: a file by its name (the full path is
/// the cell's title), this run's own audit by what it audited.
fn short_origin(host: &FleetHost<'_>) -> String {
    if host.input.is_file() {
        let name = host.source.rsplit('/').next().unwrap_or(&host.source);
        format!("{name} · {}", host.input.label())
    } else {
        host.origin()
    }
}

/// Column headings: `n/a` for not-applicable.
fn short_heading(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "n/a",
        other => other.as_str(),
    }
}

fn severity(severity: stockade_core::Severity) -> String {
    format!("<span class=\"sev sev-{severity}\">{severity}</span>")
}

fn hosts(fleet: &Fleet<'_>, options: &RenderOptions, page: &mut String) {
    let _ = write!(
        page,
        "<section id=\"hosts\"><h2>{}</h2>\n<table class=\"hosts\">\n<thead><tr><th>Host</th>",
        if fleet.is_single_audit(options) {
            "Host".to_owned()
        } else {
            format!("Hosts ({})", fleet.hosts.len())
        }
    );
    for status in COLUMNS {
        let _ = write!(
            page,
            "<th class=\"n\" title=\"checks whose verdict is {}\">{}</th>",
            status.as_str(),
            short_heading(status)
        );
    }
    page.push_str("<th class=\"n\">Open threats</th>");
    page.push_str("<th>Top risks</th></tr></thead>\n<tbody>\n");
    for (index, host) in fleet.hosts.iter().enumerate() {
        let counts = host.counts();
        let _ = write!(
            page,
            "<tr data-host=\"{name}\"><td><a href=\"#host-{index}\">{name}</a><span class=\"source\" title=\"{}\">{}</span></td>",
            escape(&host.source),
            escape(&short_origin(host)),
            name = escape(&host.name),
        );
        for status in COLUMNS {
            let n = counts.get(status);
            let class = if n == 0 { "zero" } else { status.as_str() };
            let _ = write!(page, "<td class=\"n {class}\">{n}</td>");
        }
        let _ = write!(page, "<td class=\"n\">{}</td>", host.open_threats().count());
        page.push_str("<td>");
        let risks = host.top_risks(options.top);
        if !risks.is_empty() {
            page.push_str("<div class=\"risks\">");
            for risk in risks {
                let _ = write!(
                    page,
                    "<span class=\"risk\">{} <code>{}</code></span>",
                    severity(risk.meta.severity),
                    escape(risk.meta.id)
                );
            }
            page.push_str("</div>");
        }
        page.push_str("</td></tr>\n");
    }
    page.push_str("</tbody></table></section>\n");
}

/// Host names as chips linking to their details; past [`CHIPS_SHOWN`] the
/// rest fold away.
fn chips(fleet: &Fleet<'_>, hosts: &[usize], class: &str, page: &mut String) {
    if hosts.is_empty() {
        return;
    }
    let chip = |page: &mut String, index: usize| {
        if let Some(host) = fleet.hosts.get(index) {
            let _ = write!(
                page,
                "<a class=\"chip {class}\" href=\"#host-{index}\">{}</a>",
                escape(&host.name)
            );
        }
    };
    page.push_str("<div class=\"chips\">");
    for &index in hosts.iter().take(CHIPS_SHOWN) {
        chip(page, index);
    }
    page.push_str("</div>");
    if hosts.len() > CHIPS_SHOWN {
        let _ = write!(
            page,
            "<details class=\"more\"><summary>and {} more</summary><div class=\"chips\">",
            hosts.len() - CHIPS_SHOWN
        );
        for &index in &hosts[CHIPS_SHOWN..] {
            chip(page, index);
        }
        page.push_str("</div></details>");
    }
}

/// A single audit's checks counted per CIS section.
fn sections(host: &FleetHost<'_>, page: &mut String) {
    page.push_str(
        "<section id=\"sections\"><h2>Summary by section</h2>\n<table class=\"sections\">\n<thead><tr><th>Section</th>",
    );
    for status in COLUMNS {
        let _ = write!(page, "<th class=\"n\">{}</th>", short_heading(status));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for row in single::sections(host) {
        let _ = write!(
            page,
            "<tr data-section=\"{}\"><td>{}</td>",
            escape(&row.number),
            escape(&row.label())
        );
        for status in COLUMNS {
            let n = row.counts.get(status);
            let class = if n == 0 { "zero" } else { status.as_str() };
            let _ = write!(page, "<td class=\"n {class}\">{n}</td>");
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody></table></section>\n");
}

/// The threats a single audit's results leave open, highest risk first.
fn open_threats(fleet: &Fleet<'_>, host: &FleetHost<'_>, page: &mut String) {
    let open = single::open_threats(fleet, host);
    let _ = writeln!(
        page,
        "<section id=\"threats\"><h2>Threats left open ({} of {})</h2>",
        open.len(),
        host.threats.len()
    );
    if open.is_empty() {
        page.push_str("<p>None: no threat of the model is open on this evidence.</p></section>\n");
        return;
    }
    page.push_str(
        "<table class=\"threats\">\n<thead><tr><th class=\"n\">Risk</th><th>Threat</th><th>STRIDE</th>\
         <th>Component</th></tr></thead>\n<tbody>\n",
    );
    for (info, threat) in open {
        let _ = writeln!(
            page,
            "<tr data-threat=\"{id}\"><td class=\"n\">{}</td><td><code>{id}</code><br><span class=\"title\">{}</span></td><td>{}</td><td>{}</td></tr>",
            threat.risk,
            escape(&info.title),
            info.stride.letter(),
            escape(&info.component),
            id = escape(&info.id),
        );
    }
    page.push_str(
        "</tbody></table>\n<p class=\"meta\"><code>stockade model</code> explains each threat: its mitigations, the checks behind them and their evidence.</p></section>\n",
    );
}

fn checks(fleet: &Fleet<'_>, rollup: &Rollup<'_>, page: &mut String) {
    let rows: Vec<&CheckRow<'_>> = rollup.checks_failing().collect();
    let _ = writeln!(
        page,
        "<section id=\"checks\"><h2>Checks that fail or warn on some host ({} of {})</h2>",
        rows.len(),
        rollup.checks.len()
    );
    check_table(fleet, &rows, page);
    let unassessed: Vec<&CheckRow<'_>> = rollup.checks_not_assessed().collect();
    if !unassessed.is_empty() {
        let _ = writeln!(
            page,
            "<h2>Checks that could not assess some host ({})</h2>",
            unassessed.len()
        );
        check_table(fleet, &unassessed, page);
    }
    page.push_str("</section>\n");
}

fn check_table(fleet: &Fleet<'_>, rows: &[&CheckRow<'_>], page: &mut String) {
    if rows.is_empty() {
        page.push_str("<p>None.</p>\n");
        return;
    }
    page.push_str(
        "<table class=\"checks\">\n<thead><tr><th>Check</th><th>Severity</th>\
         <th class=\"n\">Fail or warn</th><th>Hosts</th></tr></thead>\n<tbody>\n",
    );
    for row in rows {
        let _ = write!(
            page,
            "<tr data-check=\"{}\"><td><code>{}</code><br><span class=\"title\">{}</span></td><td>{}</td><td class=\"n\">{} of {}</td><td>",
            escape(row.meta.id),
            escape(&check_label(row.meta, row.cis)),
            escape(row.meta.title),
            severity(row.meta.severity),
            row.problem_hosts(),
            fleet.hosts.len(),
        );
        for status in [Status::Fail, Status::Warn, Status::Error] {
            chips(fleet, row.hosts_with(status), status.as_str(), page);
        }
        page.push_str("</td></tr>\n");
    }
    page.push_str("</tbody></table>\n");
}

fn threats(fleet: &Fleet<'_>, rollup: &Rollup<'_>, page: &mut String) {
    let rows: Vec<&ThreatRow<'_>> = rollup.open_threats().collect();
    let _ = writeln!(
        page,
        "<section id=\"threats\"><h2>Threats open on some host ({} of {})</h2>",
        rows.len(),
        rollup.threats.len()
    );
    if rows.is_empty() {
        page.push_str("<p>None.</p></section>\n");
        return;
    }
    page.push_str(
        "<table class=\"threats\">\n<thead><tr><th>Threat</th><th>STRIDE</th><th>Component</th>\
         <th class=\"n\">Open on</th><th class=\"n\">Max risk</th><th>Hosts</th></tr></thead>\n<tbody>\n",
    );
    for row in rows {
        let _ = write!(
            page,
            "<tr data-threat=\"{id}\"><td><code>{id}</code><br><span class=\"title\">{}</span></td><td>{}</td><td>{}</td><td class=\"n\">{} of {}</td><td class=\"n\">{}</td><td>",
            escape(&row.info.title),
            row.info.stride.letter(),
            escape(&row.info.component),
            row.open_on.len(),
            fleet.hosts.len(),
            row.max_risk,
            id = escape(&row.info.id),
        );
        chips(fleet, &row.open_on, "fail", page);
        page.push_str("</td></tr>\n");
    }
    page.push_str("</tbody></table></section>\n");
}

fn details(
    index: usize,
    host: &FleetHost<'_>,
    options: &RenderOptions,
    unfolded: bool,
    filters: bool,
    page: &mut String,
) {
    let counts = host.counts();
    let summary: Vec<String> = COLUMNS
        .iter()
        .filter(|s| counts.get(**s) > 0)
        .map(|s| {
            format!(
                "<span class=\"s-{s}\">{} {}</span>",
                counts.get(*s),
                s.as_str().replace('-', " ")
            )
        })
        .collect();
    let benchmarks: Vec<String> = host
        .reports
        .iter()
        .map(|r| format!("{} v{}", r.benchmark, r.cis_version))
        .collect();
    let _ = write!(
        page,
        "<details class=\"host\" id=\"host-{index}\"{open}><summary>{} — {}</summary><div>\n\
         <p class=\"meta\">{}; {}</p>\n",
        escape(&host.name),
        summary.join(", "),
        escape(&host.origin()),
        escape(&benchmarks.join(", ")),
        open = if unfolded { " open" } else { "" },
    );
    let shown: Vec<_> = host
        .results()
        .filter(|(_, r)| options.all_checks || r.status().is_problem())
        .collect();
    if shown.is_empty() {
        page.push_str("<p>No check fails or warns.</p></div></details>\n");
        return;
    }
    if filters {
        filter_form(page);
    }
    page.push_str(
        "<table class=\"results\"><thead><tr><th>Status</th><th>Check</th><th>Severity</th><th>Found</th></tr></thead><tbody>\n",
    );
    for (_, result) in shown {
        let status = result.status();
        let _ = write!(
            page,
            "<tr data-check-id=\"{}\" data-status=\"{status}\" data-severity=\"{}\"><td class=\"s-{status}\">{status}</td><td><code>{}</code><br><span class=\"title\">{}</span></td><td>{}</td><td>",
            escape(result.meta.id),
            result.meta.severity,
            escape(&check_label(result.meta, result.cis_number)),
            escape(result.meta.title),
            severity(result.meta.severity),
        );
        let (shown, hidden) = findings_within(result, options.findings_limit);
        for finding in shown {
            finding_html(finding, page);
        }
        if hidden > 0 {
            let _ = write!(
                page,
                "<div class=\"title\">… and {hidden} more findings</div>"
            );
        }
        page.push_str("</td></tr>\n");
    }
    page.push_str("</tbody></table></div></details>\n");
}

/// The filters of a single host's checks: hidden until the script runs.
fn filter_form(page: &mut String) {
    page.push_str(
        "<form class=\"filters\" id=\"filters\" hidden><fieldset><legend>Status</legend>",
    );
    for status in COLUMNS {
        let _ = write!(
            page,
            "<label><input type=\"checkbox\" name=\"status\" value=\"{status}\" checked> {}</label>",
            status.as_str().replace('-', " ")
        );
    }
    page.push_str("</fieldset><label><b>Severity</b> at least <select name=\"severity\">");
    for severity in stockade_core::Severity::ALL {
        let _ = write!(page, "<option value=\"{severity}\">{severity}</option>");
    }
    page.push_str("</select></label><span id=\"shown\"></span></form>\n");
}

fn finding_html(finding: &Finding, page: &mut String) {
    page.push_str("<div>");
    if let Some(subject) = &finding.subject {
        let _ = write!(page, "<b>{}</b>: ", escape(&subject.to_string()));
    }
    page.push_str(&escape(&finding.message));
    for evidence in &finding.evidence {
        let _ = write!(
            page,
            "<div class=\"evidence\">saw {}",
            escape(&evidence.observed)
        );
        if let Some(location) = &evidence.location {
            let _ = write!(page, " at <code>{}</code>", escape(&location.to_string()));
        }
        if let Some(expected) = &evidence.expected {
            let _ = write!(page, "; want {}", escape(expected));
        }
        page.push_str("</div>");
    }
    page.push_str("</div>");
}
