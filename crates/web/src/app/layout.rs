//! The page frame every page is drawn in (header, navigation by role, language switch), the
//! error page, the request's language and the style sheet (compiled in: no CDN).

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::{DOCTYPE, Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::{Lang, tr};

use crate::app::access::CurrentUser;

const STYLE: &str = include_str!("../../assets/style.css");

/// The language of a request: `?lang=` first, then the `lang` cookie, else Indonesian.
pub fn lang_of(query: Option<&str>, jar: &CookieJar) -> Lang {
    asked_lang(query)
        .or_else(|| jar.get("lang").and_then(|c| c.value().parse().ok()))
        .unwrap_or_default()
}

/// The `lang` cookie: a year, so the choice survives closing the browser.
const LANG_COOKIE_DAYS: i64 = 365;

/// The language asked for by `?lang=` on this request, if it names one.
fn asked_lang(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .and_then(|v| v.parse().ok())
}

/// The `lang` cookie for `lang`.
pub fn lang_cookie(lang: Lang, secure: bool) -> axum_extra::extract::cookie::Cookie<'static> {
    use axum_extra::extract::cookie::{Cookie, SameSite};
    let max_age = LANG_COOKIE_DAYS * 24 * 3600;
    let mut c = Cookie::parse(format!("lang={}; Max-Age={max_age}", lang.code()))
        .unwrap_or_else(|_| Cookie::new("lang", lang.code()));
    c.set_path("/");
    c.set_same_site(SameSite::Lax);
    c.set_secure(secure);
    c
}

/// Keeps a language picked with `?lang=` (the header's ID/EN links): in the `lang` cookie for
/// the next pages, and as the signed-in account's preference, restored at its next login.
pub async fn remember_lang(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let asked = asked_lang(req.uri().query());
    let session = asked.and_then(|_| {
        CookieJar::from_headers(req.headers())
            .get(crate::app::access::SESSION_COOKIE)
            .map(|c| c.value().to_string())
    });
    let mut res = next.run(req).await;
    let Some(lang) = asked else {
        return res;
    };
    if let Ok(v) = lang_cookie(lang, state.secure_cookies).to_string().parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Some(token) = session {
        let db = state.db.clone();
        let saved = crate::app::blocking(move || {
            puskesos_storage::accounts::set_lang_of_session(&mut db.conn()?, &token, lang.code())
        })
        .await;
        // The page is shown anyway: a preference not kept is not worth an error page.
        if let Err(e) = saved {
            tracing::warn!(error = ?e, "language preference not kept");
        }
    }
    res
}

/// The common page frame: header with the account and logout, language switch, main content.
pub struct Page {
    lang: Lang,
    title: String,
    user: Option<CurrentUser>,
    body: Markup,
}

impl Page {
    pub fn new(lang: Lang, title: &str) -> Page {
        Page {
            lang,
            title: title.to_string(),
            user: None,
            body: html! {},
        }
    }
    pub fn user(mut self, user: Option<CurrentUser>) -> Page {
        self.user = user;
        self
    }
    pub fn body(mut self, body: Markup) -> Page {
        self.body = body;
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let t = |k: &str| tr(lang, k, &[]);
        let markup = html! {
            (DOCTYPE)
            html lang=(lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) " · Puskesos" }
                    link rel="stylesheet" href="/assets/style.css";
                }
                body {
                    a.skip href="#isi" { (t("web-skip")) }
                    header {
                        h1 { a href="/" { "Puskesos" } }
                        nav aria-label=(t("web-nav")) {
                            @if let Some(u) = &self.user {
                                @if allowed(u.account.role, Action::CasesRead) { a href="/antrean" { (t("web-queue")) } }
                                a href="/registri" { (t("web-registry")) }
                                @if allowed(u.account.role, Action::CasesRead) { a href="/kasus" { (t("web-cases")) } a href="/pengaduan" { (t("web-complaints")) } a href="/kegiatan" { (t("web-activities")) } a href="/penyedia" { (t("dir-menu")) } }
                                @if allowed(u.account.role, Action::DashboardRead) { a href="/dasbor" { (t("fig-dashboard")) } }
                                @if allowed(u.account.role, Action::EligibilityReview) { a href="/kelayakan" { (t("web-eligibility")) } }
                                @if allowed(u.account.role, Action::RegistryImport) { a href="/data" { (t("web-data")) } }
                                @if allowed(u.account.role, Action::AuditRead) { a href="/audit" { (t("web-audit")) } }
                                @if allowed(u.account.role, Action::AccountsManage) { a href="/akun" { (t("web-accounts")) } }
                                a href="/sandi" { (t("web-change-password")) }
                                span.who {
                                    (u.account.display_name)
                                    // An account named after its role (the demo's) shows it once.
                                    @if u.account.display_name != t(&format!("role-{}", u.account.role.code())) {
                                        " · " (t(&format!("role-{}", u.account.role.code())))
                                    }
                                }
                                form.inline method="post" action="/keluar" {
                                    input type="hidden" name="csrf" value=(u.csrf_token);
                                    button type="submit" { (t("web-logout")) }
                                }
                            } @else {
                                a href="/masuk" { (t("web-login-title")) }
                            }
                            a href="?lang=id" lang="id" { "ID" }
                            a href="?lang=en" lang="en" { "EN" }
                        }
                    }
                    main id="isi" { (self.body) }
                    footer { a href="/istilah" { (t("gloss-title")) } }
                }
            }
        };
        let mut resp = Html(markup.into_string()).into_response();
        // Pages with personal data must not be kept by shared browsers or proxies.
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            "no-store".parse().expect("static header"),
        );
        resp
    }
}

pub fn error_page(status: StatusCode, lang: Lang, key: &str) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    (
        status,
        Page::new(lang, &t(key)).body(html! {
            section {
                h2 { (t(key)) }
                p { a href="/" { (t("web-back-home")) } }
            }
        }),
    )
        .into_response()
}

pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        STYLE,
    )
        .into_response()
}
