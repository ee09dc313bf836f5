//! The built-in catalog is valid, complete against the check registry, and
//! covers every threat the reference write-ups name.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

use std::collections::BTreeMap;

use stockade_core::meta::CheckMode;
use stockade_threats::builtin;

#[test]
fn every_reference_resolves_to_a_check() {
    let catalog = builtin().unwrap_or_else(|errors| panic!("{errors:#?}"));
    assert!(
        catalog.unresolved.is_empty(),
        "CIS references no check carries: {:#?}",
        catalog.unresolved
    );
}

#[test]
fn every_automated_check_leaves_a_threat_open_when_it_fails() {
    let catalog = builtin().unwrap();
    let orphans: Vec<&str> = stockade_checks::all()
        .iter()
        .filter(|c| c.meta.mode == CheckMode::Automated)
        // The scan's own diagnostics (unparseable files, stale ignores) are
        // about the tool's input, not a control of the system.
        .filter(|c| !matches!(c.runner, stockade_checks::Runner::Scan))
        .map(|c| c.meta.id)
        .filter(|id| catalog.threats_of_check(id).next().is_none())
        .collect();
    assert!(
        orphans.is_empty(),
        "checks mapped to no threat: {orphans:#?}"
    );
}

#[test]
fn ids_are_unique_and_threats_sit_on_vocabulary_components() {
    let catalog = builtin().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for threat in &catalog.threats {
        assert!(seen.insert(&threat.id), "{} twice", threat.id);
        assert!(
            stockade_threats::catalog::COMPONENTS.contains(&threat.component.as_str()),
            "{} on {}",
            threat.id,
            threat.component
        );
        assert!(
            !threat.title.ends_with('.'),
            "{}: title ends with a period",
            threat.id
        );
    }
    for component in stockade_threats::catalog::COMPONENTS {
        assert!(
            catalog.component(component).is_some(),
            "{component} missing from the model"
        );
        assert!(
            catalog
                .flows
                .iter()
                .any(|f| f.from == *component || f.to == *component),
            "{component} takes part in no data flow"
        );
    }
}

/// The threats named by the reference write-ups (the project's acceptance
/// criteria): reference id, component, STRIDE letter.
const ACCEPTANCE: &[(&str, &str, char)] = &[
    ("D01", "container", 'S'),
    ("D02", "registry", 'T'),
    ("D03", "docker-client", 'I'),
    ("D04", "docker-daemon", 'D'),
    ("D05", "container", 'E'),
    ("D06", "image", 'R'),
    ("D07", "docker-daemon", 'T'),
    ("D08", "image", 'E'),
    ("D09", "registry", 'S'),
    ("D10", "container", 'S'),
    ("D11", "docker-host", 'T'),
    ("D12", "container", 'I'),
    ("D13", "container", 'D'),
    ("D14", "docker-client", 'S'),
    ("D15", "docker-host", 'T'),
    ("D16", "registry", 'T'),
    ("D17", "docker-client", 'R'),
    ("D18", "registry", 'R'),
    ("D19", "docker-host", 'I'),
    ("D20", "container", 'D'),
    ("D21", "container", 'E'),
    ("D22", "image", 'E'),
    ("K01", "pod", 'S'),
    ("K02", "kubelet", 'R'),
    ("K03", "api-server", 'D'),
    ("K04", "etcd", 'I'),
    ("K05", "rbac", 'E'),
    ("K06", "etcd", 'T'),
    ("K07", "kubelet", 'S'),
    ("K08", "kubelet", 'R'),
    ("K09", "etcd", 'I'),
    ("K10", "kubelet", 'E'),
    ("K11", "api-server", 'R'),
    ("K12", "pod", 'D'),
    ("K13", "rbac", 'I'),
    ("K14", "api-server", 'S'),
    ("K15", "api-server", 'R'),
    ("K16", "kube-proxy", 'I'),
    ("K17", "pod", 'D'),
    ("K18", "kubelet", 'E'),
    ("K19", "api-server", 'S'),
    ("K20", "kubelet", 'T'),
    ("K21", "pod", 'E'),
];

fn acceptance_rows() -> Vec<(String, String, char)> {
    ACCEPTANCE
        .iter()
        .map(|(id, component, letter)| ((*id).to_owned(), (*component).to_owned(), *letter))
        .collect()
}

/// Lists, for every threat the write-ups name, the catalog threat(s) that
/// cover it on the same component with the same STRIDE letter.
#[test]
fn every_write_up_threat_maps_to_a_catalog_threat() {
    let catalog = builtin().unwrap();
    let rows = acceptance_rows();
    assert_eq!(rows.len(), 43, "22 Docker and 21 Kubernetes rows");
    let mut mapping: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut missing = Vec::new();
    for (row, component, letter) in &rows {
        let matches: Vec<String> = catalog
            .threats
            .iter()
            .filter(|t| {
                t.covers.contains(row) && t.component == *component && t.stride.letter() == *letter
            })
            .map(|t| t.id.clone())
            .collect();
        if matches.is_empty() {
            missing.push(format!("{row} ({component}, {letter})"));
        }
        mapping.insert(row.clone(), matches);
    }
    assert!(missing.is_empty(), "uncovered: {missing:#?}");
    let listing: Vec<String> = mapping
        .iter()
        .map(|(row, ids)| format!("{row} → {}", ids.join(", ")))
        .collect();
    insta::assert_snapshot!(listing.join("\n"));
}
