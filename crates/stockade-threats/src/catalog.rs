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

/// What a mitigation does about its threat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MitigationKind {
    /// Stops the threat from happening: when its check fails, the threat is open.
    #[default]
    Prevent,
    /// Notices the threat when it happens (an audit watch, an alert): when
    /// its check fails, monitoring has a gap but the threat is not open.
    Detect,
}

impl MitigationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MitigationKind::Prevent => "prevent",
            MitigationKind::Detect => "detect",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Mitigation {
    pub description: String,
    pub kind: MitigationKind,
    pub checks: Vec<CheckLink>,
}

impl Mitigation {
    /// The check ids this mitigation's links stand for.
    pub fn check_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = Vec::new();
        for id in self.checks.iter().flat_map(|l| &l.checks) {
            if !ids.contains(id) {
                ids.push(id);
            }
        }
        ids
    }
}

/// A threat that another, wider threat stands for when a check fails: a
/// daemon-wide fact is the daemon's threat, not one per container.
#[derive(Clone, Debug)]
pub struct CoveredBy {
    pub threat: String,
    /// The check whose failure makes the wider threat the one to report.
    pub when_failing: String,
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
    /// Names the subject is also known by (its image), for acceptances.
    pub subject_aliases: Vec<String>,
    /// For an instance (`DKR-CTR-02@web`): the catalog threat it copies.
    pub instance_of: Option<String>,
    /// For a threat generated from the live host without a check: what the
    /// host shows that makes it real (it is then open).
    pub observed: Option<String>,
    /// Likelihood (1–5) when the threat is open, instead of the one derived
    /// from the failing checks' severity.
    pub likelihood: Option<u8>,
    /// Impact (1–5), instead of the one derived from component and STRIDE letter.
    pub impact: Option<u8>,
    pub covered_by: Option<CoveredBy>,
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
    /// Restricts the acceptance to the instances whose subject (container,
    /// pod or image name) matches this glob (`*`, `?`).
    pub subject: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`; after it the acceptance no longer applies.
    pub expires: String,
    pub by: Option<String>,
    pub origin: Origin,
}

impl Acceptance {
    /// `DKR-CTR-02` or `DKR-CTR-02@ci-*`.
    pub fn target(&self) -> String {
        match &self.subject {
            Some(subject) => format!("{}@{subject}", self.threat),
            None => self.threat.clone(),
        }
    }

    /// Whether it applies to `threat` (a catalog threat or an instance).
    pub fn covers(&self, threat: &Threat) -> bool {
        let base = threat.instance_of.as_deref().unwrap_or(&threat.id);
        if base != self.threat {
            return false;
        }
        match (&self.subject, &threat.subject) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(pattern), Some(subject)) => std::iter::once(subject)
                .chain(&threat.subject_aliases)
                .any(|name| glob_matches(pattern, name)),
        }
    }
}

/// `*` matches any run of characters, `?` one character; nothing else is special.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// A component the user declared out of scope, or that the host does not run.
#[derive(Clone, Debug)]
pub struct OutOfScope {
    pub component: String,
    pub reason: String,
}

/// Whether a component of the model is on the audited host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Its process runs, its API answers or its static pod manifest exists.
    Present(String),
    /// A package or unit file is there, but nothing runs.
    InstalledNotRunning(String),
    /// Nothing of it is on this host.
    Absent(String),
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
    /// What the live host shows of each component; components missing here
    /// are taken as present (the generic model, saved results).
    pub presence: Vec<(String, Presence)>,
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

    /// The instances of catalog threat `id` (`id@subject`).
    pub fn instances<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Threat> + 'a {
        self.threats
            .iter()
            .filter(move |t| t.instance_of.as_deref() == Some(id))
    }

    /// The presence of `component` (an instance's component is that of the
    /// vocabulary component it instantiates); `None`: taken as present.
    pub fn presence_of(&self, component: &str) -> Option<&Presence> {
        let component = self
            .component(component)
            .and_then(|c| c.instance_of.as_deref())
            .unwrap_or(component);
        self.presence
            .iter()
            .find(|(c, _)| c == component)
            .map(|(_, p)| p)
    }

    /// Keeps only the components, flows, boundaries and threats of `platforms`
    /// (`docker`, `kubernetes`; user components without a platform stay).
    pub fn retain_platforms(&mut self, platforms: &[&str]) {
        let keep =
            |c: &Component| c.platform.is_empty() || platforms.contains(&c.platform.as_str());
        let dropped: Vec<String> = self
            .components
            .iter()
            .filter(|c| !keep(c))
            .map(|c| c.id.clone())
            .collect();
        self.components.retain(|c| !dropped.contains(&c.id));
        self.flows
            .retain(|f| !dropped.contains(&f.from) && !dropped.contains(&f.to));
        self.threats.retain(|t| !dropped.contains(&t.component));
        let used: Vec<Option<String>> =
            self.components.iter().map(|c| c.boundary.clone()).collect();
        let mut needed: Vec<String> = Vec::new();
        for boundary in used.into_iter().flatten() {
            let mut next = Some(boundary);
            while let Some(id) = next {
                next = self
                    .boundaries
                    .iter()
                    .find(|b| b.id == id)
                    .and_then(|b| b.parent.clone());
                if !needed.contains(&id) {
                    needed.push(id);
                }
            }
        }
        self.boundaries.retain(|b| needed.contains(&b.id));
    }

    /// Threats that a failing check leaves open.
    pub fn threats_of_check<'a>(&'a self, check: &'a str) -> impl Iterator<Item = &'a Threat> + 'a {
        self.threats
            .iter()
            .filter(move |t| t.check_ids().contains(&check))
    }
}
