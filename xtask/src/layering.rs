//! `cargo xtask layering`: the layering check, in the spirit of rust-analyzer's `tidy`.
//!
//! 1. Crate dependencies: every dependency between workspace crates is declared in ARCHITECTURE.md
//!    (section `## Crate dependencies`), and the declared graph is acyclic ([`crates`]).
//! 2. Module imports: no import cycle between the modules (files) of a crate ([`modules`]).
//!
//! The report names each undeclared edge and, for each cycle, its modules and one `file:line` per
//! edge, so that a developer knows where to cut.

mod crates;
mod graph;
mod lexer;
mod metadata;
mod modules;
#[cfg(test)]
mod tests;

use anyhow::{Context, Result, bail};
use metadata::Workspace;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Runs both checks on the workspace at `root`, prints the report and tells whether all is well.
/// With `show_edges`, the report also lists every edge between modules (cycle or not).
pub fn run(root: &Path, cargo: &mut Command, show_edges: bool) -> Result<bool> {
    let output = cargo
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata = String::from_utf8(output.stdout).context("cargo metadata: not UTF-8")?;
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md"))
        .context("cannot read ARCHITECTURE.md")?;
    let workspace = Workspace::from_json(&metadata)?;
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    let report = check(&workspace, &architecture, &read, show_edges);
    print!("{}", report.text);
    Ok(report.ok)
}

/// The outcome of both checks.
#[derive(Debug)]
pub struct Report {
    pub ok: bool,
    pub text: String,
}

/// Both checks on a workspace, its ARCHITECTURE.md text and a way to read its source files.
pub fn check(
    workspace: &Workspace,
    architecture: &str,
    read: &dyn Fn(&Path) -> Option<String>,
    show_edges: bool,
) -> Report {
    let mut text = String::new();
    let crate_problems = match crates::parse_declaration(architecture) {
        Ok(declaration) => crates::check(&declaration, workspace),
        Err(problems) => problems,
    };
    if crate_problems.is_empty() {
        let _ = writeln!(
            text,
            "crate dependencies: ok ({} crates, as ARCHITECTURE.md declares them)",
            workspace.crates.len()
        );
    } else {
        let _ = writeln!(
            text,
            "crate dependencies: {} problem(s) against ARCHITECTURE.md `{}`:",
            crate_problems.len(),
            crates::HEADING
        );
        for problem in &crate_problems {
            let _ = writeln!(text, "  - {problem}");
        }
    }

    let (module_text, module_problems) = module_report(workspace, read, show_edges);
    text.push_str(&module_text);
    let ok = crate_problems.is_empty() && module_problems == 0;
    if ok {
        text.push_str("layering: ok\n");
    } else {
        let _ = writeln!(
            text,
            "layering: FAILED ({} crate dependency problem(s), {module_problems} module problem(s))",
            crate_problems.len()
        );
    }
    Report { ok, text }
}

/// The module check of every library and binary root: its report and its number of problems
/// (cycles and unreadable modules).
fn module_report(
    workspace: &Workspace,
    read: &dyn Fn(&Path) -> Option<String>,
    show_edges: bool,
) -> (String, usize) {
    let relative = |path: &Path| {
        path.strip_prefix(&workspace.root)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let mut text = String::new();
    let mut problems = 0;
    let mut roots = 0;
    let mut modules = 0;
    for krate in &workspace.crates {
        for target in krate.targets.iter().filter(|t| t.is_product()) {
            roots += 1;
            let name = if target.kinds.iter().any(|k| k == "bin") {
                format!("{} (bin {})", krate.name, target.name)
            } else {
                format!("{} (lib)", krate.name)
            };
            let analysis = modules::analyse(&target.src_path, read);
            modules += analysis.modules.len();
            if show_edges {
                for edge in &analysis.edges {
                    let _ = writeln!(
                        text,
                        "{name}: {} -> {}  ({}:{})",
                        modules::display(&edge.from),
                        modules::display(&edge.to),
                        relative(&edge.file),
                        edge.line
                    );
                }
            }
            for problem in &analysis.problems {
                problems += 1;
                let _ = writeln!(text, "{name}: {problem}");
            }
            for cycle in modules::cycles(&analysis) {
                problems += 1;
                let names: Vec<String> =
                    cycle.modules.iter().map(|m| modules::display(m)).collect();
                let mut around: Vec<String> =
                    cycle.path.iter().map(|m| modules::display(m)).collect();
                if let Some(first) = around.first().cloned() {
                    around.push(first);
                }
                let _ = writeln!(
                    text,
                    "{name}: import cycle between {} modules: {}\n  e.g. {}",
                    names.len(),
                    names.join(", "),
                    around.join(" -> ")
                );
                for edge in &cycle.edges {
                    let _ = writeln!(
                        text,
                        "    {} -> {}  ({}:{})",
                        modules::display(&edge.from),
                        modules::display(&edge.to),
                        relative(&edge.file),
                        edge.line
                    );
                }
            }
        }
    }
    if problems == 0 {
        let _ = writeln!(
            text,
            "module imports: ok ({modules} modules in {roots} crate roots, no cycle)"
        );
    } else {
        let _ = writeln!(
            text,
            "module imports: {problems} problem(s) in {roots} crate roots ({modules} modules); \
             the crate root is exempt, #[cfg(test)] items do not count"
        );
    }
    (text, problems)
}
