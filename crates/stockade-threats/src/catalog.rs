//! The validated catalog.

use stockade_core::Stride;

/// The components of the model: DESIGN's fixed vocabulary.
pub const COMPONENTS: &[&str] = &[
    "docker-client",
    "docker-daemon",
    "docker-host",
    "registry",
    "image",
    "container",
    "api-server",
    "etcd",
    "kubelet",
    "kube-proxy",
    "scheduler",
    "controller-manager",
    "control-plane-node",
    "pod",
    "container-network",
    "rbac",
];

/// Where a model element was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The built-in catalog file and line.
    Builtin { file: &'static str, line: u64 },
    /// A user model file and line.
    User { path: String, line: u64 },
    /// Generated from what the live host shows (a container, a mount...).
    Topology,
}

#[derive(Clone, Debug)]
pub struct Boundary {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub description: String,
}

#[derive(Clone, Debug)]
pub struct Component {
    pub id: String,
    /// `docker`, `kubernetes`, or what a user model says.
    pub platform: String,
    pub name: String,
    /// `process`, `datastore`, `external-entity`, `data`.
    pub kind: String,
    pub boundary: Option<String>,
    pub description: String,
    /// For components generated from a live host: the component of the
    /// vocabulary they instantiate (a container named `web` is a `container`).
    pub instance_of: Option<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Flow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub label: String,
    pub protocol: String,
    pub description: String,
    pub origin: Origin,
}

/// A reference from a mitigation to the checks that verify it, as written
/// in the catalog and as resolved against the check registry.
#[derive(Clone, Debug)]
pub struct CheckLink {
    /// `daemon-icc-enabled`, `cis-docker:5.11` or `cis-kubernetes:1.2.1`.
    pub written: String,
    /// The check ids it stands for.
    pub checks: Vec<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Mitigation {
    pub description: String,
    pub checks: Vec<CheckLink>,
}

#[derive(Clone, Debug)]
pub struct Threat {
    pub id: String,
    pub component: String,
    pub stride: Stride,
    pub title: String,
    pub description: String,
    pub mitigations: Vec<Mitigation>,
    /// What a human should look at when no check verifies the threat.
    pub evidence_hint: Option<String>,
    /// Framework ids: ATT&CK, Microsoft threat matrix, OWASP...
    pub references: Vec<String>,
    /// Reference write-up rows this threat answers.
    pub covers: Vec<String>,
    /// For a threat generated from the live host: the subject it is about.
    pub subject: Option<String>,
    /// For a threat generated from the live host without a check: what the
    /// host shows that makes it real (it is then open).
    pub observed: Option<String>,
    pub origin: Origin,
}

impl Threat {
    /// Every check id linked through any mitigation, deduplicated, in order.
    pub fn check_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = Vec::new();
        for link in self.mitigations.iter().flat_map(|m| &m.checks) {
            for id in &link.checks {
                if !ids.contains(id) {
                    ids.push(id);
                }
            }
        }
        ids
    }
}

/// The user's decision to live with a threat.
#[derive(Clone, Debug)]
pub struct Acceptance {
    pub threat: String,
    /// Restricts the acceptance to one subject (e.g. a container name).
    pub subject: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`; after it the acceptance no longer applies.
    pub expires: String,
    pub by: Option<String>,
    pub origin: Origin,
}

/// A component the user declared out of scope.
#[derive(Clone, Debug)]
pub struct OutOfScope {
    pub component: String,
    pub reason: String,
}

/// The model: built-in catalog plus the user's additions.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub boundaries: Vec<Boundary>,
    pub components: Vec<Component>,
    pub flows: Vec<Flow>,
    pub threats: Vec<Threat>,
    pub acceptances: Vec<Acceptance>,
    pub out_of_scope: Vec<OutOfScope>,
    /// CIS references no check carries yet, as `file:line: reference`.
    pub unresolved: Vec<String>,
}

impl Catalog {
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    pub fn threat(&self, id: &str) -> Option<&Threat> {
        self.threats.iter().find(|t| t.id == id)
    }

    /// Threats that a failing check leaves open.
    pub fn threats_of_check<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Threat> + 'a {
        self.threats
            .iter()
            .filter(move |t| t.check_ids().contains(&check))
    }
}
