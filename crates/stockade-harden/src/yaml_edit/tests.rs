#![allow(clippy::unwrap_used)]

use serde_json::json;
use stockade_core::fix::YamlStep;

use super::*;

fn path(steps: &[&str]) -> Vec<YamlStep> {
    steps
        .iter()
        .map(|s| match s.parse::<usize>() {
            Ok(i) => YamlStep::Index(i),
            Err(_) => YamlStep::key(s),
        })
        .collect()
}

fn set(text: &str, doc: usize, at: &[&str], value: serde_json::Value) -> String {
    edit(text, doc, &path(at), Op::Set(&value)).unwrap()
}

fn add(text: &str, doc: usize, at: &[&str], item: serde_json::Value) -> String {
    edit(text, doc, &path(at), Op::AddItem(&item)).unwrap()
}

#[test]
fn a_new_key_goes_at_the_end_of_its_mapping_before_trailing_comments() {
    let text = "services:\n  web:\n    image: nginx # pinned later\n    # ports:\n    #   - 80\n\n  db:\n    image: postgres\n";
    assert_eq!(
        set(text, 0, &["services", "web", "read_only"], json!(true)),
        "services:\n  web:\n    image: nginx # pinned later\n    read_only: true\n    # ports:\n    #   - 80\n\n  db:\n    image: postgres\n"
    );
}

#[test]
fn nested_mappings_are_created_in_the_files_style() {
    let text = "kind: Pod\nspec:\n    containers:\n    -   name: app\n        image: x\n";
    assert_eq!(
        set(
            text,
            0,
            &["spec", "containers", "0", "securityContext"],
            json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}})
        ),
        "kind: Pod\nspec:\n    containers:\n    -   name: app\n        image: x\n        securityContext:\n            allowPrivilegeEscalation: false\n            capabilities:\n                drop:\n                -   ALL\n"
            .replace("-   ALL", "- ALL")
    );
}

#[test]
fn the_second_document_of_a_stream_is_edited_alone() {
    let text = "# first\napiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n---\nkind: End\n";
    assert_eq!(
        set(
            text,
            1,
            &["spec", "automountServiceAccountToken"],
            json!(false)
        ),
        "# first\napiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n  automountServiceAccountToken: false\n---\nkind: End\n"
    );
}

#[test]
fn null_and_empty_flow_values_become_blocks_keeping_the_comment() {
    let text = "spec:\n  securityContext: # hardened below\n  containers: []\n";
    assert_eq!(
        set(
            text,
            0,
            &["spec", "securityContext", "runAsNonRoot"],
            json!(true)
        ),
        "spec:\n  securityContext: # hardened below\n    runAsNonRoot: true\n  containers: []\n"
    );
    let text = "spec:\n  securityContext: {}\n  containers: []\n";
    assert_eq!(
        set(
            text,
            0,
            &["spec", "securityContext", "seccompProfile", "type"],
            json!("RuntimeDefault")
        ),
        "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers: []\n"
    );
    let text = "a:\n  b: ~\n";
    assert_eq!(set(text, 0, &["a", "b"], json!("x")), "a:\n  b: x\n");
}

#[test]
fn items_are_appended_to_block_and_flow_sequences() {
    let text = "s:\n  security_opt:\n    - label:disable # why\n  image: x\n";
    assert_eq!(
        add(
            text,
            0,
            &["s", "security_opt"],
            json!("no-new-privileges:true")
        ),
        "s:\n  security_opt:\n    - label:disable # why\n    - no-new-privileges:true\n  image: x\n"
    );
    let text = "s:\n  cap_drop: [NET_RAW ] # c\n";
    assert_eq!(
        add(text, 0, &["s", "cap_drop"], json!("ALL")),
        "s:\n  cap_drop: [NET_RAW, ALL ] # c\n"
    );
    let text = "s:\n  cap_drop: []\n";
    assert_eq!(
        add(text, 0, &["s", "cap_drop"], json!("ALL")),
        "s:\n  cap_drop: [ALL]\n"
    );
    let text = "s:\n  cap_drop:\n  - ALL\n";
    assert_eq!(
        add(text, 0, &["s", "cap_drop"], json!("ALL")),
        text,
        "no-op"
    );
}

