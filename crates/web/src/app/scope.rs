//! Which village a page is about: the account's own, or one that a district account picked
//! (`?desa=` on the page, remembered in a cookie), and the picker it is shown when it has not
//! picked one yet.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::html;
use puskesos_domain::access::Reach;
use puskesos_domain::wilayah::{KodeWilayah, Level, Wilayah};
use puskesos_domain::{Lang, tr};

use crate::app::access::CurrentUser;
use crate::app::layout::Page;

/// The cookie that keeps a district account's village from page to page.
pub const VILLAGE_COOKIE: &str = "puskesos_desa";

/// The account's own village, or for a district (or wider) account the `desa` it asked for
/// when that village lies within its reach.
pub fn village_for(user: &CurrentUser, asked: Option<&str>) -> Option<String> {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => Some(r.to_string()),
        reach => {
            let v = KodeWilayah::parse(asked?)?;
            (v.level() == Level::DesaKelurahan && reach.covers(&v)).then(|| v.to_string())
        }
    }
}

/// Whether the account is bound to one village (else it picks one: a district account).
pub fn is_village_account(user: &CurrentUser) -> bool {
    matches!(&user.reach, Reach::Within(r) if r.level() == Level::DesaKelurahan)
}

/// The village a request asks for: `?desa=` when given (empty means "choose again"), else the
/// remembered one.
pub fn asked_village(query: Option<&str>, headers: &HeaderMap) -> Option<String> {
    match crate::app::extract::desa_param(query) {
        Some(d) => Some(d).filter(|d| !d.is_empty()),
        None => CookieJar::from_headers(headers)
            .get(VILLAGE_COOKIE)
            .map(|c| c.value().to_string()),
    }
}

/// The query that keeps a district account on the same village (`?desa=...`), empty for
/// village accounts.
pub fn desa_query(user: &CurrentUser, village: &str) -> String {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => String::new(),
        _ => format!("?desa={village}"),
    }
}

/// The villages a district account can pick, by kecamatan: `(kecamatan, [(code, name)])`.
/// Empty for a reach wider than a kab/kota (the administrator types a code instead).
pub fn villages_of(user: &CurrentUser) -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let Reach::Within(r) = &user.reach else {
        return Vec::new();
    };
    let w = Wilayah::master();
    let districts = match r.level() {
        Level::KabupatenKota => w.children(Some(r)),
        Level::Kecamatan => w.get(r.as_str()).into_iter().collect(),
        _ => return Vec::new(),
    };
    districts
        .into_iter()
        .map(|k| {
            let code = KodeWilayah::parse(k.code);
            let villages = w
                .children(code.as_ref())
                .into_iter()
                .map(|v| (v.code, v.name))
                .collect();
            (k.name, villages)
        })
        .collect()
}

/// The page a district account sees where a page is about one village and it has not picked
/// one (or picked one outside its reach): its villages by name, sent back to `path`.
pub fn picker(lang: Lang, user: CurrentUser, path: &str, status: StatusCode) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let groups = villages_of(&user);
    let body = html! {
        h1 { (t("web-choose-village-title")) }
        p { (t("web-choose-village-help")) }
        form method="get" action=(path) class="village-picker" {
            label for="desa" { (t("web-village")) }
            @if groups.is_empty() {
                input id="desa" name="desa" required placeholder="33.12.01.2003";
            } @else {
                select id="desa" name="desa" required {
                    option value="" { "—" }
                    @for (kecamatan, villages) in &groups {
                        optgroup label=(format!("{} {kecamatan}", t("web-kecamatan"))) {
                            @for (code, name) in villages {
                                option value=(code) { (name) }
                            }
                        }
                    }
                }
            }
            button type="submit" { (t("web-choose-village-go")) }
        }
    };
    (
        status,
        Page::new(lang, &t("web-choose-village-title"))
            .user(Some(user))
            .body(body),
    )
        .into_response()
}

/// The "village: X (change)" line of a page a district account is on.
pub fn village_bar(lang: Lang, user: &CurrentUser, village: &str, path: &str) -> maud::Markup {
    if is_village_account(user) {
        return html! {};
    }
    html! {
        p class="village-bar" {
            (tr(lang, "web-village", &[])) ": "
            strong { (crate::app::format::region_full_name(village)) }
            " · "
            a href=(format!("{path}?desa=")) { (tr(lang, "web-choose-village-change", &[])) }
        }
    }
}

/// Keeps the village a page was successfully shown for (`?desa=`) in a cookie, so the menu's
/// links stay on it for a district account. Village accounts never read it.
pub async fn remember_village(
    axum::extract::State(secure): axum::extract::State<bool>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let asked = crate::app::extract::desa_param(req.uri().query())
        .filter(|d| KodeWilayah::parse(d).is_some_and(|k| k.level() == Level::DesaKelurahan));
    let mut res = next.run(req).await;
    if let Some(code) = asked.filter(|_| res.status().is_success()) {
        let mut cookie = axum_extra::extract::cookie::Cookie::new(VILLAGE_COOKIE, code);
        cookie.set_path("/");
        cookie.set_http_only(true);
        cookie.set_same_site(axum_extra::extract::cookie::SameSite::Lax);
        cookie.set_secure(secure);
        if let Ok(v) = cookie.to_string().parse() {
            res.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
    res
}
