//! The containers and images an audit judges: the snapshot's workload,
//! narrowed by `--running-only`, `--include` and `--exclude`.

use std::fmt;

use stockade_core::Finding;
use stockade_core::finding::{Evidence, Location, Subject, SubjectKind};
use stockade_core::meta::CheckMeta;
use stockade_core::snapshot::{Probe, Snapshot};
use stockade_core::workload::{Container, ContainerInspect, Image, Workload};

/// Which containers and images to judge. The default is everything the
/// daemon knows, in every state.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only running (and paused or restarting) containers, like docker-bench.
    pub running_only: bool,
    /// When not empty, only what matches one of these.
    pub include: Vec<Pattern>,
    /// Never what matches one of these.
    pub exclude: Vec<Pattern>,
}

/// A name glob or a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Matched against a container's name and its image reference, or an
    /// image's `repo:tag` names; `*` and `?` are wildcards and the whole
    /// name must match.
    Name(String),
    /// `label:KEY` or `label:KEY=VALUE`.
    Label { key: String, value: Option<String> },
}

impl Pattern {
    /// `web-*`, `registry.example/app:*`, `label:team`, `label:team=payments`.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty pattern matches nothing".to_owned());
        }
        match text.strip_prefix("label:") {
            Some("") => Err(format!("`{text}`: a label pattern needs a key")),
            Some(label) => Ok(match label.split_once('=') {
                Some((key, value)) => Pattern::Label {
                    key: key.to_owned(),
                    value: Some(value.to_owned()),
                },
                None => Pattern::Label {
                    key: label.to_owned(),
                    value: None,
                },
            }),
            None => Ok(Pattern::Name(text.trim_start_matches('/').to_owned())),
        }
    }

    fn matches<'n>(
        &self,
        mut names: impl Iterator<Item = &'n str>,
        labels: &std::collections::BTreeMap<String, String>,
    ) -> bool {
        match self {
            Pattern::Name(glob) => names.any(|name| glob_matches(glob, name)),
            Pattern::Label { key, value } => labels
                .get(key)
                .is_some_and(|found| value.as_ref().is_none_or(|v| v == found)),
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Name(glob) => f.write_str(glob),
            Pattern::Label { key, value: None } => write!(f, "label:{key}"),
            Pattern::Label {
                key,
                value: Some(value),
            } => write!(f, "label:{key}={value}"),
        }
    }
}

impl Selection {
    fn wants(&self, names: &[&str], labels: &std::collections::BTreeMap<String, String>) -> bool {
        let hit = |p: &Pattern| p.matches(names.iter().copied(), labels);
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }

    pub fn wants_container(&self, container: &Container) -> bool {
        (!self.running_only || container.is_running())
            && self.wants(&[&container.name, &container.image], &container.labels)
    }

    pub fn wants_image(&self, image: &Image) -> bool {
        let mut names: Vec<&str> = image.repo_tags.iter().map(String::as_str).collect();
        // `app` matches `app:latest`; repositories are matched without their tag too.
        names.extend(
            image
                .repo_tags
                .iter()
                .filter_map(|t| t.rsplit_once(':'))
                .map(|(r, _)| r),
        );
        self.wants(&names, &image.labels)
    }

    /// What narrowed the audit, for messages: `running only, include web-*`.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.running_only {
            parts.push("running containers only".to_owned());
        }
        let list = |patterns: &[Pattern]| {
            patterns
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.include.is_empty() {
            parts.push(format!("--include {}", list(&self.include)));
        }
        if !self.exclude.is_empty() {
            parts.push(format!("--exclude {}", list(&self.exclude)));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// `*` matches any run of characters, `?` one character; the whole text
/// must match.
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let glob: Vec<char> = glob.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut g, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match glob.get(g) {
            Some('*') => {
                backtrack = Some((g, t));
                g += 1;
            }
            Some(c) if *c == '?' || *c == text[t] => {
                g += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, at)) => {
                    g = star + 1;
                    t = at + 1;
                    backtrack = Some((star, at + 1));
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|c| *c == '*')
}

/// The selected part of the snapshot's workload.
#[derive(Debug)]
pub struct WorkloadView<'a> {
    workload: Result<&'a Workload, String>,
    containers: Vec<&'a Container>,
    images: Vec<&'a Image>,
    images_error: Option<&'a str>,
    narrowed_by: Option<String>,
}

impl<'a> WorkloadView<'a> {
    pub fn new(snapshot: &'a Snapshot, selection: &Selection) -> Self {
        let workload = match snapshot.docker.as_ref().map(|d| &d.workload) {
            Some(Probe::Ok(workload)) => Ok(workload),
            Some(Probe::Error(reason)) => Err(format!(
                "the daemon's containers and images could not be listed: {reason}"
            )),
            None => Err(
                "the snapshot holds no Docker facts (collected without the Docker target)"
                    .to_owned(),
            ),
        };
        let (containers, images, images_error) = match &workload {
            Ok(workload) => {
                let mut containers: Vec<&Container> = workload
                    .containers
                    .iter()
                    .filter(|c| selection.wants_container(c))
                    .collect();
                containers.sort_by(|a, b| a.name.cmp(&b.name));
                match &workload.images {
                    Probe::Ok(images) => {
                        let mut images: Vec<&Image> =
                            images.iter().filter(|i| selection.wants_image(i)).collect();
                        images.sort_by_cached_key(|i| i.display_name());
                        (containers, images, None)
                    }
                    Probe::Error(reason) => (containers, Vec::new(), Some(reason.as_str())),
                }
            }
            Err(_) => (Vec::new(), Vec::new(), None),
        };
        WorkloadView {
            workload,
            containers,
            images,
            images_error,
            narrowed_by: selection.describe(),
        }
    }

