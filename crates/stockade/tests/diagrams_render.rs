//! The diagrams of `stockade model` go through the real renderers: Graphviz
//! `dot -Tsvg` for DOT and mermaid-cli (`mmdc`, driving Debian's chromium)
//! for Mermaid, for the generic model, a live model with bind mounts,
//! published ports, shared namespaces and names that sanitise alike, the
//! Mermaid block of the Markdown document and docs/examples/threat-model.md.
//! Each must render (exit 0, a non-empty SVG), Mermaid ids must be unique,
//! and no label may overlap another label in the rendered layout (read from
//! `dot -Tjson` and from the positions in mermaid-cli's SVG).
//!
//! `mmdc` is found on PATH or at `STOCKADE_TEST_MMDC`; its puppeteer
//! configuration is `STOCKADE_TEST_MMDC_CONFIG`, or one pointing at
//! /usr/bin/chromium written into a temporary directory.
//! `STOCKADE_TEST_DIAGRAMS=DIR` keeps a copy of every diagram in DIR. Without the
//! renderers the tests do nothing, unless `STOCKADE_REQUIRE_LIVE=1`, which
//! makes a missing renderer a failure (scripts/test.sh installs them).

#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests stop at the first surprise

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use stockade_testkit::{TestDaemon, live_or_skip};

const IMAGE: &str = "stockade/busybox:diagrams";

struct Renderers {
    mmdc: PathBuf,
    config: PathBuf,
    dir: tempfile::TempDir,
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|path| path.is_file())
}

/// The renderers, or why they cannot run: `None` (the test does nothing)
/// unless `STOCKADE_REQUIRE_LIVE=1`, which makes it a failure.
fn renderers() -> Option<Renderers> {
    let dir = tempfile::tempdir().unwrap();
    let found = (|| {
        on_path("dot").ok_or("Graphviz `dot` is not installed")?;
        let mmdc = std::env::var_os("STOCKADE_TEST_MMDC")
            .map(PathBuf::from)
            .or_else(|| on_path("mmdc"))
            .filter(|path| path.is_file())
            .ok_or("mermaid-cli `mmdc` is not installed")?;
        let config = match std::env::var_os("STOCKADE_TEST_MMDC_CONFIG") {
            Some(path) => PathBuf::from(path),
            None => {
                let chromium = Path::new("/usr/bin/chromium");
                if !chromium.exists() {
                    return Err("no STOCKADE_TEST_MMDC_CONFIG and no /usr/bin/chromium");
                }
                let path = dir.path().join("puppeteer.json");
                let config = json!({
                    "executablePath": chromium,
                    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
                });
                std::fs::write(&path, config.to_string()).unwrap();
                path
            }
        };
        Ok((mmdc, config))
    })();
    match found {
        Ok((mmdc, config)) => Some(Renderers { mmdc, config, dir }),
        Err(reason) if std::env::var("STOCKADE_REQUIRE_LIVE").is_ok_and(|v| v == "1") => {
            panic!("STOCKADE_REQUIRE_LIVE=1 but the diagrams cannot be rendered: {reason}")
        }
        Err(reason) => {
            eprintln!("diagrams not rendered: {reason}");
            None
        }
    }
}

impl Renderers {
    /// `dot -Tsvg` and `dot -Tjson`: both succeed, the SVG is not empty and
    /// no text of the layout overlaps other text, a node or a boundary line.
    fn dot(&self, name: &str, source: &str) {
        let input = self.dir.path().join(format!("{name}.dot"));
        std::fs::write(&input, source).unwrap();
        keep(&input);
        let svg = run(Command::new("dot").arg("-Tsvg").arg(&input), name);
        assert!(svg.contains("<svg"), "{name}: dot printed no SVG");
        let layout: Value =
            serde_json::from_str(&run(Command::new("dot").arg("-Tjson").arg(&input), name))
                .unwrap();
        let overlaps = overlaps(&dot_boxes(&layout));
        assert!(
            overlaps.is_empty(),
            "{name}: overlapping labels in the DOT layout: {overlaps:#?}"
        );
    }

