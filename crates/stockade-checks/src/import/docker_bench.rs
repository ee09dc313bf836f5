//! docker-bench-security results as stockade findings.
//!
//! docker-bench numbers its checks after the CIS version it implements, and
//! CIS renumbers between versions (memory limits are 5.10 up to 1.5.0 and
//! 5.11 in 1.6.0; the tag called 1.6.0 still used 1.5.0's numbers). The
//! version string in the log does not settle which numbering a log uses, so
//! the numbering is read from the log's own titles: what 5.1, 2.1, 3.20 and
//! a few others are about. Each result then maps to the stockade check with
//! that number in that version.

use stockade_core::cis::Benchmark;
use stockade_core::finding::{Evidence, Location, Subject, SubjectKind};
use stockade_core::meta::{CheckMode, Scope};
use stockade_core::{Finding, Status};
use stockade_parse::docker_bench_log::{BenchLog, BenchResult};

use crate::check::Check;
use crate::registry;

/// A docker-bench log turned into findings.
#[derive(Debug)]
pub struct Imported {
    /// The CIS Docker version whose numbering the log uses.
    pub cis_version: &'static str,
    /// How that numbering was recognised.
    pub numbering: String,
    /// Findings per stockade check, in registry order.
    pub results: Vec<(&'static Check, Vec<Finding>)>,
    /// docker-bench checks stockade has no check for (`8.1.1 Enterprise...`).
    pub unmapped: Vec<String>,
}

/// Why a log cannot be imported.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("unknown CIS Docker version `{0}` (known: {1})")]
    UnknownVersion(String, String),
    #[error("the log holds no check results")]
    Empty,
}

/// Converts a parsed log. `numbering` forces a CIS version instead of
/// recognising it; `source` names the log in the evidence.
pub fn import(
    log: &BenchLog,
    numbering: Option<&str>,
    source: &str,
) -> Result<Imported, ImportError> {
    if log.results.is_empty() {
        return Err(ImportError::Empty);
    }
    let (cis_version, how) = match numbering {
        Some(wanted) => {
            let known = Benchmark::Docker.versions();
            let version = known
                .iter()
                .copied()
                .find(|v| *v == wanted.trim_start_matches('v'))
                .ok_or_else(|| ImportError::UnknownVersion(wanted.to_owned(), known.join(", ")))?;
            (version, "given with --cis-version".to_owned())
        }
        None => recognise_numbering(log),
    };
    let mut results: Vec<(&'static Check, Vec<Finding>)> = Vec::new();
    let mut unmapped = Vec::new();
    for result in &log.results {
        let Some(check) = check_for(&result.id, cis_version) else {
            unmapped.push(if result.desc.is_empty() {
                result.id.clone()
            } else {
                format!("{} {}", result.id, result.desc)
            });
            continue;
        };
        let findings = findings(check, result, &log.version, source);
        match results.iter_mut().find(|(c, _)| c.meta.id == check.meta.id) {
            Some((_, existing)) => existing.extend(findings),
            None => results.push((check, findings)),
        }
    }
    let order = |check: &Check| {
        registry::all()
            .iter()
            .position(|c| c.meta.id == check.meta.id)
    };
    results.sort_by_key(|(check, _)| order(check));
    Ok(Imported {
        cis_version,
        numbering: how,
        results,
        unmapped,
    })
}

/// The stockade check behind a docker-bench id in a CIS version. The
/// community capability checks (C.5.3.x: DAC_READ_SEARCH, SYS_MODULE,
/// SYS_ADMIN, SYS_PTRACE added) are part of the capability control.
fn check_for(id: &str, version: &str) -> Option<&'static Check> {
    if id.starts_with("C.5.3.") {
        return registry::by_id("container-capabilities-added");
    }
    // A live check first: the same number may also name a file rule.
    let holds = |c: &&'static Check| c.meta.cis_number(Benchmark::Docker, version) == Some(id);
    let checks = registry::all().iter().copied();
    checks
        .clone()
        .filter(|c| c.input() == crate::check::Input::Host)
        .find(holds)
        .or_else(|| checks.clone().find(holds))
}

