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

use crate::app::AppState;
use crate::app::access::{CurrentUser, refuse};
use crate::features::registry::pages::{PER_PAGE, SearchParams, load_family, run_search};

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
        Ok((rows, count)) => Json(json!({
            "total": count.total,
            "more": count.more,
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

/// One family's assessment and program eligibility as JSON: the same answers as the family page
/// (each program's outcome, gap, expected yearly benefit, members' components and the facts
/// still missing). Reading it is a view of the family: audited like the page.
pub async fn eligibility(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let view = match load_family(&state, &user, id, "api").await {
        Ok(Some(v)) => v,
        Ok(None) => return refuse(StatusCode::NOT_FOUND, "web-not-found", Lang::Id, true),
        Err(_) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "web-db-error",
                Lang::Id,
                true,
            );
        }
    };
    let village = view
        .family
        .values
        .get(1)
        .and_then(|v| v.as_ref())
        .and_then(|v| v.as_text())
        .unwrap_or_default()
        .to_string();
    let db = state.db.clone();
    let rules = state.rules.clone();
    let v = village.clone();
    let loaded = crate::blocking(move || {
        let assessor = rules.assessor()?;
        let mut conn = db.conn()?;
        Ok((
            puskesos_storage::assessment::cutoffs(&mut conn, &v)?,
            assessor,
        ))
    })
    .await;
    let Ok((cutoffs, assessor)) = loaded else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "web-db-error",
            Lang::Id,
            true,
        );
    };
    let mut prepared = assessor.prepare(&village, &view.family, &view.members);
    let summary = assessor.finish(
        &mut prepared,
        cutoffs.as_ref(),
        &mut puskesos_domain::rules::Scratch::default(),
    );
    let programs: Vec<Value> = assessor
        .rules
        .programs
        .iter()
        .map(|p| {
            let e = p.explain(&prepared.facts);
            json!({
                "program": p.code,
                "version": p.version,
                "name": {"id": p.name_id, "en": p.name_en},
                "outcome": e.decision.outcome.code(),
                "receives": e.decision.receives,
                "gap": e.decision.gap().code(),
                "yearly_amount": e.decision.amount,
                "condition": p.eligible.text,
                "components": e.shares.iter().map(|s| json!({
                    "member": s.member,
                    "component": p.components.get(s.component).map(|c| c.code.as_str()),
                    "amount": s.amount,
                    "counted": s.counted,
                })).collect::<Vec<_>>(),
                "missing_facts": e.missing.iter().map(|f| puskesos_domain::rules::fact_name(*f)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(json!({
        "family_id": view.family.id,
        "assessed_on": assessor.on.to_string(),
        "rules": assessor.rules.fingerprint(),
        "bps14": {"met": summary.bps14_met, "verdict": summary.bps14_verdict},
        "kepmensos262": summary.fakir_miskin,
        "pmt_per_capita_month": summary.per_capita,
        "decile": {
            "dtsen": prepared.official_decile,
            "local": summary.local_decile,
            "effective": summary.effective_decile,
            "disagree": summary.deciles_disagree,
        },
        "programs": programs,
    }))
    .into_response()
}
