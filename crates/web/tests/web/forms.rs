//! Registry forms: register a family, edit a member with a reason, see it in the history and the
//! audit log; bad input refused next to its field with nothing saved.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use puskesos_domain::access::Role;
use puskesos_storage::accounts::{self, NewAccount};
use puskesos_storage::registry;
use puskesos_storage::{Db, now_ms, testing};
use puskesos_web::{App, AppState};

use crate::support::{Held, sync};
use tower::ServiceExt;

const VILLAGE: &str = "33.12.01.2003";

fn setup(t: testing::TestDb) -> (Held<testing::TestDb>, String, String) {
    let t = Held::new(t);
    let (cookie, csrf) = sync(|| add_accounts(&t));
    (t, cookie, csrf)
}

fn add_accounts(t: &testing::TestDb) -> (String, String) {
    let mut conn = t.db.conn().unwrap();
    for (name, role, region) in [
        ("ketua", Role::Ketua, Some(VILLAGE)),
        ("dinsos", Role::DinasSosial, Some("33.12")),
    ] {
        accounts::create(
            &mut conn,
            &NewAccount {
                username: name,
                display_name: name,
                role,
                region,
                password: "kopi-tubruk-jam-tujuh",
            },
            "t",
            now_ms(),
        )
        .unwrap();
    }
    let s = accounts::login(&mut conn, "ketua", "kopi-tubruk-jam-tujuh", now_ms()).unwrap();
    (format!("puskesos_sesi={}", s.token), s.csrf_token)
}

async fn post(
    db: &Db,
    uri: &str,
    cookie: &str,
    body: String,
) -> (StatusCode, Option<String>, String) {
    let app = App::build(AppState {
        audit: sync(|| puskesos_storage::audit_writer::AuditWriter::start(db).unwrap()),
        db: db.clone(),
        village: None,
        secure_cookies: false,
        public_url: "http://127.0.0.1:8080".into(),
        trust_proxy: false,
        files_dir: std::env::temp_dir()
            .join(format!("puskesos-web-test-{}", puskesos_storage::new_id())),
        rules: Default::default(),
    });
    let req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    let status = resp.status();
    let loc = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body =
        String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    (status, loc, body)
}

