//! Every route against every role, generated from the route table and the permission matrix;
//! village isolation; CSRF, sessions, login and hostile input. Real app, real database (the
//! router is called in-process, the database is a real SQLite file or PostgreSQL database).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use puskesos_domain::access::{Role, allowed};
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS, Value, Values, field_index};
use puskesos_storage::accounts::{self, NewAccount};
use puskesos_storage::registry::{self, FamilyInput, WriteCtx};
use puskesos_storage::{Db, now_ms, testing};
use puskesos_web::app::route::Audit;
use puskesos_web::routes::{Access, ROUTES};
use puskesos_web::{App, AppState};
use tower::ServiceExt;

use crate::support::Held;

const VILLAGE_A: &str = "33.12.01.2003";
const VILLAGE_B: &str = "33.12.01.2004";
const PASSWORD: &str = "kopi-tubruk-jam-tujuh";

struct Fixture {
    db: Held<Db>,
    engine: &'static str,
    family_a: String,
    person_a: String,
    family_b: String,
    _t: Held<testing::TestDb>,
}

fn set(fields: &[puskesos_domain::model::Field], v: &mut Values, key: &str, value: &str) {
    v[field_index(fields, key).unwrap()] = Some(Value::Text(value.into()));
}

fn family(db: &Db, village: &str, kk: &str, nik: &str, name: &str) -> String {
    let mut f = vec![None; FAMILY_FIELDS.len()];
    set(FAMILY_FIELDS, &mut f, "no_kk", kk);
    set(FAMILY_FIELDS, &mut f, "kode_wilayah", village);
    set(FAMILY_FIELDS, &mut f, "rt", "001");
    set(FAMILY_FIELDS, &mut f, "rw", "002");
    let mut p = vec![None; PERSON_FIELDS.len()];
    set(PERSON_FIELDS, &mut p, "nik", nik);
    set(PERSON_FIELDS, &mut p, "nama", name);
    set(PERSON_FIELDS, &mut p, "jenis_kelamin", "P");
    set(PERSON_FIELDS, &mut p, "tanggal_lahir", "1990-01-01");
    set(PERSON_FIELDS, &mut p, "hubungan", "kepala_keluarga");
    let input = FamilyInput {
        values: f,
        family_present: vec![true; FAMILY_FIELDS.len()],
        person_present: vec![true; PERSON_FIELDS.len()],
        members: vec![(1, p)],
    };
    let ctx = WriteCtx {
        actor: "test".into(),
        reason: None,
        source: "test".into(),
        now_ms: now_ms(),
    };
    registry::save_family(&mut db.conn().unwrap(), &input, &ctx)
        .unwrap()
        .family_id
}

fn fixture(t: testing::TestDb) -> Fixture {
    let db = t.db.clone();
    let family_a = family(
        &db,
        VILLAGE_A,
        "3312011502150003",
        "3312014101900001",
        "Siti <script>alert(1)</script>",
    );
    let family_b = family(
        &db,
        VILLAGE_B,
        "3312011502150004",
        "3312014101900002",
        "Warga Desa Lain",
    );
    let mut conn = db.conn().unwrap();
    let person_a = registry::members(&mut conn, &family_a).unwrap()[0]
        .id
        .clone();
    for role in Role::ALL {
        let region = match role {
            Role::Admin => None,
            Role::DinasSosial => Some("33.12"),
            _ => Some(VILLAGE_A),
        };
        accounts::create(
            &mut conn,
            &NewAccount {
                username: role.code(),
                display_name: role.code(),
                role,
                region,
                password: PASSWORD,
            },
            "test",
            now_ms(),
        )
        .unwrap();
    }
    // A district officer of another kab/kota.
    accounts::create(
        &mut conn,
        &NewAccount {
            username: "dinsos_lain",
            display_name: "Dinsos lain",
            role: Role::DinasSosial,
            region: Some("33.13"),
            password: PASSWORD,
        },
        "test",
        now_ms(),
    )
    .unwrap();
    Fixture {
        db: Held::new(db),
        engine: t.label,
        family_a,
        person_a,
        family_b,
        _t: Held::new(t),
    }
}

fn app(f: &Fixture) -> axum::Router {
    App::build(AppState {
        audit: sync(|| puskesos_storage::audit_writer::AuditWriter::start(&f.db).unwrap()),
        db: f.db.clone(),
        village: None,
        secure_cookies: false,
        public_url: "http://127.0.0.1:8080".into(),
        trust_proxy: false,
        files_dir: std::env::temp_dir()
            .join(format!("puskesos-web-test-{}", puskesos_storage::new_id())),
        rules: Default::default(),
    })
}

/// Logs in through the storage layer: `(cookie header, csrf token)`.
/// The synchronous PostgreSQL client may not block a runtime thread: database work in these
/// async tests goes through here.
fn sync<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

fn session(f: &Fixture, username: &str) -> (String, String) {
    let s =
        sync(|| accounts::login(&mut f.db.conn().unwrap(), username, PASSWORD, now_ms()).unwrap());
    (format!("puskesos_sesi={}", s.token), s.csrf_token)
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    set_cookie: Vec<String>,
    body: String,
}

async fn call(
    app: &axum::Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let set_cookie = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        location,
        set_cookie,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

impl Fixture {
    fn label(&self) -> &'static str {
        self.engine
    }
}

