//! `stockade diff`: what changed between two JSON documents stockade wrote.
//!
//! One comparison serves every document kind. Each kind has a thin adapter
//! that reads its JSON into [`Item`]s: something keyed by a stable id, with a
//! status, whether that status is a problem, and optionally a risk rating or
//! a severity. [`compare`] pairs the items of the two documents and sorts
//! each pair into one section: newly open (or failing, or a new finding),
//! newly mitigated (or passing, or fixed), other status changes, risk (or
//! severity) changes, added and removed.
//!
//! - threat models (`kind: "threat-model"`): threats keyed by id; an instance
//!   of a threat on one subject is keyed `ID@subject`, whether the document
//!   lists it as a threat of its own or nests it under the threat in an
//!   `instances` array. `likelihood`, `impact` and `risk` are compared when
//!   both documents carry them.
//! - audit results (`kind: "audit"`): findings keyed by check id and subject.
//! - scan results (`kind: "scan"`): findings keyed by rule, file and the
//!   object in the file (service, Kubernetes object); the line only breaks
//!   ties, so findings that moved because lines were added above them are
//!   not reported as fixed and new. A finding that disappears is fixed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::json::Tool;

/// Bumped when a field of the diff document changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// The `schema_version`s of input documents this version reads: audit and
/// scan results are at 1; threat models went to 2 when instances moved
/// under their threat (both shapes are read).
pub const READABLE_SCHEMA_VERSIONS: [u64; 2] = [1, 2];

/// The kinds of document `stockade diff` compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    ThreatModel,
    Audit,
    Scan,
}

impl DocumentKind {
    /// The document's `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ThreatModel => "threat-model",
            DocumentKind::Audit => "audit",
            DocumentKind::Scan => "scan",
        }
    }

    /// What a user calls the document: "a threat model".
    pub fn describe(self) -> &'static str {
        match self {
            DocumentKind::ThreatModel => "a threat model (stockade model --format json)",
            DocumentKind::Audit => "audit results (stockade audit --format json)",
            DocumentKind::Scan => "scan results (stockade scan --format json)",
        }
    }

    fn noun(self) -> (&'static str, &'static str) {
        match self {
            DocumentKind::ThreatModel => ("threat", "threats"),
            DocumentKind::Audit => ("result", "results"),
            DocumentKind::Scan => ("finding", "findings"),
        }
    }

    /// Whether an item missing from a document means its problem is gone:
    /// a scan reports only what is wrong, so a finding that disappears was
    /// fixed. A threat or an audit result that disappears was not judged.
    fn absence_is_good(self) -> bool {
        self == DocumentKind::Scan
    }

    fn label(self, section: Section) -> &'static str {
        use DocumentKind::*;
        use Section::*;
        match (self, section) {
            (ThreatModel, Opened) => "Newly open",
            (ThreatModel, Closed) => "Newly mitigated",
            (Audit, Opened) => "Newly failing",
            (Audit, Closed) => "Newly passing",
            (Scan, Opened) => "New findings",
            (Scan, Closed) => "Fixed findings",
            (_, StatusChanged) => "Other status changes",
            (ThreatModel, RiskChanged) => "Risk changes",
            (_, RiskChanged) => "Severity changes",
            (ThreatModel, Added) => "Added threats",
            (ThreatModel, Removed) => "Removed threats",
            (_, Added) => "Added",
            (_, Removed) => "Removed",
        }
    }

    fn summary_label(self, section: Section, count: usize) -> String {
        use DocumentKind::*;
        use Section::*;
        let plural = if count == 1 { "" } else { "s" };
        match (self, section) {
            (ThreatModel, Opened) => format!("{count} newly open"),
            (ThreatModel, Closed) => format!("{count} newly mitigated"),
            (Audit, Opened) => format!("{count} newly failing"),
            (Audit, Closed) => format!("{count} newly passing"),
            (Scan, Opened) => format!("{count} new"),
            (Scan, Closed) => format!("{count} fixed"),
            (_, StatusChanged) => format!("{count} other status change{plural}"),
            (ThreatModel, RiskChanged) => format!("{count} risk change{plural}"),
            (_, RiskChanged) => format!("{count} severity change{plural}"),
            (_, Added) => format!("{count} added"),
            (_, Removed) => format!("{count} removed"),
        }
    }
}

/// Whether a status is a problem, fine, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// open; fail or warn.
    Problem,
    /// mitigated; pass.
    Good,
    /// accepted, unverified, not-applicable; manual, info, error, suppressed.
    Neutral,
}

/// How serious an item is: risk rating for threats, severity for findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rating {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

impl Rating {
    /// A number to order by: the risk, else the severity's rank.
    fn rank(&self) -> i64 {
        self.risk
            .or_else(|| self.severity.as_deref().map(severity_rank))
            .unwrap_or(0)
    }

    /// Whether a field both ratings carry differs (fields only one side
    /// carries, e.g. an older document without risk, are ignored).
    fn differs(&self, other: &Rating) -> bool {
        fn both<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            matches!((a, b), (Some(a), Some(b)) if a != b)
        }
        both(&self.likelihood, &other.likelihood)
            || both(&self.impact, &other.impact)
            || both(&self.risk, &other.risk)
            || both(&self.severity, &other.severity)
    }
}

fn severity_rank(severity: &str) -> i64 {
    match severity {
        "critical" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "info" => 1,
        _ => 0,
    }
}

