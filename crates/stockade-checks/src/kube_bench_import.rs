//! Reading kube-bench's results as stockade findings: each kube-bench
//! result is mapped, through its CIS number in the benchmark version it
//! ran, to the stockade check of that control.

use std::collections::BTreeMap;

use stockade_core::cis::Benchmark;
use stockade_core::finding::{Evidence, Location, Subject, SubjectKind};
use stockade_core::mask::mask_url_credentials;
use stockade_core::{Finding, Status};
use stockade_parse::k8s_node::kube_bench::{self, CheckResult, KubeBenchError};
use stockade_parse::k8s_node::mask::mask_component_argv;
use stockade_parse::systemd_unit::split_words;

use crate::check::Check;
use crate::registry;

/// kube-bench's results for one CIS Kubernetes version, mapped.
#[derive(Debug)]
pub struct Imported {
    /// stockade's name of the version (`1.12` for kube-bench's `cis-1.12`).
    pub version: String,
    /// Each mapped check with kube-bench's findings for it, in registry order.
    pub results: Vec<(&'static Check, Vec<Finding>)>,
}

/// A kube-bench result stockade has no check for.
#[derive(Debug, PartialEq, Eq)]
pub struct Unmapped {
    pub version: String,
    pub number: String,
    pub description: String,
    pub reason: String,
}

/// Everything read from one kube-bench JSON file.
#[derive(Debug)]
pub struct Import {
    pub versions: Vec<Imported>,
    pub unmapped: Vec<Unmapped>,
}

/// Reads kube-bench's JSON output.
pub fn import(text: &str) -> Result<Import, KubeBenchError> {
    let controls = kube_bench::parse(text)?;
    let mut by_version: BTreeMap<String, BTreeMap<&'static str, Vec<Finding>>> = BTreeMap::new();
    let mut unmapped = Vec::new();
    for group in &controls {
        let version = group
            .version
            .trim_start_matches("cis-")
            .trim_start_matches('v')
            .to_owned();
        let known = Benchmark::Kubernetes.version_index(&version).is_some();
        for result in &group.results {
            if !known {
                unmapped.push(Unmapped {
                    version: group.version.clone(),
                    number: result.number.clone(),
                    description: result.description.clone(),
                    reason: format!(
                        "stockade maps kube-bench's cis-{} only",
                        Benchmark::Kubernetes.versions().join(", cis-")
                    ),
                });
                continue;
            }
            match check_for(&version, &result.number) {
                Some(check) => by_version
                    .entry(version.clone())
                    .or_default()
                    .entry(check.meta.id)
                    .or_default()
                    .push(finding(check, &group.node_type, result)),
                None => unmapped.push(Unmapped {
                    version: group.version.clone(),
                    number: result.number.clone(),
                    description: result.description.clone(),
                    reason: "no stockade check for this control (section 5 policies are rules of `stockade scan`)".to_owned(),
                }),
            }
        }
    }
    let versions = by_version
        .into_iter()
        .map(|(version, mut findings)| Imported {
            results: registry::all()
                .iter()
                .filter_map(|check| Some((*check, findings.remove(check.meta.id)?)))
                .collect(),
            version,
        })
        .collect();
    Ok(Import { versions, unmapped })
}

/// The check holding `number` in CIS Kubernetes `version`.
pub fn check_for(version: &str, number: &str) -> Option<&'static Check> {
    // A live check first: the same number may also name a file rule.
    let holds =
        |c: &&'static Check| c.meta.cis_number(Benchmark::Kubernetes, version) == Some(number);
    let checks = registry::all().iter().copied();
    checks
        .clone()
        .filter(|c| c.input() == crate::check::Input::Host)
        .find(holds)
        .or_else(|| checks.clone().find(holds))
}

