//! Declarative flag checks: most CIS Kubernetes controls of sections 1.2 to
//! 4.3 test one or two settings of one component. Each such check names the
//! component, the settings, the test, and whether the benchmark scores it
//! (an unscored control that is not met is `warn`, not `fail`).

use stockade_core::Finding;
use stockade_core::kubernetes::ComponentKind;
use stockade_core::meta::CheckMeta;
use stockade_parse::k8s_node::args::{feature_gates, flag_bool, split_list};
use stockade_parse::k8s_node::yaml::yaml11_bool;

use super::view::{ComponentView, Found, K8sView, Lookup, Setting};
use crate::context::HostContext;

/// A flag check.
#[derive(Debug)]
pub struct SettingRule {
    pub component: ComponentKind,
    /// Every setting must pass the test.
    pub settings: &'static [Setting],
    pub test: Test,
    /// CIS "Automated" controls fail; "Manual" ones warn.
    pub scored: bool,
    /// What a compliant component shows, for the evidence.
    pub expected: &'static str,
    /// Verdict messages.
    pub pass: &'static str,
    pub fail: &'static str,
}

/// What the effective value must satisfy.
#[derive(Clone, Copy, Debug)]
pub enum Test {
    /// A boolean equal to this.
    Bool(bool),
    /// Exactly this text.
    Equals(&'static str),
    /// Set to a non-empty value.
    Present,
    /// Not set at all.
    Absent,
    /// An integer at least this.
    AtLeast(i64),
    /// An integer greater than zero.
    Positive,
    /// A duration other than zero.
    NonZeroDuration,
    /// An address (host or host:port) on the loopback interface.
    Loopback,
    /// A comma list containing the item.
    Contains(&'static str),
    /// A comma list without the item.
    Lacks(&'static str),
    /// Every item of a comma list is in the allow-list.
    SubsetOf(&'static [&'static str]),
    /// The feature gate is not switched off (`--feature-gates`, or the
    /// kubelet config's `config_key`; the gates tested default to on).
    GateNotOff {
        gate: &'static str,
        config_key: &'static str,
    },
    /// The admission plugin is enabled (or disabled) once
    /// `--enable-admission-plugins`, `--disable-admission-plugins` and the
    /// default set are combined.
    Admission {
        plugin: &'static str,
        default_on: bool,
        want_enabled: bool,
    },
}

/// Runs a rule on every instance of its component.
pub(crate) fn run(meta: &CheckMeta, ctx: &HostContext<'_>, rule: &SettingRule) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    judge_each(meta, view, rule.component, |component| {
        judge(meta, rule, component)
    })
}