#[test]
fn an_indentless_sequence_ends_at_the_next_key() {
    let text = "s:\n  cap_drop:\n  - NET_RAW\n  image: x\n";
    assert_eq!(
        add(text, 0, &["s", "cap_drop"], json!("ALL")),
        "s:\n  cap_drop:\n  - NET_RAW\n  - ALL\n  image: x\n"
    );
}

#[test]
fn scalars_are_replaced_in_place() {
    let text = "c:\n  securityContext:\n    allowPrivilegeEscalation: true   # legacy\n";
    assert_eq!(
        set(
            text,
            0,
            &["c", "securityContext", "allowPrivilegeEscalation"],
            json!(false)
        ),
        "c:\n  securityContext:\n    allowPrivilegeEscalation: false   # legacy\n"
    );
    let text = "c: {securityContext: {privileged: \"yes\", x: 1}}\n";
    assert_eq!(
        set(
            text,
            0,
            &["c", "securityContext", "privileged"],
            json!(false)
        ),
        "c: {securityContext: {privileged: false, x: 1}}\n"
    );
}

#[test]
fn keys_merged_from_an_anchor_are_overridden_locally() {
    let text =
        "x-base: &base\n  read_only: false\nservices:\n  web:\n    <<: *base\n    image: x\n";
    assert_eq!(
        set(text, 0, &["services", "web", "read_only"], json!(true)),
        "x-base: &base\n  read_only: false\nservices:\n  web:\n    <<: *base\n    image: x\n    read_only: true\n"
    );
}

#[test]
fn refusals_name_the_line() {
    let error = edit("a: 1\nb: [1, 2\n", 0, &path(&["a"]), Op::Set(&json!(2))).unwrap_err();
    assert!(matches!(error, EditError::Parse(_)));
    assert!(
        error.describe("f.yaml").starts_with("cannot edit f.yaml:"),
        "{}",
        error.describe("f.yaml")
    );
    let error = edit(
        "{\"spec\": {\"containers\": []}}\n",
        0,
        &path(&["spec", "automountServiceAccountToken"]),
        Op::Set(&json!(false)),
    )
    .unwrap_err();
    assert_eq!(
        error.describe("pod.json"),
        "cannot edit pod.json:1:10: `spec` is a flow mapping ({…}): add `automountServiceAccountToken` to it by hand"
    );
}

#[test]
fn windows_line_endings_are_kept() {
    let text = "s:\r\n  web:\r\n    image: x\r\n";
    assert_eq!(
        set(text, 0, &["s", "web", "read_only"], json!(true)),
        "s:\r\n  web:\r\n    image: x\r\n    read_only: true\r\n"
    );
}

#[test]
fn a_file_without_a_final_newline_gets_one_before_the_new_line() {
    assert_eq!(
        set("a:\n  b: 1", 0, &["a", "c"], json!(2)),
        "a:\n  b: 1\n  c: 2\n"
    );
}

#[test]
fn setting_what_is_there_changes_nothing() {
    let text = "a:\n  b: yes\n  c: '512Mi'\n";
    assert_eq!(set(text, 0, &["a", "b"], json!(true)), text);
    assert_eq!(set(text, 0, &["a", "c"], json!("512Mi")), text);
    assert_eq!(set(text, 0, &["a"], json!({"b": true, "c": "512Mi"})), text);
}

#[test]
fn a_list_merged_from_an_anchor_keeps_its_items_when_extended() {
    let text = "x: &c\n  security_opt: [label:disable]\ns:\n  w:\n    <<: *c\n    image: x\n";
    assert_eq!(
        add(
            text,
            0,
            &["s", "w", "security_opt"],
            json!("no-new-privileges:true")
        ),
        "x: &c\n  security_opt: [label:disable]\ns:\n  w:\n    <<: *c\n    image: x\n    security_opt:\n      - label:disable\n      - no-new-privileges:true\n"
    );
}
