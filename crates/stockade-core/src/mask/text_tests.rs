use super::*;

fn masked(text: &str) -> String {
    mask(text).into_owned()
}

#[test]
fn assignments_under_secret_names() {
    assert_eq!(
        masked("ENV DB_PASSWORD=hunter2 MODE=prod"),
        "ENV DB_PASSWORD=**** MODE=prod"
    );
    assert_eq!(
        masked("    POSTGRES_PASSWORD: hunter2\n"),
        "    POSTGRES_PASSWORD: ****\n"
    );
    assert_eq!(
        masked("  token: \"abc\" # note"),
        "  token: \"****\" # note"
    );
    assert_eq!(
        masked(r#"{"password": "p\"q", "user": "bob"}"#),
        r#"{"password": "****", "user": "bob"}"#
    );
    assert_eq!(
        masked(r#"["A=1","DB_PASS=x y"]"#),
        r#"["A=1","DB_PASS=****"]"#
    );
    assert_eq!(
        masked("environment: [API_KEY=abc, B=2]"),
        "environment: [API_KEY=****, B=2]"
    );
    assert_eq!(
        masked("--x-secret=abc --icc=false"),
        "--x-secret=**** --icc=false"
    );
    assert_eq!(
        masked("<td>DB_PASSWORD=hunter2</td>"),
        "<td>DB_PASSWORD=****</td>"
    );
    assert_eq!(
        masked("<pre>{&quot;password&quot;: &quot;hunter2&quot;}</pre>"),
        "<pre>{&quot;password&quot;: &quot;****&quot;}</pre>"
    );
    assert_eq!(
        masked("<td>POSTGRES_PASSWORD: &quot;hunter2&quot;</td>"),
        "<td>POSTGRES_PASSWORD: &quot;****&quot;</td>"
    );
    assert_eq!(
        masked("ENV GITHUB_TOKEN ghtoken123"),
        "ENV GITHUB_TOKEN ****"
    );
}

#[test]
fn harmless_values_stay_readable() {
    for text in [
        "MYSQL_ALLOW_EMPTY_PASSWORD=true",
        "POSTGRES_PASSWORD_FILE=/run/secrets/db",
        "DB_PASSWORD=${DB_PASSWORD}",
        "DB_PASSWORD=",
        "token: ",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        "--authorization-mode=Node,RBAC",
        "--anonymous-auth=false",
        "- key: app",
        "passed: 12, failed: 3",
        "error: compose.yaml:3:5: duplicate key",
        "image: nginx:1.27",
        "DB_PASSWORD=****",
        "see https://example.com/x?y=1",
        "\"secret\": false",
        "Add --use-service-account-credentials=true.",
        "The kubelet's kubeconfig holds the node's credentials: a reader can act as the node",
        "Shows whether bootstrap token authentication is on (--enable-bootstrap-token-auth). Which",
        r#""section": "1.2", "pass": 1, "fail": 2, "desc": "API Server","#,
        r#"KUBELET_EXTRA_ARGS="--anonymous-auth=true --read-only-port=10255""#,
        r#""name: a\n  client-cert-auth: true\n  trusted-ca-file: /x\n""#,
        "printf 'extendedKeyUsage=serverAuth'",
        r#""message": "ENV DB_PASSWORD is set to a literal value","#,
        r#"      "image-secrets-in-build": "fail","#,
        "reads the calls and collects bearer tokens to replay",
    ] {
        assert_eq!(masked(text), text);
    }
}

#[test]
fn flags_and_their_separate_values() {
    assert_eq!(
        masked(r#"command: ["--db-password", "s3cret", "--port", "5432"]"#),
        r#"command: ["--db-password", "****", "--port", "5432"]"#
    );
    assert_eq!(
        masked("dockerd --token abc --debug"),
        "dockerd --token **** --debug"
    );
    assert_eq!(
        masked("    command:\n      - --db-password\n      - s3cret\n      - --x\n"),
        "    command:\n      - --db-password\n      - ****\n      - --x\n"
    );
    assert_eq!(
        masked("-      - \"--db-password\"\n-      - \"s3cret\"\n"),
        "-      - \"--db-password\"\n-      - \"****\"\n"
    );
    assert_eq!(
        masked("--token-auth-file /etc/tokens.csv"),
        "--token-auth-file /etc/tokens.csv"
    );
}

#[test]
fn headers_urls_tokens_and_keys() {
    assert_eq!(
        masked(r#"RUN curl -H "Authorization: Bearer eyJhbGciOi.x.y" https://api"#),
        r#"RUN curl -H "Authorization: Bearer ****" https://api"#
    );
    assert_eq!(
        masked("Authorization: Basic dXNlcjpwYXNz"),
        "Authorization: Basic ****"
    );
    assert_eq!(
        masked("DATABASE_URL=postgres://app:pw@db/app"),
        "DATABASE_URL=postgres://app:****@db/app"
    );
    assert_eq!(masked("id AKIAIOSFODNN7EXAMPLE."), "id ****.");
    let pat = format!("x ghp_{}", "a".repeat(36));
    assert_eq!(masked(&pat), "x ****");
    assert_eq!(
        masked(
            "key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEabc\n  -----END RSA PRIVATE KEY-----\nnext: 1\n"
        ),
        "key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  ****\n  -----END RSA PRIVATE KEY-----\nnext: 1\n"
    );
    assert_eq!(
        masked(r#""-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----""#),
        r#""-----BEGIN PRIVATE KEY-----****-----END PRIVATE KEY-----""#
    );
}

#[test]
fn block_scalars_are_masked_whole() {
    assert_eq!(
        masked("token: |\n  abc\n  def\nother: 1\n"),
        "token: |\n  ****\n  ****\nother: 1\n"
    );
}

#[test]
fn masking_is_idempotent_and_keeps_json_valid() {
    let text = r#"{"env": ["DB_PASSWORD=a\"b", "X=1"], "password": "p\\", "cmd": ["--token", "t"], "u": "https://u:p@h"}"#;
    let once = masked(text);
    assert_eq!(masked(&once), once);
    let value: serde_json::Value = serde_json::from_str(&once).unwrap();
    assert_eq!(value["password"], "****");
    assert_eq!(value["env"][0], "DB_PASSWORD=****");
    assert_eq!(value["cmd"][1], "****");
    assert_eq!(value["u"], "https://u:****@h");
    assert!(matches!(mask("nothing to hide\n"), Cow::Borrowed(_)));
}

#[test]
fn any_text_is_masked_without_panicking() {
    let pieces = [
        "PASSWORD=",
        "token: ",
        "\u{a0}",
        "é",
        "\\",
        "\"",
        "'",
        "--db-password",
        " ",
        "\n",
        "://",
        "u:p@",
        "&quot;",
        "-----BEGIN PRIVATE KEY-----",
        "Bearer ",
        "ENV KEY ",
        "{",
        "[",
        ",",
        "=",
        ":",
        "x",
        "日本",
        "|",
        "- ",
        "\t",
        "\r",
        "AKIA",
        "${",
        "}",
    ];
    // Every ordered pair and triple of pieces, so each one meets every
    // neighbour (multi-byte characters next to every scanner's stop).
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let text = format!("{a}{b}{c}{a}");
                let once = mask(&text).into_owned();
                assert_eq!(mask(&once), once, "{text:?}");
            }
        }
    }
}

#[test]
fn nested_structures_are_not_values() {
    let text = r##"        "pass": { "$ref": "#/$defs/count" },"##;
    assert_eq!(masked(text), text);
}

#[test]
fn report_and_diff_lines_are_masked_in_place() {
    assert_eq!(
        masked("6 |       POSTGRES_PASSWORD: hunter2"),
        "6 |       POSTGRES_PASSWORD: ****"
    );
    assert_eq!(
        masked(r#""diff": "@@ -1 +1 @@\n       POSTGRES_PASSWORD: hunter2\n+x: 1\n""#),
        r#""diff": "@@ -1 +1 @@\n       POSTGRES_PASSWORD: ****\n+x: 1\n""#
    );
    assert_eq!(
        masked(r#""a\nPASSWORD: x y\n""#),
        r#""a\nPASSWORD: ****\n""#
    );
    assert_eq!(
        masked("2 | ENV API_TOKEN abc def"),
        "2 | ENV API_TOKEN ****"
    );
    assert_eq!(masked("+ENV API_TOKEN abc"), "+ENV API_TOKEN ****");
    assert_eq!(
        masked(r#""diff": "@@\n ENV API_TOKEN abc\n""#),
        r#""diff": "@@\n ENV API_TOKEN ****\n""#
    );
    assert_eq!(masked("args: [--token, abc]"), "args: [--token, ****]");
}

#[test]
fn the_first_byte_table_covers_every_trigger() {
    for byte in 0..=255u8 {
        let starts = !triggers(byte.to_ascii_lowercase()).is_empty();
        assert_eq!(
            STARTS_TRIGGER[usize::from(byte)],
            starts,
            "byte {byte:#04x}"
        );
    }
}
