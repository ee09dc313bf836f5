//! What a Kubernetes node audit reads: component command lines, static pod
//! manifests, YAML/JSON configuration files with positions, and kube-bench's
//! JSON results.

pub mod args;
pub mod kube_bench;
pub mod mask;
pub mod static_pod;
pub mod yaml;

#[cfg(test)]
mod robustness {
    use super::{args, kube_bench, mask, static_pod, yaml};

    /// Truncations and byte flips of realistic inputs: every parser returns
    /// a value or an error, never panics.
    #[test]
    fn odd_input_never_panics() {
        let seeds = [
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command: [etcd, --data-dir=/x]\n    env: [{name: ETCD_A, value: b}]\n",
            "{\"Controls\":[{\"version\":\"cis-1.12\",\"tests\":[{\"results\":[{\"test_number\":\"1.2.1\",\"status\":\"PASS\"}]}]}]}",
            "authentication:\n  anonymous: {enabled: false}\nsecret: |\n  abc\n",
            "- &a [*a]\n",
        ];
        for seed in seeds {
            let bytes = seed.as_bytes();
            for cut in 0..=bytes.len() {
                for flip in [b'"', b'{', b'[', b':', b'-', b'\n', b'&', b'*', 0xff] {
                    let mut variant = bytes[..cut].to_vec();
                    variant.push(flip);
                    variant.extend_from_slice(&bytes[cut..]);
                    let text = String::from_utf8_lossy(&variant);
                    let _ = yaml::parse_documents(&text);
                    let _ = static_pod::parse(&text);
                    let _ = kube_bench::parse(&text);
                    let _ = mask::mask_secret_values(&text);
                    let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
                    let _ = args::ComponentArgs::parse(&words, &["profiling"]);
                    let _ = mask::mask_component_argv(&words);
                }
            }
        }
    }
}
