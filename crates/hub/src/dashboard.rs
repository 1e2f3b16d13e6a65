//! The coordinators' web page (`/dashboard/`): static HTML, CSS and JavaScript embedded in the
//! binary, which log in through `POST /api/v1/login` and draw the figures of
//! `GET /api/v1/stats/monthly` (month, year and custom periods), `GET /api/v1/stats/days` (the
//! day view), `GET /api/v1/stats/doctors` (one MMG's doctors) and `GET /api/v1/communes`
//! (commune names) as SVG charts and tables. No third-party script, no inline script (the
//! Content-Security-Policy forbids both).

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio_postgres::Client;

use crate::Error;
use crate::auth::{Role, User};
use crate::state::AppState;

const INDEX_HTML: &str = include_str!("../dashboard/index.html");
const APP_JS: &str = include_str!("../dashboard/app.js");
const STYLE_CSS: &str = include_str!("../dashboard/style.css");

/// Answer of `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Me {
    pub login: String,
    /// `urml-admin` or `coordinator`.
    pub role: String,
    /// The départements the user may read that have MMGs (all of them for an URML
    /// administrator), sorted.
    pub departements: Vec<String>,
    /// The MMGs of those départements, by département then name.
    pub mmgs: Vec<MmgInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MmgInfo {
    pub id: String,
    pub name: String,
    pub departement: String,
}

/// What `user` may see: their départements and the MMGs in them.
pub async fn me(client: &Client, user: &User) -> Result<Me, Error> {
    let login: String = client
        .query_one(
            "SELECT login FROM hub_user WHERE id = $1::text::uuid",
            &[&user.id],
        )
        .await?
        .get(0);
    let all = user.role == Role::UrmlAdmin;
    let mine: Vec<String> = user.departements.iter().cloned().collect();
    let rows = client
        .query(
            "SELECT id::text, name, departement FROM organisation \
             WHERE kind = 'mmg' AND ($1 OR departement = ANY($2)) \
             ORDER BY departement, name, id",
            &[&all, &mine],
        )
        .await?;
    let mmgs: Vec<MmgInfo> = rows
        .iter()
        .map(|row| MmgInfo {
            id: row.get(0),
            name: row.get(1),
            departement: row.get(2),
        })
        .collect();
    let mut departements: Vec<String> = if all {
        mmgs.iter().map(|m| m.departement.clone()).collect()
    } else {
        mine
    };
    departements.sort_unstable();
    departements.dedup();
    Ok(Me {
        login,
        role: user.role.code().to_owned(),
        departements,
        mmgs,
    })
}

/// Answer of `GET /api/v1/communes`: the names of the communes where the practitioners of the
/// latest RPPS publication work, so that the dashboard shows « Nantes (44109) » rather than a
/// bare INSEE code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Communes {
    /// Version of the RPPS publication the names come from; `null` before the first one.
    pub version: Option<u64>,
    /// INSEE code -> name (« La Chapelle-sur-Erdre »).
    pub communes: BTreeMap<String, String>,
}

/// The communes of the last RPPS publication parsed, by the SHA-256 of its content: parsing a
/// region's extract takes a while, and a publication never changes once stored.
type CommuneCache = Option<(Vec<u8>, Arc<BTreeMap<String, String>>)>;
static COMMUNES: Mutex<CommuneCache> = Mutex::new(None);

/// The commune names of the latest RPPS publication (none before the first one).
pub async fn communes(client: &Client) -> Result<Communes, Error> {
    let latest = client
        .query_opt(
            "SELECT version, content_sha256 FROM reference_publication WHERE kind = 'rpps' \
             ORDER BY version DESC LIMIT 1",
            &[],
        )
        .await?;
    let Some(latest) = latest else {
        return Ok(Communes {
            version: None,
            communes: BTreeMap::new(),
        });
    };
    let version: i64 = latest.get(0);
    let sha: Vec<u8> = latest.get(1);
    let cached = COMMUNES.lock().ok().and_then(|cache| {
        cache
            .as_ref()
            .filter(|(s, _)| *s == sha)
            .map(|(_, c)| c.clone())
    });
    let names = match cached {
        Some(names) => names,
        None => {
            let content: String = client
                .query_one(
                    "SELECT content FROM reference_publication WHERE version = $1",
                    &[&version],
                )
                .await?
                .get(0);
            let names =
                Arc::new(tokio::task::spawn_blocking(move || commune_names(&content)).await?);
            if let Ok(mut cache) = COMMUNES.lock() {
                *cache = Some((sha, names.clone()));
            }
            names
        }
    };
    Ok(Communes {
        version: u64::try_from(version).ok(),
        communes: (*names).clone(),
    })
}

/// INSEE code -> name of the communes of the practitioners' sites in an RPPS extract (the first
/// name met for a code), names in French title case.
pub fn commune_names(content: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let Ok(reader) = appligarde_rpps::RppsReader::new(content.as_bytes()) else {
        return names;
    };
    for activite in reader {
        let Ok(activite) = activite else { break };
        let address = &activite.site.adresse;
        let (code, name) = (address.code_commune.trim(), address.libelle_commune.trim());
        if !code.is_empty() && !name.is_empty() && !names.contains_key(code) {
            names.insert(code.to_owned(), title_case(name));
        }
    }
    names
}

/// « SAINT-HERBLAIN » -> « Saint-Herblain », « LA CHAPELLE-SUR-ERDRE » -> « La
/// Chapelle-sur-Erdre »: each word capitalised except articles and prepositions inside a name.
pub fn title_case(name: &str) -> String {
    const SMALL: &[&str] = &[
        "de", "des", "du", "d", "la", "le", "les", "l", "sur", "sous", "en", "et", "lès", "à",
        "au", "aux",
    ];
    let lower = name.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut word = String::new();
    let mut first = true;
    let flush = |word: &mut String, out: &mut String, first: &mut bool| {
        if word.is_empty() {
            return;
        }
        if !*first && SMALL.contains(&word.as_str()) {
            out.push_str(word);
        } else {
            let mut chars = word.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
        *first = false;
        word.clear();
    };
    for c in lower.chars() {
        if c == ' ' || c == '-' || c == '\'' {
            flush(&mut word, &mut out, &mut first);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out, &mut first);
    out
}

/// `router` with the page's routes added.
pub fn pages(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/", get(|| async { Redirect::to("/dashboard/") }))
        .route("/dashboard", get(|| async { Redirect::to("/dashboard/") }))
        .route(
            "/dashboard/",
            get(|| async { page("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/dashboard/app.js",
            get(|| async { page("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/dashboard/style.css",
            get(|| async { page("text/css; charset=utf-8", STYLE_CSS) }),
        )
}

fn page(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
             img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commune_names_are_title_cased_the_french_way() {
        for (raw, want) in [
            ("NANTES", "Nantes"),
            ("SAINT-HERBLAIN", "Saint-Herblain"),
            ("LA CHAPELLE-SUR-ERDRE", "La Chapelle-sur-Erdre"),
            ("LES SORINIERES", "Les Sorinieres"),
            ("REZE", "Reze"),
            ("SAINT-SEBASTIEN-SUR-LOIRE", "Saint-Sebastien-sur-Loire"),
            ("L'ILE-D'YEU", "L'Ile-d'Yeu"),
        ] {
            assert_eq!(title_case(raw), want, "{raw}");
        }
    }
}