    /// `mmdc` succeeds with a non-empty SVG, whose edge labels and subgraph
    /// titles do not overlap.
    fn mermaid(&self, name: &str, source: &str) {
        assert_unique_ids(name, source);
        let input = self.dir.path().join(format!("{name}.mmd"));
        let output = self.dir.path().join(format!("{name}.svg"));
        std::fs::write(&input, source).unwrap();
        keep(&input);
        run(
            Command::new(&self.mmdc)
                .arg("--quiet")
                .arg("-p")
                .arg(&self.config)
                .arg("-i")
                .arg(&input)
                .arg("-o")
                .arg(&output),
            name,
        );
        let svg = std::fs::read_to_string(&output).unwrap_or_default();
        assert!(
            svg.contains("<svg") && svg.contains("edgeLabel"),
            "{name}: mmdc wrote no diagram"
        );
        let overlaps = overlaps(&mermaid_boxes(&svg));
        assert!(
            overlaps.is_empty(),
            "{name}: overlapping labels in the Mermaid layout: {overlaps:#?}"
        );
    }
}

/// With `STOCKADE_TEST_DIAGRAMS=DIR`, a copy of each diagram rendered, to
/// look at (`dot -Tpng`, `mmdc -o x.png`).
fn keep(source: &Path) {
    if let (Some(dir), Some(name)) = (
        std::env::var_os("STOCKADE_TEST_DIAGRAMS"),
        source.file_name(),
    ) {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(source, Path::new(&dir).join(name)).unwrap();
    }
}

