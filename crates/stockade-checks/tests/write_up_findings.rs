//! The docker-bench findings the reference write-ups chose to harden, in
//! the CIS Docker 1.2.0 numbering they used: each is one stockade check that
//! answers to the 1.2.0 number with `--cis-version 1.2.0` and shows the 1.6.0
//! number by default.

use stockade_checks::{Input, all};
use stockade_core::cis::Benchmark;

/// (CIS 1.2.0, CIS 1.6.0, what the write-up asks).
const CHOSEN: &[(&str, &str, &str)] = &[
    ("2.1", "2.2", "icc=false on the default bridge"),
    ("2.2", "2.3", "daemon log level info"),
    ("3.4", "3.4", "docker.socket unit mode 644 or stricter"),
    ("3.8", "3.8", "registry certificate files 444 or stricter"),
    ("4.1", "4.1", "a non-root user in the image"),
    ("4.5", "4.5", "content trust enabled"),
    ("5.10", "5.11", "container memory limited"),
    ("5.12", "5.13", "read-only root filesystem"),
    ("5.14", "5.15", "on-failure restart policy, at most 5"),
    ("5.22", "5.23", "no docker exec --privileged"),
    ("5.25", "5.26", "no-new-privileges"),
];

#[test]
fn each_chosen_finding_is_one_live_check_under_both_numberings() {
    for (old, new, what) in CHOSEN {
        let holders: Vec<&str> = all()
            .iter()
            .filter(|c| c.input() == Input::Host)
            .filter(|c| c.meta.cis_number(Benchmark::Docker, "1.2.0") == Some(old))
            .map(|c| c.meta.id)
            .collect();
        assert_eq!(holders.len(), 1, "{what}: CIS 1.2.0 {old} → {holders:?}");
        let check = stockade_checks::by_id(holders[0]).unwrap();
        assert_eq!(
            check.meta.cis_number(Benchmark::Docker, "1.6.0"),
            Some(*new),
            "{what}"
        );
        assert!(!check.meta.remediation.is_empty(), "{what}: a remediation");
    }
}
