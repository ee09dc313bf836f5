//! Data-flow diagrams: trust boundaries as clusters (DOT) or subgraphs
//! (Mermaid), components coloured by their most serious threat status.
//!
//! Both renderers draw the same picture, worked out once by [`Picture`]:
//!
//! - Boundaries with no component inside them (or inside a boundary nested
//!   in them) are left out, so a catalog filtered to one platform does not
//!   draw the other platform's empty frames.
//! - All flows between the same two components become one edge: flows in
//!   one direction are listed one per line; when they go both ways the edge
//!   has an arrow at each end and every line names where its flow goes. A
//!   component talking to itself gets its flows in its own box, where a
//!   loop's label could not collide with a boundary's title.
//! - Mermaid ids are sanitised, prefixed by what they name (`b_` for a
//!   boundary, `c_` for a component) and made unique even when two names
//!   sanitise to the same text; labels are escaped with Mermaid's entity
//!   codes so quotes, brackets, `<`, `#` or `|` in a name cannot end them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use stockade_threats::ThreatStatus;
use stockade_threats::catalog::{Boundary, Component};

use super::ModelReport;

/// Flows listed on one DOT edge; the rest are counted.
const DOT_FLOWS: usize = 6;
/// Characters per line of a DOT edge label before it wraps.
const DOT_WRAP: usize = 44;
/// Mermaid places the labels of edges that leave a subgraph on the middle
/// of their path, where tall labels collide: fewer flows, and lines short
/// enough that Mermaid's own 200px wrapping leaves them whole.
const MERMAID_FLOWS: usize = 3;
const MERMAID_WRAP: usize = 26;
/// What starts a wrapped flow's continuation lines: two no-break spaces,
/// which neither renderer collapses.
const INDENT: &str = "\u{a0}\u{a0}";

fn fill(status: Option<ThreatStatus>) -> &'static str {
    match status {
        Some(ThreatStatus::Open) => "#f8d7da",
        Some(ThreatStatus::Accepted) => "#fff3cd",
        Some(ThreatStatus::Unverified) => "#e2e3e5",
        Some(ThreatStatus::MonitoringGap) => "#cfe2ff",
        Some(ThreatStatus::Mitigated) => "#d1e7dd",
        Some(ThreatStatus::NotApplicable) | None => "#ffffff",
    }
}

fn badge(report: &ModelReport<'_>, component: &str) -> String {
    let open = report
        .rows_of(component)
        .filter(|(_, a)| a.status == ThreatStatus::Open)
        .count();
    let total = report.rows_of(component).count();
    match (open, total) {
        (_, 0) => String::new(),
        (0, n) => format!("{n} threats, none open"),
        (o, n) => format!("{o} of {n} threats open"),
    }
}

/// A component's name without its parenthesised details:
/// `Docker daemon (dockerd, containerd, runc)` → `Docker daemon`.
fn short_name(component: &Component) -> &str {
    component
        .name
        .split_once(" (")
        .map_or(component.name.as_str(), |(head, _)| head)
        .trim()
}

/// Breaks `text` into lines of at most `width` characters at spaces. A
/// longer word (a path) is cut before its `/`s, and where a part is still
/// too long every `width` characters: a line that overflows the width a
/// renderer laid it out for spills onto its neighbours.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let pieces = cut(word, width);
        let last = pieces.len() - 1;
        for (index, piece) in pieces.into_iter().enumerate() {
            let joined = if index == 0 { 1 } else { 0 };
            if !line.is_empty() && line.chars().count() + joined + piece.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            } else if index == 0 && !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&piece);
            if index < last {
                lines.push(std::mem::take(&mut line));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `word` in pieces of at most `width` characters, cut before a `/`
/// where one allows it.
fn cut(word: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() <= width {
        return vec![word.to_owned()];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    while chars.len() - start > width {
        let end = (start + 1..=start + width)
            .rev()
            .find(|&i| chars[i] == '/')
            .unwrap_or(start + width);
        pieces.push(chars[start..end].iter().collect());
        start = end;
    }
    pieces.push(chars[start..].iter().collect());
    pieces
}

/// One drawn edge: every flow between two components.
struct Edge<'a> {
    from: &'a str,
    to: &'a str,
    /// Whether some flow goes from `to` to `from`.
    both_ways: bool,
    /// Per flow: the short name of where it goes, and its label.
    flows: Vec<(&'a str, &'a str)>,
}

impl Edge<'_> {
    /// A flow as its edge lists it: when the edge goes both ways each flow
    /// says where it goes; several flows one way are bulleted.
    fn flow_text(&self, (target, label): (&str, &str)) -> String {
        if self.both_ways {
            format!("→ {target}: {label}")
        } else if self.flows.len() > 1 {
            format!("• {label}")
        } else {
            label.to_owned()
        }
    }

    /// The label as lines of text wrapped at `width`, the flows beyond
    /// `max_flows` counted rather than listed.
    fn lines(&self, max_flows: usize, width: usize) -> Vec<String> {
        let mut lines: Vec<String> = self
            .flows
            .iter()
            .take(max_flows)
            .flat_map(|&flow| {
                let mut lines = wrap(&self.flow_text(flow), width);
                if self.flows.len() > 1 {
                    // Continuation lines are indented under their flow's first line.
                    for line in lines.iter_mut().skip(1) {
                        line.insert_str(0, INDENT);
                    }
                }
                lines
            })
            .collect();
        if self.flows.len() > max_flows {
            lines.push(format!("… and {} more", self.flows.len() - max_flows));
        }
        lines
    }
}