fn run(command: &mut Command, name: &str) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{name}: {command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every subgraph and node id is declared once, and none is both.
fn assert_unique_ids(name: &str, source: &str) {
    let mut seen = HashSet::new();
    for line in source.lines().map(str::trim) {
        let declared = if let Some(rest) = line.strip_prefix("subgraph ") {
            rest.split('[').next()
        } else if line.starts_with("c_") && !line.contains("-->") {
            line.split(['[', '(']).next()
        } else {
            None
        };
        if let Some(id) = declared {
            assert!(
                seen.insert(id.to_owned()),
                "{name}: Mermaid id `{id}` declared twice:\n{source}"
            );
        }
    }
    assert!(!seen.is_empty(), "{name}: no Mermaid ids in:\n{source}");
}

/// A piece of text or a node in a rendered layout.
#[derive(Debug)]
struct Area {
    kind: &'static str,
    owner: String,
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

/// Pairs of areas that overlap, except a node's text with its own node
/// and lines of one label among themselves.
fn overlaps(areas: &[Area]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (i, a) in areas.iter().enumerate() {
        for b in &areas[i + 1..] {
            let shapes = ["node", "border"];
            if a.owner == b.owner && a.kind == b.kind
                || shapes.contains(&a.kind) && shapes.contains(&b.kind)
                || (a.kind == "border" || b.kind == "border")
                    && a.kind != "edge"
                    && b.kind != "edge"
                || a.owner == b.owner && (a.kind == "node" || b.kind == "node")
            {
                continue;
            }
            if a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 {
                found.push((
                    format!("{} {} {:?}", a.kind, a.owner, a.text),
                    format!("{} {} {:?}", b.kind, b.owner, b.text),
                ));
            }
        }
    }
    found
}

fn number(value: &Value) -> f64 {
    value.as_f64().unwrap_or(0.0)
}

/// Text drawn by Graphviz (its `T` operations), the nodes' outlines and the
/// boundaries' edges, from `dot -Tjson`.
fn dot_boxes(layout: &Value) -> Vec<Area> {
    let mut areas = Vec::new();
    let mut text = |object: &Value, kind: &'static str, owner: String| {
        let mut size = 14.0;
        for key in ["_ldraw_", "_hldraw_", "_tldraw_"] {
            for op in object[key].as_array().into_iter().flatten() {
                match op["op"].as_str() {
                    Some("F") => size = number(&op["size"]),
                    Some("T") => {
                        let (x, y) = (number(&op["pt"][0]), number(&op["pt"][1]));
                        let width = number(&op["width"]);
                        let x0 = match op["align"].as_str() {
                            Some("l") => x,
                            Some("r") => x - width,
                            _ => x - width / 2.0,
                        };
                        areas.push(Area {
                            kind,
                            owner: owner.clone(),
                            text: op["text"].as_str().unwrap_or_default().to_owned(),
                            x0,
                            y0: y - size * 0.25,
                            x1: x0 + width,
                            y1: y + size * 0.8,
                        });
                    }
                    _ => {}
                }
            }
        }
    };
    let mut shapes = Vec::new();
    for object in layout["objects"].as_array().into_iter().flatten() {
        let name = object["name"].as_str().unwrap_or_default().to_owned();
        if name.starts_with("cluster") {
            text(object, "boundary", name.clone());
            let bb: Vec<f64> = object["bb"]
                .as_str()
                .unwrap_or_default()
                .split(',')
                .filter_map(|n| n.parse().ok())
                .collect();
            if let [x0, y0, x1, y1] = bb[..] {
                for (a, b, c, d) in [
                    (x0, y0, x1, y0),
                    (x0, y1, x1, y1),
                    (x0, y0, x0, y1),
                    (x1, y0, x1, y1),
                ] {
                    shapes.push(Area {
                        kind: "border",
                        owner: name.clone(),
                        text: String::new(),
                        x0: a - 0.5,
                        y0: b - 0.5,
                        x1: c + 0.5,
                        y1: d + 0.5,
                    });
                }
            }
        } else {
            text(object, "node", name.clone());
            let pos: Vec<f64> = object["pos"]
                .as_str()
                .unwrap_or_default()
                .split(',')
                .filter_map(|n| n.parse().ok())
                .collect();
            let width = object["width"]
                .as_str()
                .and_then(|w| w.parse::<f64>().ok())
                .unwrap_or(0.0)
                * 72.0;
            let height = object["height"]
                .as_str()
                .and_then(|h| h.parse::<f64>().ok())
                .unwrap_or(0.0)
                * 72.0;
            if let [x, y] = pos[..] {
                shapes.push(Area {
                    kind: "node",
                    owner: name,
                    text: String::new(),
                    x0: x - width / 2.0,
                    y0: y - height / 2.0,
                    x1: x + width / 2.0,
                    y1: y + height / 2.0,
                });
            }
        }
    }
    for (i, edge) in layout["edges"].as_array().into_iter().flatten().enumerate() {
        text(edge, "edge", format!("edge {i}"));
    }
    areas.extend(shapes);
    areas
}

/// The numbers of the first `translate(x, y)` at or after `at`.
fn translate(svg: &str, at: usize) -> Option<(f64, f64, usize)> {
    let start = at + svg[at..].find("translate(")? + "translate(".len();
    let end = start + svg[start..].find(')')?;
    let mut numbers = svg[start..end].split([',', ' ']).filter(|n| !n.is_empty());
    let x = numbers.next()?.parse().ok()?;
    let y = numbers.next().unwrap_or("0").parse().ok()?;
    Some((x, y, end))
}

/// The value of attribute `name` at or after `at`.
fn attribute(svg: &str, at: usize, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let start = at + svg[at..].find(&key)? + key.len();
    let end = start + svg[start..].find('"')?;
    svg[start..end].parse().ok()
}

/// Edge labels and subgraph titles of a mermaid-cli SVG: an outer
/// `translate`, for edge labels an inner one, and a foreignObject's size.
fn mermaid_boxes(svg: &str) -> Vec<Area> {
    let mut areas = Vec::new();
    for (marker, kind) in [
        ("<g class=\"edgeLabel\" transform=", "edge"),
        ("<g class=\"cluster-label\" transform=", "boundary"),
    ] {
        for (n, (at, _)) in svg.match_indices(marker).enumerate() {
            let Some((x, y, after)) = translate(svg, at) else {
                continue;
            };
            let Some(object) = svg[after..].find("<foreignObject").map(|i| after + i) else {
                continue;
            };
            let (dx, dy) = if kind == "edge" {
                translate(svg, after).map_or((0.0, 0.0), |(dx, dy, _)| (dx, dy))
            } else {
                (0.0, 0.0)
            };
            let end = svg[object..]
                .find("</foreignObject>")
                .map_or(svg.len(), |i| object + i);
            let mut text = String::new();
            let mut in_tag = false;
            for c in svg[object..end].chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let width = attribute(svg, object, "width").unwrap_or(0.0);
            let height = attribute(svg, object, "height").unwrap_or(0.0);
            if width > 0.0 && height > 0.0 {
                areas.push(Area {
                    kind,
                    owner: format!("{kind} {n}"),
                    text,
                    x0: x + dx,
                    y0: y + dy,
                    x1: x + dx + width,
                    y1: y + dy + height,
                });
            }
        }
    }
    areas
}

fn model(args: &[&str]) -> String {
    let output = common::stockade().arg("model").args(args).output().unwrap();
    assert!(
        output.status.success(),
        "stockade model {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The ```mermaid blocks of a Markdown document.
fn mermaid_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim() == "```mermaid" => current = Some(String::new()),
            Some(block) if line.trim() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn the_generic_model_renders_in_dot_and_mermaid() {
    let Some(renderers) = renderers() else {
        return;
    };
    renderers.dot("generic", &model(&["--generic", "--format", "dot"]));
    let mermaid = model(&["--generic", "--format", "mermaid"]);
    renderers.mermaid("generic", &mermaid);
    // The Docker host boundary and the docker-host component are both drawn, apart.
    assert!(
        mermaid.contains("subgraph b_docker_host[") && mermaid.contains("c_docker_host[("),
        "{mermaid}"
    );

    let markdown = model(&["--generic", "--format", "markdown"]);
    let blocks = mermaid_blocks(&markdown);
    assert_eq!(
        blocks.len(),
        1,
        "one Mermaid diagram in the generic document"
    );
    renderers.mermaid("generic-markdown", &blocks[0]);
}

#[test]
fn the_example_document_diagram_renders() {
    let Some(renderers) = renderers() else {
        return;
    };
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/threat-model.md");
    let document = std::fs::read_to_string(&path).unwrap();
    let blocks = mermaid_blocks(&document);
    assert!(
        !blocks.is_empty(),
        "no Mermaid diagram in {}",
        path.display()
    );
    for (i, block) in blocks.iter().enumerate() {
        renderers.mermaid(&format!("example-{i}"), block);
    }
}

fn create(daemon: &TestDaemon, name: &str, args: &[&str]) {
    let mut all = vec!["create", "--name", name];
    all.extend_from_slice(args);
    if !args.iter().any(|a| a.starts_with("container:")) {
        all.extend(["--network", "none"]);
    }
    all.push(IMAGE);
    daemon.docker_checked(&all).unwrap();
}

#[test]
fn a_live_model_with_mounts_ports_and_shared_namespaces_renders() {
    let Some(renderers) = renderers() else {
        return;
    };
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    daemon.import_busybox(IMAGE).unwrap();
    // A mount source whose name holds what Mermaid and DOT labels must escape.
    let odd = daemon.dir().join("data \"[x]\" <#1|2> & more");
    std::fs::create_dir_all(&odd).unwrap();
    let data = daemon.dir().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let (odd, data) = (odd.display().to_string(), data.display().to_string());
    let socket = daemon.socket().display().to_string();
    create(
        &daemon,
        "api",
        &[
            "-p",
            "127.0.0.1:8080:80",
            "-p",
            "8443:443",
            "-v",
            &format!("{data}:/data"),
            "-v",
            &format!("{odd}:/odd:ro"),
        ],
    );
    create(
        &daemon,
        "sidecar",
        &[
            "--network",
            "container:api",
            "--pid",
            "container:api",
            "-v",
            &format!("{data}:/shared"),
        ],
    );
    create(
        &daemon,
        "ci-runner",
        &["-v", &format!("{socket}:/var/run/docker.sock")],
    );
    create(&daemon, "debug-shell", &["--privileged", "--pid", "host"]);
    // Two names that sanitise to the same Mermaid id, one with many mounts.
    let mut mounts = Vec::new();
    for i in 0..9 {
        mounts.push("-v".to_owned());
        mounts.push(format!("{data}:/mnt/{i}:ro"));
    }
    let mounts: Vec<&str> = mounts.iter().map(String::as_str).collect();
    create(&daemon, "web.1", &mounts);
    create(&daemon, "web_1", &[]);

    let host = daemon.socket_url();
    let dot = model(&["--docker-host", &host, "--format", "dot"]);
    assert!(
        dot.contains("dir=both"),
        "the mounted socket goes both ways:\n{dot}"
    );
    renderers.dot("live", &dot);
    let mermaid = model(&["--docker-host", &host, "--format", "mermaid"]);
    for id in [
        "c_container_web_1(",
        "c_container_web_1_2(",
        "c_container_sidecar(",
        "c_container_api(",
    ] {
        assert!(mermaid.contains(id), "{id} missing:\n{mermaid}");
    }
    for escaped in ["#quot;[x]#quot;", "#lt;#35;1#124;2#gt;", "#amp;"] {
        assert!(mermaid.contains(escaped), "{escaped} missing:\n{mermaid}");
    }
    renderers.mermaid("live", &mermaid);

    let markdown = model(&["--docker-host", &host, "--format", "markdown"]);
    let blocks = mermaid_blocks(&markdown);
    assert_eq!(blocks.len(), 1, "one Mermaid diagram in the live document");
    renderers.mermaid("live-markdown", &blocks[0]);
}

/// A user model with what diagrams get wrong: a boundary and components
/// whose ids sanitise alike, names and labels full of Mermaid and DOT
/// syntax, flows both ways and to itself, and boundaries left empty.
const AWKWARD_MODEL: &str = r##"
boundaries:
  - id: ci.zone
    name: "CI \"zone\" [runners] <b>#1</b> | A & B"
  - id: empty-zone
    name: Nothing drawn here
  - id: empty-child
    name: Nor here
    parent: empty-zone
components:
  - id: ci.zone
    name: "Runner (ci.zone) → \"quoted\" {braces} [brackets]"
    kind: process
    boundary: ci.zone
  - id: ci_zone
    name: "Cache `ticks` #hash; a|b"
    kind: datastore
    boundary: ci.zone
flows:
  - id: awkward-1
    from: ci.zone
    to: ci_zone
    label: "writes \"artefacts\" <tar> | [x] #1 & more → cache"
  - id: awkward-2
    from: ci_zone
    to: ci.zone
    label: "reads (cache hits)"
  - id: awkward-3
    from: ci.zone
    to: ci.zone
    label: "talks to itself"
  - id: awkward-4
    from: ci.zone
    to: docker-daemon
    label: "docker build"
"##;

#[test]
fn a_user_model_with_awkward_ids_and_labels_renders() {
    let Some(renderers) = renderers() else {
        return;
    };
    let file = renderers.dir.path().join("awkward.yaml");
    std::fs::write(&file, AWKWARD_MODEL).unwrap();
    let file = file.display().to_string();
    let dot = model(&["--generic", "-m", &file, "--format", "dot"]);
    assert!(
        !dot.contains("empty-zone") && !dot.contains("empty-child"),
        "{dot}"
    );
    assert!(dot.contains("dir=both"), "{dot}");
    renderers.dot("awkward", &dot);
    let mermaid = model(&["--generic", "-m", &file, "--format", "mermaid"]);
    assert!(
        !mermaid.contains("empty_zone") && !mermaid.contains("empty_child"),
        "{mermaid}"
    );
    for id in ["subgraph b_ci_zone[", "c_ci_zone(", "c_ci_zone_2[("] {
        assert!(mermaid.contains(id), "{id} missing:\n{mermaid}");
    }
    assert!(mermaid.contains("c_ci_zone <-->"), "{mermaid}");
    renderers.mermaid("awkward", &mermaid);
}
