#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for line in text.lines() {
        if let Some(watch) = stockade_parse::audit_rules::parse_watch(line) {
            let _ = watch.covers("/usr/bin/dockerd");
        }
    }
});
