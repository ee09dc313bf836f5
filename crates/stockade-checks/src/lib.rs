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
//!
//! Checks never do I/O: they read a [`HostContext`] built from a snapshot.

// Checks bail out with a ready `error` finding (`Err(Finding)`); it is built
// once per check, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod context;
pub mod docker_containers;
pub mod docker_daemon;
pub mod docker_files;
pub mod docker_host;
pub mod docker_images;
pub mod docker_ops;
pub mod docker_swarm;
pub mod import;
pub mod k8s_node;
pub mod kube_bench_import;
pub mod registry;
pub mod select;
#[cfg(test)]
mod testing;
pub mod workload;

pub use check::{Check, Input, Runner};
pub use context::HostContext;
pub use registry::{all, by_id};
