//! Property test: the whole scan (recognition, parsing, every rule, ignores)
//! never panics on arbitrary input, YAML-shaped or not.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

use proptest::prelude::*;
use stockade_checks::scan::{self, Candidate};
use stockade_checks::{Input, all};

fn manifest_like() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("apiVersion: v1\nkind: Pod\n".to_owned()),
            Just("kind: List\nitems:\n".to_owned()),
            Just("services:\n  a:\n    image: x\n".to_owned()),
            Just("spec:\n".to_owned()),
            Just("  containers:\n  - name: a\n".to_owned()),
            Just("    securityContext: ".to_owned()),
            Just("privileged: yes\n".to_owned()),
            Just("capabilities: {add: [ALL], drop: []}\n".to_owned()),
            Just("volumes: [{hostPath: {path: /}}]\n".to_owned()),
            Just("rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n".to_owned()),
            Just("env: [{name: TOKEN, value: x}]\n".to_owned()),
            Just("ports: ['0:0', {target: 1}]\n".to_owned()),
            Just("---\n".to_owned()),
            Just("  ".to_owned()),
            Just("~\n".to_owned()),
            Just("# stockade:ignore k8s-host-pid\n".to_owned()),
            Just("FROM a\nUSER root\nRUN curl x | sh\n".to_owned()),
            "[a-z:{}\\[\\], \n-]{0,12}",
        ],
        0..40,
    );
    pieces.prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scanning_never_panics(text in manifest_like(), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let checks: Vec<_> = all().iter().copied().filter(|c| c.input() == Input::Files).collect();
        for candidate in [Candidate::Yaml, Candidate::Dockerfile] {
            let mut scans: Vec<_> = [text.as_bytes(), bytes.as_slice()]
                .into_iter()
                .filter_map(|b| scan::scan_bytes("input", candidate, b, &checks))
                .collect();
            scan::finish(&mut scans, &checks);
        }
    }
}
