//! Tests of the layering check on small fake crates (in memory, and one on disk) and on fake metadata.

use super::crates;
use super::lexer;
use super::metadata::Workspace;
use super::modules::{self, Cycle, display};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A fake crate: `(path under src/, source)`.
fn fake(files: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
    files
        .iter()
        .map(|(path, source)| (Path::new("/fake/src").join(path), (*source).to_owned()))
        .collect()
}

fn cycles_of(files: &[(&str, &str)]) -> Vec<Cycle> {
    let files = fake(files);
    let analysis = modules::analyse(Path::new("/fake/src/lib.rs"), &|p| files.get(p).cloned());
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
    modules::cycles(&analysis)
}

fn names(cycle: &Cycle) -> Vec<String> {
    cycle.modules.iter().map(|m| display(m)).collect()
}

#[test]
fn a_clean_crate_passes() {
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\npub use a::f;\npub struct Api;\n"),
        (
            "a.rs",
            "use crate::b::X;\nuse crate::Api;\npub fn f(_: X, _: Api) {}\n",
        ),
        (
            "b.rs",
            "pub struct X;\npub fn g() -> crate::Api { crate::Api }\n",
        ),
    ]);
    assert!(cycles.is_empty(), "{cycles:?}");
}

#[test]
fn a_cycle_through_a_use_and_an_inline_path_fails_naming_both_modules() {
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::X;\npub fn f() -> X { X }\n"),
        (
            "b.rs",
            "pub struct X;\n\npub fn g() {\n    crate::a::f();\n}\n",
        ),
    ]);
    assert_eq!(cycles.len(), 1);
    assert_eq!(names(&cycles[0]), ["a", "b"]);
    let places: Vec<(String, String, usize)> = cycles[0]
        .edges
        .iter()
        .map(|e| (display(&e.from), display(&e.to), e.line))
        .collect();
    assert_eq!(
        places,
        [("a".into(), "b".into(), 1), ("b".into(), "a".into(), 4)]
    );
    assert!(cycles[0].edges[1].file.ends_with("b.rs"));
}

#[test]
fn super_cycles_in_a_folder_module_are_found() {
    // a/mod.rs re-exports its child; the child uses an item defined in a/mod.rs.
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\n"),
        ("a/mod.rs", "mod b;\npub use b::Thing;\npub struct Base;\n"),
        ("a/b.rs", "use super::Base;\npub struct Thing(Base);\n"),
    ]);
    assert_eq!(cycles.len(), 1);
    assert_eq!(names(&cycles[0]), ["a", "a::b"]);

    // Siblings through `super::` in a non-mod.rs folder module.
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\n"),
        ("a.rs", "mod x;\nmod y;\n"),
        ("a/x.rs", "use super::y::Y;\npub struct X;\n"),
        (
            "a/y.rs",
            "pub struct Y;\nfn f() -> super::x::X { super::x::X }\n",
        ),
    ]);
    assert_eq!(cycles.len(), 1);
    assert_eq!(names(&cycles[0]), ["a::x", "a::y"]);
}

#[test]
fn a_parent_using_its_child_alone_is_no_cycle() {
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\n"),
        ("a/mod.rs", "mod b;\npub use self::b::Thing;\n"),
        ("a/b.rs", "pub struct Thing;\n"),
    ]);
    assert!(cycles.is_empty(), "{cycles:?}");
}

#[test]
fn test_modules_do_not_count() {
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::X;\npub fn f() {}\n"),
        (
            "b.rs",
            "pub struct X;\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::a;\n    \
             fn h() { let _ = '}'; let _ = \"}\"; crate::a::f(); }\n}\n",
        ),
    ]);
    assert!(cycles.is_empty(), "{cycles:?}");
    // A test file declared `#[cfg(test)] mod tests;` is not read at all.
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\n#[cfg(test)]\nmod tests;\n"),
        ("a.rs", "pub fn f() {}\n"),
    ]);
    assert!(cycles.is_empty());
}