/// What a diagram shows, shared by both renderers.
struct Picture<'a> {
    /// Components per boundary (`None`: outside every boundary), in catalog order.
    components: BTreeMap<Option<&'a str>, Vec<&'a Component>>,
    /// Boundaries to draw per parent (`None`: the outside), in catalog order.
    boundaries: BTreeMap<Option<&'a str>, Vec<&'a Boundary>>,
    edges: Vec<Edge<'a>>,
    /// Flows of a component to itself, shown inside its box.
    loops: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Picture<'a> {
    fn new(report: &ModelReport<'a>) -> Picture<'a> {
        let catalog = report.catalog;
        let known: HashSet<&str> = catalog.boundaries.iter().map(|b| b.id.as_str()).collect();
        let mut components: BTreeMap<Option<&str>, Vec<&Component>> = BTreeMap::new();
        for component in &catalog.components {
            let boundary = component.boundary.as_deref().filter(|b| known.contains(b));
            components.entry(boundary).or_default().push(component);
        }

        // A boundary is drawn when it, or a boundary below it, holds a component.
        let parent_of: HashMap<&str, Option<&str>> = catalog
            .boundaries
            .iter()
            .map(|b| {
                let parent = b.parent.as_deref().filter(|p| known.contains(p));
                (b.id.as_str(), parent)
            })
            .collect();
        let mut drawn: HashSet<&str> = HashSet::new();
        for boundary in components.keys().flatten() {
            let mut at = Some(*boundary);
            while let Some(id) = at {
                if !drawn.insert(id) {
                    break;
                }
                at = parent_of.get(id).copied().flatten();
            }
        }
        let mut boundaries: BTreeMap<Option<&str>, Vec<&Boundary>> = BTreeMap::new();
        for boundary in catalog
            .boundaries
            .iter()
            .filter(|b| drawn.contains(b.id.as_str()))
        {
            let parent = parent_of.get(boundary.id.as_str()).copied().flatten();
            boundaries.entry(parent).or_default().push(boundary);
        }

        let by_id: HashMap<&str, &Component> = catalog
            .components
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        let mut edges: Vec<Edge<'a>> = Vec::new();
        let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
        let mut loops: HashMap<&str, Vec<&str>> = HashMap::new();
        for flow in &catalog.flows {
            let (from, to) = (flow.from.as_str(), flow.to.as_str());
            // A flow whose end is not drawn (filtered out of the catalog) is not drawn either.
            let (Some(_), Some(target)) = (by_id.get(from), by_id.get(to)) else {
                continue;
            };
            if from == to {
                loops.entry(from).or_default().push(flow.label.as_str());
                continue;
            }
            let key = if from < to { (from, to) } else { (to, from) };
            let at = *pairs.entry(key).or_insert_with(|| {
                edges.push(Edge {
                    from,
                    to,
                    both_ways: false,
                    flows: Vec::new(),
                });
                edges.len() - 1
            });
            let edge = &mut edges[at];
            edge.both_ways |= edge.from != from;
            edge.flows.push((short_name(target), flow.label.as_str()));
        }
        Picture {
            components,
            boundaries,
            edges,
            loops,
        }
    }

    fn components_in(&self, boundary: Option<&'a str>) -> &[&'a Component] {
        self.components.get(&boundary).map_or(&[], Vec::as_slice)
    }

    fn boundaries_in(&self, boundary: Option<&'a str>) -> &[&'a Boundary] {
        self.boundaries.get(&boundary).map_or(&[], Vec::as_slice)
    }

    /// The lines of a component's box: name, threat badge, flows to itself.
    fn box_lines(&self, report: &ModelReport<'_>, component: &Component) -> Vec<String> {
        let mut lines = vec![component.name.clone()];
        let badge = badge(report, &component.id);
        if !badge.is_empty() {
            lines.push(badge);
        }
        for label in self.loops.get(component.id.as_str()).into_iter().flatten() {
            lines.extend(wrap(&format!("↻ {label}"), DOT_WRAP));
        }
        lines
    }
}