fn finding(check: &Check, node_type: &str, result: &CheckResult) -> Finding {
    let meta = &check.meta;
    let status = match result.status.as_str() {
        "PASS" => Status::Pass,
        "FAIL" => Status::Fail,
        "WARN" if result.kind == "manual" => Status::Manual,
        "WARN" => Status::Warn,
        "INFO" => Status::Info,
        _ => Status::Error,
    };
    let message = if result.reason.is_empty() {
        format!(
            "kube-bench {}: {}",
            result.status,
            lowercase_first(&result.description)
        )
    } else {
        format!("kube-bench {}: {}", result.status, result.reason)
    };
    let observed = if result.actual_value.trim().is_empty() {
        "kube-bench recorded no output".to_owned()
    } else {
        mask_text(&result.actual_value)
    };
    let mut evidence = Evidence::observed(observed);
    if !result.expected_result.is_empty() {
        evidence = evidence.expected(result.expected_result.clone());
    }
    if !result.audit.trim().is_empty() {
        evidence = evidence.at(Location::Command {
            command: mask_text(result.audit.trim()),
        });
    }
    Finding::new(meta, status, message)
        .subject(Subject::new(
            SubjectKind::Host,
            format!("kube-bench {node_type} target"),
        ))
        .evidence(evidence)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// kube-bench's outputs are `ps` lines and shell scripts: secret flag values
/// and URL passwords are masked word by word, line by line.
fn mask_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            // A command line without its program: mask as if one preceded it.
            let mut argv = vec![String::new()];
            argv.extend(split_words(line));
            let masked = mask_component_argv(&argv);
            let line = if masked == argv {
                line.to_owned()
            } else {
                masked[1..].join(" ")
            };
            mask_url_credentials(&line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = r#"{"Controls":[
      {"id":"1","version":"cis-1.11","node_type":"master","tests":[{"section":"1.2","results":[
        {"test_number":"1.2.15","test_desc":"Ensure that the --profiling argument is set to false (Automated)","audit":"/bin/ps -ef | grep kube-apiserver | grep -v grep","type":"","status":"FAIL","actual_value":"kube-apiserver --oidc-client-secret=hunter2 --profiling=true","scored":true,"expected_result":"'--profiling' is equal to 'false'","reason":""},
        {"test_number":"1.2.20","test_desc":"Ensure that the --request-timeout argument is set as appropriate (Manual)","type":"manual","status":"WARN","scored":false}]}]},
      {"id":"5","version":"cis-1.11","node_type":"policies","tests":[{"section":"5.1","results":[
        {"test_number":"5.1.1","test_desc":"Ensure that the cluster-admin role is only used where required (Manual)","status":"WARN","type":"manual"}]}]},
      {"id":"4","version":"cis-1.9","node_type":"node","tests":[{"section":"4.2","results":[
        {"test_number":"4.2.1","test_desc":"x","status":"PASS"}]}]}]}"#;

    #[test]
    fn results_map_to_checks_by_number_in_their_version() {
        let import = import(RUN).unwrap();
        assert_eq!(import.versions.len(), 1);
        let v = &import.versions[0];
        assert_eq!(v.version, "1.11");
        let ids: Vec<&str> = v.results.iter().map(|(c, _)| c.meta.id).collect();
        assert_eq!(
            ids,
            [
                "apiserver-profiling-enabled",
                "apiserver-request-timeout-review",
                // Section 5 lands on the manifest rule carrying the same number.
                "k8s-rbac-cluster-admin-binding",
            ]
        );
        let profiling = &v.results[0].1[0];
        assert_eq!(profiling.status, Status::Fail);
        let observed = &profiling.evidence[0].observed;
        assert!(
            !observed.contains("hunter2") && observed.contains("--profiling=true"),
            "{observed}"
        );
        assert_eq!(v.results[1].1[0].status, Status::Manual);
        let unmapped: Vec<&str> = import.unmapped.iter().map(|u| u.number.as_str()).collect();
        assert_eq!(unmapped, ["4.2.1"]);
        assert!(import.unmapped[0].reason.contains("cis-1.12"));
    }

    #[test]
    fn numbers_follow_the_version_kube_bench_ran() {
        // 1.2.30 exists since CIS 1.11; 4.2.14 too.
        assert!(check_for("1.10", "1.2.30").is_none());
        assert_eq!(
            check_for("1.11", "1.2.30").unwrap().meta.id,
            "apiserver-token-expiration-extended"
        );
        assert_eq!(
            check_for("1.12", "2.2").unwrap().meta.id,
            "etcd-client-cert-auth-disabled"
        );
    }
}
