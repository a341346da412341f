//! The OpenAPI 3.1 document of the JSON API. Operations and schemas are derived: each handler
//! carries its `utoipa::path` and each body type derives `ToSchema`, so nothing is written by
//! hand twice. The route table then decides what the document lists (exactly the API routes
//! that exist) and adds the access each needs. The document is a committed snapshot
//! (`openapi.snapshot.json`): a change to the API shows in review, and
//! `UPDATE_SNAPSHOTS=1 cargo test -p puskesos-web openapi` writes the new one.

use axum::Json;
use axum::http::Method;
use puskesos_domain::{Lang, tr};
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::{HttpMethod, Operation, Paths};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, InfoBuilder, Ref, RefOr, ResponseBuilder};

use super::bodies::ApiError;
use super::handlers;
use crate::app::access::SESSION_COOKIE;
use crate::app::route::{Access, Route, RouteTable};

/// What the derive collects: every API operation and the schemas they refer to.
#[derive(OpenApi)]
#[openapi(
    paths(
        serve,
        handlers::wilayah,
        handlers::nik,
        handlers::search,
        handlers::family,
        handlers::eligibility
    ),
    components(schemas(ApiError))
)]
struct ApiDoc;

/// The security scheme of a logged-in account: the session cookie.
const SESSION: &str = "sesi";

fn http_method(m: &Method) -> Option<HttpMethod> {
    Some(match *m {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::DELETE => HttpMethod::Delete,
        Method::PATCH => HttpMethod::Patch,
        Method::HEAD => HttpMethod::Head,
        Method::OPTIONS => HttpMethod::Options,
        Method::TRACE => HttpMethod::Trace,
        _ => return None,
    })
}

/// The access a route needs, as the document says it: no security for a public route; for
/// the others the session, the action of the permission matrix (`x-puskesos-action`, named in
/// both languages) and the two refusals.
fn with_access(op: &mut Operation, access: Access) {
    let Access::Needs(action) = access else {
        op.security = Some(Vec::new());
        return;
    };
    op.security = Some(vec![SecurityRequirement::new(
        SESSION,
        Vec::<String>::new(),
    )]);
    let mut ext = op.extensions.take().unwrap_or_default();
    ext.merge(Extensions::from_iter([(
        "x-puskesos-action",
        json!(action.code()),
    )]));
    op.extensions = Some(ext);
    let key = format!("action-{}", action.code());
    op.description = Some(format!(
        "{} / {}",
        tr(Lang::Id, &key, &[]),
        tr(Lang::En, &key, &[])
    ));
    for (status, text) in [
        ("401", "Belum masuk / Not logged in"),
        ("403", "Peran tidak berwenang / Role not allowed"),
    ] {
        let refusal = ResponseBuilder::new()
            .description(text)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("Error"))),
            )
            .build();
        op.responses
            .responses
            .insert(status.to_string(), RefOr::T(refusal));
    }
}

/// The document for a route table: the derived operations of the table's `/api/` routes, each
/// with its access.
pub fn document(table: &[Route]) -> Value {
    let mut doc = ApiDoc::openapi();
    doc.info = InfoBuilder::new()
        .title("Puskesos API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Registri sosial desa / Village social registry. Same permission matrix as the pages (docs/roles.md).",
        ))
        .build();
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
    let derived = std::mem::take(&mut doc.paths);
    let mut paths = Paths::new();
    for r in table.iter().filter(|r| r.path.starts_with("/api/")) {
        let Some(method) = http_method(&r.method) else {
            continue;
        };
        // A route without a derived operation is missing from the document (the test says so).
        let Some(op) = derived.get_path_operation(r.path, method.clone()) else {
            continue;
        };
        let mut op = op.clone();
        with_access(&mut op, r.access);
        paths.add_path_operation(r.path, vec![method], op);
    }
    doc.paths = paths;
    // Through a JSON value: its maps sort their keys, so the document is the same bytes on
    // every run.
    serde_json::to_value(&doc).expect("an OpenAPI document has string keys only")
}

#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "document",
    summary = "Dokumen ini / This document",
    responses((status = 200, description = "OK")),
)]
pub async fn serve(RouteTable(table): RouteTable) -> Json<Value> {
    Json(document(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_lists_every_api_route_with_its_access() {
        let table = &crate::routes::ROUTES;
        let doc = document(table);
        for r in table.iter().filter(|r| r.path.starts_with("/api/")) {
            let op = &doc["paths"][r.path][r.method.as_str().to_lowercase()];
            assert!(op.is_object(), "{} {} missing", r.method, r.path);
            assert!(
                !op["summary"].as_str().unwrap_or("").starts_with("/api"),
                "{} has no summary",
                r.path
            );
            match r.access {
                Access::Public => assert_eq!(op["security"], json!([])),
                // The DCI API lives under /registry and is described by the standard.
                Access::Partner => panic!("{} is a partner route under /api/", r.path),
                Access::Needs(a) => {
                    assert_eq!(op["x-puskesos-action"], json!(a.code()));
                    assert_eq!(op["security"], json!([{ "sesi": [] }]));
                    assert!(op["responses"]["401"].is_object(), "{} lacks 401", r.path);
                }
            }
        }
        // Nothing is documented that the table does not serve.
        let documented = doc["paths"].as_object().map(|p| p.len()).unwrap_or(0);
        let served: std::collections::BTreeSet<&str> = table
            .iter()
            .filter(|r| r.path.starts_with("/api/"))
            .map(|r| r.path)
            .collect();
        assert_eq!(documented, served.len());
        assert_eq!(doc["openapi"], "3.1.0");
    }

    #[test]
    fn openapi_document_matches_its_snapshot() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/features/api/openapi.snapshot.json");
        let mut text = serde_json::to_string_pretty(&document(&crate::routes::ROUTES)).unwrap();
        text.push('\n');
        if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &text).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            let line = committed
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(text.lines().count()));
            panic!(
                "the OpenAPI document differs from {} from line {}: {:?} (committed) against \
                 {:?} (now). If the change is meant, run \
                 UPDATE_SNAPSHOTS=1 cargo test -p puskesos-web openapi and commit the file.",
                path.display(),
                line + 1,
                committed.lines().nth(line).unwrap_or(""),
                text.lines().nth(line).unwrap_or(""),
            );
        }
    }
}
