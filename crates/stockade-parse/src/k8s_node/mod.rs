//! What a Kubernetes node audit reads: component command lines, static pod
//! manifests, YAML/JSON configuration files with positions, and kube-bench's
//! JSON results.

pub mod args;
pub mod kube_bench;
pub mod mask;
pub mod static_pod;
pub mod yaml;
