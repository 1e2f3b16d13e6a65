//! The module-level check: no import cycle between the modules (files) of one crate.
//!
//! - **Modules** are found by following the `mod name;` declarations from a crate root (`lib.rs`,
//!   `main.rs`, each `src/bin/*.rs` is its own root): `name.rs` or `name/mod.rs` beside the declaring
//!   file (in its own folder for a non-`mod.rs` file). An inline `mod x { .. }` is part of its file.
//! - **Edges** come from non-test code: `use crate::..`, `use super::..`, `use self::..` (grouped forms
//!   included), a `use` or an inline path starting with a child module's name, and inline paths
//!   `crate::a::b`, `super::x`, `self::y` in code. Comments, doc comments, literals and `#[cfg(test)]`
//!   items do not count.
//! - **An edge points at the longest known module prefix** of its path: `crate::a::b::Item` points at
//!   `a::b` when `a/b.rs` exists, at `a` otherwise. A child's `super::Item` points at its parent even
//!   when the parent merely re-exports `Item` from a sibling (this check does not resolve re-exports).
//! - **The crate root is exempt**: it declares modules and re-exports, so no edge from or to it counts.
//!   Parent/child edges count like any other: a `mod.rs` that uses its child while the child uses an
//!   item of the `mod.rs` is a cycle.

use super::graph;
use super::lexer::{self, Token};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path from the crate root (`[]` is the root, `["a", "b"]` is `a::b`).
pub type ModPath = Vec<String>;

/// `a::b`, or `crate` for the root.
pub fn display(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

/// One module file of a crate.
#[derive(Debug)]
struct ModuleFile {
    path: ModPath,
    file: PathBuf,
    /// The folder where the files of its child modules live.
    child_dir: PathBuf,
    tokens: Vec<Token>,
}

/// A module's use of another, with the first place that makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: ModPath,
    pub to: ModPath,
    pub file: PathBuf,
    pub line: usize,
}

/// What the check finds in one crate root's module tree.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Every module file, the root included.
    pub modules: Vec<ModPath>,
    /// One edge per (from, to) pair, between distinct modules other than the root.
    pub edges: Vec<Edge>,
    /// `mod x;` declarations whose file is missing (a `#[path]` attribute is not supported).
    pub problems: Vec<String>,
}

/// A cycle: the modules of one knot, a shortest path around it, and the edges inside it.
#[derive(Debug)]
pub struct Cycle {
    pub modules: Vec<ModPath>,
    /// `[a, b, c]` for `a -> b -> c -> a`.
    pub path: Vec<ModPath>,
    pub edges: Vec<Edge>,
}

/// Reads the module tree from `root_file` (through `read`, which returns `None` for a missing file)
/// and the edges between its modules.
pub fn analyse(root_file: &Path, read: &dyn Fn(&Path) -> Option<String>) -> Analysis {
    let mut analysis = Analysis::default();
    let Some(source) = read(root_file) else {
        analysis.problems.push(format!(
            "{}: cannot read the crate root",
            root_file.display()
        ));
        return analysis;
    };
    let mut files = vec![ModuleFile {
        path: Vec::new(),
        file: root_file.to_owned(),
        child_dir: root_file.parent().map(Path::to_owned).unwrap_or_default(),
        tokens: lexer::tokens(&source),
    }];
    let mut next = 0;
    while next < files.len() {
        for (child, line) in declared_children(&files[next].tokens) {
            let parent = &files[next];
            let dir = child
                .iter()
                .fold(parent.child_dir.clone(), |d, s| d.join(s));
            let name = child.last().cloned().unwrap_or_default();
            let flat = dir.with_file_name(format!("{name}.rs"));
            let folder = dir.join("mod.rs");
            let found = [flat, folder]
                .into_iter()
                .find_map(|file| read(&file).map(|source| (file, source)));
            match found {
                Some((file, source)) => {
                    let mut path = parent.path.clone();
                    path.extend(child);
                    files.push(ModuleFile {
                        path,
                        file,
                        child_dir: dir,
                        tokens: lexer::tokens(&source),
                    });
                }
                None => analysis.problems.push(format!(
                    "{}:{line}: `mod {name};` has neither {name}.rs nor {name}/mod.rs \
                     (a #[path] attribute is not supported)",
                    parent.file.display()
                )),
            }
        }
        next += 1;
    }
    let known: BTreeSet<ModPath> = files.iter().map(|f| f.path.clone()).collect();
    let mut edges: BTreeMap<(ModPath, ModPath), Edge> = BTreeMap::new();
    for module in files.iter().filter(|f| !f.path.is_empty()) {
        for (to, line) in references(&module.path, &module.tokens, &known) {
            if to.is_empty() || to == module.path {
                continue;
            }
            edges
                .entry((module.path.clone(), to.clone()))
                .or_insert_with(|| Edge {
                    from: module.path.clone(),
                    to,
                    file: module.file.clone(),
                    line,
                });
        }
    }
    analysis.modules = files.into_iter().map(|f| f.path).collect();
    analysis.edges = edges.into_values().collect();
    analysis
}

