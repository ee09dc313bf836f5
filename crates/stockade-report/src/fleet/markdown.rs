//! The fleet report in Markdown (GitHub flavour): tables of hosts, checks
//! and threats, then each host's problem checks with what was found.

use std::io::{self, Write};

use stockade_core::Status;

use super::single::{self, SectionRow};
use super::{COLUMNS, Fleet, FleetHost, RenderOptions, Rollup, check_label, findings_within};

/// Text safe inside a table cell: pipes escaped, lines joined.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn names(fleet: &Fleet<'_>, hosts: &[usize], limit: usize) -> String {
    if hosts.is_empty() {
        return String::new();
    }
    cell(&super::name_list(fleet, hosts, limit))
}

/// Writes the report.
pub fn render(fleet: &Fleet<'_>, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    if let Some(host) = fleet.hosts.first()
        && fleet.is_single_audit(options)
    {
        return render_single(fleet, host, options, out);
    }
    let rollup = Rollup::of(fleet);
    writeln!(out, "# {}", cell(&fleet.title))?;
    writeln!(out)?;
    writeln!(
        out,
        "{}. Generated {} by stockade {}.",
        super::text::overview(fleet, &rollup),
        fleet.generated_at,
        env!("CARGO_PKG_VERSION")
    )?;
    if !fleet.problems.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Files not read")?;
        writeln!(out)?;
        for problem in &fleet.problems {
            writeln!(out, "- `{}`: {}", problem.file, cell(&problem.message))?;
        }
    }
    hosts(fleet, options, out)?;
    checks(fleet, &rollup, options, out)?;
    threats(fleet, &rollup, options, out)?;
    writeln!(out)?;
    writeln!(out, "## Host details")?;
    for host in &fleet.hosts {
        details(host, options, out)?;
    }
    Ok(())
}

fn hosts(fleet: &Fleet<'_>, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "## Hosts")?;
    writeln!(out)?;
    write!(out, "| Host | Source |")?;
    for status in COLUMNS {
        write!(out, " {} |", status.as_str())?;
    }
    writeln!(out, " Open threats | Top risks |")?;
    write!(out, "|---|---|")?;
    for _ in COLUMNS {
        write!(out, "--:|")?;
    }
    writeln!(out, "--:|---|")?;
    for host in &fleet.hosts {
        let counts = host.counts();
        write!(out, "| {} | {} |", cell(&host.name), cell(&host.origin()))?;
        for status in COLUMNS {
            write!(out, " {} |", counts.get(status))?;
        }
        let risks: Vec<String> = host
            .top_risks(options.top)
            .iter()
            .map(|r| format!("`{}` ({})", r.meta.id, r.meta.severity))
            .collect();
        writeln!(
            out,
            " {} | {} |",
            host.open_threats().count(),
            risks.join(", ")
        )?;
    }
    Ok(())
}

fn checks(
    fleet: &Fleet<'_>,
    rollup: &Rollup<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows: Vec<_> = rollup.checks_failing().collect();
    writeln!(out)?;
    writeln!(out, "## Checks that fail or warn on some host")?;
    writeln!(out)?;
    if rows.is_empty() {
        writeln!(out, "None.")?;
    } else {
        writeln!(
            out,
            "| Check | Severity | Title | Hosts | Fail | Warn | Error |"
        )?;
        writeln!(out, "|---|---|---|--:|---|---|---|")?;
        for row in rows {
            writeln!(
                out,
                "| `{}` | {} | {} | {} of {} | {} | {} | {} |",
                check_label(row.meta, row.cis),
                row.meta.severity,
                cell(row.meta.title),
                row.problem_hosts(),
                fleet.hosts.len(),
                names(fleet, row.hosts_with(Status::Fail), options.name_limit),
                names(fleet, row.hosts_with(Status::Warn), options.name_limit),
                names(fleet, row.hosts_with(Status::Error), options.name_limit),
            )?;
        }
    }
    let unassessed: Vec<_> = rollup.checks_not_assessed().collect();
    if unassessed.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "## Checks that could not assess some host")?;
    writeln!(out)?;
    writeln!(out, "| Check | Severity | Error on |")?;
    writeln!(out, "|---|---|---|")?;
    for row in unassessed {
        writeln!(
            out,
            "| `{}` | {} | {} |",
            check_label(row.meta, row.cis),
            row.meta.severity,
            names(fleet, row.hosts_with(Status::Error), options.name_limit),
        )?;
    }
    Ok(())
}

