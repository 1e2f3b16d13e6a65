//! A loopback HTTP server exposing `Api::invoke` and the built front-end, so that the real UI runs
//! in a plain browser against the real store (browser tests, development).
//!
//! Whom it trusts (issue 28, item 8):
//! - only requests addressed to itself: `Host` must be `127.0.0.1:<port>` (the address it listens
//!   on) or `localhost:<port>`, and an `Origin`, when the browser sends one, must be that same
//!   origin. A web page elsewhere that renames itself to 127.0.0.1 (DNS rebinding) or posts from
//!   its own origin is refused with a 403 before anything is read;
//! - every API call presents the random token made at each start (`Authorization: Bearer`),
//!   compared in constant time;
//! - the UI is sent with a strict CSP and frame protection (the same policy as the Tauri window's,
//!   `connect-src 'self'` in place of its IPC), so no other page can frame or script it;
//! - what a command answers before a login is decided by `Api::invoke`'s gate, the same for the
//!   window.

use appligarde_api::{Api, ApiError, ErrorCode};
use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::post,
};
use rand::Rng;
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use subtle::ConstantTimeEq;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy of the pages: the Tauri window's (`src-tauri/tauri.conf.json`), its IPC replaced by
/// the server itself; blob URLs are the printed PDFs opened in a tab; nothing may frame the UI.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'self' blob:; frame-src 'self' blob:; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

struct Shared {
    api: Api,
    token: String,
}

/// The `Host` values that name this server (the port it listens on, by address or as localhost).
#[derive(Clone)]
struct Hotes(Arc<Vec<String>>);

pub async fn run(api: Api, listen: SocketAddr, ui: PathBuf) -> anyhow::Result<()> {
    let token = hex::encode(rand::rng().random::<[u8; 16]>());
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let hotes = Hotes(Arc::new(vec![
        addr.to_string(),
        format!("localhost:{}", addr.port()),
    ]));
    let shared = Arc::new(Shared {
        api,
        token: token.clone(),
    });
    let app = Router::new()
        .route("/api/invoke/{command}", post(invoke))
        .with_state(shared)
        .fallback_service(tower_http::services::ServeDir::new(ui))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(middleware::from_fn_with_state(hotes, meme_origine));
    // The first line of stdout is read by the browser tests.
    println!("http://{addr}/?token={token}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Refuses a request not addressed to this server (`Host`) or sent by a page of another origin.
async fn meme_origine(State(hotes): State<Hotes>, request: Request, next: Next) -> Response {
    match refus(&hotes, request.headers()) {
        Some(e) => error(e),
        None => next.run(request).await,
    }
}

/// Why a request is refused by [`meme_origine`], if it is.
fn refus(hotes: &Hotes, headers: &HeaderMap) -> Option<ApiError> {
    let texte = |name| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    let Some(hote) = texte(header::HOST).filter(|h| {
        hotes
            .0
            .iter()
            .any(|attendu| attendu.eq_ignore_ascii_case(h))
    }) else {
        return Some(ApiError::new(
            ErrorCode::Forbidden,
            "Accès refusé : ce serveur local ne répond qu'aux adresses 127.0.0.1 et localhost.",
        ));
    };
    match texte(header::ORIGIN) {
        Some(origine) if !origine.eq_ignore_ascii_case(&format!("http://{hote}")) => {
            Some(ApiError::new(
                ErrorCode::Forbidden,
                "Accès refusé : cette requête vient d'une autre page que l'interface d'Appligarde.",
            ))
        }
        _ => None,
    }
}

async fn invoke(
    State(shared): State<Arc<Shared>>,
    Path(command): Path<String>,
    headers: HeaderMap,
    Json(args): Json<serde_json::Value>,
) -> Response {
    let presente = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Constant time: the answer's delay tells nothing about how much of a guess was right.
    if !bool::from(presente.as_bytes().ct_eq(shared.token.as_bytes())) {
        return error(ApiError::new(
            ErrorCode::Key,
            "Accès refusé : jeton absent ou invalide.",
        ));
    }
    let result = tokio::task::spawn_blocking(move || shared.api.invoke(&command, args)).await;
    match result {
        Ok(Ok(value)) => Json(value).into_response(),
        Ok(Err(e)) => error(e),
        Err(join) => error(ApiError::internal(join)),
    }
}

fn error(e: ApiError) -> Response {
    let status = match e.code {
        ErrorCode::Validation | ErrorCode::BadArguments => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::UnknownCommand | ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Key => StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated | ErrorCode::Locked => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden | ErrorCode::ConventionNonAcceptee => StatusCode::FORBIDDEN,
        ErrorCode::SchemaTooNew | ErrorCode::Storage => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(e)).into_response()
}
