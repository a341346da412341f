//! The route type: every route names the action it needs. Each feature contributes its slice of
//! the table (`features::*::ROUTES`); the router is built from the table and nothing else, so a
//! route cannot exist without a rule, and the access tests walk it.

use axum::http::Method;
use axum::routing::MethodRouter;
use puskesos_domain::access::Action;

use crate::app::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (no personal data behind it).
    Public,
    /// A logged-in account whose role the matrix allows this action.
    Needs(Action),
}

#[derive(Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: fn() -> MethodRouter<AppState>,
}

/// One line of the table: `route!(GET, "/path", Needs(Action::X), handler)`.
macro_rules! route {
    // A route that accepts bodies up to `$limit` bytes (file uploads) instead of the default.
    ($method:ident, $path:literal, $access:expr, $handler:path, limit = $limit:expr) => {
        $crate::app::route::Route {
            method: ::axum::http::Method::$method,
            path: $path,
            access: $access,
            handler: || {
                ::axum::routing::post($handler).layer(axum::extract::DefaultBodyLimit::max($limit))
            },
        }
    };
    ($method:ident, $path:literal, $access:expr, $handler:path) => {
        $crate::app::route::Route {
            method: ::axum::http::Method::$method,
            path: $path,
            access: $access,
            handler: || {
                if ::axum::http::Method::$method == ::axum::http::Method::GET {
                    ::axum::routing::get($handler)
                } else {
                    ::axum::routing::post($handler)
                }
            },
        }
    };
}

pub(crate) use route;

/// The rule of a matched route pattern.
pub fn rule(table: &[Route], method: &Method, path: &str) -> Option<Access> {
    table
        .iter()
        .find(|r| r.path == path && r.method == *method)
        .map(|r| r.access)
}

/// The whole table, handed to handlers that describe the routes (the OpenAPI document) by the
/// access check, so that no feature needs to import the table's composition.
#[derive(Clone, Copy)]
pub struct RouteTable(pub &'static [Route]);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RouteTable {
    type Rejection = crate::app::AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RouteTable>()
            .copied()
            .ok_or_else(crate::app::AppError::not_found)
    }
}