fn threats(
    fleet: &Fleet<'_>,
    rollup: &Rollup<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rows: Vec<_> = rollup.open_threats().collect();
    writeln!(out)?;
    writeln!(out, "## Threats open on some host")?;
    writeln!(out)?;
    if rows.is_empty() {
        writeln!(out, "None.")?;
        return Ok(());
    }
    writeln!(
        out,
        "| Threat | STRIDE | Component | Title | Hosts open | Max risk | Open on |"
    )?;
    writeln!(out, "|---|---|---|---|--:|--:|---|")?;
    for row in rows {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} of {} | {} | {} |",
            row.info.id,
            row.info.stride.letter(),
            row.info.component,
            cell(&row.info.title),
            row.open_on.len(),
            fleet.hosts.len(),
            row.max_risk,
            names(fleet, &row.open_on, options.name_limit),
        )?;
    }
    Ok(())
}

fn details(host: &FleetHost<'_>, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "### {}", cell(&host.name))?;
    writeln!(out)?;
    let benchmarks: Vec<String> = host
        .reports
        .iter()
        .map(|r| format!("{} v{}", r.benchmark, r.cis_version))
        .collect();
    writeln!(out, "{}; {}.", cell(&host.origin()), benchmarks.join(", "))?;
    check_rows(host, options, out)
}

/// The host's checks (every one with `all_checks`, else the problems) and
/// what was found.
fn check_rows(
    host: &FleetHost<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let shown: Vec<_> = host
        .results()
        .filter(|(_, r)| options.all_checks || r.status().is_problem())
        .collect();
    writeln!(out)?;
    if shown.is_empty() {
        writeln!(out, "No check fails or warns.")?;
        return Ok(());
    }
    writeln!(out, "| Status | Check | Severity | Found |")?;
    writeln!(out, "|---|---|---|---|")?;
    for (_, result) in shown {
        let (shown, hidden) = findings_within(result, options.findings_limit);
        let mut found: Vec<String> = shown
            .iter()
            .map(|f| match &f.subject {
                Some(subject) => cell(&format!("{subject}: {}", f.message)),
                None => cell(&f.message),
            })
            .collect();
        if hidden > 0 {
            found.push(format!("… and {hidden} more findings"));
        }
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            result.status(),
            check_label(result.meta, result.cis_number),
            result.meta.severity,
            found.join("<br>")
        )?;
    }
    Ok(())
}

/// One host's audit: its counts, a summary per CIS section, the threats
/// its results leave open, then every check with what was found.
fn render_single(
    fleet: &Fleet<'_>,
    host: &FleetHost<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let counts = host.counts();
    let problems = counts.get(Status::Fail) + counts.get(Status::Warn);
    let open = single::open_threats(fleet, host);
    writeln!(out, "# {}", cell(&fleet.title))?;
    writeln!(out)?;
    writeln!(
        out,
        "{problems} of {} checks fail or warn; {} of {} threats open ({}). Generated {} by stockade {}.",
        counts.total(),
        open.len(),
        host.threats.len(),
        cell(&host.origin()),
        fleet.generated_at,
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(out)?;
    writeln!(out, "## Summary by section")?;
    writeln!(out)?;
    status_header("Section", out)?;
    for row in single::sections(host) {
        section_row(&row, out)?;
    }
    write!(out, "| **all checks** |")?;
    for status in COLUMNS {
        write!(out, " **{}** |", counts.get(status))?;
    }
    writeln!(out)?;
    open_threats(&open, out)?;
    writeln!(out)?;
    writeln!(out, "## Checks")?;
    check_rows(host, options, out)
}

fn status_header(first: &str, out: &mut dyn Write) -> io::Result<()> {
    write!(out, "| {first} |")?;
    for status in COLUMNS {
        write!(out, " {} |", status.as_str())?;
    }
    writeln!(out)?;
    write!(out, "|---|")?;
    for _ in COLUMNS {
        write!(out, "--:|")?;
    }
    writeln!(out)
}

fn section_row(row: &SectionRow, out: &mut dyn Write) -> io::Result<()> {
    write!(out, "| {} |", cell(&row.label()))?;
    for status in COLUMNS {
        write!(out, " {} |", row.counts.get(status))?;
    }
    writeln!(out)
}

fn open_threats(
    open: &[(&super::ThreatInfo, &super::HostThreat)],
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "## Threats left open")?;
    writeln!(out)?;
    if open.is_empty() {
        writeln!(
            out,
            "None: no threat of the model is open on this evidence (`stockade model` shows each threat's status)."
        )?;
        return Ok(());
    }
    writeln!(out, "| Risk | Threat | STRIDE | Component | Title |")?;
    writeln!(out, "|--:|---|---|---|---|")?;
    for (info, threat) in open {
        writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            threat.risk,
            info.id,
            info.stride.letter(),
            cell(&info.component),
            cell(&info.title)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "`stockade model` explains each threat: its mitigations, the checks behind them and their evidence."
    )
}
