//! A loopback HTTP server exposing `Api::invoke` and the built front-end, so that the real UI runs
//! in a plain browser against the real store (browser tests, development). Each start makes a new
//! random token that every API call must present.

use appligarde_api::{Api, ApiError, ErrorCode};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use rand::Rng;
use std::{net::SocketAddr, path::PathBuf, sync::Arc};

struct Shared {
    api: Api,
    token: String,
}

pub async fn run(api: Api, listen: SocketAddr, ui: PathBuf) -> anyhow::Result<()> {
    let token = hex::encode(rand::rng().random::<[u8; 16]>());
    let shared = Arc::new(Shared {
        api,
        token: token.clone(),
    });
    let app = Router::new()
        .route("/api/invoke/{command}", post(invoke))
        .with_state(shared)
        .fallback_service(tower_http::services::ServeDir::new(ui));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    // The first line of stdout is read by the browser tests.
    println!("http://{addr}/?token={token}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn invoke(
    State(shared): State<Arc<Shared>>,
    Path(command): Path<String>,
    headers: HeaderMap,
    Json(args): Json<serde_json::Value>,
) -> Response {
    let expected = format!("Bearer {}", shared.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
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
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::SchemaTooNew | ErrorCode::Storage => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(e)).into_response()
}