/// A DOT quoted string's content: backslashes and quotes escaped, line
/// breaks as DOT's `\n`.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Graphviz DOT.
pub fn dot(report: &ModelReport<'_>) -> String {
    let picture = Picture::new(report);
    let mut out = String::new();
    let _ = writeln!(out, "digraph threat_model {{");
    let _ = writeln!(
        out,
        "  label=\"{}\";\n  labelloc=t;\n  rankdir=LR;\n  compound=true;\n  nodesep=0.5;\n  ranksep=0.6;",
        quote(&report.scope.title)
    );
    let _ = writeln!(
        out,
        "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];"
    );
    let mut path = Vec::new();
    dot_level(report, &picture, None, 1, &mut path, &mut out);
    for edge in &picture.edges {
        let lines = edge.lines(DOT_FLOWS, DOT_WRAP);
        // One line centred; several flush left, each ending in `\l`.
        let label = if lines.len() == 1 {
            quote(&lines[0])
        } else {
            lines.iter().map(|l| quote(l) + "\\l").collect::<String>()
        };
        let dir = if edge.both_ways { ", dir=both" } else { "" };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{label}\"{dir}];",
            quote(edge.from),
            quote(edge.to),
        );
    }
    let _ = writeln!(out, "}}");
    out
}

fn dot_level<'a>(
    report: &ModelReport<'_>,
    picture: &Picture<'a>,
    boundary: Option<&'a str>,
    depth: usize,
    path: &mut Vec<&'a str>,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    for component in picture.components_in(boundary) {
        let shape = match component.kind.as_str() {
            "datastore" => "cylinder",
            "external-entity" => "box",
            "data" => "note",
            _ => "ellipse",
        };
        let label = picture
            .box_lines(report, component)
            .iter()
            .map(|l| quote(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let _ = writeln!(
            out,
            "{indent}\"{}\" [label=\"{label}\", shape={shape}, style=filled, fillcolor=\"{}\"];",
            quote(&component.id),
            fill(report.component_status(&component.id))
        );
    }
    for child in picture.boundaries_in(boundary) {
        // A parent cycle in a user model draws each boundary once.
        if path.contains(&child.id.as_str()) {
            continue;
        }
        path.push(&child.id);
        let _ = writeln!(out, "{indent}subgraph \"cluster_{}\" {{", quote(&child.id));
        let _ = writeln!(
            out,
            "{indent}  label=\"{}\";\n{indent}  labeljust=l;\n{indent}  margin=14;\n{indent}  style=dashed;\n{indent}  color=\"#c0392b\";",
            quote(&child.name)
        );
        dot_level(report, picture, Some(&child.id), depth + 1, path, out);
        let _ = writeln!(out, "{indent}}}");
        path.pop();
    }
}

/// Mermaid ids: `prefix` and the id's letters, digits and underscores
/// (anything else becomes `_`), with a number appended when that is taken.
struct MermaidIds<'a> {
    taken: HashSet<String>,
    boundaries: HashMap<&'a str, String>,
    components: HashMap<&'a str, String>,
}

impl<'a> MermaidIds<'a> {
    fn new(picture: &Picture<'a>) -> MermaidIds<'a> {
        let mut ids = MermaidIds {
            taken: HashSet::new(),
            boundaries: HashMap::new(),
            components: HashMap::new(),
        };
        for boundary in picture.boundaries.values().flatten() {
            let id = ids.fresh("b_", &boundary.id);
            ids.boundaries.insert(&boundary.id, id);
        }
        for component in picture.components.values().flatten() {
            let id = ids.fresh("c_", &component.id);
            ids.components.insert(&component.id, id);
        }
        ids
    }

    fn fresh(&mut self, prefix: &str, id: &str) -> String {
        let base: String = prefix
            .chars()
            .chain(id.chars().map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            }))
            .collect();
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        candidate
    }

    fn component(&self, id: &str) -> &str {
        self.components.get(id).map_or("c_unknown", String::as_str)
    }
}

