//! JSON API beside the pages: the same operations, the same permission matrix (session cookie).
//! Each handler carries its OpenAPI description (`utoipa::path`); the access each route needs is
//! added to the document from the route table (see `openapi`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use puskesos_domain::identity::Nik;
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};

use super::bodies::{
    ApiError, Eligibility, FamilyBody, NikInvalid, NikValid, Region, SearchResult,
};
use crate::app::access::CurrentUser;
use crate::app::extract::IdPath;
use crate::app::{AppError, AppState};
use crate::features::registry::{Reader, SearchParams, assess_family, load_family, run_search};
use puskesos_domain::ids::FamilyId;

#[utoipa::path(
    get,
    path = "/api/wilayah/{code}",
    tag = "reference",
    summary = "Nama dan jalur kode wilayah Kemendagri / Region code names and path",
    params(("code" = String, Path, description = "PP, PP.KK, PP.KK.CC atau PP.KK.CC.DDDD")),
    responses(
        (status = 200, description = "OK", body = Region),
        (status = 404, description = "Kode tidak dikenal / Unknown code", body = ApiError),
    ),
)]
pub async fn wilayah(
    Path(code): Path<String>,
) -> Result<Json<Region>, (StatusCode, Json<ApiError>)> {
    let w = Wilayah::master();
    match KodeWilayah::parse(&code).filter(|c| w.contains(c)) {
        Some(c) => Ok(Json(Region::of(w, &c))),
        None => Err((
            StatusCode::NOT_FOUND,
            Json(ApiError::new("village-unknown", &[("code", &code)])),
        )),
    }
}

#[utoipa::path(
    get,
    path = "/api/nik/{nik}",
    tag = "reference",
    summary = "Periksa NIK / Check a NIK",
    params(("nik" = String, Path, description = "16 digit")),
    responses(
        (status = 200, description = "NIK sah / valid", body = NikValid),
        (status = 422, description = "NIK tidak sah, dengan alasan / invalid, with reasons", body = NikInvalid),
    ),
)]
pub async fn nik(
    Path(nik): Path<String>,
) -> Result<Json<NikValid>, (StatusCode, Json<NikInvalid>)> {
    match Nik::parse(&nik) {
        Ok(n) => Ok(Json(NikValid::from(&n))),
        Err(issues) => Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(NikInvalid::of(&issues)),
        )),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/keluarga",
    tag = "registry",
    summary = "Cari keluarga / Search families",
    params(SearchParams),
    responses((status = 200, description = "OK", body = SearchResult)),
)]
pub async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchResult>, AppError> {
    let (rows, count) = run_search(&state.db, &user.reach, &params).await?;
    Ok(Json(SearchResult::new(rows, count, params.page())))
}

#[utoipa::path(
    get,
    path = "/api/v1/keluarga/{id}",
    tag = "registry",
    summary = "Data satu keluarga, anggota dan riwayatnya (tercatat di log audit) / One family, its members and history (audited)",
    params(("id" = String, Path, description = "id keluarga (UUIDv7)")),
    responses(
        (status = 200, description = "OK", body = FamilyBody),
        (status = 404, description = "Tidak ada, atau di luar wilayah akun / Absent or outside the account's region", body = ApiError),
    ),
)]
pub async fn family(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<FamilyId>,
) -> Result<Json<FamilyBody>, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let view = load_family(&state.db, &state.audit, Reader::from(&user), id, "api")
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(FamilyBody::from(view)))
}

/// The eligibility answer's query: another reference date.
#[derive(serde::Deserialize, Default)]
pub struct EligibilityParams {
    tanggal: Option<String>,
}

/// One family's assessment and program eligibility as JSON: the same answers as the family page
/// (each program's outcome, gap, expected yearly benefit, members' components and the facts
/// still missing). Reading it is a view of the family: audited like the page.
#[utoipa::path(
    get,
    path = "/api/v1/keluarga/{id}/kelayakan",
    tag = "registry",
    summary = "Penilaian dan kelayakan program satu keluarga: hasil, kesenjangan, perkiraan manfaat setahun, data yang kurang (tercatat di log audit) / One family's assessment and program eligibility: outcome, gap, expected yearly benefit, missing facts (audited)",
    params(
        ("id" = String, Path, description = "id keluarga (UUIDv7)"),
        ("tanggal" = Option<String>, Query, description = "tanggal acuan lain (YYYY-MM-DD); bawaan: tanggal acuan penilaian tersimpan / another reference date; default: the stored assessment's"),
    ),
    responses(
        (status = 200, description = "OK", body = Eligibility),
        (status = 400, description = "Tanggal tidak terbaca / The date cannot be read", body = ApiError),
        (status = 404, description = "Tidak ada, atau di luar wilayah akun / Absent or outside the account's region", body = ApiError),
    ),
)]
pub async fn eligibility(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<FamilyId>,
    axum::extract::Query(q): axum::extract::Query<EligibilityParams>,
) -> Result<Json<Eligibility>, AppError> {
    let on = crate::features::eligibility::service::picked_date(q.tanggal.as_deref())?;
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let view = load_family(
        &state.db,
        &state.audit,
        Reader::from(&user),
        id,
        "api:kelayakan",
    )
    .await?
    .ok_or_else(AppError::not_found)?;
    let assessed = assess_family(&state.db, &state.rules, &view, on).await?;
    Ok(Json(Eligibility::new(view.family.id, &assessed)))
}