/// The import cycles among the analysed modules.
pub fn cycles(analysis: &Analysis) -> Vec<Cycle> {
    let index = |path: &ModPath| analysis.modules.iter().position(|m| m == path);
    let pairs: Vec<(usize, usize)> = analysis
        .edges
        .iter()
        .filter_map(|e| Some((index(&e.from)?, index(&e.to)?)))
        .collect();
    graph::knots(analysis.modules.len(), &pairs)
        .into_iter()
        .map(|knot| {
            let in_knot = |path: &ModPath| index(path).is_some_and(|i| knot.contains(&i));
            let path = graph::shortest_cycle(knot[0], &knot, &pairs).unwrap_or_default();
            Cycle {
                modules: knot.iter().map(|&i| analysis.modules[i].clone()).collect(),
                path: path.iter().map(|&i| analysis.modules[i].clone()).collect(),
                edges: analysis
                    .edges
                    .iter()
                    .filter(|e| in_knot(&e.from) && in_knot(&e.to))
                    .cloned()
                    .collect(),
            }
        })
        .collect()
}

/// The `mod name;` declarations of a file: the path of each below the file's module (inline modules
/// included, e.g. `["inline", "name"]`) and its line.
fn declared_children(tokens: &[Token]) -> Vec<(Vec<String>, usize)> {
    let mut children = Vec::new();
    let mut scope = Scope::default();
    for (i, token) in tokens.iter().enumerate() {
        scope.step(tokens, i);
        if token.text == "mod"
            && let (Some(name), Some(end)) = (tokens.get(i + 1), tokens.get(i + 2))
            && name.is_ident()
            && end.text == ";"
        {
            let mut path = scope.inline_path();
            path.push(name.text.clone());
            children.push((path, token.line));
        }
    }
    children
}

/// The inline modules (`mod x { .. }`) around a token, found by counting braces.
#[derive(Default)]
struct Scope {
    depth: usize,
    /// Each open inline module with the brace depth inside it.
    inline: Vec<(String, usize)>,
}

impl Scope {
    /// Takes the token at `i` into account (call once per token, in order).
    fn step(&mut self, tokens: &[Token], i: usize) {
        match tokens[i].text.as_str() {
            "{" => {
                self.depth += 1;
                if i >= 2 && tokens[i - 2].text == "mod" && tokens[i - 1].is_ident() {
                    self.inline.push((tokens[i - 1].text.clone(), self.depth));
                }
            }
            "}" => {
                self.depth = self.depth.saturating_sub(1);
                self.inline.retain(|(_, depth)| *depth <= self.depth);
            }
            _ => {}
        }
    }

    fn inline_path(&self) -> Vec<String> {
        self.inline.iter().map(|(name, _)| name.clone()).collect()
    }
}

