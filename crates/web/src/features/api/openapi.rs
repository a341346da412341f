//! The OpenAPI 3.1 document of the JSON API, built from the route table so that it lists exactly
//! the API routes that exist, with the access each needs.

use axum::Json;
use axum::response::{IntoResponse, Response};
use puskesos_domain::{Lang, tr};
use serde_json::{Value, json};

use crate::app::route::{Access, Route, RouteTable};

/// Summary, parameters and the response schema of each API route, by path.
fn operation(path: &str) -> Value {
    let page = json!([
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "NIK, nomor KK (16 digit) atau bagian nama / NIK, KK number or part of a name"},
        {"name": "rt", "in": "query", "schema": {"type": "string"}},
        {"name": "rw", "in": "query", "schema": {"type": "string"}},
        {"name": "hal", "in": "query", "schema": {"type": "integer", "minimum": 1}, "description": "halaman / page"}
    ]);
    let id = |name: &str, desc: &str| json!([{"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": desc}]);
    match path {
        "/api/v1/keluarga" => json!({
            "summary": "Cari keluarga / Search families",
            "parameters": page,
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}}}}
        }),
        "/api/v1/keluarga/{id}" => json!({
            "summary": "Data satu keluarga, anggota dan riwayatnya (tercatat di log audit) / One family, its members and history (audited)",
            "parameters": id("id", "id keluarga (UUIDv7)"),
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Family"}}}},
                "404": {"description": "Tidak ada, atau di luar wilayah akun / Absent or outside the account's region"}
            }
        }),
        "/api/v1/keluarga/{id}/kelayakan" => json!({
            "summary": "Penilaian dan kelayakan program satu keluarga: hasil, kesenjangan, perkiraan manfaat setahun, data yang kurang (tercatat di log audit) / One family's assessment and program eligibility: outcome, gap, expected yearly benefit, missing facts (audited)",
            "parameters": id("id", "id keluarga (UUIDv7)"),
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Eligibility"}}}},
                "404": {"description": "Tidak ada, atau di luar wilayah akun / Absent or outside the account's region"}
            }
        }),
        "/api/nik/{nik}" => json!({
            "summary": "Periksa NIK / Check a NIK",
            "parameters": id("nik", "16 digit"),
            "responses": {"200": {"description": "NIK sah / valid"}, "422": {"description": "NIK tidak sah, dengan alasan / invalid, with reasons"}}
        }),
        "/api/wilayah/{code}" => json!({
            "summary": "Nama dan jalur kode wilayah Kemendagri / Region code names and path",
            "parameters": id("code", "PP, PP.KK, PP.KK.CC atau PP.KK.CC.DDDD"),
            "responses": {"200": {"description": "OK"}, "404": {"description": "Kode tidak dikenal / Unknown code"}}
        }),
        "/api/openapi.json" => {
            json!({"summary": "Dokumen ini / This document", "responses": {"200": {"description": "OK"}}})
        }
        _ => json!({"summary": path, "responses": {"200": {"description": "OK"}}}),
    }
}

pub fn document(table: &[Route]) -> Value {
    let mut paths = serde_json::Map::new();
    for r in table.iter().filter(|r| r.path.starts_with("/api/")) {
        let mut op = operation(r.path);
        match r.access {
            Access::Public => op["security"] = json!([]),
            Access::Needs(action) => {
                op["security"] = json!([{"sesi": []}]);
                op["x-puskesos-action"] = json!(action.code());
                op["description"] = json!(format!(
                    "{} / {}",
                    tr(Lang::Id, &format!("action-{}", action.code()), &[]),
                    tr(Lang::En, &format!("action-{}", action.code()), &[])
                ));
                op["responses"]["401"] = json!({"description": "Belum masuk / Not logged in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
                op["responses"]["403"] = json!({"description": "Peran tidak berwenang / Role not allowed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
            }
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.as_str().to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Puskesos API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Registri sosial desa / Village social registry. Same permission matrix as the pages (docs/roles.md)."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"sesi": {"type": "apiKey", "in": "cookie", "name": crate::app::access::SESSION_COOKIE}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message", "message_en"], "properties": {
                    "error": {"type": "string"}, "message": {"type": "string"}, "message_en": {"type": "string"}}},
                "SearchResult": {"type": "object", "properties": {
                    "total": {"type": "integer", "description": "families found so far (at least this many when `more`)"}, "more": {"type": "boolean", "description": "more families than `total` match"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "families": {"type": "array", "items": {"type": "object", "properties": {
                        "id": {"type": "string"}, "no_kk_masked": {"type": "string"}, "kode_wilayah": {"type": "string"},
                        "rt": {"type": ["string", "null"]}, "rw": {"type": ["string", "null"]}, "alamat": {"type": ["string", "null"]},
                        "head_name": {"type": ["string", "null"]}, "head_nik_masked": {"type": ["string", "null"]}, "members": {"type": "integer"}}}}}},
                "Family": {"type": "object", "properties": {
                    "id": {"type": "string"},
                    "family": {"type": "object", "additionalProperties": {"type": "string"}, "description": "docs/import-format.md"},
                    "members": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}},
                    "history": {"type": "array", "items": {"type": "object"}}}},
                "Eligibility": {"type": "object", "properties": {
                    "family_id": {"type": "string"}, "assessed_on": {"type": "string", "format": "date"},
                    "rules": {"type": "string"},
                    "decile": {"type": "object", "properties": {"dtsen": {"type": ["integer", "null"]}, "local": {"type": ["integer", "null"]}, "effective": {"type": ["integer", "null"]}, "disagree": {"type": "boolean"}}},
                    "programs": {"type": "array", "items": {"type": "object", "properties": {
                        "program": {"type": "string"}, "outcome": {"enum": ["eligible", "not_eligible", "unknown"]},
                        "receives": {"type": "boolean"}, "gap": {"enum": ["none", "exclusion", "inclusion", "undecided"]},
                        "yearly_amount": {"type": "integer"}, "condition": {"type": "string"},
                        "components": {"type": "array", "items": {"type": "object"}},
                        "missing_facts": {"type": "array", "items": {"type": "string"}}}}}}}
            }
        }
    })
}

pub async fn serve(RouteTable(table): RouteTable) -> Response {
    Json(document(table)).into_response()
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
                Access::Needs(a) => assert_eq!(op["x-puskesos-action"], json!(a.code())),
            }
        }
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
