//! Loading and validating catalog and user model files.

use serde::Deserialize;
use serde_saphyr::Spanned;
use stockade_checks::Check;
use stockade_core::Stride;
use stockade_core::cis::Benchmark;

use crate::catalog::{
    Acceptance, Boundary, COMPONENTS, Catalog, CheckLink, Component, CoveredBy, Flow, Mitigation,
    MitigationKind, Origin, OutOfScope, Threat,
};

/// A problem in a model file, with its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct LoadError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// The built-in catalog files.
const BUILTIN: &[(&str, &str)] = &[
    (
        "catalog/components.yaml",
        include_str!("../catalog/components.yaml"),
    ),
    (
        "catalog/docker.yaml",
        include_str!("../catalog/docker.yaml"),
    ),
    (
        "catalog/kubernetes.yaml",
        include_str!("../catalog/kubernetes.yaml"),
    ),
];

/// Largest user model file read (a model is text written by people).
const MAX_MODEL_FILE: usize = 4 * 1024 * 1024;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawModel {
    #[serde(default)]
    boundaries: Vec<RawBoundary>,
    #[serde(default)]
    components: Vec<RawComponent>,
    #[serde(default)]
    flows: Vec<RawFlow>,
    #[serde(default)]
    threats: Vec<RawThreat>,
    #[serde(default)]
    accept: Vec<RawAcceptance>,
    #[serde(default)]
    out_of_scope: Vec<RawOutOfScope>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoundary {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    parent: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawComponent {
    id: Spanned<String>,
    #[serde(default)]
    platform: String,
    name: String,
    kind: String,
    #[serde(default)]
    boundary: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    id: Spanned<String>,
    from: Spanned<String>,
    to: Spanned<String>,
    label: String,
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreat {
    id: Spanned<String>,
    component: Spanned<String>,
    stride: Spanned<String>,
    title: String,
    description: String,
    #[serde(default)]
    mitigations: Vec<RawMitigation>,
    #[serde(default)]
    evidence: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    covers: Vec<String>,
    #[serde(default)]
    likelihood: Option<Spanned<u8>>,
    #[serde(default)]
    impact: Option<Spanned<u8>>,
    #[serde(default)]
    covered_by: Option<RawCoveredBy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCoveredBy {
    threat: Spanned<String>,
    when_failing: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMitigation {
    description: String,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAcceptance {
    threat: Spanned<String>,
    #[serde(default)]
    subject: Option<Spanned<String>>,
    reason: Spanned<String>,
    expires: Spanned<String>,
    #[serde(default)]
    by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutOfScope {
    component: Spanned<String>,
    reason: String,
}

/// Collects problems while a file is converted.
struct Problems<'a> {
    file: &'a str,
    errors: Vec<LoadError>,
}

impl Problems<'_> {
    fn at<T>(&mut self, spanned: &Spanned<T>, message: String) {
        self.errors.push(LoadError {
            file: self.file.to_owned(),
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            message,
        });
    }
}

/// The built-in catalog, validated against the check registry.
pub fn builtin() -> Result<Catalog, Vec<LoadError>> {
    let mut catalog = Catalog::default();
    let mut errors = Vec::new();
    for (file, text) in BUILTIN {
        match parse(file, text) {
            Ok(raw) => merge(&mut catalog, raw, file, true, &mut errors),
            Err(error) => errors.push(error),
        }
    }
    validate_graph(&catalog, &mut errors);
    if errors.is_empty() {
        Ok(catalog)
    } else {
        Err(errors)
    }
}

/// Adds a user model file (components, flows, threats, acceptances,
/// out-of-scope components) to `catalog`.
pub fn load_user_model(
    catalog: &mut Catalog,
    path: &str,
    text: &str,
) -> Result<(), Vec<LoadError>> {
    if text.len() > MAX_MODEL_FILE {
        return Err(vec![LoadError {
            file: path.to_owned(),
            line: 1,
            column: 1,
            message: format!(
                "{} bytes is larger than the {MAX_MODEL_FILE}-byte limit for a model file",
                text.len()
            ),
        }]);
    }
    let raw = parse(path, text).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    merge(catalog, raw, path, false, &mut errors);
    validate_graph(catalog, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn parse(file: &str, text: &str) -> Result<RawModel, LoadError> {
    if text.trim().is_empty() {
        return Ok(RawModel::default());
    }
    serde_saphyr::from_str::<RawModel>(text).map_err(|error| {
        let rendered = error.to_string();
        let (line, column) = position_of(&rendered);
        let message = rendered
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_owned();
        LoadError {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    })
}

/// `line N column M` from a serde-saphyr message.
fn position_of(message: &str) -> (u64, u64) {
    let number_after = |word: &str| {
        message
            .split(word)
            .nth(1)
            .and_then(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .find(|s| !s.is_empty())
            })
            .and_then(|n| n.parse().ok())
    };
    (
        number_after("line ").unwrap_or(1),
        number_after("column ").unwrap_or(1),
    )
}

fn merge(
    catalog: &mut Catalog,
    raw: RawModel,
    file: &str,
    builtin: bool,
    errors: &mut Vec<LoadError>,
) {
    let mut problems = Problems {
        file,
        errors: Vec::new(),
    };
    let origin = |line: u64| {
        if builtin {
            let file: &'static str = BUILTIN
                .iter()
                .find(|(f, _)| *f == file)
                .map_or("catalog", |(f, _)| f);
            Origin::Builtin { file, line }
        } else {
            Origin::User {
                path: file.to_owned(),
                line,
            }
        }
    };

    for b in raw.boundaries {
        if catalog.boundaries.iter().any(|x| x.id == b.id.value) {
            problems.at(
                &b.id,
                format!("boundary `{}` is declared twice", b.id.value),
            );
            continue;
        }
        catalog.boundaries.push(Boundary {
            id: b.id.value,
            name: b.name,
            parent: b.parent.map(|p| p.value),
            description: b.description,
        });
    }
    for c in raw.components {
        if catalog.components.iter().any(|x| x.id == c.id.value) {
            problems.at(
                &c.id,
                format!("component `{}` is declared twice", c.id.value),
            );
            continue;
        }
        if builtin && !COMPONENTS.contains(&c.id.value.as_str()) {
            problems.at(
                &c.id,
                format!("`{}` is not in the component vocabulary", c.id.value),
            );
        }
        if let Some(boundary) = &c.boundary
            && !catalog.boundaries.iter().any(|b| b.id == boundary.value)
        {
            problems.at(boundary, format!("unknown boundary `{}`", boundary.value));
        }
        catalog.components.push(Component {
            id: c.id.value,
            platform: c.platform,
            name: c.name,
            kind: c.kind,
            boundary: c.boundary.map(|b| b.value),
            description: c.description,
            instance_of: None,
            origin: origin(c.id.referenced.line()),
        });
    }
    for f in raw.flows {
        for end in [&f.from, &f.to] {
            if catalog.component(&end.value).is_none() {
                problems.at(
                    end,
                    format!("flow endpoint `{}` is not a component", end.value),
                );
            }
        }
        catalog.flows.push(Flow {
            id: f.id.value,
            from: f.from.value,
            to: f.to.value,
            label: f.label,
            protocol: f.protocol,
            description: f.description,
            origin: origin(f.id.referenced.line()),
        });
    }
    let checks = stockade_checks::all();
    for t in raw.threats {
        if catalog.threats.iter().any(|x| x.id == t.id.value) {
            problems.at(&t.id, format!("threat `{}` is declared twice", t.id.value));
            continue;
        }
        if catalog.component(&t.component.value).is_none() {
            problems.at(
                &t.component,
                format!("unknown component `{}`", t.component.value),
            );
        }
        let stride = match t.stride.value.chars().collect::<Vec<_>>().as_slice() {
            [letter] => Stride::from_letter(*letter),
            _ => None,
        };
        let Some(stride) = stride else {
            problems.at(
                &t.stride,
                format!(
                    "`{}` is not one STRIDE letter (S, T, R, I, D or E)",
                    t.stride.value
                ),
            );
            continue;
        };
        let mut mitigations = Vec::new();
        for m in t.mitigations {
            let mut links = Vec::new();
            for written in m.checks {
                match resolve(&written.value, checks) {
                    Resolution::Checks(ids) => links.push(CheckLink {
                        written: written.value.clone(),
                        checks: ids,
                    }),
                    Resolution::UnknownId => {
                        problems.at(
                            &written,
                            format!("unknown check `{}` (see `stockade rules`)", written.value),
                        );
                    }
                    Resolution::Unresolved(reason) => {
                        catalog
                            .unresolved
                            .push(format!("{file}:{}: {reason}", written.referenced.line()));
                        links.push(CheckLink {
                            written: written.value.clone(),
                            checks: Vec::new(),
                        });
                    }
                    Resolution::Malformed(reason) => problems.at(&written, reason),
                }
            }
            let kind = match m.kind.as_ref().map(|k| k.value.as_str()) {
                None | Some("prevent") => MitigationKind::Prevent,
                Some("detect") => MitigationKind::Detect,
                Some(other) => {
                    if let Some(kind) = &m.kind {
                        problems.at(
                            kind,
                            format!("mitigation kind `{other}` is neither `prevent` nor `detect`"),
                        );
                    }
                    MitigationKind::Prevent
                }
            };
            mitigations.push(Mitigation {
                description: m.description,
                kind,
                checks: links,
            });
        }
        let mut rating = |value: Option<Spanned<u8>>, what: &str| {
            let spanned = value?;
            if (1..=5).contains(&spanned.value) {
                Some(spanned.value)
            } else {
                problems.at(
                    &spanned,
                    format!("{what} {} is outside the 1–5 scale", spanned.value),
                );
                None
            }
        };
        let likelihood = rating(t.likelihood, "likelihood");
        let impact = rating(t.impact, "impact");
        let covered_by = t.covered_by.map(|c| {
            if resolve(&c.when_failing.value, checks).is_unknown() {
                problems.at(
                    &c.when_failing,
                    format!("unknown check `{}`", c.when_failing.value),
                );
            }
            CoveredBy {
                threat: c.threat.value,
                when_failing: c.when_failing.value,
            }
        });
        catalog.threats.push(Threat {
            id: t.id.value,
            component: t.component.value,
            stride,
            title: t.title,
            description: t.description,
            mitigations,
            evidence_hint: t.evidence,
            references: t.references,
            covers: t.covers,
            subject: None,
            subject_aliases: Vec::new(),
            instance_of: None,
            observed: None,
            likelihood,
            impact,
            covered_by,
            origin: origin(t.id.referenced.line()),
        });
    }
    for a in raw.accept {
        // `DKR-CTR-02@ci-runner` is the short form of threat + subject.
        let (threat, inline_subject) = match a.threat.value.split_once('@') {
            Some((threat, subject)) => (threat.to_owned(), Some(subject.to_owned())),
            None => (a.threat.value.clone(), None),
        };
        let subject = match (inline_subject, a.subject) {
            (Some(inline), Some(field)) if inline != field.value => {
                problems.at(
                    &field,
                    format!(
                        "`{}` names subject `{inline}` but `subject:` says `{}`",
                        a.threat.value, field.value
                    ),
                );
                Some(inline)
            }
            (Some(inline), _) => Some(inline),
            (None, field) => field.map(|f| f.value),
        };
        if subject.as_deref().is_some_and(|s| s.trim().is_empty()) {
            problems.at(&a.threat, "an acceptance's subject is empty".to_owned());
        }
        if catalog.threat(&threat).is_none() {
            let nearest = nearest_ids(catalog, &threat);
            let hint = if nearest.is_empty() {
                String::new()
            } else {
                format!("; nearest: {}", nearest.join(", "))
            };
            problems.at(
                &a.threat,
                format!(
                    "acceptance of unknown threat `{threat}` (see `stockade model --generic`){hint}"
                ),
            );
        }
        if a.reason.value.trim().is_empty() {
            problems.at(&a.reason, "an acceptance needs a reason".to_owned());
        }
        if !is_date(&a.expires.value) {
            problems.at(
                &a.expires,
                format!("`{}` is not a YYYY-MM-DD expiry date", a.expires.value),
            );
        }
        catalog.acceptances.push(Acceptance {
            threat,
            subject,
            reason: a.reason.value,
            expires: a.expires.value,
            by: a.by,
            origin: origin(a.threat.referenced.line()),
        });
    }
    for o in raw.out_of_scope {
        if catalog.component(&o.component.value).is_none() {
            problems.at(
                &o.component,
                format!("unknown component `{}`", o.component.value),
            );
        }
        catalog.out_of_scope.push(OutOfScope {
            component: o.component.value,
            reason: o.reason,
        });
    }
    errors.extend(problems.errors);
}

/// Whole-model checks: every boundary's parent exists, every `covered_by`
/// names a threat.
fn validate_graph(catalog: &Catalog, errors: &mut Vec<LoadError>) {
    for threat in &catalog.threats {
        if let Some(covered) = &threat.covered_by
            && catalog.threat(&covered.threat).is_none()
        {
            errors.push(LoadError {
                file: "model".to_owned(),
                line: 0,
                column: 0,
                message: format!(
                    "threat `{}` is covered by unknown threat `{}`",
                    threat.id, covered.threat
                ),
            });
        }
    }
    for boundary in &catalog.boundaries {
        if let Some(parent) = &boundary.parent
            && !catalog.boundaries.iter().any(|b| b.id == *parent)
        {
            errors.push(LoadError {
                file: "model".to_owned(),
                line: 0,
                column: 0,
                message: format!("boundary `{}` has unknown parent `{parent}`", boundary.id),
            });
        }
    }
}

enum Resolution {
    Checks(Vec<&'static str>),
    UnknownId,
    /// A CIS reference no registered check carries (yet).
    Unresolved(String),
    Malformed(String),
}

impl Resolution {
    fn is_unknown(&self) -> bool {
        matches!(self, Resolution::UnknownId | Resolution::Malformed(_))
    }
}

/// `cis-docker:5.11` (CIS Docker 1.6.0 numbering), `cis-kubernetes:1.2.1`
/// (CIS Kubernetes 1.12 numbering) or a check id.
fn resolve(written: &str, checks: &[&'static Check]) -> Resolution {
    let cis = [
        ("cis-docker:", Benchmark::Docker),
        ("cis-kubernetes:", Benchmark::Kubernetes),
    ]
    .into_iter()
    .find_map(|(prefix, benchmark)| written.strip_prefix(prefix).map(|n| (benchmark, n)));
    match cis {
        Some((benchmark, number)) => {
            if number.is_empty()
                || !number
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            {
                return Resolution::Malformed(format!(
                    "`{written}`: `{number}` is not a CIS number"
                ));
            }
            let version = benchmark.default_version();
            let ids: Vec<&'static str> = checks
                .iter()
                .filter(|c| c.meta.cis_number(benchmark, version) == Some(number))
                .map(|c| c.meta.id)
                .collect();
            if ids.is_empty() {
                Resolution::Unresolved(format!(
                    "no check carries {benchmark} v{version} number {number}"
                ))
            } else {
                Resolution::Checks(ids)
            }
        }
        None => match checks.iter().find(|c| c.meta.id == written) {
            Some(check) => Resolution::Checks(vec![check.meta.id]),
            None => Resolution::UnknownId,
        },
    }
}

/// The catalog threat ids closest to `wanted` (edit distance), at most three.
fn nearest_ids(catalog: &Catalog, wanted: &str) -> Vec<String> {
    let wanted = wanted.to_ascii_uppercase();
    let mut scored: Vec<(usize, &str)> = catalog
        .threats
        .iter()
        .filter(|t| t.instance_of.is_none())
        .map(|t| {
            (
                edit_distance(&wanted, &t.id.to_ascii_uppercase()),
                t.id.as_str(),
            )
        })
        .filter(|(distance, _)| *distance <= 3.max(wanted.len() / 3))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, id)| id.to_owned())
        .collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2
            && [y, m, d].iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
            && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
            && (1..=31).contains(&d.parse::<u32>().unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_loads() {
        let catalog = builtin().unwrap_or_else(|errors| panic!("{errors:#?}"));
        assert!(!catalog.threats.is_empty());
    }

    #[test]
    fn user_model_errors_carry_file_and_line() {
        let mut catalog = builtin().unwrap();
        let text = "threats:\n  - id: APP-01\n    component: payment-service\n    stride: X\n    title: t\n    description: d\n";
        let errors = load_user_model(&mut catalog, "model.yaml", text).unwrap_err();
        let rendered: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            rendered.iter().any(|e| e.starts_with("model.yaml:3:")
                && e.contains("unknown component `payment-service`")),
            "{rendered:#?}"
        );
        assert!(
            rendered
                .iter()
                .any(|e| e.starts_with("model.yaml:4:") && e.contains("not one STRIDE letter")),
            "{rendered:#?}"
        );

        let errors = load_user_model(&mut catalog, "model.yaml", "threats:\n  - id: [unclosed\n")
            .unwrap_err();
        assert_eq!(errors[0].file, "model.yaml");
        assert!(errors[0].line >= 2, "{errors:?}");

        let errors = load_user_model(&mut catalog, "model.yaml", "treats: []\n").unwrap_err();
        assert!(
            errors[0].message.contains("unknown field `treats`"),
            "{errors:?}"
        );
    }

    #[test]
    fn user_models_add_components_flows_threats_and_acceptances() {
        let mut catalog = builtin().unwrap();
        let text = "\
components:
  - id: payment-api
    name: Payment API
    kind: process
flows:
  - id: client-to-payment
    from: docker-client
    to: payment-api
    label: HTTPS
threats:
  - id: APP-01
    component: payment-api
    stride: T
    title: Payment requests are tampered with in transit
    description: Plain HTTP between the client and the API.
    mitigations:
      - description: TLS
        checks: [daemon-tcp-without-tls]
accept:
  - threat: APP-01
    reason: internal network only
    expires: 2099-01-31
";
        load_user_model(&mut catalog, "model.yaml", text).unwrap();
        assert!(catalog.component("payment-api").is_some());
        assert_eq!(
            catalog.threat("APP-01").unwrap().check_ids(),
            ["daemon-tcp-without-tls"]
        );
        assert_eq!(catalog.acceptances.len(), 1);

        let bad = "accept:\n  - threat: NOPE-1\n    reason: ''\n    expires: soon\n";
        let errors = load_user_model(&mut catalog, "m.yaml", bad).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{text:#?}");
    }

    #[test]
    fn check_references_resolve_by_id_or_cis_number() {
        let checks = stockade_checks::all();
        assert!(
            matches!(resolve("daemon-icc-enabled", checks), Resolution::Checks(ids) if ids == ["daemon-icc-enabled"])
        );
        assert!(
            matches!(resolve("cis-docker:2.2", checks), Resolution::Checks(ids) if ids == ["daemon-icc-enabled"])
        );
        assert!(matches!(
            resolve("cis-docker:2.x", checks),
            Resolution::Malformed(_)
        ));
        assert!(matches!(
            resolve("daemon-icc", checks),
            Resolution::UnknownId
        ));
    }
}