/// Every module path a file's code names, as (the longest known module prefix, line).
fn references(
    module: &[String],
    tokens: &[Token],
    known: &BTreeSet<ModPath>,
) -> Vec<(ModPath, usize)> {
    let mut found = Vec::new();
    let mut scope = Scope::default();
    let mut i = 0;
    while i < tokens.len() {
        scope.step(tokens, i);
        let mut current = module.to_vec();
        current.extend(scope.inline_path());
        let text = tokens[i].text.as_str();
        let prev = |k: usize| i.checked_sub(k).map(|j| tokens[j].text.as_str());
        let followed_by_path = tokens.get(i + 1).is_some_and(|t| t.text == "::")
            && tokens.get(i + 2).is_some_and(Token::is_ident);
        let child_module = tokens[i].is_ident() && {
            let mut child = current.clone();
            child.push(text.to_owned());
            known.contains(&child)
        };
        if text == "use" {
            let mut pos = i + 1;
            let mut paths = Vec::new();
            use_tree(tokens, &mut pos, Vec::new(), &mut paths);
            for (segments, line) in paths {
                if let Some(target) = resolve(&current, &segments, known) {
                    found.push((target, line));
                }
            }
            // Skip the declaration (its braces are its own), keeping the scope's count of the rest.
            i = pos.max(i + 1);
            continue;
        }
        let visibility = prev(1) == Some("in") && prev(2) == Some("(");
        let path_start = matches!(text, "crate" | "super" | "self") || child_module;
        if path_start && followed_by_path && !visibility && !matches!(prev(1), Some("::" | ".")) {
            let (segments, next) = inline_path(tokens, i);
            if let Some(target) = resolve(&current, &segments, known) {
                found.push((target, tokens[i].line));
            }
            i = next;
            continue;
        }
        i += 1;
    }
    found
}

/// The segments of the inline path starting at `start` (`crate :: a :: b`), and the index after it.
/// Stops before a turbofish or anything that is not a segment.
fn inline_path(tokens: &[Token], start: usize) -> (Vec<String>, usize) {
    let mut segments = vec![tokens[start].text.clone()];
    let mut i = start + 1;
    while tokens.get(i).is_some_and(|t| t.text == "::")
        && let Some(next) = tokens.get(i + 1).filter(|t| t.is_ident())
    {
        segments.push(next.text.clone());
        i += 2;
    }
    (segments, i)
}

/// Reads one use tree from `pos` (`a::b`, `a::{b, c::*}`, `a as b`, `self`) into full paths, each with
/// the line of its last segment. Stops before the `,`, `}` or `;` that ends it.
fn use_tree(
    tokens: &[Token],
    pos: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, usize)>,
) {
    let mut path = prefix;
    let mut line = tokens.get(*pos).map_or(0, |t| t.line);
    while let Some(token) = tokens.get(*pos) {
        match token.text.as_str() {
            "::" => *pos += 1,
            "{" => {
                *pos += 1;
                while let Some(inner) = tokens.get(*pos) {
                    match inner.text.as_str() {
                        "}" => {
                            *pos += 1;
                            return;
                        }
                        "," => *pos += 1,
                        ";" => return,
                        _ => {
                            let before = *pos;
                            use_tree(tokens, pos, path.clone(), out);
                            if *pos == before {
                                *pos += 1;
                            }
                        }
                    }
                }
                return;
            }
            "*" => {
                *pos += 1;
                out.push((path, token.line));
                return;
            }
            "as" => {
                *pos += 2;
                out.push((path, line));
                return;
            }
            "," | "}" | ";" => {
                out.push((path, line));
                return;
            }
            // `a::{self, b}`: `self` is `a` itself.
            "self" if !path.is_empty() => {
                line = token.line;
                *pos += 1;
            }
            _ if token.is_ident() => {
                path.push(token.text.clone());
                line = token.line;
                *pos += 1;
            }
            _ => {
                // Not a use tree after all (e.g. `use` in a macro pattern): give up on it.
                return;
            }
        }
    }
}

/// The module a path from `current` names: the longest known prefix of its absolute form. `None` for
/// a path outside the crate (another crate, the prelude, a local name).
fn resolve(current: &[String], segments: &[String], known: &BTreeSet<ModPath>) -> Option<ModPath> {
    let first = segments.first()?;
    let absolute: Vec<String> = match first.as_str() {
        "crate" => segments[1..].to_vec(),
        "self" => current.iter().chain(&segments[1..]).cloned().collect(),
        "super" => {
            let supers = segments.iter().take_while(|s| *s == "super").count();
            let base = current.len().checked_sub(supers)?;
            current[..base]
                .iter()
                .chain(&segments[supers..])
                .cloned()
                .collect()
        }
        _ => {
            // A child module of the current one, named without `self::`.
            let mut child = current.to_vec();
            child.push(first.clone());
            if !known.contains(&child) {
                return None;
            }
            current.iter().chain(segments).cloned().collect()
        }
    };
    (0..=absolute.len())
        .rev()
        .map(|n| absolute[..n].to_vec())
        .find(|prefix| known.contains(prefix))
}