/// One thing compared: a threat, a threat's instance, a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// What pairs it with its counterpart in the other document:
    /// `DKR-CTR-02@web`, `docker-sock-mounted@ci`,
    /// `dockerfile-runs-as-root Dockerfile`.
    pub key: String,
    /// Breaks ties between items with the same key (a scan finding's line):
    /// equal hints pair first, the rest pair in document order.
    pub hint: Option<String>,
    /// The finding's `fingerprint`, when the document carries one (scan and
    /// audit results): among items sharing a key, equal fingerprints pair
    /// first, as `--baseline` matches them.
    pub fingerprint: Option<String>,
    /// The threat or check id.
    pub id: String,
    /// For an audit result about one subject, the key of the same check's
    /// result about no subject: a check that passed host-wide in one run
    /// and failed on a container in the other pairs with it.
    pub parent: Option<String>,
    /// The container, pod, service or object, when the item is about one.
    pub subject: Option<String>,
    /// Where: `Dockerfile:3:1`.
    pub location: Option<String>,
    /// The threat's title or the finding's message.
    pub title: String,
    pub status: String,
    pub class: Class,
    pub rating: Rating,
}

/// A document read for comparison.
#[derive(Clone, Debug)]
pub struct Document {
    pub kind: DocumentKind,
    /// The `tool` that wrote it, when it says.
    pub tool: Option<String>,
    pub items: Vec<Item>,
}

/// Why a file cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not JSON at all.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a document stockade writes (or not one diff reads).
    NotStockade(String),
    /// A stockade document of a schema version this build does not know.
    SchemaVersion(u64),
    /// A stockade document with a field of the wrong shape.
    Shape(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Syntax { message, .. } => write!(f, "not valid JSON: {message}"),
            ReadError::NotStockade(why) => f.write_str(why),
            ReadError::SchemaVersion(found) => write!(
                f,
                "schema_version {found} is not one this stockade reads ({}); compare documents written by the same stockade version",
                READABLE_SCHEMA_VERSIONS
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ReadError::Shape(why) => write!(f, "malformed stockade document: {why}"),
        }
    }
}

impl std::error::Error for ReadError {}

const KINDS_READ: &str = "diff compares threat models (stockade model --format json), audit results (stockade audit --format json) and scan results (stockade scan --format json)";

/// Reads one document written by stockade.
pub fn read(text: &str) -> Result<Document, ReadError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ReadError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let Value::Object(root) = value else {
        return Err(ReadError::NotStockade(format!(
            "a JSON {} rather than a stockade document; {KINDS_READ}",
            type_name(&value)
        )));
    };
    let kind = match root.get("kind") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) => {
            return Err(ReadError::NotStockade(format!(
                "its `kind` is not a string, so it is not a stockade document; {KINDS_READ}"
            )));
        }
        None if root.contains_key("collector") && root.contains_key("host") => {
            return Err(ReadError::NotStockade(format!(
                "a snapshot (stockade collect), not results; audit it first (stockade audit --from FILE --format json). {KINDS_READ}"
            )));
        }
        None => {
            return Err(ReadError::NotStockade(format!(
                "no `kind` field, so not a document stockade wrote; {KINDS_READ}"
            )));
        }
    };
    let kind = match kind {
        "threat-model" => DocumentKind::ThreatModel,
        "audit" => DocumentKind::Audit,
        "scan" => DocumentKind::Scan,
        other => {
            return Err(ReadError::NotStockade(format!(
                "a `{other}` document, which diff does not compare; {KINDS_READ}"
            )));
        }
    };
    match root.get("schema_version").map(Value::as_u64) {
        Some(Some(version)) if READABLE_SCHEMA_VERSIONS.contains(&version) => {}
        Some(Some(version)) => return Err(ReadError::SchemaVersion(version)),
        Some(None) => return Err(ReadError::Shape("`schema_version` is not a number".into())),
        None => return Err(ReadError::Shape("no `schema_version`".into())),
    }
    let items = match kind {
        DocumentKind::ThreatModel => model_items(&root)?,
        DocumentKind::Audit => audit_items(&root)?,
        DocumentKind::Scan => scan_items(&root)?,
    };
    Ok(Document {
        kind,
        tool: tool_name(&root),
        items,
    })
}

/// serde_json appends " at line L column C"; the caller prints the position
/// its own way.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn tool_name(root: &Map<String, Value>) -> Option<String> {
    match root.get("tool")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(tool) => {
            let name = tool.get("name").and_then(Value::as_str)?;
            let version = tool.get("version").and_then(Value::as_str).unwrap_or("");
            Some(format!("{name} {version}").trim_end().to_owned())
        }
        _ => None,
    }
}

fn array<'a>(root: &'a Map<String, Value>, field: &str) -> Result<&'a [Value], ReadError> {
    match root.get(field) {
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ReadError::Shape(format!("`{field}` is not an array"))),
        None => Err(ReadError::Shape(format!("no `{field}` array"))),
    }
}

fn string(value: &Value, field: &str) -> Option<String> {
    value
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn required(value: &Value, field: &str, what: &str, index: usize) -> Result<String, ReadError> {
    string(value, field)
        .ok_or_else(|| ReadError::Shape(format!("{what} {} has no `{field}`", index + 1)))
}

// ----- threat models -------------------------------------------------------

fn model_items(root: &Map<String, Value>) -> Result<Vec<Item>, ReadError> {
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    for (index, threat) in array(root, "threats")?.iter().enumerate() {
        let id = required(threat, "id", "threat", index)?;
        let status = required(threat, "status", "threat", index)?;
        let subject = string(threat, "subject");
        let key = instance_key(&id, subject.as_deref());
        let title = string(threat, "title").unwrap_or_default();
        let item = threat_item(key, &id, subject, title.clone(), status, threat);
        if seen.insert(item.key.clone()) {
            items.push(item);
        }
        let instances = match threat.get("instances") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(instances)) => instances,
            Some(_) => {
                return Err(ReadError::Shape(format!(
                    "the `instances` of threat {id} are not an array"
                )));
            }
        };
        for (n, instance) in instances.iter().enumerate() {
            let what = format!("instance of threat {id} number");
            let status = required(instance, "status", &what, n)?;
            let subject = string(instance, "subject");
            let instance_id = string(instance, "id");
            let key = match (&instance_id, &subject) {
                (Some(own), _) if own.contains('@') => own.clone(),
                (_, Some(subject)) => format!("{id}@{subject}"),
                _ => {
                    return Err(ReadError::Shape(format!(
                        "{what} {} has no `subject`",
                        n + 1
                    )));
                }
            };
            let title = string(instance, "title").unwrap_or_else(|| title.clone());
            let item = threat_item(key, &id, subject, title, status, instance);
            if seen.insert(item.key.clone()) {
                items.push(item);
            }
        }
    }
    Ok(items)
}

