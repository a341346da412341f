//! The kernel of the web server: everything a feature needs and nothing that is a feature.
//! Configuration and state, the access check and the route type, the page layout, formatting,
//! PDF primitives, downloads, extractors and the one error type. The rule that keeps it apart:
//! **nothing in `app/` imports `crate::features`**; features import the kernel, and the crate
//! root (`lib.rs`) puts the features' route slices together.

pub mod access;
pub mod actors;
pub mod download;
pub mod error;
pub mod extract;
pub mod format;
pub mod layout;
pub mod login;
pub mod pdf;
pub mod route;
pub mod run;
pub mod scope;
pub mod state;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;
pub use run::{blocking, quick};
pub use state::{AppState, Rules};

use access::{Gate, refuse, wants_json};
use error::ErrorReport;
use extract::request_lang;
use route::Route;

/// Largest request body accepted (forms; upload routes set their own limit).
const MAX_BODY: usize = 64 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router of a route table: one method router per path, the access check on every route,
/// errors rendered in the request's language, and a tracing span with a request id around each
/// request (`x-request-id`, kept when the client or a proxy sent one).
pub fn router(state: AppState, table: &'static [Route]) -> Router {
    // Paths with several methods (GET and POST /masuk) share one method router.
    let mut by_path: BTreeMap<&str, MethodRouter<AppState>> = BTreeMap::new();
    for r in table {
        let handler = (r.handler)();
        let merged = match by_path.remove(r.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(r.path, merged);
    }
    let mut app = Router::new();
    for (path, mr) in by_path {
        app = app.route(path, mr);
    }
    let gate = Gate {
        state: state.clone(),
        table,
    };
    let https = state.secure_cookies;
    let app = app
        .fallback(|| async { AppError::not_found() })
        .route_layer(middleware::from_fn_with_state(gate, access::access_check))
        .layer(middleware::from_fn_with_state(
            https,
            scope::remember_village,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layout::remember_lang,
        ))
        .layer(middleware::from_fn(render_errors));
    with_security_headers(app, https)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // At the error level: a span is recorded only when its level is enabled,
                    // and the default filter keeps warnings and errors; an info span would leave
                    // a fault's log line without its request id.
                    tracing::error_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                })
                // A fault is logged once, with its cause, by `AppError`.
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The Content-Security-Policy of every page: everything from this server only (no inline
/// script or style: the pages have none), no framing, forms posted only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Security headers on every response (tower-http's header layers): the CSP, no framing, no
/// type sniffing, no referrer (a provider's answer link carries its token in the URL), and
/// HSTS when served over HTTPS (`--secure-cookies` says the server is).
fn with_security_headers(router: Router<AppState>, https: bool) -> Router<AppState> {
    let hsts = https.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let fixed =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::REFERRER_POLICY, "no-referrer"))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
}

/// Turns the report an [`AppError`] left on a response into the page or JSON body, in the
/// request's language (the error itself was logged when it was made).
async fn render_errors(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = request_lang(&parts);
    let json = wants_json(parts.uri.path(), &parts.headers);
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    match resp.extensions_mut().remove::<ErrorReport>() {
        Some(report) => refuse(resp.status(), &report.key, lang, json),
        None => resp.into_response(),
    }
}
