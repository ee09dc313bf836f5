//! kube-bench's JSON output (`kube-bench --json`), read leniently: the
//! document with totals (`{"Controls": [...], "Totals": {...}}`), the bare
//! array of `--nototals`, or one controls object.

use serde_json::Value;

/// One target's results (master, etcd, node...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Controls {
    /// kube-bench's benchmark name, e.g. `cis-1.12`.
    pub version: String,
    /// `master`, `etcd`, `controlplane`, `node`, `policies`...
    pub node_type: String,
    pub detected_version: Option<String>,
    pub results: Vec<CheckResult>,
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// CIS number in `version`, e.g. `1.2.5`.
    pub number: String,
    pub description: String,
    /// `PASS`, `FAIL`, `WARN` or `INFO`.
    pub status: String,
    /// kube-bench's check type: `manual`, `skip` or empty.
    pub kind: String,
    pub scored: bool,
    pub actual_value: String,
    pub expected_result: String,
    pub reason: String,
    pub audit: String,
    pub remediation: String,
}

/// Why a file is not kube-bench JSON.
#[derive(Debug, thiserror::Error)]
pub enum KubeBenchError {
    #[error("{line}:{column}: not JSON: {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not kube-bench JSON output: {0}")]
    Shape(String),
}

/// Parses kube-bench's JSON output.
pub fn parse(text: &str) -> Result<Vec<Controls>, KubeBenchError> {
    let value: Value = serde_json::from_str(text).map_err(|e| KubeBenchError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let list: Vec<&Value> = match &value {
        Value::Object(map) if map.contains_key("Controls") => match &map["Controls"] {
            Value::Array(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => return Err(KubeBenchError::Shape("\"Controls\" is not a list".into())),
        },
        Value::Object(map) if map.contains_key("tests") => vec![&value],
        Value::Array(items) => items.iter().collect(),
        _ => {
            return Err(KubeBenchError::Shape(
                "expected an object with \"Controls\" or a list of controls".into(),
            ));
        }
    };
    list.into_iter()
        .enumerate()
        .map(|(i, c)| controls(i, c))
        .collect()
}

fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn controls(index: usize, value: &Value) -> Result<Controls, KubeBenchError> {
    let Some(groups) = value.get("tests").and_then(Value::as_array) else {
        return Err(KubeBenchError::Shape(format!(
            "controls #{} has no \"tests\" list",
            index + 1
        )));
    };
    let mut results = Vec::new();
    for group in groups {
        for result in group
            .get("results")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            results.push(CheckResult {
                number: text(result, "test_number"),
                description: text(result, "test_desc"),
                status: text(result, "status").to_ascii_uppercase(),
                kind: text(result, "type"),
                scored: result
                    .get("scored")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                actual_value: text(result, "actual_value"),
                expected_result: text(result, "expected_result"),
                reason: text(result, "reason"),
                audit: text(result, "audit"),
                remediation: text(result, "remediation"),
            });
        }
    }
    Ok(Controls {
        version: text(value, "version"),
        node_type: text(value, "node_type"),
        detected_version: Some(text(value, "detected_version")).filter(|v| !v.is_empty()),
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"Controls":[{"id":"2","version":"cis-1.12","detected_version":"1.32","text":"Etcd Node Configuration","node_type":"etcd",
      "tests":[{"section":"2","type":"","pass":1,"fail":1,"warn":0,"info":0,"desc":"Etcd Node Configuration","results":[
        {"test_number":"2.1","test_desc":"Ensure that the --cert-file and --key-file arguments are set as appropriate (Automated)","audit":"/bin/ps -ef | /bin/grep etcd | /bin/grep -v grep","AuditEnv":"","AuditConfig":"","type":"","remediation":"Follow the etcd service documentation","test_info":["x"],"status":"FAIL","actual_value":"etcd --data-dir=/var/lib/etcd","scored":true,"IsMultiple":false,"expected_result":"'--cert-file' is present AND '--key-file' is present","reason":""},
        {"test_number":"2.3","test_desc":"Ensure that the --auto-tls argument is not set to true (Automated)","audit":"","type":"","status":"PASS","actual_value":"","scored":true,"expected_result":"","reason":""}]}],
      "total_pass":1,"total_fail":1,"total_warn":0,"total_info":0}],"Totals":{"total_pass":1,"total_fail":1,"total_warn":0,"total_info":0}}"#;

    #[test]
    fn results_with_totals() {
        let controls = parse(SAMPLE).unwrap();
        assert_eq!(controls.len(), 1);
        assert_eq!(controls[0].version, "cis-1.12");
        assert_eq!(controls[0].node_type, "etcd");
        assert_eq!(controls[0].results.len(), 2);
        assert_eq!(controls[0].results[0].number, "2.1");
        assert_eq!(controls[0].results[0].status, "FAIL");
        assert!(controls[0].results[0].scored);
    }

    #[test]
    fn bare_arrays_and_bad_input() {
        let value: Value = serde_json::from_str(SAMPLE).unwrap();
        let bare = serde_json::to_string(&value["Controls"]).unwrap();
        assert_eq!(parse(&bare).unwrap().len(), 1);
        assert!(matches!(
            parse("{\"Controls\": [}"),
            Err(KubeBenchError::NotJson { line: 1, .. })
        ));
        assert!(matches!(parse("{\"x\": 1}"), Err(KubeBenchError::Shape(_))));
    }
}