/// `DKR-CTR-02@web`: the id when it names its subject already, else id@subject.
fn instance_key(id: &str, subject: Option<&str>) -> String {
    match subject {
        Some(subject) if !id.contains('@') => format!("{id}@{subject}"),
        _ => id.to_owned(),
    }
}

fn threat_item(
    key: String,
    id: &str,
    subject: Option<String>,
    title: String,
    status: String,
    value: &Value,
) -> Item {
    let class = match status.as_str() {
        "open" => Class::Problem,
        "mitigated" => Class::Good,
        _ => Class::Neutral,
    };
    let number = |field: &str| value.get(field).and_then(Value::as_i64);
    Item {
        id: id.split('@').next().unwrap_or(id).to_owned(),
        subject: subject.or_else(|| key.split_once('@').map(|(_, s)| s.to_owned())),
        key,
        hint: None,
        fingerprint: None,
        parent: None,
        location: None,
        title,
        status,
        class,
        rating: Rating {
            likelihood: number("likelihood"),
            impact: number("impact"),
            risk: number("risk"),
            severity: None,
        },
    }
}

// ----- audit and scan results -----------------------------------------------

fn finding_class(status: &str) -> Class {
    match status {
        "fail" | "warn" => Class::Problem,
        "pass" => Class::Good,
        _ => Class::Neutral,
    }
}

fn subject_name(finding: &Value) -> Option<String> {
    finding
        .get("subject")
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The first evidence location, as text: `Dockerfile:3:1`, `container web`.
fn location(finding: &Value) -> Option<String> {
    let evidence = finding.get("evidence")?.as_array()?;
    let location = evidence.iter().find_map(|e| e.get("location"))?;
    let text = |f: &str| location.get(f).and_then(Value::as_str);
    let number = |f: &str| location.get(f).and_then(Value::as_u64);
    Some(match text("kind")? {
        "file" => {
            let path = text("path")?;
            match (number("line"), number("column")) {
                (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
                (Some(l), None) => format!("{path}:{l}"),
                _ => path.to_owned(),
            }
        }
        "process" => format!(
            "{} (pid {}){}",
            text("name").unwrap_or("process"),
            number("pid").unwrap_or(0),
            text("argument")
                .map(|a| format!(" {a}"))
                .unwrap_or_default()
        ),
        "api" => format!(
            "{}{}",
            text("endpoint").unwrap_or_default(),
            text("field").map(|f| format!(" {f}")).unwrap_or_default()
        ),
        "container" | "image" => format!(
            "{} {}{}",
            text("kind").unwrap_or_default(),
            text("name").unwrap_or_default(),
            text("field").map(|f| format!(" {f}")).unwrap_or_default()
        ),
        "environment" => format!("${}", text("variable").unwrap_or_default()),
        "command" => text("command")?.to_owned(),
        _ => return None,
    })
}

fn audit_items(root: &Map<String, Value>) -> Result<Vec<Item>, ReadError> {
    let mut items = Vec::new();
    for (index, check) in array(root, "checks")?.iter().enumerate() {
        let id = required(check, "id", "check", index)?;
        let findings = check
            .get("findings")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if findings.is_empty() {
            // A check without findings still has a verdict (not-applicable).
            let status = required(check, "status", "check", index)?;
            items.push(Item {
                key: id.clone(),
                hint: None,
                fingerprint: None,
                parent: None,
                id,
                subject: None,
                location: None,
                title: string(check, "title").unwrap_or_default(),
                class: finding_class(&status),
                status,
                rating: Rating {
                    severity: string(check, "severity"),
                    ..Rating::default()
                },
            });
            continue;
        }
        for (n, finding) in findings.iter().enumerate() {
            let what = format!("finding of check {id} number");
            let status = required(finding, "status", &what, n)?;
            let subject = subject_name(finding);
            let location = location(finding);
            items.push(Item {
                key: instance_key(&id, subject.as_deref()),
                hint: location.clone(),
                fingerprint: string(finding, "fingerprint"),
                parent: subject.as_ref().map(|_| id.clone()),
                id: id.clone(),
                subject,
                location,
                title: string(finding, "message")
                    .or_else(|| string(check, "title"))
                    .unwrap_or_default(),
                class: finding_class(&status),
                status,
                rating: Rating {
                    severity: string(finding, "severity").or_else(|| string(check, "severity")),
                    ..Rating::default()
                },
            });
        }
    }
    Ok(items)
}

fn scan_items(root: &Map<String, Value>) -> Result<Vec<Item>, ReadError> {
    let mut items = Vec::new();
    for (index, file) in array(root, "files")?.iter().enumerate() {
        let path = required(file, "path", "file", index)?;
        for (field, suppressed) in [("findings", false), ("suppressed", true)] {
            let findings = match file.get(field) {
                None | Some(Value::Null) => continue,
                Some(Value::Array(findings)) => findings,
                Some(_) => {
                    return Err(ReadError::Shape(format!(
                        "the `{field}` of {path} are not an array"
                    )));
                }
            };
            for (n, finding) in findings.iter().enumerate() {
                let what = format!("finding in {path} number");
                let rule = required(finding, "check", &what, n)?;
                let status = required(finding, "status", &what, n)?;
                // A service or object names where in the file; the file
                // itself adds nothing to the path.
                let subject = subject_name(finding).filter(|s| *s != path);
                let location = location(finding);
                let (status, class) = if suppressed {
                    ("suppressed".to_owned(), Class::Neutral)
                } else {
                    let class = finding_class(&status);
                    (status, class)
                };
                let mut key = format!("{rule} {path}");
                if let Some(subject) = &subject {
                    key.push('@');
                    key.push_str(subject);
                }
                items.push(Item {
                    key,
                    hint: location.clone(),
                    fingerprint: string(finding, "fingerprint"),
                    parent: None,
                    id: rule,
                    subject,
                    location: location.or_else(|| Some(path.clone())),
                    title: string(finding, "message")
                        .or_else(|| string(finding, "title"))
                        .unwrap_or_default(),
                    status,
                    class,
                    rating: Rating {
                        severity: string(finding, "severity"),
                        ..Rating::default()
                    },
                });
            }
        }
    }
    Ok(items)
}

// ----- the comparison ---------------------------------------------------------

/// The sections of a diff, in the order they are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Newly open threats, newly failing results, new findings.
    Opened,
    /// Newly mitigated threats, newly passing results (whatever the status
    /// before), fixed findings.
    Closed,
    /// Status changes that neither open nor close (e.g. open → accepted).
    StatusChanged,
    /// Same status, different risk (threats) or severity (findings).
    RiskChanged,
    /// In the new document only, not a problem.
    Added,
    /// In the old document only, and its absence does not close it.
    Removed,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Opened,
        Section::Closed,
        Section::StatusChanged,
        Section::RiskChanged,
        Section::Added,
        Section::Removed,
    ];

    /// Its name in the JSON document.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Opened => "opened",
            Section::Closed => "closed",
            Section::StatusChanged => "status_changed",
            Section::RiskChanged => "risk_changed",
            Section::Added => "added",
            Section::Removed => "removed",
        }
    }
}

