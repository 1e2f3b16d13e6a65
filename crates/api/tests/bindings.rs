//! The TypeScript types of the UI are generated from the Rust DTOs; this test fails while the
//! committed file is stale. `cargo xtask gen-types` (APPLIGARDE_UPDATE_BINDINGS=1) rewrites it.

use std::path::Path;

#[test]
fn typescript_bindings_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/api/types.ts");
    let expected = appligarde_api::bindings::typescript_file();
    if std::env::var_os("APPLIGARDE_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &expected).expect("write the bindings");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{} is stale: run `cargo xtask gen-types` and commit the result",
        path.display()
    );
}