fn enc(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let e = |s: &str| {
                s.bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                            (b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect::<String>()
            };
            format!("{}={}", e(k), e(v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn new_family(csrf: &str, nik: &str, reason: &str) -> String {
    enc(&[
        ("csrf", csrf),
        ("f.no_kk", "3312011502150003"),
        ("f.kode_wilayah", VILLAGE),
        ("f.rt", "001"),
        ("f.rw", "002"),
        ("f.luas_lantai", "24,5"),
        ("p.nik", nik),
        ("p.nama", "Siti Aminah"),
        ("p.jenis_kelamin", "P"),
        ("p.tanggal_lahir", "1990-01-01"),
        ("p.hubungan", "kepala_keluarga"),
        ("alasan", reason),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn register_edit_and_see_history_and_audit() {
    for t in crate::support::databases() {
        let (t, cookie, csrf) = setup(t);
        // Bad NIK and no reason: refused, the errors next to their fields, nothing saved.
        let (status, _, body) = post(
            &t.db,
            "/keluarga/baru",
            &cookie,
            new_family(&csrf, "331201410190001", ""),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("id=\"p-nik-err\""),
            "error next to the NIK field"
        );
        assert!(body.contains("16 digit"));
        assert!(body.contains("id=\"alasan-err\""));
        assert_eq!(
            sync(|| registry::counts(&mut t.db.conn().unwrap()).unwrap()),
            (0, 0)
        );

        let (status, loc, _) = post(
            &t.db,
            "/keluarga/baru",
            &cookie,
            new_family(&csrf, "3312014101900001", "datang ke Puskesos"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let family_id = loc.unwrap().trim_start_matches("/keluarga/").to_string();
        // The same KK again is refused, naming it.
        let (status, _, body) = post(
            &t.db,
            "/keluarga/baru",
            &cookie,
            new_family(&csrf, "3312014101900002", "lagi"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("3312011502150003 sudah terdaftar"));

        let person =
            sync(|| registry::members(&mut t.db.conn().unwrap(), &family_id).unwrap())[0].clone();
        let edit = enc(&[
            ("csrf", &csrf),
            ("p.nik", "3312014101900001"),
            ("p.nama", "Siti Aminah Lubis"),
            ("p.jenis_kelamin", "P"),
            ("p.tanggal_lahir", "01-01-1990"),
            ("p.hubungan", "kepala_keluarga"),
            ("alasan", "ejaan sesuai KTP"),
        ]);
        let (status, loc, _) = post(
            &t.db,
            &format!("/anggota/{}/ubah", person.id),
            &cookie,
            edit,
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(loc.unwrap(), format!("/keluarga/{family_id}"));
        let history =
            sync(|| registry::family_history(&mut t.db.conn().unwrap(), &family_id).unwrap());
        let last = history.last().unwrap();
        assert_eq!(last.actor, "user:ketua");
        assert_eq!(last.reason.as_deref(), Some("ejaan sesuai KTP"));
        assert_eq!(
            last.changed,
            vec![(
                "nama".into(),
                Some("Siti Aminah".into()),
                Some("Siti Aminah Lubis".into())
            )]
        );

        // Forged CSRF: refused, nothing changed.
        let forged = enc(&[
            ("csrf", "palsu"),
            ("p.nik", "3312014101900001"),
            ("p.nama", "X"),
            ("alasan", "x"),
        ]);
        let (status, _, _) = post(
            &t.db,
            &format!("/anggota/{}/ubah", person.id),
            &cookie,
            forged,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let again =
            sync(|| registry::family_history(&mut t.db.conn().unwrap(), &family_id).unwrap());
        assert_eq!(again.len(), history.len());

        // The district office cannot write (the matrix), even with a valid token of its own.
        let s = sync(|| {
            accounts::login(
                &mut t.db.conn().unwrap(),
                "dinsos",
                "kopi-tubruk-jam-tujuh",
                now_ms(),
            )
            .unwrap()
        });
        let (status, _, _) = post(
            &t.db,
            "/keluarga/baru",
            &format!("puskesos_sesi={}", s.token),
            new_family(&s.csrf_token, "3312014101900003", "x"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        sync(move || drop(t));
    }
}

/// Multipart body with the CSRF token and one file.
fn multipart(csrf: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----puskesos-test-boundary";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend(content);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn data_officer_uploads_downloads_rejects_and_exports() {
    for t in crate::support::databases() {
        let t = Held::new(t);
        let files =
            std::env::temp_dir().join(format!("puskesos-web-files-{}", puskesos_storage::new_id()));
        let (cookie, csrf) = sync(|| {
            let mut conn = t.db.conn().unwrap();
            accounts::create(
                &mut conn,
                &NewAccount {
                    username: "data",
                    display_name: "Data",
                    role: Role::PengolahData,
                    region: Some("11.01.01.2001"),
                    password: "kopi-tubruk-jam-tujuh",
                },
                "t",
                now_ms(),
            )
            .unwrap();
            let s = accounts::login(&mut conn, "data", "kopi-tubruk-jam-tujuh", now_ms()).unwrap();
            (format!("puskesos_sesi={}", s.token), s.csrf_token)
        });
        let app = App::build(AppState {
            audit: sync(|| puskesos_storage::audit_writer::AuditWriter::start(&t.db).unwrap()),
            db: t.db.clone(),
            village: None,
            secure_cookies: false,
            public_url: "http://127.0.0.1:8080".into(),
            trust_proxy: false,
            files_dir: files.clone(),
            rules: Default::default(),
        });
        // The sample file's five people live in 11.01.01.2001; move one family elsewhere.
        let sample = include_str!("../../../../docs/samples/contoh-impor.csv");
        let mut lines: Vec<String> = sample.lines().map(str::to_string).collect();
        for l in lines.iter_mut().skip(4) {
            *l = l.replace("11.01.01.2001", "11.01.01.2002");
        }
        let (ctype, body) = multipart(&csrf, "desa.csv", lines.join("\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri("/data/impor")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        assert!(html.contains("anggota baru 3"), "{html}");
        assert!(html.contains("baris ditolak 2"), "{html}");
        let link = html
            .split("href=\"/data/tolak/")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();

        let get = |uri: String| {
            Request::builder()
                .uri(uri)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap()
        };
        let resp = app
            .clone()
            .oneshot(get(format!("/data/tolak/{link}")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let report = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        assert!(report.contains("di luar wilayah"), "{report}");
        // The read is recorded (the report holds NIKs and names) ...
        let audited = |action: &str| {
            sync(|| {
                t.db.conn()
                    .unwrap()
                    .query_i64(
                        &format!(
                            "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' \
                             AND entity_id = 'tolak/{link}'"
                        ),
                        &[],
                    )
                    .unwrap()
            })
        };
        assert_eq!(audited("read"), 1);
        // ... and a data officer of another village gets nothing, recorded too.
        let other = sync(|| {
            let mut conn = t.db.conn().unwrap();
            accounts::create(
                &mut conn,
                &NewAccount {
                    username: "data2",
                    display_name: "Data 2",
                    role: Role::PengolahData,
                    region: Some("11.01.01.2002"),
                    password: "kopi-tubruk-jam-tujuh",
                },
                "t",
                now_ms(),
            )
            .unwrap();
            let s = accounts::login(&mut conn, "data2", "kopi-tubruk-jam-tujuh", now_ms()).unwrap();
            format!("puskesos_sesi={}", s.token)
        });
        let req = Request::builder()
            .uri(format!("/data/tolak/{link}"))
            .header(header::COOKIE, &other)
            .body(Body::empty())
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::NOT_FOUND,
            "another village's report"
        );
        assert_eq!(audited("view-refused"), 1);
        // Path tricks are refused before any file is touched.
        let resp = app
            .clone()
            .oneshot(get("/data/tolak/..%2F..%2Fetc%2Fpasswd".into()))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);

        let resp = app
            .clone()
            .oneshot(get("/data/ekspor?format=csv".into()))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let csv = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        assert_eq!(
            csv.lines().count(),
            4,
            "header + the three imported people: {csv}"
        );

        // A wrong file type is refused.
        let (ctype, body) = multipart(&csrf, "foto.jpg", b"\xff\xd8\xff");
        let req = Request::builder()
            .method(Method::POST)
            .uri("/data/impor")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .unwrap();
        assert_eq!(
            app.clone().oneshot(req).await.unwrap().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        drop(app);
        sync(move || drop(t));
        let _ = std::fs::remove_dir_all(files);
    }
}