/// One item that changed, with both sides (either may be absent).
#[derive(Clone, Debug)]
pub struct Change {
    pub section: Section,
    pub old: Option<Item>,
    pub new: Option<Item>,
}

impl Change {
    /// The newest side: what the item is now, or was before it went.
    pub fn item(&self) -> &Item {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .expect("a change has at least one side")
    }
}

/// Everything that changed between two documents of one kind.
#[derive(Clone, Debug)]
pub struct Diff {
    pub kind: DocumentKind,
    pub old_items: usize,
    pub new_items: usize,
    /// Items present in both with nothing changed.
    pub unchanged: usize,
    /// Ordered by section, then risk or severity (highest first), then key.
    pub changes: Vec<Change>,
}

impl Diff {
    pub fn section(&self, section: Section) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.section == section)
    }

    pub fn count(&self, section: Section) -> usize {
        self.section(section).count()
    }

    /// Whether anything newly became a problem (what `--fail-on-new` fails on).
    pub fn has_new_problems(&self) -> bool {
        self.count(Section::Opened) > 0
    }

    /// Whether something newly became a problem at or above `threshold`
    /// (what `--fail-on` fails on).
    pub fn has_new_problems_reaching(&self, threshold: &Threshold) -> bool {
        self.section(Section::Opened)
            .any(|change| threshold.reached_by(&change.item().rating))
    }
}

/// What `stockade diff --fail-on` fails on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// Anything newly open, failing or new (`--fail-on-new`).
    Any,
    /// A finding of at least this severity (`high`).
    Severity(String),
    /// A threat of at least this risk (1 to 25).
    Risk(i64),
}

impl Threshold {
    /// Whether an item rated `rating` reaches the threshold. An item
    /// without the rating (a document that does not carry it) is counted:
    /// what cannot be judged is not waved through.
    pub fn reached_by(&self, rating: &Rating) -> bool {
        match self {
            Threshold::Any => true,
            Threshold::Severity(min) => rating
                .severity
                .as_deref()
                .is_none_or(|s| severity_rank(s) >= severity_rank(min)),
            Threshold::Risk(min) => rating.risk.is_none_or(|risk| risk >= *min),
        }
    }
}

/// Two documents of different kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindMismatch {
    pub old: DocumentKind,
    pub new: DocumentKind,
}

/// Pairs the items of `old` and `new` and sorts each difference into its section.
pub fn compare(old: &Document, new: &Document) -> Result<Diff, KindMismatch> {
    if old.kind != new.kind {
        return Err(KindMismatch {
            old: old.kind,
            new: new.kind,
        });
    }
    let kind = new.kind;
    let (pairs, gone, arrived) = pair(&old.items, &new.items);
    let (adopted, gone, arrived) = adopt(gone, arrived);
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let pairs = pairs
        .into_iter()
        .map(|(o, n)| (o.clone(), n.clone()))
        .chain(adopted);
    for (o, n) in pairs {
        let section = if o.class != Class::Problem && n.class == Class::Problem {
            Some(Section::Opened)
        } else if o.class != Class::Good && n.class == Class::Good {
            Some(Section::Closed)
        } else if o.status != n.status {
            Some(Section::StatusChanged)
        } else if o.rating.differs(&n.rating) {
            Some(Section::RiskChanged)
        } else {
            None
        };
        match section {
            Some(section) => changes.push(Change {
                section,
                old: Some(o),
                new: Some(n),
            }),
            None => unchanged += 1,
        }
    }
    for o in gone {
        let section = if o.class == Class::Problem && kind.absence_is_good() {
            Section::Closed
        } else {
            Section::Removed
        };
        changes.push(Change {
            section,
            old: Some(o.clone()),
            new: None,
        });
    }
    for n in arrived {
        let section = if n.class == Class::Problem {
            Section::Opened
        } else {
            Section::Added
        };
        changes.push(Change {
            section,
            old: None,
            new: Some(n.clone()),
        });
    }
    changes.sort_by(|a, b| {
        a.section
            .cmp(&b.section)
            .then_with(|| b.item().rating.rank().cmp(&a.item().rating.rank()))
            .then_with(|| a.item().key.cmp(&b.item().key))
            .then_with(|| a.item().location.cmp(&b.item().location))
    });
    Ok(Diff {
        kind,
        old_items: old.items.len(),
        new_items: new.items.len(),
        unchanged,
        changes,
    })
}