/// Which CIS numbering the log uses, and why stockade thinks so.
fn recognise_numbering(log: &BenchLog) -> (&'static str, String) {
    let about = |id: &str, words: &[&str]| {
        log.results.iter().any(|r| {
            let desc = r.desc.to_ascii_lowercase();
            r.id == id && words.iter().any(|w| desc.contains(w))
        })
    };
    let has = |id: &str| log.results.iter().any(|r| r.id == id);
    if log.flat {
        return match log.version.as_str() {
            "1.3.0" | "1.3.1" | "1.3.2" => (
                "1.13.0",
                format!(
                    "a flat log written by docker-bench {}, which implemented CIS 1.13.0",
                    log.version
                ),
            ),
            _ => (
                "1.1.0",
                format!(
                    "a flat log (no titles) written by docker-bench {}: flat logs were written while docker-bench implemented CIS 1.1.0",
                    log.version
                ),
            ),
        };
    }
    if about("5.1", &["swarm"]) || about("7.1", &["manager"]) {
        return (
            "1.6.0",
            "5.1 is the swarm-mode check (moved there in CIS 1.6.0)".to_owned(),
        );
    }
    if about("2.1", &["non-root", "rootless"]) {
        if about("3.20", &["/etc/default/docker"]) {
            return (
                "1.5.0",
                "2.1 is the rootless check and 3.20 is about /etc/default/docker (CIS 1.5.0)"
                    .to_owned(),
            );
        }
        if has("4.12") {
            return ("1.4.0", "2.1 is the rootless check and 4.12 exists, with 3.20 not about /etc/default/docker (CIS 1.4.0)".to_owned());
        }
        return (
            "1.3.1",
            "2.1 is the rootless check and there is no 4.12 (CIS 1.3.1)".to_owned(),
        );
    }
    if about("2.1", &["network traffic", "inter-container", "icc"]) {
        if about("2.15", &["swarm"]) || has("6.4") {
            return (
                "1.13.0",
                "2.1 is inter-container traffic and swarm mode is 2.15 (CIS 1.13.0)".to_owned(),
            );
        }
        if about("1.2.1", &["partition"]) || about("1.1.1", &["harden"]) {
            return (
                "1.2.0",
                "2.1 is inter-container traffic and 1.2.1 is the partition check (CIS 1.2.0)"
                    .to_owned(),
            );
        }
        return (
            "1.1.0",
            "2.1 is inter-container traffic and 1.1 the partition check (CIS 1.1.0)".to_owned(),
        );
    }
    if has("6.4") || about("2.15", &["swarm"]) {
        return (
            "1.13.0",
            "swarm mode is 2.15 or image sprawl 6.4 (CIS 1.13.0)".to_owned(),
        );
    }
    (
        "1.5.0",
        "no section-2 title tells the version apart and 5.1 is not swarm mode: sections 4 to 7 number the same from CIS 1.1.0 to 1.5.0, read as 1.5.0".to_owned(),
    )
}

/// The findings one docker-bench result stands for.
fn findings(check: &Check, result: &BenchResult, version: &str, source: &str) -> Vec<Finding> {
    let meta = &check.meta;
    let reminder = result.details.is_none() && result.items.is_empty();
    let status = match result.result.as_str() {
        "PASS" => Status::Pass,
        "WARN" if meta.mode == CheckMode::Manual => Status::Warn,
        "WARN" => Status::Fail,
        // An INFO with nothing to show (5.28) is a reminder, like a NOTE.
        "INFO" if reminder => Status::Manual,
        "INFO" => Status::Info,
        "NOTE" => Status::Manual,
        other => {
            return vec![Finding::error(
                meta,
                format!(
                    "docker-bench {} gave an unknown result `{other}`",
                    result.id
                ),
            )];
        }
    };
    let said = result
        .details
        .as_deref()
        .map(|d| d.split(':').next().unwrap_or(d).trim())
        .filter(|d| !d.is_empty());
    let message = match said {
        Some(said) => format!("docker-bench {} {}: {said}", result.id, result.result),
        None => format!("docker-bench {} {}", result.id, result.result),
    };
    let evidence =
        |observed: String| Evidence::observed(observed).at(Location::file(source.to_owned()));
    let items = distinct_items(&result.items);
    if items.is_empty() || status == Status::Pass {
        let mut observed = format!(
            "docker-bench-security {version}: {} {}",
            result.id, result.result
        );
        if let Some(details) = &result.details {
            observed.push_str(&format!(" ({details})"));
        }
        return vec![Finding::new(meta, status, message).evidence(evidence(observed))];
    }
    items
        .into_iter()
        .map(|item| {
            let (subject, detail) = subject_of(meta.scope, &item);
            let mut message = message.clone();
            if let Some(detail) = detail {
                message.push_str(&format!(" ({detail})"));
            }
            let finding = Finding::new(meta, status, message).evidence(evidence(format!(
                "docker-bench-security {version}: {} {} {item}",
                result.id, result.result
            )));
            match subject {
                Some(subject) => finding.subject(subject),
                None => finding,
            }
        })
        .collect()
}

