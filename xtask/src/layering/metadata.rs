//! The workspace as `cargo metadata --format-version 1 --no-deps` describes it: its crates, their
//! dependencies on one another and their targets.

use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// How a crate depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

impl DepKind {
    pub fn label(self) -> &'static str {
        match self {
            DepKind::Normal => "dependency",
            DepKind::Build => "build-dependency",
            DepKind::Dev => "dev-dependency",
        }
    }
}

/// A dependency on another crate of the workspace.
#[derive(Debug, Clone)]
pub struct Dep {
    pub name: String,
    pub kind: DepKind,
}

/// A compilation target: `kinds` as cargo names them (`lib`, `bin`, `test`, `custom-build`...).
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub kinds: Vec<String>,
    pub src_path: PathBuf,
}

impl Target {
    /// A library or a binary: the code the module check covers (tests, benches, examples and build
    /// scripts are left out).
    pub fn is_product(&self) -> bool {
        self.kinds.iter().any(|k| {
            matches!(
                k.as_str(),
                "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro" | "bin"
            )
        })
    }
}

/// A crate of the workspace.
#[derive(Debug, Clone)]
pub struct Crate {
    pub name: String,
    /// Only the dependencies on other crates of the workspace.
    pub deps: Vec<Dep>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub crates: Vec<Crate>,
}

fn text<'a>(value: &'a Value, key: &str) -> Result<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .with_context(|| format!("cargo metadata: no text field `{key}`"))
}

fn list<'a>(value: &'a Value, key: &str) -> Result<&'a Vec<Value>> {
    value
        .get(key)
        .and_then(Value::as_array)
        .with_context(|| format!("cargo metadata: no list field `{key}`"))
}

impl Workspace {
    /// Reads the JSON text that `cargo metadata --format-version 1 --no-deps` prints.
    pub fn from_json(json: &str) -> Result<Workspace> {
        let metadata: Value = serde_json::from_str(json).context("cargo metadata: not JSON")?;
        let members: BTreeSet<&str> = list(&metadata, "workspace_members")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let packages: Vec<&Value> = list(&metadata, "packages")?
            .iter()
            .filter(|p| {
                p.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| members.contains(id))
            })
            .collect();
        let names: BTreeSet<&str> = packages
            .iter()
            .map(|p| text(p, "name"))
            .collect::<Result<_>>()?;
        let mut crates = Vec::new();
        for package in packages {
            let mut deps = Vec::new();
            for dep in list(package, "dependencies")? {
                let name = text(dep, "name")?;
                if !names.contains(name) {
                    continue;
                }
                let kind = match dep.get("kind").and_then(Value::as_str) {
                    Some("dev") => DepKind::Dev,
                    Some("build") => DepKind::Build,
                    _ => DepKind::Normal,
                };
                deps.push(Dep {
                    name: name.to_owned(),
                    kind,
                });
            }
            let mut targets = Vec::new();
            for target in list(package, "targets")? {
                targets.push(Target {
                    name: text(target, "name")?.to_owned(),
                    kinds: list(target, "kind")?
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    src_path: PathBuf::from(text(target, "src_path")?),
                });
            }
            crates.push(Crate {
                name: text(package, "name")?.to_owned(),
                deps,
                targets,
            });
        }
        Ok(Workspace {
            root: PathBuf::from(text(&metadata, "workspace_root")?),
            crates,
        })
    }
}
