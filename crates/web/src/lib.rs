//! Puskesos web server: server-rendered pages and a JSON API over the registry.
//!
//! Two layers: the kernel in [`app`] (state, access check, route type, layout, formatting, PDF
//! primitives, downloads, extractors, the error type), which never imports a feature, and the
//! features in [`features`], each a folder with its routes, handlers, views and services. This
//! file puts the features' route slices together into the one table that the router, the
//! access check, the OpenAPI document and the access tests all read.

pub mod app;
pub mod features;

use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::Router;
use tokio::net::TcpListener;

pub use app::{AppError, AppState, Rules, blocking, quick};

/// The whole route table, feature by feature.
pub mod routes {
    use super::*;
    pub use crate::app::route::{Access, Route};

    pub static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
        use crate::features::*;
        [
            home::ROUTES,
            accounts::ROUTES,
            registry::ROUTES,
            privacy::ROUTES,
            data::ROUTES,
            eligibility::ROUTES,
            cases::ROUTES,
            activities::ROUTES,
            directory::ROUTES,
            complaints::ROUTES,
            dashboard::ROUTES,
            api::ROUTES,
            dci::ROUTES,
        ]
        .concat()
    });
}

/// The application: the router of the whole table over a state. `serve` and every test build
/// it the same way.
pub struct App;

impl App {
    pub fn build(state: AppState) -> Router {
        app::router(state, &routes::ROUTES)
    }
}

/// The router of the whole application (same as [`App::build`]).
pub fn router(state: AppState) -> Router {
    App::build(state)
}

/// Serves on an already bound listener (tests bind port 0).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    // The DCI outbox sender lives as long as the server.
    let sender = tokio::spawn(features::dci::deliver::run(state.clone()));
    // With the peer's address in each request (per-client limits of the public pages).
    let served = axum::serve(
        listener,
        App::build(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    sender.abort();
    served
}

pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
