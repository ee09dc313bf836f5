//! Where `DOCKER_CONTENT_TRUST` is set for the people and jobs that pull
//! images on the audited host.

use stockade_core::workload::{ContentTrust, EnvironmentAssignment};

use crate::fs::{HostFs, join};

const VARIABLE: &str = "DOCKER_CONTENT_TRUST";

/// The auditing environment's value (live audits only) and the assignments
/// in /etc/environment and /etc/profile.d/*.sh.
pub fn collect(host: &HostFs) -> ContentTrust {
    let auditing_environment = if host.is_live_root() {
        std::env::var(VARIABLE).ok()
    } else {
        None
    };
    let mut paths = vec!["/etc/environment".to_owned()];
    if let Ok(Some(mut names)) = host.list_dir("/etc/profile.d") {
        names.sort();
        paths.extend(
            names
                .iter()
                .filter(|n| n.ends_with(".sh"))
                .map(|n| join("/etc/profile.d", n)),
        );
    }
    let files = paths
        .iter()
        .filter_map(|path| Some((path, host.read_text(path).ok()??)))
        .flat_map(|(path, text)| assignments(path, &text))
        .collect();
    ContentTrust {
        auditing_environment,
        files,
    }
}

/// `DOCKER_CONTENT_TRUST=1` and `export DOCKER_CONTENT_TRUST="1"` lines.
fn assignments(path: &str, text: &str) -> Vec<EnvironmentAssignment> {
    text.lines()
        .zip(1u32..)
        .filter_map(|(line, number)| {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
            let value = line.strip_prefix(VARIABLE)?.strip_prefix('=')?;
            let value = value.split('#').next().unwrap_or_default().trim();
            Some(EnvironmentAssignment {
                path: path.to_owned(),
                line: number,
                value: value.trim_matches(|c| c == '"' || c == '\'').to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_in_shell_and_environment_files() {
        let found = assignments(
            "/etc/profile.d/docker.sh",
            "# trust\nexport DOCKER_CONTENT_TRUST=\"1\"\nDOCKER_CONTENT_TRUST_SERVER=x\nDOCKER_CONTENT_TRUST=0 # off\n",
        );
        let values: Vec<(u32, &str)> = found.iter().map(|a| (a.line, a.value.as_str())).collect();
        assert_eq!(values, [(2, "1"), (4, "0")]);
    }
}