    /// The whole workload (unfiltered), when it was collected.
    pub fn collected(&self) -> Option<&'a Workload> {
        self.workload.as_ref().ok().copied()
    }

    /// The whole workload (unfiltered), or an `error` finding saying why
    /// there is none.
    pub fn all(&self, meta: &CheckMeta) -> Result<&'a Workload, Finding> {
        self.workload
            .as_ref()
            .copied()
            .map_err(|reason| Finding::error(meta, reason.clone()))
    }

    /// The selected containers.
    pub fn containers(&self, meta: &CheckMeta) -> Result<&[&'a Container], Finding> {
        self.all(meta)?;
        Ok(&self.containers)
    }

    /// The selected images.
    pub fn images(&self, meta: &CheckMeta) -> Result<&[&'a Image], Finding> {
        self.all(meta)?;
        match self.images_error {
            Some(reason) => Err(Finding::error(
                meta,
                format!("the daemon's images could not be listed: {reason}"),
            )),
            None => Ok(&self.images),
        }
    }

    /// A `not-applicable` finding for a check with nothing to judge.
    pub fn nothing_to_judge(&self, meta: &CheckMeta, what: &str) -> Finding {
        match &self.narrowed_by {
            Some(narrowed) => {
                Finding::not_applicable(meta, format!("no {what} to audit ({narrowed})"))
            }
            None => Finding::not_applicable(meta, format!("the daemon has no {what}")),
        }
    }
}

/// The subject of a finding about a container.
pub fn container_subject(container: &Container) -> Subject {
    Subject::new(SubjectKind::Container, container.name.clone()).with_id(container.id.clone())
}

/// The subject of a finding about an image.
pub fn image_subject(image: &Image) -> Subject {
    Subject::new(SubjectKind::Image, image.display_name()).with_id(image.id.clone())
}

/// Evidence: a field of a container's configuration, what it holds, what a
/// compliant container shows.
pub fn container_field(
    container: &Container,
    field: &str,
    observed: impl Into<String>,
    expected: impl Into<String>,
) -> Evidence {
    Evidence::observed(observed)
        .expected(expected)
        .at(Location::Container {
            id: container.id.clone(),
            name: container.name.clone(),
            field: Some(field.to_owned()),
        })
}

/// Evidence: a field of an image's configuration.
pub fn image_field(
    image: &Image,
    field: &str,
    observed: impl Into<String>,
    expected: impl Into<String>,
) -> Evidence {
    Evidence::observed(observed)
        .expected(expected)
        .at(Location::Image {
            id: image.id.clone(),
            name: image.display_name(),
            field: Some(field.to_owned()),
        })
}

/// Runs `judge` on every selected container that could be inspected;
/// containers that could not be get an `error`, and a daemon without
/// (selected) containers gets one `not-applicable`.
pub fn each_container(
    meta: &CheckMeta,
    view: &WorkloadView<'_>,
    judge: impl Fn(&Container, &ContainerInspect) -> Finding,
) -> Vec<Finding> {
    let containers = match view.containers(meta) {
        Ok(containers) => containers,
        Err(finding) => return vec![finding],
    };
    if containers.is_empty() {
        return vec![view.nothing_to_judge(meta, "containers")];
    }
    containers
        .iter()
        .map(|container| {
            let finding = match &container.inspect {
                Probe::Ok(inspect) => judge(container, inspect),
                Probe::Error(reason) if container.was_removed() => {
                    Finding::not_applicable(meta, format!("no longer exists: {reason}"))
                }
                Probe::Error(reason) => {
                    Finding::error(meta, format!("could not inspect the container: {reason}"))
                }
            };
            finding.subject(container_subject(container))
        })
        .collect()
}

/// Runs `judge` on every selected image.
pub fn each_image(
    meta: &CheckMeta,
    view: &WorkloadView<'_>,
    judge: impl Fn(&Image) -> Finding,
) -> Vec<Finding> {
    let images = match view.images(meta) {
        Ok(images) => images,
        Err(finding) => return vec![finding],
    };
    if images.is_empty() {
        return vec![view.nothing_to_judge(meta, "images")];
    }
    images
        .iter()
        .map(|image| judge(image).subject(image_subject(image)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob_matches("web-*", "web-1"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("w?b", "web"));
        assert!(glob_matches("*-db-*", "shop-db-primary"));
        assert!(!glob_matches("web", "web-1"), "no implicit substring");
        assert!(!glob_matches("web-*", "my-web-1"));
        assert!(glob_matches("a*b*c", "aXbYbZc"));
        assert!(!glob_matches("a*b*c", "aXbYbZ"));
    }

    #[test]
    fn patterns_parse() {
        assert_eq!(Pattern::parse("/web").unwrap(), Pattern::Name("web".into()));
        assert_eq!(
            Pattern::parse("label:team=pay").unwrap(),
            Pattern::Label {
                key: "team".into(),
                value: Some("pay".into())
            }
        );
        assert_eq!(
            Pattern::parse("label:team").unwrap().to_string(),
            "label:team"
        );
        assert!(Pattern::parse("label:").is_err());
        assert!(Pattern::parse(" ").is_err());
    }
}
