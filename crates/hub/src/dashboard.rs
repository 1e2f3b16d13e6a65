//! The coordinators' web page (`/dashboard/`): static HTML, CSS and JavaScript embedded in the
//! binary, which log in through `POST /api/v1/login` and draw the figures of
//! `GET /api/v1/stats/monthly` as SVG charts and tables. No third-party script, no inline script
//! (the Content-Security-Policy forbids both).

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Serialize;
use tokio_postgres::Client;

use crate::Error;
use crate::auth::{Role, User};
use crate::http::AppState;

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
