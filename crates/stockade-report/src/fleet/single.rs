//! What a single audit (`audit --format markdown|html|junit`, a fleet of
//! one) shows beyond the fleet's tables: its checks summarised per CIS
//! section, and the threats its results leave open, worst first.

use stockade_core::cis::Benchmark;

use super::{Fleet, FleetHost, HostThreat, RenderOptions, StatusCounts, ThreatInfo};

impl Fleet<'_> {
    /// A single host's audit, every check listed: the report speaks of
    /// "the host", not of "some host" among many.
    pub fn is_single_audit(&self, options: &RenderOptions) -> bool {
        options.all_checks && self.hosts.len() == 1 && self.problems.is_empty()
    }

    /// The catalog entry of a threat.
    pub fn threat_info(&self, id: &str) -> Option<&ThreatInfo> {
        self.threats.iter().find(|t| t.id == id)
    }
}

/// One top-level CIS section of one benchmark and its checks' statuses.
#[derive(Clone, Debug)]
pub struct SectionRow {
    pub benchmark: Benchmark,
    /// `1`, `2`, … (checks without a CIS number are under `-`).
    pub number: String,
    pub title: &'static str,
    pub counts: StatusCounts,
}

impl SectionRow {
    /// `2 Docker daemon configuration`; `Checks without a CIS number`.
    pub fn label(&self) -> String {
        if self.number == "-" {
            self.title.to_owned()
        } else {
            format!("{} {}", self.number, self.title)
        }
    }
}

/// The host's checks counted per top-level CIS section, in benchmark order.
pub fn sections(host: &FleetHost<'_>) -> Vec<SectionRow> {
    let mut rows: Vec<SectionRow> = Vec::new();
    for (report, result) in host.results() {
        let number = result
            .cis_number
            .and_then(|n| n.split('.').next())
            .unwrap_or("-")
            .to_owned();
        let title = report
            .benchmark
            .section_title(&report.cis_version, &number)
            .unwrap_or("Checks without a CIS number");
        let row = match rows
            .iter_mut()
            .find(|r| r.benchmark == report.benchmark && r.number == number)
        {
            Some(row) => row,
            None => {
                rows.push(SectionRow {
                    benchmark: report.benchmark,
                    number,
                    title,
                    counts: StatusCounts::default(),
                });
                let last = rows.len() - 1;
                &mut rows[last]
            }
        };
        row.counts.add(result.status());
    }
    // Checks without a number after the numbered sections of their benchmark.
    rows.sort_by_key(|r| (r.benchmark, r.number == "-"));
    rows
}

/// The threats open on the host with their catalog entries, highest risk
/// first (then in catalog order).
pub fn open_threats<'f>(
    fleet: &'f Fleet<'_>,
    host: &'f FleetHost<'_>,
) -> Vec<(&'f ThreatInfo, &'f HostThreat)> {
    let mut open: Vec<_> = host
        .open_threats()
        .filter_map(|t| fleet.threat_info(&t.id).map(|info| (info, t)))
        .collect();
    open.sort_by_key(|(_, threat)| std::cmp::Reverse(threat.risk));
    open
}