/// `judge` on every instance of `kind`, or `not-applicable` when there is none.
pub fn judge_each(
    meta: &CheckMeta,
    view: &K8sView<'_>,
    kind: ComponentKind,
    judge: impl Fn(&ComponentView<'_>) -> Finding,
) -> Vec<Finding> {
    let findings: Vec<Finding> = view
        .of(kind)
        .map(|component| judge(component).subject(component.subject()))
        .collect();
    if findings.is_empty() {
        vec![Finding::not_applicable(meta, view.absent_reason(kind))]
    } else {
        findings
    }
}

/// The failing verdict of a rule: `fail` when scored, else `warn`.
pub fn miss(meta: &CheckMeta, scored: bool, message: impl Into<String>) -> Finding {
    if scored {
        Finding::fail(meta, message)
    } else {
        Finding::warn(meta, message)
    }
}

fn judge(meta: &CheckMeta, rule: &SettingRule, component: &ComponentView<'_>) -> Finding {
    match rule.test {
        Test::Admission {
            plugin,
            default_on,
            want_enabled,
        } => return admission(meta, rule, component, plugin, default_on, want_enabled),
        Test::GateNotOff { gate, config_key } => {
            return gate_not_off(meta, rule, component, gate, config_key);
        }
        _ => {}
    }
    let mut evidence = Vec::new();
    let mut all_pass = true;
    for setting in rule.settings {
        let (verdict, item) = match component.lookup(setting) {
            Lookup::Unknown(reason) => return Finding::error(meta, reason),
            Lookup::Set(found) => match test(rule.test, &found.text) {
                Some(ok) => (ok, component.evidence(&found, rule.expected)),
                None => {
                    return Finding::error(
                        meta,
                        format!(
                            "{}: `{}` is not a valid value here ({})",
                            component.describe(&found),
                            found.text,
                            rule.expected
                        ),
                    )
                    .evidence(component.evidence(&found, rule.expected));
                }
            },
            Lookup::Unset => {
                let verdict = match (rule.test, component.default_of(setting)) {
                    (Test::Present, _) => false,
                    (Test::Absent, _) => true,
                    (test_kind, Some((default, _))) => test(test_kind, default).unwrap_or(false),
                    (_, None) => false,
                };
                (verdict, component.unset_evidence(setting, rule.expected))
            }
        };
        all_pass &= verdict;
        evidence.push(item);
    }
    let finding = if all_pass {
        Finding::pass(meta, rule.pass)
    } else {
        miss(meta, rule.scored, rule.fail)
    };
    finding.evidences(evidence)
}

/// Whether `text` passes `test`; `None` when the text cannot be read as the
/// kind of value the test needs.
pub fn test(test: Test, text: &str) -> Option<bool> {
    let text = text.trim();
    Some(match test {
        Test::Bool(want) => parse_bool(text)? == want,
        Test::Equals(want) => text == want,
        Test::Present => !text.is_empty(),
        Test::Absent => false,
        Test::AtLeast(min) => text.parse::<i64>().ok()? >= min,
        Test::Positive => text.parse::<i64>().ok()? > 0,
        Test::NonZeroDuration => !super::view::is_zero(text),
        Test::Loopback => is_loopback(text),
        Test::Contains(item) => split_list(text).iter().any(|i| i == item),
        Test::Lacks(item) => !split_list(text).iter().any(|i| i == item),
        Test::SubsetOf(allowed) => {
            let items = split_list(text);
            !items.is_empty() && items.iter().all(|i| allowed.contains(&i.as_str()))
        }
        Test::GateNotOff { .. } | Test::Admission { .. } => return None,
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    flag_bool(text).or_else(|| yaml11_bool(text))
}

fn is_loopback(address: &str) -> bool {
    let host = if let Some(rest) = address.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else if address.matches(':').count() == 1 {
        address.split(':').next().unwrap_or_default()
    } else {
        address
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

fn admission(
    meta: &CheckMeta,
    rule: &SettingRule,
    component: &ComponentView<'_>,
    plugin: &str,
    default_on: bool,
    want_enabled: bool,
) -> Finding {
    let enable = Setting::flag("enable-admission-plugins");
    let legacy = Setting::flag("admission-control");
    let disable = Setting::flag("disable-admission-plugins");
    let mut evidence = Vec::new();
    let mut listed = |setting: &Setting| -> Result<Option<bool>, String> {
        match component.lookup(setting) {
            Lookup::Unknown(reason) => Err(reason),
            Lookup::Unset => Ok(None),
            Lookup::Set(found) => {
                let contains = split_list(&found.text).iter().any(|p| p == plugin);
                evidence.push(component.evidence(&found, rule.expected));
                Ok(Some(contains))
            }
        }
    };
    let (enabled_by, legacy_by, disabled_by) =
        match (listed(&enable), listed(&legacy), listed(&disable)) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(reason), _, _) | (_, Err(reason), _) | (_, _, Err(reason)) => {
                return Finding::error(meta, reason);
            }
        };
    let enabled = (enabled_by == Some(true) || legacy_by == Some(true) || default_on)
        && disabled_by != Some(true);
    if evidence.is_empty() {
        evidence.push(component.unset_evidence(&enable, rule.expected));
    }
    if enabled_by.is_none() && legacy_by.is_none() {
        let state = if default_on { "on" } else { "off" };
        evidence.push(stockade_core::Evidence::observed(format!(
            "{plugin} is {state} in the API server's default plugin set"
        )));
    }
    let finding = if enabled == want_enabled {
        Finding::pass(meta, rule.pass)
    } else {
        miss(meta, rule.scored, rule.fail)
    };
    finding.evidences(evidence)
}

fn gate_not_off(
    meta: &CheckMeta,
    rule: &SettingRule,
    component: &ComponentView<'_>,
    gate: &str,
    config_key: &'static str,
) -> Finding {
    let args = match &component.args {
        Ok(args) => args,
        Err(reason) => return Finding::error(meta, reason.clone()),
    };
    let mut found: Option<Found> = None;
    for flag in args.all("feature-gates") {
        if let Some((_, value)) = feature_gates(&flag.value)
            .into_iter()
            .rev()
            .find(|(k, _)| k == gate)
        {
            found = Some(Found {
                text: value,
                origin: super::view::Origin::Flag {
                    written: flag.written.clone(),
                    index: flag.index,
                },
            });
        }
    }
    if found.is_none() && component.kind() == ComponentKind::Kubelet {
        match component.config_lookup(&Setting::with_key("feature-gates", config_key)) {
            Lookup::Unknown(reason) => return Finding::error(meta, reason),
            Lookup::Set(value) => found = Some(value),
            Lookup::Unset => {}
        }
    }
    match found {
        Some(found) => {
            let finding = match parse_bool(&found.text) {
                Some(false) => miss(meta, rule.scored, rule.fail),
                Some(true) => Finding::pass(meta, rule.pass),
                None => Finding::error(meta, format!("{gate}={} is not a boolean", found.text)),
            };
            finding.evidence(component.evidence(&found, rule.expected))
        }
        None => Finding::pass(meta, rule.pass).evidence(
            stockade_core::Evidence::observed(format!(
                "{gate} is not set in --feature-gates{} of {}; the gate defaults to on",
                if component.kind() == ComponentKind::Kubelet {
                    " or featureGates"
                } else {
                    ""
                },
                component.facts.describe()
            ))
            .expected(rule.expected)
            .at(component.argument_location(None, None)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_tests() {
        assert_eq!(test(Test::Bool(false), "false"), Some(true));
        assert_eq!(test(Test::Bool(false), "no"), Some(true));
        assert_eq!(test(Test::Bool(false), "maybe"), None);
        assert_eq!(test(Test::AtLeast(30), "30"), Some(true));
        assert_eq!(test(Test::AtLeast(30), "7"), Some(false));
        assert_eq!(test(Test::Positive, "-1"), Some(false));
        assert_eq!(test(Test::Loopback, "127.0.0.1:10249"), Some(true));
        assert_eq!(test(Test::Loopback, "0.0.0.0"), Some(false));
        assert_eq!(test(Test::Loopback, "[::1]:10249"), Some(true));
        assert_eq!(test(Test::Contains("Node"), "Node,RBAC"), Some(true));
        assert_eq!(
            test(Test::Lacks("AlwaysAllow"), "Node, AlwaysAllow"),
            Some(false)
        );
        assert_eq!(test(Test::SubsetOf(&["A", "B"]), "A,B"), Some(true));
        assert_eq!(test(Test::SubsetOf(&["A", "B"]), "A,C"), Some(false));
        assert_eq!(test(Test::NonZeroDuration, "0s"), Some(false));
    }
}
