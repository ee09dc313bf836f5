//! The parts of systemd unit files stockade needs: `ExecStart=`,
//! `ListenStream=`, `Environment=` and `EnvironmentFile=`, with drop-ins
//! applied in order.

/// Settings read from a unit and its drop-ins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitSettings {
    /// The effective `ExecStart=` command line (the last one after resets).
    pub exec_start: Option<String>,
    pub listen_streams: Vec<String>,
    pub environment_files: Vec<String>,
    /// `Environment=` assignments in order (a later one wins).
    pub environment: Vec<(String, String)>,
}

impl UnitSettings {
    /// Applies one unit file's text on top of what was read so far, the way
    /// systemd layers drop-ins over the main unit: an empty assignment
    /// resets a list setting.
    pub fn apply(&mut self, text: &str) {
        for (key, value) in assignments(text) {
            match key.as_str() {
                "ExecStart" => {
                    self.exec_start = if value.is_empty() { None } else { Some(value) };
                }
                "ListenStream" => {
                    if value.is_empty() {
                        self.listen_streams.clear();
                    } else {
                        self.listen_streams.push(value);
                    }
                }
                "Environment" => {
                    if value.is_empty() {
                        self.environment.clear();
                    }
                    for word in split_words(&value) {
                        if let Some((name, value)) = word.split_once('=') {
                            self.environment.push((name.to_owned(), value.to_owned()));
                        }
                    }
                }
                "EnvironmentFile" => {
                    if value.is_empty() {
                        self.environment_files.clear();
                    } else {
                        self.environment_files.push(value);
                    }
                }
                _ => {}
            }
        }
    }

    /// The `ExecStart=` command split into words, with systemd's prefixes
    /// (`-`, `@`, `+`, `!`, `:`) removed. `$VAR` words are kept as written.
    pub fn exec_start_argv(&self) -> Option<Vec<String>> {
        let line = self.exec_start.as_deref()?;
        let line = line.trim_start_matches(['-', '@', '+', '!', ':']);
        let words = split_words(line);
        (!words.is_empty()).then_some(words)
    }
}

/// `Key=value` pairs with comments dropped and `\` continuations joined.
fn assignments(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if pending.is_empty() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') || trimmed.starts_with(';') || trimmed.starts_with('[') {
                continue;
            }
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        if let Some((key, value)) = pending.split_once('=') {
            pairs.push((key.trim().to_owned(), value.trim().to_owned()));
        }
        pending.clear();
    }
    pairs
}

/// Splits a command line on whitespace, honouring single and double quotes.
pub fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN_DOCKER_SERVICE: &str = "[Unit]\nDescription=Docker Application Container Engine\n\n[Service]\nType=notify\nEnvironmentFile=-/etc/default/docker\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\nExecReload=/bin/kill -s HUP $MAINPID\n";

    #[test]
    fn exec_start_of_the_debian_unit() {
        let mut unit = UnitSettings::default();
        unit.apply(DEBIAN_DOCKER_SERVICE);
        assert_eq!(
            unit.exec_start_argv().unwrap(),
            [
                "/usr/sbin/dockerd",
                "-H",
                "fd://",
                "--containerd=/run/containerd/containerd.sock",
                "$DOCKER_OPTS"
            ]
        );
        assert_eq!(unit.environment_files, ["-/etc/default/docker"]);
    }

    #[test]
    fn drop_ins_reset_and_replace_exec_start() {
        let mut unit = UnitSettings::default();
        unit.apply(DEBIAN_DOCKER_SERVICE);
        unit.apply("[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n  --icc=false \\\n  --live-restore\n");
        assert_eq!(
            unit.exec_start_argv().unwrap(),
            ["/usr/bin/dockerd", "--icc=false", "--live-restore"]
        );
    }

    #[test]
    fn socket_units_list_their_streams() {
        let mut unit = UnitSettings::default();
        unit.apply("[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\nSocketUser=root\nSocketGroup=docker\n");
        assert_eq!(unit.listen_streams, ["/run/docker.sock"]);
    }

    #[test]
    fn quotes_group_words() {
        assert_eq!(
            split_words(r#"a "b c" 'd e' f\g"#),
            ["a", "b c", "d e", r"f\g"]
        );
        assert_eq!(split_words("   "), Vec::<String>::new());
    }
}
