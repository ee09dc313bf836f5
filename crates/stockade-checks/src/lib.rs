//! The checks. Each check is one `static` [`Check`] holding its metadata,
//! documentation and logic, in a module of its family:
//!
//! - `docker_host`: the host running Docker (CIS Docker section 1)
//! - `docker_daemon`: dockerd's configuration (section 2)
//! - `docker_files`: ownership and permissions of Docker's files (section 3)
//! - `k8s_node`: a Kubernetes node (CIS Kubernetes sections 1-4)
//! - `docker_images`: images and their builds (section 4)
//! - `docker_containers`: how containers run (section 5, and 4.1)
//! - `docker_ops`: image and container sprawl (section 6)
//! - `docker_swarm`: swarm mode (5.1 and section 7)
//! - `dockerfile`, `compose`, `k8s_workloads`, `k8s_rbac`: rules on the
//!   files `stockade scan` reads (CIS Docker sections 4-5, CIS Kubernetes
//!   section 5)
//!
//! Checks never do I/O: they read a [`HostContext`] built from a snapshot, or
//! a parsed document handed over by [`scan`].

// Checks bail out with a ready `error` finding (`Err(Finding)`); it is built
// once per check, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod compose;
pub mod context;
pub mod docker_containers;
pub mod docker_daemon;
pub mod docker_files;
pub mod docker_host;
pub mod docker_images;
pub mod docker_ops;
pub mod docker_swarm;
pub mod dockerfile;
pub mod host_paths;
pub mod image_ref;
pub mod import;
pub mod k8s_node;
pub mod k8s_rbac;
pub mod k8s_workloads;
pub mod kube_bench_import;
pub mod registry;
pub mod scan;
pub mod secrets;
pub mod select;
#[cfg(test)]
mod testing;
pub mod workload;

pub use check::{Check, Input, Runner};
pub use context::HostContext;
pub use registry::{all, by_id};

/// A count or position as the `u32` locations use.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Length of a text in characters, as columns count them.
pub(crate) fn text_len(text: &str) -> u32 {
    to_u32(text.chars().count())
}