/// Text safe inside a quoted Mermaid label: every character that could end
/// the string, open markup or start an entity becomes an entity code.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid flowchart (renders on GitHub and in most Markdown viewers).
pub fn mermaid(report: &ModelReport<'_>) -> String {
    let picture = Picture::new(report);
    let ids = MermaidIds::new(&picture);
    // Mermaid's layout (dagre) puts the label of an edge that leaves a
    // subgraph on the middle of its path; left to right, the edges from the
    // containers into the host converge and stack those labels. Top to
    // bottom, with closer nodes and room under subgraph titles, they stay
    // apart (the tests check the rendered positions). ELK would also keep
    // them apart but draws a long thin strip, and not every viewer has it.
    let mut out = String::from(
        "---\nconfig:\n  flowchart:\n    nodeSpacing: 60\n    rankSpacing: 50\n    subGraphTitleMargin:\n      top: 4\n      bottom: 12\n---\nflowchart TB\n",
    );
    let mut path = Vec::new();
    mermaid_level(report, &picture, &ids, None, 1, &mut path, &mut out);
    for edge in &picture.edges {
        let label = edge
            .lines(MERMAID_FLOWS, MERMAID_WRAP)
            .iter()
            .map(|l| mermaid_text(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let arrow = if edge.both_ways { "<-->" } else { "-->" };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{label}\"| {}",
            ids.component(edge.from),
            ids.component(edge.to)
        );
    }
    let _ = writeln!(
        out,
        "  classDef open fill:#f8d7da,stroke:#c0392b,color:#000;"
    );
    let _ = writeln!(
        out,
        "  classDef accepted fill:#fff3cd,stroke:#b7950b,color:#000;"
    );
    let _ = writeln!(
        out,
        "  classDef unverified fill:#e2e3e5,stroke:#6c757d,color:#000;"
    );
    let _ = writeln!(
        out,
        "  classDef mitigated fill:#d1e7dd,stroke:#1e8449,color:#000;"
    );
    for component in picture.components.values().flatten() {
        let class = match report.component_status(&component.id) {
            Some(ThreatStatus::Open) => "open",
            Some(ThreatStatus::Accepted) => "accepted",
            Some(ThreatStatus::Unverified) => "unverified",
            Some(ThreatStatus::Mitigated) => "mitigated",
            _ => continue,
        };
        let _ = writeln!(out, "  class {} {class};", ids.component(&component.id));
    }
    out
}

fn mermaid_level<'a>(
    report: &ModelReport<'_>,
    picture: &Picture<'a>,
    ids: &MermaidIds<'a>,
    boundary: Option<&'a str>,
    depth: usize,
    path: &mut Vec<&'a str>,
    out: &mut String,
) {
    let indent = "  ".repeat(depth);
    for component in picture.components_in(boundary) {
        let lines = picture.box_lines(report, component);
        let mut label = mermaid_text(&lines[0]);
        for line in &lines[1..] {
            let _ = write!(label, "<br/><small>{}</small>", mermaid_text(line));
        }
        let (open, close) = match component.kind.as_str() {
            "datastore" => ("[(", ")]"),
            "external-entity" => ("[", "]"),
            "data" => ("[/", "/]"),
            _ => ("([", "])"),
        };
        let _ = writeln!(
            out,
            "{indent}{}{open}\"{label}\"{close}",
            ids.component(&component.id)
        );
    }
    for child in picture.boundaries_in(boundary) {
        if path.contains(&child.id.as_str()) {
            continue;
        }
        path.push(&child.id);
        let id = ids
            .boundaries
            .get(child.id.as_str())
            .map_or("b_unknown", String::as_str);
        let _ = writeln!(
            out,
            "{indent}subgraph {id}[\"{}\"]",
            mermaid_text(&child.name)
        );
        mermaid_level(report, picture, ids, Some(&child.id), depth + 1, path, out);
        let _ = writeln!(out, "{indent}end");
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_are_cut_before_their_slashes() {
        let lines = wrap(
            "bind mount /tmp/stockade-dockerd.yTzlgw/data → /data (rw)",
            26,
        );
        assert_eq!(
            lines,
            [
                "bind mount /tmp",
                "/stockade-dockerd.yTzlgw",
                "/data → /data (rw)"
            ]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 26));
        assert_eq!(
            wrap("a-very-long-name-without-any-slash", 10),
            ["a-very-lon", "g-name-wit", "hout-any-s", "lash"]
        );
        assert_eq!(wrap("short words stay", 26), ["short words stay"]);
    }
}
