//! JSON API beside the pages: the same operations, the same permission matrix (session cookie).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use puskesos_domain::identity::{Nik, mask};
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS, Values};
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use puskesos_domain::{Lang, tr};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::auth::{CurrentUser, refuse};
use crate::pages::{PER_PAGE, SearchParams, load_family, run_search};

fn values_json(fields: &[puskesos_domain::model::Field], values: &Values) -> Value {
    let map: Map<String, Value> = fields
        .iter()
        .zip(values)
        .filter_map(|(f, v)| {
            v.as_ref()
                .map(|v| (f.key.to_string(), json!(v.to_text(f.kind))))
        })
        .collect();
    Value::Object(map)
}

pub async fn wilayah(Path(code): Path<String>) -> Response {
    let w = Wilayah::master();
    match KodeWilayah::parse(&code).filter(|c| w.contains(c)) {
        Some(c) => Json(json!({
            "code": c.as_str(),
            "level": c.level(),
            "name": w.get(c.as_str()).map(|r| r.name),
            "path": w.path(&c).iter().map(|r| json!({"code": r.code, "name": r.name})).collect::<Vec<_>>(),
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({
                "error": "village-unknown",
                "message": tr(Lang::Id, "village-unknown", &[("code", &code)]),
                "message_en": tr(Lang::En, "village-unknown", &[("code", &code)]),
            })),
        )
            .into_response(),
    }
}

pub async fn nik(Path(nik): Path<String>) -> Response {
    match Nik::parse(&nik) {
        Ok(n) => Json(json!({
            "valid": true,
            "kecamatan": n.kecamatan.as_str(),
            "sex": n.sex,
            "day": n.day, "month": n.month, "yy": n.yy,
            "warnings": n.warnings.iter().map(|w| w.message.render(Lang::Id)).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(issues) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "valid": false,
                "errors": issues.iter().map(|i| i.message.render(Lang::Id)).collect::<Vec<_>>(),
                "errors_en": issues.iter().map(|i| i.message.render(Lang::En)).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
    }
}

pub async fn search(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(params): Query<SearchParams>,
) -> Response {
    let page = params.page();
    match run_search(&state, &user, &params).await {
        Ok((rows, total)) => Json(json!({
            "total": total,
            "page": page,
            "per_page": PER_PAGE,
            "families": rows.iter().map(|f| json!({
                "id": f.id,
                "no_kk_masked": mask(&f.no_kk),
                "kode_wilayah": f.village,
                "rt": f.rt, "rw": f.rw, "alamat": f.address,
                "head_name": f.head_name,
                "head_nik_masked": f.head_nik.as_deref().map(mask),
                "members": f.members,
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(_) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "web-db-error",
            Lang::Id,
            true,
        ),
    }
}

pub async fn family(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    match load_family(&state, &user, id, "api").await {
        Ok(Some(v)) => Json(json!({
            "id": v.family.id,
            "family": values_json(FAMILY_FIELDS, &v.family.values),
            "members": v.members.iter().map(|p| {
                let mut m = values_json(PERSON_FIELDS, &p.values);
                m["id"] = json!(p.id);
                m
            }).collect::<Vec<_>>(),
            "history": v.history.iter().map(|h| json!({
                "at_ms": h.at_ms, "actor": h.actor, "action": h.action, "entity": h.entity,
                "entity_id": h.entity_id, "reason": h.reason, "source": h.source,
                "changed": h.changed.iter().map(|(f, o, n)| json!({"field": f, "old": o, "new": n})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Ok(None) => refuse(StatusCode::NOT_FOUND, "web-not-found", Lang::Id, true),
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "web-db-error", Lang::Id, true),
    }
}
