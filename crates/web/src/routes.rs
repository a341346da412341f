//! The route table: every route with the action it needs. The router is built from this table
//! and nothing else, so a route cannot exist without a rule, and the access tests walk it.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use puskesos_domain::access::Action;

use crate::{
    AppState, accounts, activities, api, auth, cases, complaints, dashboard, data, eligibility,
    forms, openapi, pages, privacy,
};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (no personal data behind it).
    Public,
    /// A logged-in account whose role the matrix allows this action.
    Needs(Action),
}

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: fn() -> MethodRouter<AppState>,
}

macro_rules! route {
    // A route that accepts bodies up to `$limit` bytes (file uploads) instead of the default.
    ($method:ident, $path:literal, $access:expr, $handler:path, limit = $limit:expr) => {
        Route {
            method: Method::$method,
            path: $path,
            access: $access,
            handler: || post($handler).layer(axum::extract::DefaultBodyLimit::max($limit)),
        }
    };
    ($method:ident, $path:literal, $access:expr, $handler:path) => {
        Route {
            method: Method::$method,
            path: $path,
            access: $access,
            handler: || {
                if Method::$method == Method::GET {
                    get($handler)
                } else {
                    post($handler)
                }
            },
        }
    };
}

use Access::{Needs, Public};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/",                           Public,                         pages::home),
    route!(GET,  "/healthz",                    Public,                         pages::healthz),
    route!(GET,  "/assets/style.css",           Public,                         pages::style),
    route!(GET,  "/masuk",                      Public,                         auth::login_form),
    route!(POST, "/masuk",                      Public,                         auth::login_submit),
    route!(POST, "/keluar",                     Needs(Action::OwnAccount),      auth::logout),
    route!(GET,  "/sandi",                      Needs(Action::OwnAccount),      accounts::password_form),
    route!(POST, "/sandi",                      Needs(Action::OwnAccount),      accounts::password_change),
    route!(GET,  "/akun",                       Needs(Action::AccountsManage),  accounts::page),
    route!(POST, "/akun",                       Needs(Action::AccountsManage),  accounts::create),
    route!(POST, "/akun/{id}/status",           Needs(Action::AccountsManage),  accounts::set_status),
    route!(GET,  "/registri",                   Needs(Action::RegistryRead),    pages::search),
    route!(GET,  "/keluarga/{id}",              Needs(Action::RegistryRead),    pages::family),
    route!(GET,  "/keluarga/baru",              Needs(Action::RegistryWrite),   forms::new_family_form),
    route!(POST, "/keluarga/baru",              Needs(Action::RegistryWrite),   forms::new_family_submit),
    route!(GET,  "/keluarga/{id}/ubah",         Needs(Action::RegistryWrite),   forms::edit_family_form),
    route!(POST, "/keluarga/{id}/ubah",         Needs(Action::RegistryWrite),   forms::edit_family_submit),
    route!(GET,  "/keluarga/{id}/anggota/baru", Needs(Action::RegistryWrite),   forms::add_member_form),
    route!(POST, "/keluarga/{id}/anggota/baru", Needs(Action::RegistryWrite),   forms::add_member_submit),
    route!(GET,  "/anggota/{id}/ubah",          Needs(Action::RegistryWrite),   forms::edit_member_form),
    route!(POST, "/anggota/{id}/ubah",          Needs(Action::RegistryWrite),   forms::edit_member_submit),
    route!(GET,  "/audit",                      Needs(Action::AuditRead),       privacy::audit),
    route!(GET,  "/anggota/{id}/data",          Needs(Action::PersonalDataExport), privacy::person_export),
    route!(GET,  "/data",                       Needs(Action::RegistryImport),  data::page),
    route!(POST, "/data/impor",                 Needs(Action::RegistryImport),  data::upload, limit = data::MAX_UPLOAD),
    route!(GET,  "/data/tolak/{id}",            Needs(Action::RegistryExport),  data::rejects),
    route!(GET,  "/data/ekspor",                Needs(Action::RegistryExport),  data::export),
    route!(GET,  "/data/usulan",                Needs(Action::RegistryExport),  data::proposals),
    route!(GET,  "/kelayakan",                  Needs(Action::EligibilityReview), eligibility::overview),
    route!(GET,  "/kelayakan/bagaimana-jika",   Needs(Action::EligibilityReview), eligibility::whatif_page),
    route!(POST, "/kelayakan/bagaimana-jika",   Needs(Action::EligibilityReview), eligibility::whatif_run),
    route!(GET,  "/kelayakan/{program}/{gap}",  Needs(Action::EligibilityReview), eligibility::list),
    route!(GET,  "/kelayakan/{program}/{gap}/ekspor", Needs(Action::EligibilityReview), eligibility::export),
    route!(GET,  "/antrean",                    Needs(Action::OwnAccount),      cases::queue),
    route!(GET,  "/kasus",                      Needs(Action::CasesRead),       cases::list),
    route!(GET,  "/kasus/baru",                 Needs(Action::CasesIntake),     cases::new_form),
    route!(POST, "/kasus/baru",                 Needs(Action::CasesIntake),     cases::new_submit),
    route!(GET,  "/kasus/{id}",                 Needs(Action::CasesRead),       cases::page),
    route!(POST, "/kasus/{id}/langkah",         Needs(Action::CasesWork),       cases::take_step),
    route!(POST, "/kasus/{id}/lampiran",        Needs(Action::CasesWork),       cases::attach, limit = 6 * 1024 * 1024),
    route!(GET,  "/kasus/{id}/lampiran/{aid}",  Needs(Action::CasesRead),       cases::attachment),
    route!(GET,  "/kasus/{id}/rujukan/{rid}/surat", Needs(Action::CasesRead),   cases::letter),
    route!(GET,  "/penyedia",                   Needs(Action::CasesWork),       cases::providers_page),
    route!(POST, "/penyedia",                   Needs(Action::CasesWork),       cases::provider_add),
    route!(GET,  "/rujukan/{id}/jawab",         Public,                         cases::provider_page),
    route!(POST, "/rujukan/{id}/jawab",         Public,                         cases::provider_answer),
    route!(GET,  "/kegiatan",                   Needs(Action::CasesRead),       activities::page),
    route!(POST, "/kegiatan",                   Needs(Action::CasesWork),       activities::record),
    route!(GET,  "/pengaduan",                  Needs(Action::CasesRead),       complaints::list),
    route!(GET,  "/pengaduan/baru",             Needs(Action::CasesIntake),     complaints::new_form),
    route!(POST, "/pengaduan/baru",             Needs(Action::CasesIntake),     complaints::new_submit),
    route!(GET,  "/pengaduan/{id}",             Needs(Action::CasesRead),       complaints::page),
    route!(POST, "/pengaduan/{id}/langkah",     Needs(Action::ComplaintsWork),  complaints::act),
    route!(GET,  "/status",                     Public,                         complaints::status_page),
    route!(POST, "/status",                     Public,                         complaints::status_lookup),
    route!(GET,  "/dasbor",                     Needs(Action::DashboardRead),   dashboard::page),
    route!(GET,  "/dasbor/tabel/{name}",        Needs(Action::DashboardRead),   dashboard::export),
    route!(GET,  "/laporan",                    Needs(Action::DashboardRead),   dashboard::monthly),
    route!(GET,  "/papan/{desa}",               Public,                         dashboard::board),
    route!(GET,  "/papan/{desa}/poster",        Public,                         dashboard::poster),
    route!(GET,  "/assets/contoh-impor.csv",    Public,                         pages::sample),
    route!(GET,  "/api/openapi.json",           Public,                         openapi::serve),
    route!(GET,  "/api/wilayah/{code}",         Public,                         api::wilayah),
    route!(GET,  "/api/nik/{nik}",              Public,                         api::nik),
    route!(GET,  "/api/v1/keluarga",            Needs(Action::RegistryRead),    api::search),
    route!(GET,  "/api/v1/keluarga/{id}",       Needs(Action::RegistryRead),    api::family),
    route!(GET,  "/api/v1/keluarga/{id}/kelayakan", Needs(Action::RegistryRead), api::eligibility),
];

/// The rule of a matched route pattern.
pub fn rule(method: &Method, path: &str) -> Option<Access> {
    ROUTES
        .iter()
        .find(|r| r.path == path && r.method == *method)
        .map(|r| r.access)
}