#[test]
fn grouped_multi_line_imports_are_parsed() {
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        (
            "a.rs",
            "use crate::{\n    b::{X, Y},\n    c,\n};\npub struct A;\n",
        ),
        ("b.rs", "pub struct X;\npub struct Y;\n"),
        ("c.rs", "pub(crate) use crate::a::A as Renamed;\n"),
    ]);
    assert_eq!(cycles.len(), 1);
    assert_eq!(names(&cycles[0]), ["a", "c"]);
    let a_to_c = cycles[0]
        .edges
        .iter()
        .find(|e| display(&e.from) == "a")
        .map(|e| e.line);
    assert_eq!(a_to_c, Some(3));
}

#[test]
fn comments_and_literals_naming_a_module_do_not_count() {
    let cycles = cycles_of(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a.rs", "use crate::b::X;\n"),
        (
            "b.rs",
            "//! See crate::a.\npub struct X;\n/// Unlike [`crate::a`].\n/* use crate::a; /* nested */ \
             crate::a */\nconst S: &str = \"crate::a::f\";\nconst R: &str = r#\"use crate::a; \"#;\n\
             const C: char = '\"';\nfn f<'a>(x: &'a str) -> &'a str { x }\n",
        ),
    ]);
    assert!(cycles.is_empty(), "{cycles:?}");
}

#[test]
fn paths_are_resolved_to_the_longest_module_prefix() {
    let files = fake(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub struct Api;\n"),
        ("a.rs", "pub mod inner;\n"),
        ("a/inner.rs", "pub struct I;\n"),
        (
            "b.rs",
            "use crate::Api;\nuse crate::a::inner::I;\nfn f() { crate::a::g::<u8>(); }\n\
             pub(in crate::a) fn h() {}\n",
        ),
    ]);
    let analysis = modules::analyse(Path::new("/fake/src/lib.rs"), &|p| files.get(p).cloned());
    let edges: Vec<(String, String, usize)> = analysis
        .edges
        .iter()
        .map(|e| (display(&e.from), display(&e.to), e.line))
        .collect();
    assert_eq!(
        edges,
        [
            ("b".into(), "a".into(), 3),
            ("b".into(), "a::inner".into(), 2),
        ]
    );
}

#[test]
fn a_missing_module_file_is_reported() {
    let files = fake(&[("lib.rs", "mod gone;\n")]);
    let analysis = modules::analyse(Path::new("/fake/src/lib.rs"), &|p| files.get(p).cloned());
    assert_eq!(analysis.problems.len(), 1);
    assert!(analysis.problems[0].contains("mod gone;"));
}

#[test]
fn the_lexer_keeps_lines_and_drops_test_items() {
    let tokens = lexer::tokens("fn a() {}\n#[cfg(test)]\nfn t() { x }\n\"s\ntring\" b\n");
    let texts: Vec<(&str, usize)> = tokens.iter().map(|t| (t.text.as_str(), t.line)).collect();
    assert_eq!(
        texts,
        [
            ("fn", 1),
            ("a", 1),
            ("(", 1),
            (")", 1),
            ("{", 1),
            ("}", 1),
            ("b", 5)
        ]
    );
}

/// Metadata as `cargo metadata --format-version 1 --no-deps` prints it, cut down to what is read.
fn metadata(deps: &[(&str, &str, Option<&str>)]) -> String {
    let package = |name: &str| {
        let deps: Vec<String> = deps
            .iter()
            .filter(|(from, _, _)| *from == name)
            .map(|(_, to, kind)| {
                let kind = kind.map_or("null".to_owned(), |k| format!("\"{k}\""));
                format!(r#"{{"name": "{to}", "kind": {kind}}}"#)
            })
            .collect();
        format!(
            r#"{{"name": "{name}", "id": "{name}-id", "dependencies": [{}],
                "targets": [{{"name": "{name}", "kind": ["lib"], "src_path": "/ws/{name}/src/lib.rs"}}]}}"#,
            deps.join(",")
        )
    };
    let names = ["low", "mid", "top"];
    let packages: Vec<String> = names.iter().map(|n| package(n)).collect();
    let members: Vec<String> = names.iter().map(|n| format!("\"{n}-id\"")).collect();
    format!(
        r#"{{"packages": [{}], "workspace_members": [{}], "workspace_root": "/ws"}}"#,
        packages.join(","),
        members.join(",")
    )
}