fn concrete(path: &str, f: &Fixture) -> String {
    let id = if path.starts_with("/anggota/") {
        &f.person_a
    } else {
        &f.family_a
    };
    // Every placeholder the fixture can fill: a program and gap, a dashboard table, the
    // village of the public board. (Ids of cases, complaints, files and referrals stay
    // unknown: those routes answer 404 to an allowed role; their own tests open real ones.)
    path.replace("{id}", id)
        .replace("{rid}", &f.family_a)
        .replace("{code}", "33.12")
        .replace("{nik}", "3312014101900001")
        .replace("{program}", "pkh")
        .replace("{gap}", "exclusion")
        .replace("{name}", "penduduk")
        .replace("{desa}", VILLAGE_A)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_for_every_role_follows_the_matrix() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let mut checked = 0;
        for route in ROUTES.iter() {
            let uri = concrete(route.path, &f);
            // Anonymous.
            let r = call(&app, route.method.clone(), &uri, None, Some("")).await;
            match route.access {
                Access::Public => assert_ne!(r.status, StatusCode::UNAUTHORIZED, "{uri}"),
                // The DCI API answers partner tokens only (tests/web/dci.rs).
                Access::Partner => assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}"),
                Access::Needs(_) if uri.starts_with("/api/") => {
                    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "anonymous {uri}")
                }
                Access::Needs(_) => {
                    assert_eq!(r.location.as_deref(), Some("/masuk"), "anonymous {uri}")
                }
            }
            for role in Role::ALL {
                let (cookie, csrf) = session(&f, role.code());
                let form = format!("csrf={csrf}");
                let mut audited_before = audit_rows(&f);
                let mut r =
                    call(&app, route.method.clone(), &uri, Some(&cookie), Some(&form)).await;
                if r.body.contains("class=\"village-picker\"") {
                    // A district account with no village chosen gets the picker (no one's
                    // data); the same request for a village in its reach follows the rules.
                    assert!(
                        r.status == StatusCode::OK,
                        "{role:?} {uri}: picker {}",
                        r.status
                    );
                    let sep = if uri.contains('?') { '&' } else { '?' };
                    let at = format!("{uri}{sep}desa={VILLAGE_A}");
                    audited_before = audit_rows(&f);
                    r = call(&app, route.method.clone(), &at, Some(&cookie), Some(&form)).await;
                }
                let audited = audit_rows(&f) - audited_before;
                if route.access == Access::Partner {
                    // A session is not a partner's token.
                    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{role:?} {uri}");
                    checked += 1;
                    continue;
                }
                let expect_ok = match route.access {
                    Access::Partner => unreachable!("answered above"),
                    Access::Public => true,
                    Access::Needs(action) => allowed(role, action),
                };
                if expect_ok {
                    // Allowed: the handler ran (an empty form may be refused for its content).
                    assert!(
                        r.status != StatusCode::FORBIDDEN
                        && r.status != StatusCode::UNAUTHORIZED
                        // (logging out is the one allowed way to land on the login page)
                        && (r.location.as_deref() != Some("/masuk") || route.path == "/keluar")
                        && !r.status.is_server_error(),
                        "{role:?} {} {uri}: {}",
                        route.method,
                        r.status
                    );
                    // A page the fixture has (no placeholder left, or the family and person
                    // it made) is the page itself, or a redirect; only the district office may
                    // be asked to choose a village first (the_district_office_chooses_...).
                    let real = !route.path.contains('{')
                        || route.path.starts_with("/keluarga/{id}")
                        || route.path.starts_with("/anggota/{id}")
                        || route.path.starts_with("/api/v1/keluarga/{id}")
                        || route.path.starts_with("/papan/{desa}")
                        || route.path.starts_with("/kelayakan/{program}/{gap}")
                        || route.path == "/dasbor/tabel/{name}";
                    if route.method == Method::GET && real {
                        let choose = role == Role::DinasSosial
                            && r.status == StatusCode::NOT_FOUND
                            && r.body.contains("Pilih desa/kelurahan");
                        assert!(
                            r.status.is_success() || r.status.is_redirection() || choose,
                            "{role:?} GET {uri}: {}",
                            r.status
                        );
                    }
                    // Every response with a person's data is recorded: by the kernel, or by
                    // the handler's own, more precise row.
                    if r.status == StatusCode::OK && route.audit != Audit::No {
                        assert!(audited >= 1, "{role:?} {} {uri}: not audited", route.method);
                    }
                    if route.audit == Audit::No && route.method == Method::GET {
                        assert_eq!(
                            audited, 0,
                            "{role:?} {uri}: rows for a page without personal data"
                        );
                    }
                } else {
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{role:?} {} {uri}",
                        route.method
                    );
                    // A refusal by the matrix is recorded too.
                    assert_eq!(
                        audited, 1,
                        "{role:?} {} {uri}: refusal not audited",
                        route.method
                    );
                }
                checked += 1;
            }
        }
        assert_eq!(checked, ROUTES.len() * Role::ALL.len());
        // The pool's PostgreSQL connections may not be closed on a runtime thread.
        sync(move || drop((app, f)));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_village_sees_nothing_of_another_village() {
    for t in crate::support::databases() {
        let label = t.label;
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (cookie, _) = session(&f, "ketua");
        for uri in [
            format!("/keluarga/{}", f.family_b),
            format!("/api/v1/keluarga/{}", f.family_b),
        ] {
            let r = call(&app, Method::GET, &uri, Some(&cookie), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{label} {uri}");
            assert!(!r.body.contains("Warga Desa Lain"));
        }
        let r = call(
            &app,
            Method::GET,
            "/api/v1/keluarga?q=warga",
            Some(&cookie),
            None,
        )
        .await;
        assert!(r.body.contains("\"total\":0"), "{label}: {}", r.body);
        let r = call(
            &app,
            Method::GET,
            "/registri?q=3312014101900002",
            Some(&cookie),
            None,
        )
        .await;
        assert!(!r.body.contains(&f.family_b), "{label}");
        // The refused look is in the audit log.
        let audit = sync(|| registry::audit_of(&mut f.db.conn().unwrap(), &f.family_b).unwrap());
        assert!(
            audit
                .iter()
                .any(|a| a.action == "view-refused" && a.actor == "user:ketua")
        );

        // A case, complaint, letter or attachment that is not the village's: 404, and the
        // attempt is recorded like a refused family view.
        let stranger = "0193d0a4-7a3c-7f00-8000-0000000000b2";
        for (uri, entity) in [
            (format!("/kasus/{stranger}"), "case"),
            (format!("/pengaduan/{stranger}"), "complaint"),
            (
                format!("/kasus/{stranger}/rujukan/{stranger}/surat"),
                "referral_letter",
            ),
            (
                format!("/kasus/{stranger}/lampiran/{stranger}"),
                "attachment",
            ),
        ] {
            let r = call(&app, Method::GET, &uri, Some(&cookie), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{label} {uri}");
            let rows = sync(|| {
                f.db.conn()
                    .unwrap()
                    .query_i64(
                        &format!(
                            "SELECT COUNT(*) FROM audit_log WHERE action = 'view-refused' \
                             AND entity = '{entity}' AND entity_id = '{stranger}' \
                             AND actor = 'user:ketua'"
                        ),
                        &[],
                    )
                    .unwrap()
            });
            assert_eq!(rows, 1, "{label} {uri}: refusal not recorded");
        }

        // The district office sees both villages of its kab/kota; another district sees neither.
        let (dinsos, _) = session(&f, "dinas_sosial");
        let r = call(&app, Method::GET, "/api/v1/keluarga", Some(&dinsos), None).await;
        assert!(r.body.contains("\"total\":2"), "{label}: {}", r.body);
        let (other, _) = session(&f, "dinsos_lain");
        let r = call(
            &app,
            Method::GET,
            &format!("/keluarga/{}", f.family_a),
            Some(&other),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{label}");
        drop(app);
        sync(move || drop(f));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn family_page_shows_history_escapes_scripts_and_is_audited() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (cookie, _) = session(&f, "review_analisis");
        let r = call(
            &app,
            Method::GET,
            &format!("/keluarga/{}", f.family_a),
            Some(&cookie),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body
                .contains("Siti &lt;script&gt;alert(1)&lt;/script&gt;"),
            "name must be escaped"
        );
        assert!(!r.body.contains("<script>alert(1)"));
        assert!(r.body.contains("Riwayat perubahan"));
        // The BPS assessment, undecided for a family with almost no facts, names what is missing.
        assert!(r.body.contains("Kriteria rumah tangga miskin BPS"));
        assert!(r.body.contains("Belum dapat diputuskan"));
        assert!(r.body.contains("Data yang perlu dilengkapi"));
        assert!(r.body.contains("dibuat"));
        let audit = sync(|| registry::audit_of(&mut f.db.conn().unwrap(), &f.family_a)).unwrap();
        assert_eq!(audit[0].action, "view");
        assert_eq!(audit[0].actor, "user:review_analisis");
        // Lists mask the NIK; the family page shows it whole.
        let r = call(&app, Method::GET, "/registri?q=siti", Some(&cookie), None).await;
        assert!(r.body.contains("******410190****"));
        assert!(!r.body.contains("3312014101900001"));
        // English on request.
        let r = call(&app, Method::GET, "/registri?lang=en", Some(&cookie), None).await;
        assert!(r.body.contains("families found"));
        // The pool's PostgreSQL connections may not be closed on a runtime thread.
        sync(move || drop((app, f)));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn login_form_sets_a_safe_cookie_and_failures_wait_without_locking() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let form = call(&app, Method::GET, "/masuk", None, None).await;
        let pre = form
            .set_cookie
            .iter()
            .find(|c| c.starts_with("puskesos_csrf="))
            .unwrap();
        let pre_value = pre.split(';').next().unwrap().to_string();
        let token = pre_value.trim_start_matches("puskesos_csrf=").to_string();
        assert!(form.body.contains(&token));

        // Without the matching token: refused.
        let r = call(
            &app,
            Method::POST,
            "/masuk",
            Some(&pre_value),
            Some("username=ketua&password=kopi-tubruk-jam-tujuh&csrf=palsu"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let ok = call(
            &app,
            Method::POST,
            "/masuk",
            Some(&pre_value),
            Some(&format!("username=ketua&password={PASSWORD}&csrf={token}")),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let sesi = ok
            .set_cookie
            .iter()
            .find(|c| c.starts_with("puskesos_sesi="))
            .unwrap();
        assert!(
            sesi.contains("HttpOnly") && sesi.contains("SameSite=Strict"),
            "{sesi}"
        );

        // A wrong password makes the next try of that name wait a second, the right password
        // too; an unknown name answers the same way, word for word. After the wait the right
        // password gets in: nothing a guesser does locks the account.
        let post = |user: &str, password: &str| {
            let body = format!("username={user}&password={password}&csrf={token}");
            let (app, pre) = (app.clone(), pre_value.clone());
            async move { call(&app, Method::POST, "/masuk", Some(&pre), Some(&body)).await }
        };
        let alert = |body: &str| {
            let at = body.find("role=\"alert\">").expect("an alert");
            let rest = &body[at..];
            rest[..rest.find("</p>").unwrap()].to_string()
        };
        let mut answers = Vec::new();
        for user in ["pengolah_data", "tidak-ada-orangnya"] {
            let wrong = post(user, "salah-sekali").await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{user}");
            let right_too_soon = post(user, PASSWORD).await;
            assert_eq!(
                right_too_soon.status,
                StatusCode::TOO_MANY_REQUESTS,
                "{user}"
            );
            assert!(
                right_too_soon.body.contains("tunggu"),
                "{}",
                right_too_soon.body
            );
            answers.push((alert(&wrong.body), alert(&right_too_soon.body)));
        }
        assert_eq!(
            answers[0], answers[1],
            "known and unknown names answer alike"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let r = post("pengolah_data", PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "the right password after the wait"
        );
        // The pool's PostgreSQL connections may not be closed on a runtime thread.
        sync(move || drop((app, f)));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_csrf_tampered_cookie_and_oversized_forms_are_refused() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (cookie, csrf) = session(&f, "ketua");
        // Logout with a forged token: refused, the session lives on.
        let r = call(
            &app,
            Method::POST,
            "/keluar",
            Some(&cookie),
            Some("csrf=0000"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = call(&app, Method::GET, "/registri", Some(&cookie), None).await;
        assert_eq!(r.status, StatusCode::OK);
        // Missing token field: refused without a crash.
        let r = call(&app, Method::POST, "/keluar", Some(&cookie), Some("")).await;
        assert!(r.status.is_client_error());
        // Tampered cookie: treated as logged out.
        let last = if cookie.ends_with('0') { '1' } else { '0' };
        let tampered = format!("{}{last}", &cookie[..cookie.len() - 1]);
        let r = call(&app, Method::GET, "/registri", Some(&tampered), None).await;
        assert_eq!(r.location.as_deref(), Some("/masuk"));
        let r = call(&app, Method::GET, "/api/v1/keluarga", Some(&tampered), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("web-login-required"));
        // Oversized form.
        let big = format!("csrf={csrf}&x={}", "a".repeat(200_000));
        let r = call(&app, Method::POST, "/keluar", Some(&cookie), Some(&big)).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        // A proper logout ends the session.
        let r = call(
            &app,
            Method::POST,
            "/keluar",
            Some(&cookie),
            Some(&format!("csrf={csrf}")),
        )
        .await;
        assert_eq!(r.location.as_deref(), Some("/masuk"));
        let r = call(&app, Method::GET, "/registri", Some(&cookie), None).await;
        assert_eq!(r.location.as_deref(), Some("/masuk"));
        // The pool's PostgreSQL connections may not be closed on a runtime thread.
        sync(move || drop((app, f)));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_log_and_personal_data_export() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (ketua, _) = session(&f, "ketua");
        call(
            &app,
            Method::GET,
            &format!("/keluarga/{}", f.family_a),
            Some(&ketua),
            None,
        )
        .await;
        let r = call(&app, Method::GET, "/audit", Some(&ketua), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("user:ketua") && r.body.contains("view"),
            "{}",
            r.body
        );

        let r = call(
            &app,
            Method::GET,
            &format!("/anggota/{}/data", f.person_a),
            Some(&ketua),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(doc["orang"]["nik"], "3312014101900001");
        assert_eq!(doc["no_kk"], "3312011502150003");
        let processing = doc["catatan_pemrosesan"].as_array().unwrap();
        assert!(
            processing
                .iter()
                // In words: the action, and the account by its name.
                .any(|p| p["tindakan"] == "Melihat" && p["oleh"] == "ketua")
        );
        assert_eq!(doc["riwayat_perubahan"][0]["tindakan"], "create");

        // Another village's person: nothing, and the attempt is recorded.
        let person_b = sync(|| {
            registry::members(&mut f.db.conn().unwrap(), &f.family_b).unwrap()[0]
                .id
                .clone()
        });
        let r = call(
            &app,
            Method::GET,
            &format!("/anggota/{person_b}/data"),
            Some(&ketua),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let audit = sync(|| registry::audit_of(&mut f.db.conn().unwrap(), &person_b).unwrap());
        assert_eq!(audit[0].action, "export-refused");
        // The pool's PostgreSQL connections may not be closed on a runtime thread.
        sync(move || drop((app, f)));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ketua_manages_village_accounts_and_everyone_changes_their_password() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (ketua, csrf) = session(&f, "ketua");
        // The Ketua creates a front-office account: bound to the Ketua's village whatever is sent.
        let form = format!(
            "csrf={csrf}&username=fo2&display_name=FO+Dua&role=penerima_informasi&password=lumbung-padi-tujuh-karung&region=33.13.01.2001"
        );
        let r = call(&app, Method::POST, "/akun", Some(&ketua), Some(&form)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let created = sync(|| {
            accounts::list(
                &mut f.db.conn().unwrap(),
                &puskesos_domain::access::Reach::Everywhere,
            )
            .unwrap()
        })
        .into_iter()
        .find(|a| a.username == "fo2")
        .unwrap();
        assert_eq!(created.region.unwrap().as_str(), VILLAGE_A);
        // ... but not an administrator or a district account.
        let form = format!(
            "csrf={csrf}&username=root2&display_name=X&role=admin&password=lumbung-padi-tujuh-karung"
        );
        let r = call(&app, Method::POST, "/akun", Some(&ketua), Some(&form)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Disabling ends the account's sessions; the other district's accounts are out of reach.
        let (fo2, _) = sync(|| {
            let s = accounts::login(
                &mut f.db.conn().unwrap(),
                "fo2",
                "lumbung-padi-tujuh-karung",
                now_ms(),
            )
            .unwrap();
            (format!("puskesos_sesi={}", s.token), s.csrf_token)
        });
        let r = call(
            &app,
            Method::POST,
            &format!("/akun/{}/status", created.id),
            Some(&ketua),
            Some(&format!("csrf={csrf}&nonaktif=1")),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = call(&app, Method::GET, "/registri", Some(&fo2), None).await;
        assert_eq!(r.location.as_deref(), Some("/masuk"));
        let other = sync(|| {
            accounts::list(
                &mut f.db.conn().unwrap(),
                &puskesos_domain::access::Reach::Everywhere,
            )
            .unwrap()
        })
        .into_iter()
        .find(|a| a.username == "dinsos_lain")
        .unwrap();
        let r = call(
            &app,
            Method::POST,
            &format!("/akun/{}/status", other.id),
            Some(&ketua),
            Some(&format!("csrf={csrf}&nonaktif=1")),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Weak, personal or unchanged passwords are refused with their Indonesian message, on
        // account creation and on a change.
        let (cookie, token) = session(&f, "bagian_kesehatan");
        let weak = "Kata sandi terlalu mudah ditebak";
        let personal = "tidak boleh memuat nama pengguna";
        for (pw, message) in [
            ("12345678", weak),
            ("password", weak),
            ("%20%20%20%20%20%20%20%20%20%20", weak),
            ("bagian_kesehatan", personal),
            (PASSWORD, "harus berbeda dari kata sandi sekarang"),
        ] {
            let r = call(
                &app,
                Method::POST,
                "/sandi",
                Some(&cookie),
                Some(&format!("csrf={token}&current={PASSWORD}&new={pw}")),
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{pw}");
            assert!(r.body.contains(message), "{pw}: {}", r.body);
        }
        for (pw, message) in [("12345678", weak), ("fo3-jalan-jalan", personal)] {
            let form = format!(
                "csrf={csrf}&username=fo3&display_name=FO+Tiga&role=penerima_informasi&password={pw}"
            );
            let r = call(&app, Method::POST, "/akun", Some(&ketua), Some(&form)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{pw}");
            assert!(r.body.contains(message), "{pw}: {}", r.body);
        }

        // The Ketua sets a temporary password (policy checked too): its owner is sent to the
        // password form, and nothing else opens until the password is replaced.
        let pendidikan = sync(|| {
            accounts::by_username(&mut f.db.conn().unwrap(), "bagian_pendidikan")
                .unwrap()
                .unwrap()
        });
        let reset = |pw: &str| format!("csrf={csrf}&password={pw}");
        let url = format!("/akun/{}/sandi", pendidikan.id);
        let r = call(
            &app,
            Method::POST,
            &url,
            Some(&ketua),
            Some(&reset("password")),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = call(
            &app,
            Method::POST,
            &url,
            Some(&ketua),
            Some(&reset("sementara-bulan-juni")),
        )
        .await;
        assert_eq!(r.location.as_deref(), Some("/akun"));
        let r = call(&app, Method::GET, "/akun", Some(&ketua), None).await;
        assert!(r.body.contains("Kata sandi sementara, belum diganti"));
        let (temp, temp_csrf) = sync(|| {
            let s = accounts::login(
                &mut f.db.conn().unwrap(),
                "bagian_pendidikan",
                "sementara-bulan-juni",
                now_ms(),
            )
            .unwrap();
            (format!("puskesos_sesi={}", s.token), s.csrf_token)
        });
        let r = call(&app, Method::GET, "/registri", Some(&temp), None).await;
        assert_eq!(r.location.as_deref(), Some("/sandi"));
        let r = call(&app, Method::GET, "/sandi", Some(&temp), None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Kata sandi akun ini sementara"));
        let r = call(
            &app,
            Method::POST,
            "/sandi",
            Some(&temp),
            Some(&format!(
                "csrf={temp_csrf}&current=sementara-bulan-juni&new=jalan-setapak-ke-sawah"
            )),
        )
        .await;
        assert_eq!(r.location.as_deref(), Some("/masuk"));
        let s = sync(|| {
            accounts::login(
                &mut f.db.conn().unwrap(),
                "bagian_pendidikan",
                "jalan-setapak-ke-sawah",
                now_ms(),
            )
            .unwrap()
        });
        assert!(!s.account.must_change_password);
        // The Ketua's own account and accounts of another district are not reset here.
        let me = sync(|| {
            accounts::by_username(&mut f.db.conn().unwrap(), "ketua")
                .unwrap()
                .unwrap()
        });
        let r = call(
            &app,
            Method::POST,
            &format!("/akun/{}/sandi", me.id),
            Some(&ketua),
            Some(&reset("sementara-bulan-juni")),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = call(
            &app,
            Method::POST,
            &format!("/akun/{}/sandi", other.id),
            Some(&ketua),
            Some(&reset("sementara-bulan-juni")),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Password change: wrong current password refused; the right one logs every session out.
        let r = call(
            &app,
            Method::POST,
            "/sandi",
            Some(&cookie),
            Some(&format!(
                "csrf={token}&current=salah&new=teh-manis-di-teras"
            )),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = call(
            &app,
            Method::POST,
            "/sandi",
            Some(&cookie),
            Some(&format!(
                "csrf={token}&current={PASSWORD}&new=teh-manis-di-teras"
            )),
        )
        .await;
        assert_eq!(r.location.as_deref(), Some("/masuk"));
        let r = call(&app, Method::GET, "/registri", Some(&cookie), None).await;
        assert_eq!(r.location.as_deref(), Some("/masuk"));
        assert!(
            sync(|| accounts::login(
                &mut f.db.conn().unwrap(),
                "bagian_kesehatan",
                "teh-manis-di-teras",
                now_ms()
            ))
            .is_ok()
        );
        // The pool's PostgreSQL connections may not be closed on a runtime thread.
        sync(move || drop((app, f)));
    }
}

/// Rows of the tables a state-changing route may write (not the audit log, where refusals are
/// recorded, nor sessions).
fn written(f: &Fixture) -> Vec<i64> {
    sync(|| {
        let mut conn = f.db.conn().unwrap();
        [
            "families",
            "persons",
            "changes",
            "cases",
            "case_events",
            "case_attachments",
            "complaints",
            "complaint_events",
            "referrals",
            "providers",
            "activities",
            "accounts",
        ]
        .iter()
        .map(|t| {
            conn.query_i64(&format!("SELECT COUNT(*) FROM {t}"), &[])
                .unwrap()
        })
        .collect()
    })
}

/// A multipart body with one file, and a `csrf` field when given.
fn multipart(csrf: Option<&str>) -> (String, Vec<u8>) {
    let boundary = "----puskesos-test";
    let mut body = Vec::new();
    if let Some(c) = csrf {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"a.csv\"\r\n\
             Content-Type: text/csv\r\n\r\nno_kk\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every state-changing route of the table, for a role that may use it, refuses a missing and a
/// forged CSRF token with 403, and writes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn every_state_changing_route_refuses_a_missing_or_forged_csrf_token() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let mut checked = 0;
        let mut refused_wrongly = Vec::new();
        for route in ROUTES.iter().filter(|r| r.method == Method::POST) {
            let Access::Needs(action) = route.access else {
                continue;
            };
            let role = Role::ALL
                .into_iter()
                .find(|r| allowed(*r, action) && *r != Role::Admin)
                .unwrap_or(Role::Admin);
            let (cookie, _) = session(&f, role.code());
            let uri = concrete(route.path, &f);
            let before = written(&f);
            for token in [None, Some("0123456789abcdef0123456789abcdef")] {
                let upload = route.path.ends_with("/impor") || route.path.ends_with("/lampiran");
                let status = if upload {
                    let (ctype, body) = multipart(token);
                    let req = Request::builder()
                        .method(Method::POST)
                        .uri(&uri)
                        .header(header::COOKIE, &cookie)
                        .header(header::CONTENT_TYPE, ctype)
                        .body(Body::from(body))
                        .unwrap();
                    app.clone().oneshot(req).await.unwrap().status()
                } else {
                    let form = token
                        .map(|t| format!("csrf={t}&x=1"))
                        .unwrap_or("x=1".into());
                    call(&app, Method::POST, &uri, Some(&cookie), Some(&form))
                        .await
                        .status
                };
                if status != StatusCode::FORBIDDEN {
                    refused_wrongly.push(format!("{role:?} {uri} token {token:?}: {status}"));
                }
            }
            if written(&f) != before {
                refused_wrongly.push(format!("{uri} wrote something"));
            }
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} state-changing routes");
        assert!(
            refused_wrongly.is_empty(),
            "{}: {}",
            f.label(),
            refused_wrongly.join("\n")
        );
        // The pool's PostgreSQL connections may not be closed on a runtime thread.
        sync(move || drop((app, f)));
    }
}

/// Every response, pages, files, errors and refusals alike, carries the security headers; HEAD
/// follows the GET route's rule and OPTIONS names the path's methods (both answered 403 before).
#[tokio::test(flavor = "multi_thread")]
async fn every_response_carries_the_security_headers_and_head_and_options_answer() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let send = |method: Method, uri: &str| {
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap();
            app.clone().oneshot(req)
        };
        for uri in [
            "/",
            "/masuk",
            "/registri",
            "/tidak-ada",
            "/assets/style.css",
            "/api/openapi.json",
            "/api/v1/keluarga",
        ] {
            let resp = send(Method::GET, uri).await.unwrap();
            let h = resp.headers();
            let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(
                csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{uri}: {csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{uri}");
            assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{uri}");
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer", "{uri}");
            assert!(h.get("x-request-id").is_some(), "{uri}");
            // Served over plain HTTP here: no HSTS.
            assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "{uri}");
        }
        let resp = send(Method::HEAD, "/healthz").await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let resp = send(Method::HEAD, "/registri").await.unwrap();
        assert_eq!(
            resp.headers()[header::LOCATION],
            "/masuk",
            "HEAD follows the GET rule"
        );
        let resp = send(Method::OPTIONS, "/masuk").await.unwrap();
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        assert_eq!(resp.headers()[header::ALLOW], "GET, HEAD, POST, OPTIONS");
        sync(move || drop((app, f)));
    }
}

/// Over HTTPS (`--secure-cookies`) the browser is told to keep to HTTPS.
#[tokio::test(flavor = "multi_thread")]
async fn hsts_when_served_over_https() {
    let f = sync(|| fixture(testing::sqlite()));
    let audit = sync(|| puskesos_storage::audit_writer::AuditWriter::start(&f.db).unwrap());
    let app = App::build(AppState {
        audit,
        db: f.db.clone(),
        village: None,
        secure_cookies: true,
        public_url: "http://127.0.0.1:8080".into(),
        trust_proxy: false,
        files_dir: std::env::temp_dir(),
        rules: Default::default(),
    });
    let req = Request::builder().uri("/").body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert!(
        resp.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    sync(move || drop((app, f)));
}

/// A record id in a URL is parsed once, at the edge: what is not an id is "not found" before any
/// database is asked, for every kind of record.
#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_record_id_is_not_found() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (cookie, _) = session(&f, "ketua");
        for uri in [
            "/keluarga/bukan-id",
            "/anggota/1%27%20OR%201=1/ubah",
            "/kasus/x",
            "/pengaduan/00000000-0000-0000-0000-00000000000g",
            "/api/v1/keluarga/123",
            "/rujukan/%2e%2e/jawab",
        ] {
            let r = call(&app, Method::GET, uri, Some(&cookie), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{} {uri}", f.label());
        }
        sync(move || drop((app, f)));
    }
}

fn audit_rows(f: &Fixture) -> i64 {
    sync(|| {
        f.db.conn()
            .unwrap()
            .query_i64("SELECT COUNT(*) FROM audit_log", &[])
            .unwrap()
    })
}

/// Behind a reverse proxy on the same machine every connection comes from loopback. With
/// `--trust-proxy` the client is the last `X-Forwarded-For` entry (the proxy's own; what the
/// client wrote before it counts for nothing), so a spray is slowed down for its sender only;
/// without it the header is ignored, whoever sends it.
#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited() {
    let f = sync(|| fixture(testing::sqlite()));
    let build = |trust_proxy: bool| {
        App::build(AppState {
            audit: sync(|| puskesos_storage::audit_writer::AuditWriter::start(&f.db).unwrap()),
            db: f.db.clone(),
            village: None,
            secure_cookies: true,
            public_url: "https://puskesos.desa.id".into(),
            trust_proxy,
            files_dir: std::env::temp_dir(),
            rules: Default::default(),
        })
    };
    let form = call(&app(&f), Method::GET, "/masuk", None, None).await;
    let pre = form
        .set_cookie
        .iter()
        .find(|c| c.starts_with("puskesos_csrf="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = pre.trim_start_matches("puskesos_csrf=").to_string();
    let login =
        |app: &axum::Router, peer: [u8; 4], forwarded: &str, user: String, password: &str| {
            let mut req = Request::builder()
                .method(Method::POST)
                .uri("/masuk")
                .header(header::COOKIE, &pre)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-forwarded-for", forwarded)
                .body(Body::from(format!(
                    "username={user}&password={password}&csrf={token}"
                )))
                .unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    peer, 40000,
                ))));
            app.clone().oneshot(req)
        };
    let trusted = build(true);
    // 10.78.0.1 sprays through the proxy, each time claiming another address first.
    for i in 0..10 {
        let r = login(
            &trusted,
            [127, 0, 0, 1],
            &format!("10.99.0.{i}, 10.78.0.1"),
            format!("tamu{i}"),
            "salah-sekali-1",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "try {i}");
    }
    let r = login(
        &trusted,
        [127, 0, 0, 1],
        "10.78.0.1",
        "ketua".into(),
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The Ketua behind the same proxy, from her own address, logs in.
    let r = login(
        &trusted,
        [127, 0, 0, 1],
        "10.78.0.2",
        "ketua".into(),
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A client that connects directly cannot name another address: the header is the proxy's
    // word only. 10.78.0.3 connects itself, claiming the spraying address: not limited.
    let r = login(
        &trusted,
        [10, 78, 0, 3],
        "10.78.0.1",
        "ketua".into(),
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Without --trust-proxy the header counts for nothing: loopback is not limited.
    let untrusted = build(false);
    let r = login(
        &untrusted,
        [127, 0, 0, 1],
        "10.78.0.1",
        "ketua".into(),
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    sync(move || drop((trusted, untrusted, f)));
}

/// Logins are limited per client address (ten a minute, whatever the usernames): a spray from
/// one address is slowed down there, another address, and the account itself, are not.
#[tokio::test(flavor = "multi_thread")]
async fn a_username_spray_from_one_address_is_slowed_down_there_only() {
    let f = sync(|| fixture(testing::sqlite()));
    let app = app(&f);
    let form = call(&app, Method::GET, "/masuk", None, None).await;
    let pre = form
        .set_cookie
        .iter()
        .find(|c| c.starts_with("puskesos_csrf="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = pre.trim_start_matches("puskesos_csrf=").to_string();
    let login = |from: [u8; 4], user: String, password: &'static str| {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/masuk")
            .header(header::COOKIE, &pre)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username={user}&password={password}&csrf={token}"
            )))
            .unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                from, 40000,
            ))));
        app.clone().oneshot(req)
    };
    // 10.77.0.1 sprays usernames: ten tries, then refused before any password is checked.
    for i in 0..10 {
        let r = login([10, 77, 0, 1], format!("tamu{i}"), "salah-sekali-1")
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "try {i}");
    }
    let r = login([10, 77, 0, 1], "ketua".into(), PASSWORD)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = r.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("Terlalu banyak percobaan"));
    // The Ketua on another address logs in: the spray locked nobody's account.
    let r = login([10, 77, 0, 2], "ketua".into(), PASSWORD)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    sync(move || drop((app, f)));
}

/// The language picked on one page stays for the next (cookie), and follows the account to its
/// next login (the account's preference); the header names a demo-like account once.
#[tokio::test(flavor = "multi_thread")]
async fn the_language_chosen_stays_and_follows_the_account() {
    for t in crate::support::databases() {
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (cookie, _) = session(&f, "ketua");
        let r = call(&app, Method::GET, "/kasus?lang=en", Some(&cookie), None).await;
        let kept = r
            .set_cookie
            .iter()
            .find(|c| c.starts_with("lang=en"))
            .unwrap_or_else(|| panic!("no lang cookie: {:?}", r.set_cookie));
        assert!(
            kept.contains("Max-Age=") && kept.contains("Path=/"),
            "{kept}"
        );
        // The next page, with the cookie the browser keeps, is in English.
        let next = call(
            &app,
            Method::GET,
            "/kasus",
            Some(&format!("{cookie}; lang=en")),
            None,
        )
        .await;
        assert!(next.body.contains("lang=\"en\""), "not English");
        // A page without the cookie is Indonesian again; a new login brings the cookie back.
        let plain = call(&app, Method::GET, "/kasus", Some(&cookie), None).await;
        assert!(plain.body.contains("lang=\"id\""));
        let form = call(&app, Method::GET, "/masuk", None, None).await;
        let pre = form
            .set_cookie
            .iter()
            .find(|c| c.starts_with("puskesos_csrf="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let token = pre.trim_start_matches("puskesos_csrf=").to_string();
        let ok = call(
            &app,
            Method::POST,
            "/masuk",
            Some(&pre),
            Some(&format!("username=ketua&password={PASSWORD}&csrf={token}")),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert!(
            ok.set_cookie.iter().any(|c| c.starts_with("lang=en")),
            "the preference did not follow the login: {:?}",
            ok.set_cookie
        );
        // The fixture's accounts are named after their role codes; one named as its role label
        // is shown once in the header.
        sync(|| {
            f.db.conn()
                .unwrap()
                .execute(
                    "UPDATE accounts SET display_name = 'Ketua Puskesos' WHERE username = 'ketua'",
                    &[],
                )
                .unwrap()
        });
        let page = call(&app, Method::GET, "/kasus", Some(&cookie), None).await;
        assert_eq!(
            page.body.matches("Ketua Puskesos").count(),
            1,
            "header twice"
        );
        sync(move || drop((app, f)));
    }
}

/// The district office (Dinas Sosial) is allowed the village pages of its kab/kota, but a page
/// about one village needs the village chosen (`?desa=`): without it, or with a village outside
/// its kab/kota, or with a code that is not a village, the page answers 404 with "choose a
/// village" and shows no village's data; with one of its villages, the page itself.  Its roll-ups (the
/// dashboard, the eligibility overview) need no village.
#[tokio::test(flavor = "multi_thread")]
async fn the_district_office_chooses_a_village_for_a_village_page() {
    for t in crate::support::databases() {
        let label = t.label;
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (own, _) = session(&f, "dinas_sosial");
        let (other, _) = session(&f, "dinsos_lain");
        let choose = "Pilih desa/kelurahan";
        let village_pages = [
            "/kasus",
            "/pengaduan",
            "/laporan",
            "/dasbor/tabel/penduduk?format=csv",
            "/kelayakan/bagaimana-jika",
            "/kelayakan/pkh/exclusion",
            "/kelayakan/pkh/exclusion/ekspor?format=csv",
        ];
        for path in village_pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            for (who, cookie, uri) in [
                ("no village", &own, path.to_string()),
                ("a kecamatan", &own, format!("{path}{sep}desa=33.12.01")),
                (
                    "another kab/kota's officer",
                    &other,
                    format!("{path}{sep}desa={VILLAGE_A}"),
                ),
            ] {
                let r = call(&app, Method::GET, &uri, Some(cookie), None).await;
                // None chosen yet: the pages that offer the picker show it (200); a village it
                // may not see is "not found".
                let picker = who == "no village" && r.body.contains("class=\"village-picker\"");
                let expected = if picker {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(r.status, expected, "{label} {who}: {uri}");
                assert!(r.body.contains(choose), "{label} {who}: {uri}: {}", r.body);
                assert!(!r.body.contains("Siti"), "{label} {who}: {uri}");
            }
            let uri = format!("{path}{sep}desa={VILLAGE_A}");
            let r = call(&app, Method::GET, &uri, Some(&own), None).await;
            assert_eq!(r.status, StatusCode::OK, "{label} {uri}: {}", r.body);
            assert!(!r.body.contains(choose), "{label} {uri}");
        }
        // Activities and the PSKS register too: the picker first, then the chosen village.
        for path in ["/kegiatan", "/penyedia"] {
            let r = call(&app, Method::GET, path, Some(&own), None).await;
            assert_eq!(r.status, StatusCode::OK, "{label} {path}");
            assert!(
                r.body.contains("class=\"village-picker\""),
                "{label} {path}"
            );
            let uri = format!("{path}?desa={VILLAGE_A}");
            let r = call(&app, Method::GET, &uri, Some(&own), None).await;
            assert_eq!(r.status, StatusCode::OK, "{label} {uri}");
            assert!(
                !r.body.contains("class=\"village-picker\""),
                "{label} {uri}"
            );
        }
        // The roll-ups: the district's villages side by side, no village needed.
        for (uri, heading) in [
            ("/dasbor", "Rekap kabupaten/kota"),
            ("/kelayakan", "desa/kelurahan dinilai"),
        ] {
            let r = call(&app, Method::GET, uri, Some(&own), None).await;
            assert_eq!(r.status, StatusCode::OK, "{label} {uri}");
            assert!(r.body.contains(heading), "{label} {uri}: {}", r.body);
        }
        // A village account never chooses: its own village, whatever `desa` says.
        let (ketua, _) = session(&f, "ketua");
        let r = call(
            &app,
            Method::GET,
            &format!("/kasus?desa={VILLAGE_B}"),
            Some(&ketua),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{label}");
        assert!(!r.body.contains(choose), "{label}");
        drop(app);
        sync(move || drop(f));
    }
}

/// The audit log reads in words (the officer's name, the action, the record by its number),
/// narrows by officer, action, a resident's NIK and period, refuses a filter it cannot use with
/// the field named, and exports what it shows as CSV, which is itself recorded.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_in_words_filtered_and_exported() {
    for t in crate::support::databases() {
        let label = t.label;
        let f = sync(|| fixture(t));
        let app = app(&f);
        let (ketua, _) = session(&f, "ketua");
        let (analis, _) = session(&f, "review_analisis");
        for (cookie, id) in [(&analis, &f.family_a), (&ketua, &f.family_a)] {
            let r = call(
                &app,
                Method::GET,
                &format!("/keluarga/{id}"),
                Some(cookie),
                None,
            )
            .await;
            assert_eq!(r.status, StatusCode::OK);
        }
        let page = call(&app, Method::GET, "/audit", Some(&ketua), None).await;
        assert_eq!(page.status, StatusCode::OK, "{label}");
        let kk_link = format!(
            "<a href=\"/keluarga/{}\">Keluarga KK 3312011502150003</a>",
            f.family_a
        );
        assert!(page.body.contains(&kk_link), "{label}: {}", page.body);
        assert!(page.body.contains("Melihat"), "{label}");
        // (Codes may sit in the filters' option values; never in the text shown.)
        for code in [">user:", " user:", ">view<", ">family<", ">access-refused"] {
            assert!(
                !page.body.contains(code),
                "{label}: code {code} on the page"
            );
        }
        // By officer: only the analyst's rows.
        let by = call(
            &app,
            Method::GET,
            "/audit?oleh=user%3Areview_analisis",
            Some(&ketua),
            None,
        )
        .await;
        assert!(by.body.contains(&kk_link), "{label}");
        let rows = by.body.matches("<tr>").count() - 1;
        let stored = sync(|| {
            f.db.conn()
                .unwrap()
                .query_i64(
                    "SELECT COUNT(*) FROM audit_log WHERE actor = 'user:review_analisis' \
                     AND kode_wilayah = '33.12.01.2003'",
                    &[],
                )
                .unwrap()
        });
        assert_eq!(rows as i64, stored.min(50), "{label}: rows by the analyst");
        // By the resident's NIK: their family's rows; another NIK: none.
        let mine = call(
            &app,
            Method::GET,
            "/audit?nik=3312014101900001",
            Some(&ketua),
            None,
        )
        .await;
        assert!(mine.body.contains(&kk_link), "{label}");
        let none = call(
            &app,
            Method::GET,
            "/audit?nik=3312014101909999",
            Some(&ketua),
            None,
        )
        .await;
        assert!(!none.body.contains(&kk_link), "{label}");
        // A period before today has none of it.
        let old = call(
            &app,
            Method::GET,
            "/audit?dari=2020-01-01&sampai=2020-01-31",
            Some(&ketua),
            None,
        )
        .await;
        assert!(!old.body.contains(&kk_link), "{label}");
        // A filter that cannot be used: 422, the field named.
        let bad = call(&app, Method::GET, "/audit?nik=123", Some(&ketua), None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        assert!(bad.body.contains("NIK warga"), "{label}: {}", bad.body);
        // The export: the same rows in words, as Excel reads them, and recorded.
        let before = audit_rows(&f);
        let r = call(
            &app,
            Method::GET,
            "/audit?format=csv&tindakan=view",
            Some(&ketua),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let rows = crate::support::excel_rows(r.body.as_bytes());
        assert_eq!(rows[0][0], "Waktu");
        assert!(
            rows[1..].iter().all(|r| r[2] == "Melihat"),
            "{label}: {rows:?}"
        );
        assert!(
            rows.iter().any(|r| r[3] == "Keluarga KK 3312011502150003"),
            "{label}"
        );
        assert!(
            audit_rows(&f) > before,
            "{label}: the export is not recorded"
        );
        sync(move || drop((app, f)));
    }
}

/// The glossary answers anyone, names every term in both languages (no catalogue key shows),
/// and every page links to it.
#[tokio::test(flavor = "multi_thread")]
async fn the_glossary_explains_every_term_and_every_page_links_it() {
    let f = sync(|| fixture(testing::sqlite()));
    let app = app(&f);
    for (lang, title) in [("id", "Daftar istilah"), ("en", "Glossary")] {
        let r = call(
            &app,
            Method::GET,
            &format!("/istilah?lang={lang}"),
            None,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(title), "{lang}");
        assert!(
            !r.body.contains("gloss-"),
            "{lang}: a catalogue key on the page"
        );
        for term in ["desil", "eksklusi", "inklusi", "dtsen", "pkh-komponen"] {
            assert!(r.body.contains(&format!("id=\"{term}\"")), "{lang}: {term}");
        }
    }
    let (cookie, _) = session(&f, "ketua");
    let r = call(&app, Method::GET, "/kelayakan", Some(&cookie), None).await;
    assert!(
        r.body.contains("href=\"/istilah#eksklusi\""),
        "the overview links the terms"
    );
    let r = call(&app, Method::GET, "/kasus", Some(&cookie), None).await;
    assert!(
        r.body.contains("<footer><a href=\"/istilah\">"),
        "no glossary link at the foot"
    );
    sync(move || drop((app, f)));
}
