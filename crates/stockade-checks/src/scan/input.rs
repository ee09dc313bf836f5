//! What file rules read: a parsed document and the file it came from, with
//! helpers that turn positions into locations.

use std::collections::BTreeSet;

use stockade_core::finding::{Evidence, Location, Subject, SubjectKind};
use stockade_core::meta::CheckMeta;
use stockade_core::{Finding, Status};
use stockade_parse::compose::Service;
use stockade_parse::compose_env::{self, DotEnv};
use stockade_parse::dockerfile::{Dockerfile, Instruction};
use stockade_parse::k8s::{Container, Object, Pod};
use stockade_parse::yaml::{Node, compose_bool};

/// The file a document was read from.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// The path as the user named it (or as discovery found it).
    pub path: &'a str,
    pub text: &'a str,
}

impl SourceFile<'_> {
    pub fn at(&self, line: u32, column: u32) -> Location {
        Location::file_at(self.path, line, column)
    }

    pub fn at_node(&self, node: &Node) -> Location {
        self.at(node.line, node.column)
    }
}

/// A Dockerfile rule's input.
#[derive(Clone, Copy, Debug)]
pub struct DockerfileInput<'a> {
    pub file: SourceFile<'a>,
    pub dockerfile: &'a Dockerfile,
}

impl DockerfileInput<'_> {
    pub fn at(&self, instruction: &Instruction) -> Location {
        self.file.at(instruction.line, instruction.column)
    }

    /// The location of a byte offset inside the instruction's arguments.
    pub fn at_offset(&self, instruction: &Instruction, offset: usize) -> Location {
        let (line, column) = instruction.position_of(offset);
        self.file.at(line, column)
    }

    /// A finding about the Dockerfile, with one piece of evidence.
    pub fn finding(
        &self,
        meta: &CheckMeta,
        status: Status,
        message: impl Into<String>,
        evidence: Evidence,
    ) -> Finding {
        Finding::new(meta, status, message)
            .subject(Subject::file(self.file.path))
            .evidence(evidence)
    }
}

/// A Compose service rule's input.
#[derive(Clone, Copy, Debug)]
pub struct ServiceInput<'a> {
    pub file: SourceFile<'a>,
    pub service: Service<'a>,
    /// Variables from the `.env` beside the Compose file.
    pub env: &'a DotEnv,
}

/// A field's value after Compose's variable substitution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved<T> {
    Known(T),
    /// It depends on this variable, which has no value and no default.
    Unset(String),
}

impl<'a> ServiceInput<'a> {
    /// The text of a scalar field with its variables substituted.
    pub fn text(&self, key: &str) -> Option<(&'a Node, Resolved<String>)> {
        let node = self.service.get(key)?;
        let text = node.as_str()?;
        let resolved = match compose_env::interpolate(text, self.env) {
            Ok(value) => Resolved::Known(value),
            Err(variable) => Resolved::Unset(variable),
        };
        Some((node, resolved))
    }

    /// A boolean field (`privileged`, `read_only`, …) read as Compose reads
    /// it: variables substituted, then cast from its text (see
    /// `Node::as_bool_compose`). `Known(None)` is a value Compose rejects.
    pub fn flag(&self, key: &str) -> Option<(&'a Node, Resolved<Option<bool>>)> {
        let node = self.service.get(key)?;
        let Some((_, text)) = self.text(key) else {
            return Some((node, Resolved::Known(node.as_bool_compose())));
        };
        let resolved = match text {
            Resolved::Known(text) => Resolved::Known(compose_bool(&text)),
            Resolved::Unset(variable) => Resolved::Unset(variable),
        };
        Some((node, resolved))
    }

    /// A warning that a field cannot be judged: it depends on `variable`,
    /// which neither the `.env` file nor a default gives a value.
    pub fn unset_variable(
        &self,
        meta: &CheckMeta,
        node: &Node,
        key: &str,
        variable: &str,
    ) -> Finding {
        self.finding(
            meta,
            Status::Warn,
            format!(
                "service `{}`: `{key}` depends on ${{{variable}}}, which has no value here (no default, not in .env): not judged",
                self.service.name
            ),
            node,
            format!("{key}: {}", node.as_str().unwrap_or("")),
            format!("a value for {variable} in .env, or a default"),
        )
    }

    /// A finding about the service; `node` is where the evidence was seen
    /// (the service's name for a missing setting).
    pub fn finding(
        &self,
        meta: &CheckMeta,
        status: Status,
        message: impl Into<String>,
        node: &Node,
        observed: impl Into<String>,
        expected: impl Into<String>,
    ) -> Finding {
        Finding::new(meta, status, message)
            .subject(Subject::new(SubjectKind::ComposeService, self.service.name))
            .evidence(
                Evidence::observed(observed)
                    .expected(expected)
                    .at(self.file.at_node(node)),
            )
    }
}

/// A pod-spec rule's input: one workload and its pod template.
#[derive(Clone, Copy, Debug)]
pub struct PodInput<'a> {
    pub file: SourceFile<'a>,
    pub object: Object<'a>,
    pub pod: Pod<'a>,
}

impl<'a> PodInput<'a> {
    pub fn containers(&self) -> Vec<Container<'a>> {
        self.pod.containers()
    }

    /// A finding about the workload, seen at `node`.
    pub fn finding(
        &self,
        meta: &CheckMeta,
        status: Status,
        message: impl Into<String>,
        node: &Node,
        observed: impl Into<String>,
        expected: impl Into<String>,
    ) -> Finding {
        object_finding(
            meta,
            status,
            message,
            &self.file,
            &self.object,
            node,
            observed,
            expected,
        )
    }
}

/// An object rule's input.
#[derive(Clone, Copy, Debug)]
pub struct ObjectInput<'a> {
    pub file: SourceFile<'a>,
    pub object: Object<'a>,
}

impl ObjectInput<'_> {
    pub fn finding(
        &self,
        meta: &CheckMeta,
        status: Status,
        message: impl Into<String>,
        node: &Node,
        observed: impl Into<String>,
        expected: impl Into<String>,
    ) -> Finding {
        object_finding(
            meta,
            status,
            message,
            &self.file,
            &self.object,
            node,
            observed,
            expected,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn object_finding(
    meta: &CheckMeta,
    status: Status,
    message: impl Into<String>,
    file: &SourceFile<'_>,
    object: &Object<'_>,
    node: &Node,
    observed: impl Into<String>,
    expected: impl Into<String>,
) -> Finding {
    let name = match object.namespace() {
        Some(namespace) => format!("{} (namespace {namespace})", object.display_name()),
        None => object.display_name(),
    };
    Finding::new(meta, status, message)
        .subject(Subject::new(SubjectKind::K8sObject, name))
        .evidence(
            Evidence::observed(observed)
                .expected(expected)
                .at(file.at_node(node)),
        )
}

/// What rules across files need to know about the Kubernetes objects of a
/// scan, gathered file by file.
#[derive(Clone, Debug, Default)]
pub struct ClusterFacts {
    /// Namespace objects, with where they are declared.
    pub namespaces: Vec<NamespaceFact>,
    /// Namespaces that have at least one NetworkPolicy.
    pub policy_namespaces: BTreeSet<String>,
    /// Workloads that name their namespace: (namespace, `Kind/name`).
    pub workloads: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct NamespaceFact {
    pub name: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
}

impl ClusterFacts {
    pub fn merge(&mut self, other: ClusterFacts) {
        self.namespaces.extend(other.namespaces);
        self.policy_namespaces.extend(other.policy_namespaces);
        self.workloads.extend(other.workloads);
    }
}