fn crate_problems(architecture: &str, deps: &[(&str, &str, Option<&str>)]) -> Vec<String> {
    let workspace = Workspace::from_json(&metadata(deps)).expect("fake metadata");
    match crates::parse_declaration(architecture) {
        Ok(declaration) => crates::check(&declaration, &workspace),
        Err(problems) => problems,
    }
}

const DECLARED: &str = "# Architecture\n\n## Crate dependencies\n\nText.\n\n```text\nlow:\n\
                        mid: low   # a comment\ntop: mid\n```\n\n## Next\n";

#[test]
fn declared_crate_dependencies_pass() {
    let deps = [
        ("mid", "low", None),
        ("top", "mid", None),
        ("top", "low", Some("dev")),
        ("top", "serde", None),
    ];
    assert_eq!(crate_problems(DECLARED, &deps), Vec::<String>::new());
    // Declared but unused edges are fine.
    assert_eq!(crate_problems(DECLARED, &[]), Vec::<String>::new());
}

#[test]
fn an_undeclared_crate_dependency_fails() {
    let problems = crate_problems(
        DECLARED,
        &[("mid", "low", None), ("top", "low", Some("build"))],
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("`top` -> `low`"), "{problems:?}");
    // A dev-dependency upwards is refused too.
    let problems = crate_problems(DECLARED, &[("low", "top", Some("dev"))]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("`low` -> `top`"), "{problems:?}");
}

#[test]
fn a_bad_declaration_fails() {
    let cyclic = DECLARED.replace("low:\n", "low: top\n");
    let problems = crate_problems(&cyclic, &[]);
    assert_eq!(
        problems,
        ["the declared graph has a cycle: low -> top -> mid -> low"]
    );
    let unknown = DECLARED.replace("top: mid", "top: mid ghost\nphantom:");
    let problems = crate_problems(&unknown, &[]);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("`ghost`")));
    assert!(problems.iter().any(|p| p.contains("`phantom`")));
    let missing = DECLARED.replace("top: mid\n", "");
    assert_eq!(
        crate_problems(&missing, &[]),
        ["workspace crate `top` has no line in the declaration"]
    );
    assert_eq!(crate_problems("# Architecture\n", &[]).len(), 1);
}

#[test]
fn the_whole_check_reads_a_crate_on_disk() {
    let dir = std::env::temp_dir().join(format!("xtask-layering-{}", std::process::id()));
    let src = Path::new("/ws/low/src");
    let write = |path: &str, text: &str| {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("create dir");
        std::fs::write(file, text).expect("write");
    };
    write("lib.rs", "mod a;\nmod b;\n");
    write("a.rs", "use crate::b::X;\n");
    write("b.rs", "pub struct X;\npub fn f() { super::a::g() }\n");
    let workspace = Workspace::from_json(&metadata(&[("mid", "low", None), ("top", "mid", None)]))
        .expect("fake metadata");
    let read = |path: &Path| {
        // The fake metadata puts `low` at /ws/low: read it from the temporary folder instead.
        let path = path.strip_prefix(src).ok()?;
        std::fs::read_to_string(dir.join(path)).ok()
    };
    let report = super::check(&workspace, DECLARED, &read, false);
    std::fs::remove_dir_all(&dir).expect("clean up");
    assert!(!report.ok);
    assert!(
        report
            .text
            .contains("low (lib): import cycle between 2 modules: a, b"),
        "{}",
        report.text
    );
    assert!(
        report.text.contains("b -> a  (low/src/b.rs:2)"),
        "{}",
        report.text
    );
    // `mid` and `top` have no source here: reported, not ignored.
    assert!(
        report
            .text
            .contains("mid (lib): /ws/mid/src/lib.rs: cannot read")
    );
}