type Adoption<'a> = (Vec<(Item, Item)>, Vec<&'a Item>, Vec<&'a Item>);

/// Pairs results about one subject left over on one side with their check's
/// subject-less result on the other (`docker-sock-mounted` passed, then
/// `docker-sock-mounted@ci` failed): the subject-less result stands for every
/// subject, so it takes the subject's key for the comparison.
fn adopt<'a>(gone: Vec<&'a Item>, arrived: Vec<&'a Item>) -> Adoption<'a> {
    let whole = |items: &[&'a Item]| -> HashMap<&'a str, usize> {
        items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.subject.is_none())
            .map(|(n, i)| (i.key.as_str(), n))
            .collect()
    };
    let (gone_whole, arrived_whole) = (whole(&gone), whole(&arrived));
    let mut used_gone = vec![false; gone.len()];
    let mut used_arrived = vec![false; arrived.len()];
    let mut pairs = Vec::new();
    let standing_for = |whole: &Item, part: &Item| Item {
        key: part.key.clone(),
        subject: part.subject.clone(),
        parent: part.parent.clone(),
        ..whole.clone()
    };
    for (j, n) in arrived.iter().enumerate() {
        if let Some(&i) = n.parent.as_deref().and_then(|p| gone_whole.get(p)) {
            pairs.push((standing_for(gone[i], n), (*n).clone()));
            used_gone[i] = true;
            used_arrived[j] = true;
        }
    }
    for (i, o) in gone.iter().enumerate() {
        if let Some(&j) = o.parent.as_deref().and_then(|p| arrived_whole.get(p)) {
            pairs.push(((*o).clone(), standing_for(arrived[j], o)));
            used_gone[i] = true;
            used_arrived[j] = true;
        }
    }
    let keep = |items: Vec<&'a Item>, used: &[bool]| -> Vec<&'a Item> {
        items
            .into_iter()
            .zip(used)
            .filter(|(_, used)| !**used)
            .map(|(i, _)| i)
            .collect()
    };
    let gone = keep(gone, &used_gone);
    let arrived = keep(arrived, &used_arrived);
    (pairs, gone, arrived)
}

type Pairing<'a> = (Vec<(&'a Item, &'a Item)>, Vec<&'a Item>, Vec<&'a Item>);

/// Pairs items by key; among items sharing a key, equal hints pair first,
/// then equal titles, and the rest in document order. Returns the pairs, the
/// old items left over and the new items left over, in document order.
fn pair<'a>(old: &'a [Item], new: &'a [Item]) -> Pairing<'a> {
    let mut by_key: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, item) in old.iter().enumerate() {
        by_key.entry(&item.key).or_default().0.push(i);
    }
    for (i, item) in new.iter().enumerate() {
        by_key.entry(&item.key).or_default().1.push(i);
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut gone = Vec::new();
    let mut arrived = Vec::new();
    for (_, (mut olds, mut news)) in by_key {
        if olds.len() > 1 || news.len() > 1 {
            // The same fingerprint first (what `--baseline` matches by),
            // then the same place, then the same message (a finding moved
            // by lines inserted above it), then document order.
            let tiers: [fn(&Item) -> Option<&str>; 3] = [
                |i| i.fingerprint.as_deref(),
                |i| i.hint.as_deref(),
                |i| Some(i.title.as_str()).filter(|t| !t.is_empty()),
            ];
            for tier in tiers {
                let mut i = 0;
                while i < olds.len() {
                    let hint = tier(&old[olds[i]]);
                    match news
                        .iter()
                        .position(|&n| hint.is_some() && tier(&new[n]) == hint)
                    {
                        Some(j) => pairs.push((olds.remove(i), news.remove(j))),
                        None => i += 1,
                    }
                }
            }
        }
        let rest = olds.len().min(news.len());
        gone.extend(olds.split_off(rest));
        arrived.extend(news.split_off(rest));
        pairs.extend(olds.into_iter().zip(news));
    }
    pairs.sort_by_key(|&(_, n)| n);
    gone.sort_unstable();
    arrived.sort_unstable();
    (
        pairs.into_iter().map(|(o, n)| (&old[o], &new[n])).collect(),
        gone.into_iter().map(|o| &old[o]).collect(),
        arrived.into_iter().map(|n| &new[n]).collect(),
    )
}

// ----- rendering --------------------------------------------------------------

