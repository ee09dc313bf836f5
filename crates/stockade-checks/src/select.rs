//! Choosing checks by id or by CIS number.

use stockade_core::cis::{self, Benchmark};

use crate::check::Check;

/// The benchmark versions whose numbering the user speaks.
#[derive(Clone, Debug)]
pub struct CisVersions {
    pub docker: String,
    pub kubernetes: String,
}

impl Default for CisVersions {
    fn default() -> Self {
        CisVersions {
            docker: Benchmark::Docker.default_version().to_owned(),
            kubernetes: Benchmark::Kubernetes.default_version().to_owned(),
        }
    }
}

impl CisVersions {
    pub fn for_benchmark(&self, benchmark: Benchmark) -> &str {
        match benchmark {
            Benchmark::Docker => &self.docker,
            Benchmark::Kubernetes => &self.kubernetes,
        }
    }

    /// The check's CIS number in the chosen version of its benchmark.
    pub fn number_of(&self, check: &Check) -> Option<&'static str> {
        let benchmark = check.meta.benchmark()?;
        check
            .meta
            .cis_number(benchmark, self.for_benchmark(benchmark))
    }
}

/// Whether `selector` (an id, or a CIS number or section such as `2.2` or
/// `3`) names this check.
pub fn selects(selector: &str, check: &Check, versions: &CisVersions) -> bool {
    if selector == check.meta.id {
        return true;
    }
    // `docker:2.2` / `kubernetes:2.2` (or `k8s:2.2`) name one benchmark's number.
    let selector = match selector.split_once(':') {
        Some((prefix, rest)) => {
            let wanted = match prefix {
                "docker" | "cis-docker" => Benchmark::Docker,
                "kubernetes" | "k8s" | "cis-kubernetes" => Benchmark::Kubernetes,
                _ => return false,
            };
            if check.meta.benchmark() != Some(wanted) {
                return false;
            }
            rest
        }
        None => selector,
    };
    versions.number_of(check).is_some_and(|number| {
        cis::number_matches(selector.trim_start_matches("cis-").trim(), number)
    })
}

#[derive(Debug, PartialEq, Eq)]
pub struct UnknownSelector(pub String);

impl std::error::Error for UnknownSelector {}

impl std::fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is neither a check id nor a CIS number of the chosen benchmark versions (see `stockade rules`)",
            self.0
        )
    }
}

/// The checks that `include` (all when empty) selects and `exclude` does not.
/// A selector that names no check at all is an error, so typos do not
/// silently skip or run everything.
pub fn select<'a>(
    checks: &[&'a Check],
    include: &[String],
    exclude: &[String],
    versions: &CisVersions,
) -> Result<Vec<&'a Check>, UnknownSelector> {
    for selector in include.iter().chain(exclude) {
        if !checks.iter().any(|c| selects(selector, c, versions)) {
            return Err(UnknownSelector(selector.clone()));
        }
    }
    Ok(checks
        .iter()
        .copied()
        .filter(|c| include.is_empty() || include.iter().any(|s| selects(s, c, versions)))
        .filter(|c| !exclude.iter().any(|s| selects(s, c, versions)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::all;

    fn ids(checks: &[&Check]) -> Vec<&'static str> {
        checks.iter().map(|c| c.meta.id).collect()
    }

    /// The Docker checks: CIS numbers overlap between benchmarks.
    fn docker() -> Vec<&'static Check> {
        all()
            .iter()
            .copied()
            .filter(|c| c.meta.benchmark() == Some(Benchmark::Docker))
            .collect()
    }

    #[test]
    fn prefixed_numbers_name_one_benchmark() {
        let v = CisVersions::default();
        let chosen = select(all(), &["kubernetes:2.2".into()], &[], &v).unwrap();
        assert_eq!(ids(&chosen), ["etcd-client-cert-auth-disabled"]);
        let chosen = select(all(), &["docker:2.2".into()], &[], &v).unwrap();
        assert_eq!(ids(&chosen), ["daemon-icc-enabled"]);
        let both = select(all(), &["2.2".into()], &[], &v).unwrap();
        assert_eq!(both.len(), 2);
    }

    #[test]
    fn by_id_and_by_number_in_the_chosen_version() {
        let v160 = CisVersions::default();
        let chosen = select(&docker(), &["2.2".into()], &[], &v160).unwrap();
        assert_eq!(ids(&chosen), ["daemon-icc-enabled"]);

        let v120 = CisVersions {
            docker: "1.2.0".into(),
            ..CisVersions::default()
        };
        let chosen = select(&docker(), &["2.2".into()], &[], &v120).unwrap();
        assert_eq!(ids(&chosen), ["daemon-log-level-not-info"]);

        let chosen = select(&docker(), &["daemon-icc-enabled".into()], &[], &v120).unwrap();
        assert_eq!(ids(&chosen), ["daemon-icc-enabled"]);
    }

    #[test]
    fn sections_select_their_controls_and_skips_apply_last() {
        let v = CisVersions::default();
        let chosen = select(
            &docker(),
            &["3".into()],
            &["3.1".into(), "docker-sock-permissive".into()],
            &v,
        )
        .unwrap();
        assert_eq!(chosen.len(), 22);
        assert!(!ids(&chosen).contains(&"docker-service-not-root-owned"));
        let chosen = select(&docker(), &["2.1".into()], &[], &v).unwrap();
        assert_eq!(
            ids(&chosen),
            ["daemon-runs-as-root"],
            "2.1 must not select 2.10-2.18"
        );
    }

    #[test]
    fn unknown_selectors_are_errors() {
        let v = CisVersions::default();
        assert_eq!(
            select(&docker(), &["daemon-icc".into()], &[], &v).unwrap_err(),
            UnknownSelector("daemon-icc".into())
        );
        assert!(select(&docker(), &[], &["9.9".into()], &v).is_err());
    }
}
