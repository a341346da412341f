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
    /// A partner system of the DCI API with its bearer token (no session, no CSRF: the
    /// handler authenticates the partner and checks its agreement).
    Partner,
}

/// Who records a response of the route in the audit log (UU 27/2022: every response that
/// carries a person's data is recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audit {
    /// The response carries no personal data (or only the caller's own).
    No,
    /// The kernel records each successful response (`read` of the page, with its query).
    Kernel,
    /// The handler's service writes its own, more precise row (a family view, a case, a file).
    Own,
}

#[derive(Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub audit: Audit,
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
            audit: $crate::app::route::Audit::No,
            handler: || {
                ::axum::routing::post($handler).layer(axum::extract::DefaultBodyLimit::max($limit))
            },
        }
    };
    // A route whose responses carry personal data: `audit = Kernel` or `audit = Own`.
    ($method:ident, $path:literal, $access:expr, $handler:path, audit = $audit:ident) => {
        $crate::app::route::Route {
            audit: $crate::app::route::Audit::$audit,
            ..$crate::app::route::route!($method, $path, $access, $handler)
        }
    };
    ($method:ident, $path:literal, $access:expr, $handler:path) => {
        $crate::app::route::Route {
            method: ::axum::http::Method::$method,
            path: $path,
            access: $access,
            audit: $crate::app::route::Audit::No,
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

/// The route of a matched path pattern and method.
pub fn find<'t>(table: &'t [Route], method: &Method, path: &str) -> Option<&'t Route> {
    table.iter().find(|r| r.path == path && r.method == *method)
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
