#![no_main]
//! The spanned YAML loader and the ignore-comment parser on arbitrary text.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(error) = stockade_parse::yaml::load(text) {
        assert!(error.line >= 1 && error.column >= 1);
    }
    let _ = stockade_parse::ignore::comments(text);
});