/// The text report: one section per kind of change, then a summary line.
pub fn render_text(
    diff: &Diff,
    old_name: &str,
    new_name: &str,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    let paint = |style: Style| if color { style } else { Style::new() };
    let bold = paint(Style::new().bold());
    let dim = paint(Style::new().dimmed());
    let (one, many) = diff.kind.noun();
    let count = |n: usize| format!("{n} {}", if n == 1 { one } else { many });
    writeln!(
        out,
        "{bold}stockade diff{bold:#} · {} · {old_name} ({}) → {new_name} ({})",
        diff.kind.as_str(),
        count(diff.old_items),
        count(diff.new_items),
    )?;
    for section in Section::ALL {
        let changes: Vec<&Change> = diff.section(section).collect();
        if changes.is_empty() {
            continue;
        }
        let heading = paint(match section {
            Section::Opened => AnsiColor::Red.on_default().bold(),
            Section::Closed => AnsiColor::Green.on_default().bold(),
            _ => Style::new().bold(),
        });
        writeln!(out)?;
        writeln!(
            out,
            "{heading}{} ({}){heading:#}",
            diff.kind.label(section),
            changes.len()
        )?;
        let rows: Vec<[String; 3]> = changes
            .iter()
            .map(|c| {
                [
                    display_key(c.item()),
                    transition(diff.kind, c),
                    rating_text(c).unwrap_or_default(),
                ]
            })
            .collect();
        let width = |column: usize| {
            rows.iter()
                .map(|r| r[column].chars().count())
                .max()
                .unwrap_or(0)
                .min(60)
        };
        let widths = [width(0), width(1), width(2)];
        for (change, row) in changes.iter().zip(&rows) {
            let item = change.item();
            let mut line = String::from("  ");
            for (cell, width) in row.iter().zip(widths) {
                if width > 0 {
                    line.push_str(&format!("{cell:<width$}  "));
                }
            }
            line.push_str(&item.title);
            writeln!(out, "{}", line.trim_end())?;
            // Scan keys show the location already; audit results show it below.
            if diff.kind == DocumentKind::Audit
                && let Some(location) = &item.location
            {
                writeln!(
                    out,
                    "  {:<w$}  {dim}at {location}{dim:#}",
                    "",
                    w = widths[0]
                )?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", summary_line(diff))
}

/// `DKR-CTR-02@web`; a scan finding as `Dockerfile:3:1 dockerfile-runs-as-root`,
/// with the object when its message does not name it.
fn display_key(item: &Item) -> String {
    match (&item.location, item.key.contains(' ')) {
        (Some(location), true) => match &item.subject {
            Some(subject) if !item.title.contains(subject.as_str()) => {
                format!("{location} {} ({subject})", item.id)
            }
            _ => format!("{location} {}", item.id),
        },
        _ => item.key.clone(),
    }
}

/// `mitigated → open`; for an item only one side has, its status, marked
/// `new` where the section does not say so already.
fn transition(kind: DocumentKind, change: &Change) -> String {
    match (&change.old, &change.new) {
        (Some(o), Some(n)) if o.status != n.status => format!("{} → {}", o.status, n.status),
        (Some(o), Some(_)) => o.status.clone(),
        (None, Some(n)) if kind == DocumentKind::Scan => n.status.clone(),
        (None, Some(n)) => format!("new, {}", n.status),
        (Some(o), None) if change.section == Section::Closed => o.status.clone(),
        (Some(o), None) => format!("was {}", o.status),
        (None, None) => String::new(),
    }
}

/// `risk 12 → 20 (likelihood 3 → 5)`, `risk 20`, `high`, `medium → high`.
fn rating_text(change: &Change) -> Option<String> {
    let (old, new) = (
        change.old.as_ref().map(|i| &i.rating),
        change.new.as_ref().map(|i| &i.rating),
    );
    let field = |name: &str, get: fn(&Rating) -> Option<String>| -> Option<String> {
        let o = old.and_then(get);
        let n = new.and_then(get);
        match (o, n) {
            (Some(o), Some(n)) if o != n => Some(format!("{name}{o} → {n}")),
            (Some(o), Some(_)) => Some(format!("{name}{o}")),
            (Some(only), None) | (None, Some(only)) => Some(format!("{name}{only}")),
            (None, None) => None,
        }
    };
    let risk = field("risk ", |r| r.risk.map(|v| v.to_string()));
    let severity = field("", |r| r.severity.clone());
    let moved = |name: &str, get: fn(&Rating) -> Option<i64>| -> Option<String> {
        match (old.and_then(get), new.and_then(get)) {
            (Some(o), Some(n)) if o != n => Some(format!("{name} {o} → {n}")),
            _ => None,
        }
    };
    let factors: Vec<String> = [
        moved("likelihood", |r| r.likelihood),
        moved("impact", |r| r.impact),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut text = match (risk, severity) {
        (Some(risk), _) => risk,
        (None, Some(severity)) => severity,
        (None, None) if factors.is_empty() => return None,
        (None, None) => String::new(),
    };
    if !factors.is_empty() {
        if text.is_empty() {
            text = factors.join(", ");
        } else {
            text = format!("{text} ({})", factors.join(", "));
        }
    }
    Some(text)
}

/// `2 newly open, 1 newly mitigated, 1 risk change; 150 unchanged`.
pub fn summary_line(diff: &Diff) -> String {
    let (_, many) = diff.kind.noun();
    let parts: Vec<String> = Section::ALL
        .iter()
        .filter_map(|&s| {
            let n = diff.count(s);
            (n > 0).then(|| diff.kind.summary_label(s, n))
        })
        .collect();
    if parts.is_empty() {
        format!("no changes: {} {many} compared", diff.unchanged)
    } else {
        format!("{}; {} unchanged", parts.join(", "), diff.unchanged)
    }
}

/// The Markdown report: a heading, a table per section, the summary line.
pub fn render_markdown(
    diff: &Diff,
    old_name: &str,
    new_name: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (one, many) = diff.kind.noun();
    let count = |n: usize| format!("{n} {}", if n == 1 { one } else { many });
    writeln!(out, "## stockade diff: {}", diff.kind.as_str())?;
    writeln!(out)?;
    writeln!(
        out,
        "`{}` ({}) → `{}` ({})",
        markdown_code(old_name),
        count(diff.old_items),
        markdown_code(new_name),
        count(diff.new_items)
    )?;
    let rating_header = match diff.kind {
        DocumentKind::ThreatModel => "Risk",
        _ => "Severity",
    };
    for section in Section::ALL {
        let changes: Vec<&Change> = diff.section(section).collect();
        if changes.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "### {} ({})", diff.kind.label(section), changes.len())?;
        writeln!(out)?;
        writeln!(
            out,
            "| {} | Status | {rating_header} | Title |",
            one_capitalised(one)
        )?;
        writeln!(out, "|---|---|---|---|")?;
        for change in changes {
            let item = change.item();
            let mut what = format!("`{}`", markdown_code(&display_key(item)));
            if diff.kind == DocumentKind::Audit
                && let Some(location) = &item.location
            {
                what.push_str(&format!(" at `{}`", markdown_code(location)));
            }
            writeln!(
                out,
                "| {what} | {} | {} | {} |",
                markdown_cell(&transition(diff.kind, change)),
                markdown_cell(&rating_text(change).unwrap_or_default()),
                markdown_cell(&item.title)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "**Summary:** {}", markdown_cell(&summary_line(diff)))
}

fn one_capitalised(noun: &str) -> String {
    let mut chars = noun.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Text in a table cell: pipes escaped, line breaks as spaces, Markdown
/// and HTML markup shown as typed.
fn markdown_cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' => {
                cell.push('\\');
                cell.push(c);
            }
            '\n' | '\r' => cell.push(' '),
            _ => cell.push(c),
        }
    }
    cell
}

/// Text inside a code span of a table cell: backticks and pipes cannot be
/// escaped there, so they are replaced.
fn markdown_code(text: &str) -> String {
    text.replace('`', "'")
        .replace('|', "¦")
        .replace(['\n', '\r'], " ")
}

#[derive(Serialize)]
struct DiffJson<'a> {
    schema_version: u32,
    kind: &'static str,
    tool: Tool,
    compares: DocumentKind,
    old: Side<'a>,
    new: Side<'a>,
    summary: Counts,
    changes: Sections<Vec<ChangeJson<'a>>>,
}

#[derive(Serialize)]
struct Counts {
    #[serde(flatten)]
    sections: Sections<usize>,
    unchanged: usize,
}

/// One value per [`Section`], serialized in section order.
#[derive(Serialize)]
struct Sections<T> {
    opened: T,
    closed: T,
    status_changed: T,
    risk_changed: T,
    added: T,
    removed: T,
}

impl<T> Sections<T> {
    fn build(mut of: impl FnMut(Section) -> T) -> Self {
        Sections {
            opened: of(Section::Opened),
            closed: of(Section::Closed),
            status_changed: of(Section::StatusChanged),
            risk_changed: of(Section::RiskChanged),
            added: of(Section::Added),
            removed: of(Section::Removed),
        }
    }
}

#[derive(Serialize)]
struct Side<'a> {
    path: &'a str,
    items: usize,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    key: &'a str,
    id: &'a str,
    subject: Option<&'a str>,
    location: Option<&'a str>,
    title: &'a str,
    old: Option<StateJson<'a>>,
    new: Option<StateJson<'a>>,
}