/// Items with image tags put back together: docker-bench splits `[a:1 b:2]`
/// on spaces.
/// Linear in the number of items: a log may list tens of thousands.
fn distinct_items(items: &[String]) -> Vec<String> {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim_matches(|c| c == '[' || c == ']').trim();
        if !item.is_empty() && seen.insert(item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// The container or image an item names, and what docker-bench added after
/// a colon (`web:/etc`, `web:80`); `<id>:<name>` items (5.30) give both.
fn subject_of(scope: Scope, item: &str) -> (Option<Subject>, Option<String>) {
    match scope {
        Scope::Container => match item.split_once(':') {
            Some((id, name)) if id.len() >= 12 && id.chars().all(|c| c.is_ascii_hexdigit()) => (
                Some(Subject::new(SubjectKind::Container, name).with_id(id)),
                None,
            ),
            Some((name, detail)) => (
                Some(Subject::new(SubjectKind::Container, name)),
                Some(detail.to_owned()),
            ),
            None => (Some(Subject::new(SubjectKind::Container, item)), None),
        },
        Scope::Image => (Some(Subject::new(SubjectKind::Image, item)), None),
        _ => (None, Some(item.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log in the sectioned shape, with titles written for these tests.
    fn log(version: &str, results: &[(&str, &str, &str, &[&str])]) -> BenchLog {
        BenchLog {
            version: version.to_owned(),
            start: Some(0),
            flat: false,
            results: results
                .iter()
                .map(|(id, desc, result, items)| BenchResult {
                    id: (*id).to_owned(),
                    desc: (*desc).to_owned(),
                    result: (*result).to_owned(),
                    details: (!items.is_empty()).then(|| format!("flagged: {}", items.join(" "))),
                    items: items.iter().map(|i| (*i).to_owned()).collect(),
                })
                .collect(),
        }
    }

    fn ids(imported: &Imported) -> Vec<&str> {
        imported.results.iter().map(|(c, _)| c.meta.id).collect()
    }

    #[test]
    fn the_one_six_numbering_is_recognised_by_its_swarm_check() {
        let imported = import(
            &log(
                "1.6.0",
                &[
                    ("5.1", "swarm mode off unless needed", "PASS", &[]),
                    ("5.11", "memory limited", "WARN", &["web", "db"]),
                    ("7.1", "minimum managers in a swarm", "PASS", &[]),
                ],
            ),
            None,
            "bench.json",
        )
        .unwrap();
        assert_eq!(imported.cis_version, "1.6.0");
        assert_eq!(
            ids(&imported),
            [
                "swarm-mode-enabled",
                "container-memory-unlimited",
                "swarm-managers-not-minimal"
            ]
        );
        let memory = &imported.results[1].1;
        assert_eq!(memory.len(), 2);
        assert_eq!(memory[0].status, Status::Fail);
        assert_eq!(memory[0].subject.as_ref().unwrap().name, "web");
    }

    #[test]
    fn the_same_numbers_mean_other_checks_in_one_five() {
        // The tag called 1.6.0 still printed these numbers.
        let imported = import(
            &log(
                "1.6.0",
                &[
                    ("2.1", "daemon as a non-root user", "NOTE", &[]),
                    ("3.20", "/etc/default/docker permissions", "PASS", &[]),
                    ("5.1", "AppArmor profile", "WARN", &["web"]),
                    ("5.10", "memory limited", "WARN", &["web"]),
                    ("7.1", "swarm mode off unless needed", "PASS", &[]),
                ],
            ),
            None,
            "bench.json",
        )
        .unwrap();
        assert_eq!(imported.cis_version, "1.5.0");
        assert_eq!(
            ids(&imported),
            [
                "daemon-runs-as-root",
                "etc-default-docker-permissive",
                "swarm-mode-enabled",
                "container-apparmor-missing",
                "container-memory-unlimited"
            ]
        );
    }

    #[test]
    fn older_numberings_are_told_apart() {
        let by = |results: &[(&str, &str, &str, &[&str])]| {
            import(&log("x", results), None, "f").unwrap().cis_version
        };
        assert_eq!(
            by(&[
                (
                    "2.1",
                    "restrict network traffic between containers",
                    "WARN",
                    &[]
                ),
                ("1.2.1", "separate partition", "WARN", &[])
            ]),
            "1.2.0"
        );
        assert_eq!(
            by(&[
                (
                    "2.1",
                    "restrict network traffic between containers",
                    "WARN",
                    &[]
                ),
                ("1.1", "separate partition", "WARN", &[])
            ]),
            "1.1.0"
        );
        assert_eq!(
            by(&[
                ("2.1", "rootless daemon", "NOTE", &[]),
                ("3.20", "/etc/sysconfig/docker permissions", "PASS", &[]),
                ("4.12", "signed artifacts", "NOTE", &[])
            ]),
            "1.4.0"
        );
        assert_eq!(
            by(&[
                ("2.1", "rootless daemon", "NOTE", &[]),
                ("3.20", "/etc/sysconfig/docker permissions", "PASS", &[])
            ]),
            "1.3.1"
        );
        assert_eq!(by(&[("5.10", "memory", "WARN", &["a"])]), "1.5.0");
    }

    #[test]
    fn items_become_subjects_and_community_capabilities_join_five_four() {
        let imported = import(
            &log(
                "1.6.0",
                &[
                    ("5.1", "swarm", "PASS", &[]),
                    (
                        "5.6",
                        "sensitive directories",
                        "WARN",
                        &["web:/etc", "db:/"],
                    ),
                    ("5.30", "docker0 bridge", "INFO", &["0123456789abcdef:web"]),
                    (
                        "4.6",
                        "image healthcheck",
                        "WARN",
                        &["[app:1", "app:latest]", "[app:1]"],
                    ),
                    ("C.5.3.3", "SYS_ADMIN added", "WARN", &["web"]),
                    ("8.1.1", "enterprise LDAP", "NOTE", &[]),
                ],
            ),
            None,
            "bench.json",
        )
        .unwrap();
        let of = |id: &str| {
            &imported
                .results
                .iter()
                .find(|(c, _)| c.meta.id == id)
                .unwrap()
                .1
        };
        let mounts = of("container-sensitive-host-path-mounted");
        assert_eq!(mounts[0].subject.as_ref().unwrap().name, "web");
        assert!(
            mounts[0].message.ends_with("(/etc)"),
            "{}",
            mounts[0].message
        );
        let bridge = &of("container-default-bridge")[0];
        assert_eq!(
            bridge.subject.as_ref().unwrap().id.as_deref(),
            Some("0123456789abcdef")
        );
        assert_eq!(bridge.status, Status::Info);
        let images: Vec<&str> = of("image-healthcheck-missing")
            .iter()
            .map(|f| f.subject.as_ref().unwrap().name.as_str())
            .collect();
        assert_eq!(images, ["app:1", "app:latest"]);
        assert_eq!(of("container-capabilities-added")[0].status, Status::Fail);
        assert_eq!(imported.unmapped, ["8.1.1 enterprise LDAP"]);
    }

    #[test]
    fn a_forced_numbering_wins_and_unknown_ones_are_refused() {
        let bench = log("1.6.0", &[("5.10", "memory", "WARN", &["web"])]);
        assert_eq!(
            import(&bench, Some("1.5.0"), "f").unwrap().results[0]
                .0
                .meta
                .id,
            "container-memory-unlimited"
        );
        assert_eq!(
            import(&bench, Some("1.6.0"), "f").unwrap().results[0]
                .0
                .meta
                .id,
            "container-host-network"
        );
        assert!(matches!(
            import(&bench, Some("9.9"), "f"),
            Err(ImportError::UnknownVersion(..))
        ));
        assert_eq!(
            import(&log("1.6.0", &[]), None, "f").unwrap_err(),
            ImportError::Empty
        );
    }
}
