#![no_main]
//! The whole scan of one file (recognition, parsing, every file rule,
//! ignores) on arbitrary bytes, as YAML and as a Dockerfile.

use libfuzzer_sys::fuzz_target;
use stockade_checks::scan::{self, Candidate};
use stockade_checks::{Input, all};

fuzz_target!(|bytes: &[u8]| {
    let checks: Vec<_> = all()
        .iter()
        .copied()
        .filter(|c| c.input() == Input::Files)
        .collect();
    for candidate in [Candidate::Yaml, Candidate::Dockerfile] {
        let mut scans: Vec<_> = scan::scan_bytes("input", candidate, bytes, &checks)
            .into_iter()
            .collect();
        scan::finish(&mut scans, &checks);
    }
});