#[derive(Serialize)]
struct StateJson<'a> {
    status: &'a str,
    #[serde(flatten)]
    rating: &'a Rating,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
}

/// The JSON report (`kind: "diff"`), its sections named as in [`Section::as_str`].
pub fn render_json(
    diff: &Diff,
    old_name: &str,
    new_name: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    fn state(item: &Option<Item>) -> Option<StateJson<'_>> {
        item.as_ref().map(|i| StateJson {
            status: &i.status,
            rating: &i.rating,
            location: i.location.as_deref(),
        })
    }
    let summary = Counts {
        sections: Sections::build(|section| diff.count(section)),
        unchanged: diff.unchanged,
    };
    let changes = Sections::build(|section| {
        diff.section(section)
            .map(|c| {
                let item = c.item();
                ChangeJson {
                    key: &item.key,
                    id: &item.id,
                    subject: item.subject.as_deref(),
                    location: item.location.as_deref(),
                    title: &item.title,
                    old: state(&c.old),
                    new: state(&c.new),
                }
            })
            .collect()
    });
    let document = DiffJson {
        schema_version: SCHEMA_VERSION,
        kind: "diff",
        tool: Tool::STOCKADE,
        compares: diff.kind,
        old: Side {
            path: old_name,
            items: diff.old_items,
        },
        new: Side {
            path: new_name,
            items: diff.new_items,
        },
        summary,
        changes,
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn model(threats: Value) -> Document {
        read(&json!({"schema_version": 1, "kind": "threat-model", "threats": threats}).to_string())
            .unwrap()
    }

    fn sections(diff: &Diff) -> Vec<(Section, String)> {
        diff.changes
            .iter()
            .map(|c| (c.section, c.item().key.clone()))
            .collect()
    }

    #[test]
    fn threats_sort_into_sections() {
        let old = model(json!([
            {"id": "A", "status": "mitigated", "risk": 6},
            {"id": "B", "status": "open", "risk": 6},
            {"id": "C", "status": "open", "risk": 6},
            {"id": "D", "status": "unverified", "risk": 6},
            {"id": "E", "status": "unverified"},
            {"id": "F", "status": "unverified", "risk": 4},
            {"id": "I", "status": "unverified", "risk": 2},
        ]));
        let new = model(json!([
            {"id": "A", "status": "open", "risk": 6},
            {"id": "B", "status": "mitigated", "risk": 6},
            {"id": "C", "status": "accepted", "risk": 6},
            {"id": "D", "status": "unverified", "risk": 12},
            {"id": "E", "status": "unverified", "risk": 9},
            {"id": "G", "status": "open"},
            {"id": "H", "status": "mitigated"},
            {"id": "I", "status": "mitigated", "risk": 2},
        ]));
        let diff = compare(&old, &new).unwrap();
        assert_eq!(
            sections(&diff),
            [
                (Section::Opened, "A".to_owned()),
                (Section::Opened, "G".to_owned()),
                (Section::Closed, "B".to_owned()),
                (Section::Closed, "I".to_owned()),
                (Section::StatusChanged, "C".to_owned()),
                (Section::RiskChanged, "D".to_owned()),
                (Section::Added, "H".to_owned()),
                (Section::Removed, "F".to_owned()),
            ]
        );
        // E gained a risk the old document did not carry: not a change.
        assert_eq!(diff.unchanged, 1);
        assert!(diff.has_new_problems());
    }

    #[test]
    fn nested_and_flat_instances_share_keys() {
        let flat = model(json!([
            {"id": "DKR-CTR-02", "status": "open"},
            {"id": "DKR-CTR-02@web", "subject": "web", "status": "open", "risk": 20},
        ]));
        let nested = model(json!([
            {"id": "DKR-CTR-02", "status": "open", "instances": [
                {"subject": "web", "status": "mitigated", "risk": 20},
                {"subject": "ci", "status": "open", "risk": 20},
            ]},
        ]));
        let diff = compare(&flat, &nested).unwrap();
        assert_eq!(
            sections(&diff),
            [
                (Section::Opened, "DKR-CTR-02@ci".to_owned()),
                (Section::Closed, "DKR-CTR-02@web".to_owned()),
            ]
        );
        let web = diff.section(Section::Closed).next().unwrap().item();
        assert_eq!(web.id, "DKR-CTR-02");
        assert_eq!(web.subject.as_deref(), Some("web"));
    }

    fn scan(findings: Value) -> Document {
        read(
            &json!({"schema_version": 1, "kind": "scan", "files": [
                {"path": "Dockerfile", "kind": "dockerfile", "findings": findings, "suppressed": []}
            ]})
            .to_string(),
        )
        .unwrap()
    }

    fn finding(check: &str, line: u32) -> Value {
        finding_saying(check, line, check)
    }

    fn finding_saying(check: &str, line: u32, message: &str) -> Value {
        json!({"check": check, "status": "fail", "severity": "low", "message": message,
               "subject": {"kind": "file", "name": "Dockerfile"},
               "evidence": [{"observed": "x", "location": {"kind": "file", "path": "Dockerfile", "line": line, "column": 1}}]})
    }

    #[test]
    fn scan_findings_that_moved_are_not_new() {
        let old = scan(json!([
            finding("a", 2),
            finding_saying("b", 3, "ADD downloads http://x"),
            finding_saying("b", 7, "ADD downloads http://y"),
        ]));
        // Two lines inserted at the top; the first `b` fixed, a `c` added.
        let new = scan(json!([
            finding("a", 4),
            finding_saying("b", 9, "ADD downloads http://y"),
            finding("c", 1),
        ]));
        let diff = compare(&old, &new).unwrap();
        let got: Vec<(Section, String)> = diff
            .changes
            .iter()
            .map(|c| (c.section, c.item().location.clone().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (Section::Opened, "Dockerfile:1:1".to_owned()),
                (Section::Closed, "Dockerfile:3:1".to_owned()),
            ]
        );
        assert_eq!(diff.unchanged, 2);
    }

    #[test]
    fn bad_documents_are_refused_with_reasons() {
        let syntax = read("{\n  \"kind\": \"scan\",\n  oops\n}").unwrap_err();
        assert!(
            matches!(syntax, ReadError::Syntax { line: 3, .. }),
            "{syntax:?}"
        );
        assert!(matches!(read("[1]"), Err(ReadError::NotStockade(_))));
        assert!(matches!(read("{}"), Err(ReadError::NotStockade(_))));
        assert!(matches!(
            read(r#"{"kind": "hardening-plan", "schema_version": 1}"#),
            Err(ReadError::NotStockade(_))
        ));
        assert_eq!(
            read(r#"{"kind": "scan", "schema_version": 7, "files": []}"#).unwrap_err(),
            ReadError::SchemaVersion(7)
        );
        assert!(matches!(
            read(
                r#"{"kind": "threat-model", "schema_version": 1, "threats": [{"status": "open"}]}"#
            ),
            Err(ReadError::Shape(_))
        ));
        let a = scan(json!([]));
        let b = model(json!([]));
        assert!(compare(&a, &b).is_err());
    }

    #[test]
    fn thresholds_judge_what_is_newly_open() {
        let old = scan(json!([finding("a", 2)]));
        let mut high = finding("b", 3);
        high["severity"] = json!("high");
        let new = scan(json!([finding("a", 2), high]));
        let diff = compare(&old, &new).unwrap();
        assert!(diff.has_new_problems_reaching(&Threshold::Any));
        assert!(diff.has_new_problems_reaching(&Threshold::Severity("high".into())));
        assert!(!diff.has_new_problems_reaching(&Threshold::Severity("critical".into())));
        // A rating the document does not carry counts.
        assert!(Threshold::Risk(20).reached_by(&Rating::default()));
        let back = compare(&new, &old).unwrap();
        assert!(!back.has_new_problems_reaching(&Threshold::Any));
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(
            markdown_cell("a|b <i>*x*</i>\nc"),
            "a\\|b \\<i\\>\\*x\\*\\</i\\> c"
        );
        assert_eq!(markdown_code("x`y|z"), "x'y¦z");
    }
}
