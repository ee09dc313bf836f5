#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(config) = stockade_parse::daemon_json::parse(text) {
        for entry in &config.entries {
            assert!(entry.line >= 1 && entry.column >= 1);
        }
    }
});
