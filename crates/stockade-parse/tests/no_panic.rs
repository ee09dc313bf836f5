//! Property tests: the parsers never panic, whatever the input, and keep
//! positions inside the text.

use proptest::prelude::*;
use stockade_parse::{dockerfile, ignore, yaml};

/// Text built from the pieces that make these formats tricky.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("FROM ".to_owned()),
            Just("RUN ".to_owned()),
            Just("<<EOF".to_owned()),
            Just("<<-'X'".to_owned()),
            Just("EOF".to_owned()),
            Just("\\".to_owned()),
            Just("`".to_owned()),
            Just("# escape=`".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("\t".to_owned()),
            Just("--flag=".to_owned()),
            Just("[\"a\", ".to_owned()),
            Just("${X:-y}".to_owned()),
            Just("ENV A=\"b c\" ".to_owned()),
            Just("- ".to_owned()),
            Just(": ".to_owned()),
            Just("&a ".to_owned()),
            Just("*a".to_owned()),
            Just("<<: ".to_owned()),
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("'".to_owned()),
            Just("\"".to_owned()),
            Just("---\n".to_owned()),
            Just("# stockade:ignore x -- y".to_owned()),
            "[a-zA-Z0-9 _.:/=-]{0,8}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..64,
    );
    pieces.prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dockerfile_parser_never_panics(text in tricky_text()) {
        let parsed = dockerfile::parse(&text);
        let lines = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);
        for instruction in &parsed.instructions {
            prop_assert!(instruction.line >= 1 && instruction.line <= lines);
            let _ = instruction.key_values();
            let _ = instruction.exec_form();
            let _ = instruction.script();
            for offset in 0..=instruction.args.len() {
                let (line, _) = instruction.position_of(offset);
                prop_assert!(line >= 1 && line <= lines);
            }
        }
        let _ = parsed.stages();
        let _ = parsed.global_args();
    }

    #[test]
    fn yaml_loader_never_panics(text in tricky_text()) {
        match yaml::load(&text) {
            Ok(documents) => {
                for document in &documents {
                    prop_assert!(document.line >= 1);
                }
            }
            Err(error) => prop_assert!(error.line >= 1 && error.column >= 1),
        }
        let _ = ignore::comments(&text);
    }

    #[test]
    fn substitution_never_panics(text in tricky_text()) {
        let vars = std::collections::HashMap::from([("X".to_owned(), "1".to_owned())]);
        let _ = dockerfile::substitute(&text, &vars);
        let _ = dockerfile::unquote(&text);
    }
}
