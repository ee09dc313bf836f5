//! Docker content trust (CIS Docker 4.5): a client setting, so the fix is
//! where to put `DOCKER_CONTENT_TRUST=1` and why, for a person to do.

use stockade_core::fix::{Applicability, Change, Effort, Fix};
use stockade_core::{Finding, Location};

pub fn handles(check: &str) -> bool {
    check == "content-trust-disabled"
}

pub fn fix(finding: &Finding) -> Fix {
    let mut changes = Vec::new();
    // A value that turns it off must go first, or it wins over the new one.
    for evidence in &finding.evidence {
        if let Some(Location::File { path, line, .. }) = &evidence.location {
            let at = line.map_or(path.clone(), |l| format!("{path}:{l}"));
            changes.push(Change::Instruction {
                text: format!(
                    "Change `{}` at {at} to DOCKER_CONTENT_TRUST=1.",
                    evidence.observed
                ),
            });
        }
    }
    changes.push(Change::Instruction {
        text: "Set DOCKER_CONTENT_TRUST=1 wherever images are pulled or run: add the line \
               `DOCKER_CONTENT_TRUST=1` to /etc/environment (read at login by every session \
               and PAM service on this host), put `export DOCKER_CONTENT_TRUST=1` in \
               /etc/profile.d/docker-content-trust.sh for login shells, set it in the \
               environment of CI jobs that build or deploy, and give systemd units that pull \
               images `Environment=DOCKER_CONTENT_TRUST=1`. It is read by the docker client, \
               not by dockerd, so daemon.json cannot set it. Why: with it the client verifies \
               the signature of every tag it pulls and refuses unsigned ones, so neither the \
               registry nor anyone between it and this host can slip in another image."
            .to_owned(),
    });
    Fix {
        title: "Turn on Docker content trust (DOCKER_CONTENT_TRUST=1)".to_owned(),
        applicability: Applicability::DisplayOnly,
        changes,
        effort: Effort::Medium,
        risk: "With content trust on, `docker pull`, `run` and `build` refuse tags that are not signed: sign the images you publish (`docker trust sign`) and check that the registries you pull from carry signatures before turning it on, or deployments stop pulling.".to_owned(),
        needs_daemon_restart: false,
    }
}
