//! The generated TypeScript file (`ui/src/lib/api/types.ts`): every module's wire types, the error
//! type and the command map. It sits on top of the crate: it imports every module, and no module
//! imports it.

use crate::{ApiError, ErrorCode, FieldError};
use ts_rs::TS;

/// The whole generated TypeScript file: every DTO, the error type and the command map.
pub fn typescript_file() -> String {
    let cfg = crate::commun::ts_config();
    let mut out = String::from(
        "// Generated from the Rust API by `cargo xtask gen-types`; do not edit.\n\
         // A test of appligarde-api fails while this file is stale.\n\n",
    );
    let decls = [
        ErrorCode::decl(&cfg),
        ApiError::decl(&cfg),
        FieldError::decl(&cfg),
    ]
    .into_iter()
    .chain(crate::commun::ts_decls(&cfg))
    .chain(crate::dto::ts_decls(&cfg))
    .chain(crate::cotation::ts_decls(&cfg))
    .chain(crate::session::ts_decls(&cfg))
    .chain(crate::reglages::ts_decls(&cfg))
    .chain(crate::patient::ts_decls(&cfg))
    .chain(crate::premier_demarrage::ts_decls(&cfg))
    .chain(crate::conventions::ts_decls(&cfg))
    .chain(crate::consultation::ts_decls(&cfg))
    .chain(crate::garde::ts_decls(&cfg))
    .chain(crate::journal::ts_decls(&cfg))
    .chain(crate::tarifs::ts_decls(&cfg))
    .chain(crate::compta::ts_decls(&cfg))
    .chain(crate::administration::ts_decls(&cfg))
    .chain(crate::sauvegarde::ts_decls(&cfg))
    .chain(crate::droits::ts_decls(&cfg))
    .chain(crate::cim10::ts_decls(&cfg))
    .chain(crate::bdpm::ts_decls(&cfg))
    .chain(crate::annuaire::ts_decls(&cfg))
    .chain(crate::statistiques::ts_decls(&cfg))
    .chain(crate::synchro::ts_decls(&cfg))
    .chain(crate::documents::ts_decls(&cfg))
    .chain(crate::messagerie::ts_decls(&cfg))
    .chain(crate::oru::ts_decls(&cfg));
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.push_str(&crate::commands_typescript());
    out
}
