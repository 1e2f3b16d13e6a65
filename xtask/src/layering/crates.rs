//! The crate-level check: every dependency between crates of the workspace is one that ARCHITECTURE.md
//! declares, and the declared graph is a clean order (known crates only, no cycle).
//!
//! The declaration is the first fenced code block after the heading `## Crate dependencies`, one line
//! per workspace crate: `name: dep dep ...` (an empty right side for a crate that depends on none of
//! ours; `#` starts a comment). Normal and build dependencies must be declared; a dev-dependency may
//! point to any crate below the crate in the declared graph (a declared dependency, or one of theirs).
//! A declared edge that cargo does not see is fine: the declaration says what is allowed.

use super::graph;
use super::metadata::{DepKind, Workspace};
use std::collections::{BTreeMap, BTreeSet};

/// The heading under which ARCHITECTURE.md declares the crate dependencies.
pub const HEADING: &str = "## Crate dependencies";

/// The declared dependencies: crate name -> the crates it may depend on.
pub type Declaration = BTreeMap<String, BTreeSet<String>>;

/// Reads the declaration out of ARCHITECTURE.md. Errors are the problems to report.
pub fn parse_declaration(markdown: &str) -> Result<Declaration, Vec<String>> {
    let mut lines = markdown
        .lines()
        .enumerate()
        .skip_while(|(_, l)| l.trim() != HEADING);
    if lines.next().is_none() {
        return Err(vec![format!("ARCHITECTURE.md has no `{HEADING}` section")]);
    }
    let mut lines = lines.skip_while(|(_, l)| !l.trim_start().starts_with("```"));
    if lines.next().is_none() {
        return Err(vec![format!(
            "ARCHITECTURE.md: no fenced code block under `{HEADING}`"
        )]);
    }
    let mut declaration = Declaration::new();
    let mut problems = Vec::new();
    for (index, line) in lines.take_while(|(_, l)| !l.trim_start().starts_with("```")) {
        let line_number = index + 1;
        let content = line.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let Some((name, deps)) = content.split_once(':') else {
            problems.push(format!(
                "ARCHITECTURE.md:{line_number}: expected `crate: dep dep ...`, found `{content}`"
            ));
            continue;
        };
        let name = name.trim().to_owned();
        let deps: BTreeSet<String> = deps.split_whitespace().map(str::to_owned).collect();
        if declaration.insert(name.clone(), deps).is_some() {
            problems.push(format!(
                "ARCHITECTURE.md:{line_number}: `{name}` is declared twice"
            ));
        }
    }
    if problems.is_empty() {
        Ok(declaration)
    } else {
        Err(problems)
    }
}

/// Everything wrong with the declaration itself (unknown or missing crates, cycles) and with the
/// workspace against it (undeclared dependencies). Empty when all is well.
pub fn check(declaration: &Declaration, workspace: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    let members: BTreeSet<&str> = workspace.crates.iter().map(|c| c.name.as_str()).collect();
    for (name, deps) in declaration {
        if !members.contains(name.as_str()) {
            problems.push(format!(
                "declared crate `{name}` is not a crate of the workspace"
            ));
        }
        for dep in deps {
            if !members.contains(dep.as_str()) {
                problems.push(format!(
                    "`{name}` is declared to depend on `{dep}`, which is not a crate of the workspace"
                ));
            }
        }
    }
    for member in &members {
        if !declaration.contains_key(*member) {
            problems.push(format!(
                "workspace crate `{member}` has no line in the declaration"
            ));
        }
    }
    problems.extend(declared_cycles(declaration));

    for krate in &workspace.crates {
        let allowed = declaration.get(&krate.name);
        let below = below(declaration, &krate.name);
        for dep in &krate.deps {
            let ok = match dep.kind {
                DepKind::Normal | DepKind::Build => {
                    allowed.is_some_and(|allowed| allowed.contains(&dep.name))
                }
                DepKind::Dev => below.contains(dep.name.as_str()),
            };
            if !ok {
                let why = match dep.kind {
                    DepKind::Dev => "is not below it in the declared graph",
                    _ => "is not declared",
                };
                problems.push(format!(
                    "undeclared edge: `{}` -> `{}` ({}; it {why})",
                    krate.name,
                    dep.name,
                    dep.kind.label()
                ));
            }
        }
    }
    problems
}

/// The crates `name` may reach through declared edges (not itself, unless through a cycle).
fn below<'a>(declaration: &'a Declaration, name: &str) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = declaration
        .get(name)
        .map(|deps| deps.iter().map(String::as_str).collect())
        .unwrap_or_default();
    while let Some(next) = todo.pop() {
        if seen.insert(next)
            && let Some(deps) = declaration.get(next)
        {
            todo.extend(deps.iter().map(String::as_str));
        }
    }
    seen
}

/// One problem per cycle of the declared graph, showing a path around it.
fn declared_cycles(declaration: &Declaration) -> Vec<String> {
    let names: Vec<&str> = declaration
        .keys()
        .map(String::as_str)
        .chain(declaration.values().flatten().map(String::as_str))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let index = |name: &str| names.iter().position(|n| *n == name).unwrap_or(0);
    let edges: Vec<(usize, usize)> = declaration
        .iter()
        .flat_map(|(from, deps)| deps.iter().map(move |to| (from, to)))
        .map(|(from, to)| (index(from), index(to)))
        .collect();
    graph::knots(names.len(), &edges)
        .into_iter()
        .map(|knot| {
            let cycle = graph::shortest_cycle(knot[0], &knot, &edges).unwrap_or_default();
            let mut path: Vec<&str> = cycle.iter().map(|&i| names[i]).collect();
            path.push(names[knot[0]]);
            format!("the declared graph has a cycle: {}", path.join(" -> "))
        })
        .collect()
}
