//! The fleet report for a terminal: a table of hosts, then the checks and
//! threats that need attention, each with the hosts concerned.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use stockade_core::Status;

use super::{COLUMNS, Fleet, RenderOptions, Rollup, check_label, name_list};

struct Styles {
    bold: Style,
    dim: Style,
    fail: Style,
    warn: Style,
    error: Style,
}

impl Styles {
    fn new(color: bool) -> Styles {
        if !color {
            let plain = Style::new();
            return Styles {
                bold: plain,
                dim: plain,
                fail: plain,
                warn: plain,
                error: plain,
            };
        }
        Styles {
            bold: Style::new().bold(),
            dim: Style::new().dimmed(),
            fail: AnsiColor::Red.on_default().bold(),
            warn: AnsiColor::Yellow.on_default().bold(),
            error: AnsiColor::Magenta.on_default().bold(),
        }
    }

    fn status(&self, status: Status) -> Style {
        match status {
            Status::Fail => self.fail,
            Status::Warn => self.warn,
            Status::Error => self.error,
            _ => Style::new(),
        }
    }
}

/// Short column headings, in [`COLUMNS`] order.
fn heading(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "n/a",
        other => other.as_str(),
    }
}

/// Writes the report; `color` adds ANSI styles.
pub fn render(
    fleet: &Fleet<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    let styles = Styles::new(color);
    let rollup = Rollup::of(fleet);
    let bold = styles.bold;
    writeln!(out, "{bold}{}{bold:#}", fleet.title)?;
    writeln!(out, "{}", overview(fleet, &rollup))?;
    problems(fleet, out, &styles)?;
    hosts(fleet, options, out, &styles)?;
    checks(fleet, &rollup, options, out, &styles)?;
    threats(fleet, &rollup, options, out, &styles)
}

/// `4 hosts (2 audit results, 2 snapshots); 1 file not read`.
pub fn overview(fleet: &Fleet<'_>, rollup: &Rollup<'_>) -> String {
    let hosts = fleet.hosts.len();
    let checks = rollup.checks.len();
    let failing = rollup
        .checks
        .iter()
        .filter(|c| c.problem_hosts() > 0)
        .count();
    let open = rollup.open_threats().count();
    let mut text = format!(
        "{hosts} host{}; {failing} of {checks} checks fail or warn on some host; {open} threat{} open on some host",
        plural(hosts),
        plural(open)
    );
    if !fleet.problems.is_empty() {
        let n = fleet.problems.len();
        text.push_str(&format!("; {n} file{} not read", plural(n)));
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn problems(fleet: &Fleet<'_>, out: &mut dyn Write, styles: &Styles) -> io::Result<()> {
    if fleet.problems.is_empty() {
        return Ok(());
    }
    let bold = styles.bold;
    let error = styles.error;
    writeln!(out)?;
    writeln!(
        out,
        "{bold}FILES NOT READ ({}){bold:#}",
        fleet.problems.len()
    )?;
    for problem in &fleet.problems {
        writeln!(out, "  {error}✗{error:#} {}", problem.message)?;
    }
    Ok(())
}

fn hosts(
    fleet: &Fleet<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
    styles: &Styles,
) -> io::Result<()> {
    let bold = styles.bold;
    let dim = styles.dim;
    writeln!(out)?;
    writeln!(out, "{bold}HOSTS ({}){bold:#}", fleet.hosts.len())?;
    let width = fleet
        .hosts
        .iter()
        .map(|h| h.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut header = format!("  {:<width$}", "host");
    for status in COLUMNS {
        header.push_str(&format!(" {:>6}", heading(status)));
    }
    header.push_str("  threats  top risks");
    writeln!(out, "{dim}{header}{dim:#}")?;
    for host in &fleet.hosts {
        let counts = host.counts();
        write!(out, "  {:<width$}", host.name)?;
        for status in COLUMNS {
            let n = counts.get(status);
            let style = if n > 0 {
                styles.status(status)
            } else {
                Style::new()
            };
            write!(out, " {style}{n:>6}{style:#}")?;
        }
        let risks: Vec<String> = host
            .top_risks(options.top)
            .iter()
            .map(|r| format!("{} ({})", r.meta.id, r.meta.severity))
            .collect();
        let risks = if risks.is_empty() {
            "-".to_owned()
        } else {
            risks.join(", ")
        };
        writeln!(out, "  {:>7}  {risks}", host.open_threats().count())?;
    }
    Ok(())
}

fn checks(
    fleet: &Fleet<'_>,
    rollup: &Rollup<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
    styles: &Styles,
) -> io::Result<()> {
    let bold = styles.bold;
    let dim = styles.dim;
    let total = fleet.hosts.len();
    let rows: Vec<_> = rollup.checks_failing().collect();
    writeln!(out)?;
    writeln!(
        out,
        "{bold}CHECKS THAT FAIL OR WARN ON SOME HOST ({} of {}){bold:#}",
        rows.len(),
        rollup.checks.len()
    )?;
    for row in rows {
        writeln!(
            out,
            "  {bold}{}{bold:#} [{}] {} {dim}— {} of {total} host{}{dim:#}",
            check_label(row.meta, row.cis),
            row.meta.severity,
            row.meta.title,
            row.problem_hosts(),
            plural(total),
        )?;
        for status in [Status::Fail, Status::Warn, Status::Error] {
            let hosts = row.hosts_with(status);
            if hosts.is_empty() {
                continue;
            }
            let style = styles.status(status);
            writeln!(
                out,
                "      {style}{:<5}{style:#} {}",
                status.as_str(),
                name_list(fleet, hosts, options.name_limit)
            )?;
        }
    }
    let unassessed: Vec<_> = rollup.checks_not_assessed().collect();
    if unassessed.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{bold}CHECKS THAT COULD NOT ASSESS SOME HOST ({}){bold:#}",
        unassessed.len()
    )?;
    let error = styles.error;
    for row in unassessed {
        let hosts = row.hosts_with(Status::Error);
        writeln!(
            out,
            "  {} [{}] {error}error{error:#} on {} of {total}: {}",
            check_label(row.meta, row.cis),
            row.meta.severity,
            hosts.len(),
            name_list(fleet, hosts, options.name_limit)
        )?;
    }
    Ok(())
}

fn threats(
    fleet: &Fleet<'_>,
    rollup: &Rollup<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
    styles: &Styles,
) -> io::Result<()> {
    let bold = styles.bold;
    let dim = styles.dim;
    let fail = styles.fail;
    let rows: Vec<_> = rollup.open_threats().collect();
    writeln!(out)?;
    writeln!(
        out,
        "{bold}THREATS OPEN ON SOME HOST ({} of {}){bold:#}",
        rows.len(),
        rollup.threats.len()
    )?;
    let total = fleet.hosts.len();
    for row in rows {
        writeln!(
            out,
            "  {bold}{}{bold:#} [{}] {}: {} {dim}— open on {} of {total}, risk up to {}{dim:#}",
            row.info.id,
            row.info.stride.letter(),
            row.info.component,
            row.info.title,
            row.open_on.len(),
            row.max_risk,
        )?;
        writeln!(
            out,
            "      {fail}open{fail:#}  {}",
            name_list(fleet, &row.open_on, options.name_limit)
        )?;
    }
    Ok(())
}
