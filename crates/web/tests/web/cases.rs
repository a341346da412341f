//! A walk-in case through the browser routes, each step by its role; intake errors next to the
//! fields with nothing saved; a step out of order or by a role that may not take it refused.

use crate::support::{Fixture, login};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use puskesos_domain::access::Role;
use puskesos_storage::testing;
use tower::ServiceExt;

const VILLAGE: &str = "33.12.01.2003";

fn setup(t: testing::TestDb) -> Fixture {
    crate::support::fixture(crate::support::with_accounts(
        t,
        &[
            ("front", Role::PenerimaInformasi, Some(VILLAGE)),
            ("sehat", Role::BagianKesehatan, Some(VILLAGE)),
            ("didik", Role::BagianPendidikan, Some(VILLAGE)),
            ("kades", Role::KepalaDesa, Some(VILLAGE)),
            ("analis", Role::ReviewAnalisis, Some(VILLAGE)),
            ("ketua", Role::Ketua, Some(VILLAGE)),
            ("dinsos", Role::DinasSosial, Some("33.12")),
        ],
    ))
}

fn enc(pairs: &[(&str, &str)]) -> String {
    crate::support::form_body(pairs)
}

async fn call(
    f: &Fixture,
    method: Method,
    uri: &str,
    cookie: &str,
    body: Option<String>,
) -> (StatusCode, Option<String>, String) {
    let r = crate::support::request(f, method, uri, cookie, body).await;
    (r.status, r.location.clone(), r.text())
}

async fn step(f: &Fixture, user: &str, id: &str, step: &str, note: &str) -> StatusCode {
    let (cookie, csrf) = login(f, user);
    call(
        f,
        Method::POST,
        &format!("/kasus/{id}/langkah"),
        &cookie,
        Some(enc(&[("csrf", &csrf), ("step", step), ("note", note)])),
    )
    .await
    .0
}

fn count(f: &Fixture, sql: &str) -> i64 {
    crate::support::count(f, sql)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_walk_in_case_through_its_life() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (fo, csrf) = login(&f, "front");
        // Intake without consent and without a sector: refused next to the fields, nothing saved.
        let bad = enc(&[
            ("csrf", &csrf),
            ("contact_name", "Wagiyem"),
            ("channel", "datang"),
            ("summary", "Anak demam"),
            ("consent_purpose", "rujukan"),
        ]);
        let (status, _, body) = call(&f, Method::POST, "/kasus/baru", &fo, Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Persetujuan warga wajib dicatat"), "{body}");
        assert_eq!(count(&f, "SELECT COUNT(*) FROM cases"), 0);
        let good = enc(&[
            ("csrf", &csrf),
            ("contact_name", "Wagiyem <script>alert(1)</script>"),
            ("channel", "datang"),
            ("sector", "kesehatan"),
            ("summary", "Anak demam tinggi, belum punya BPJS"),
            ("consent_purpose", "rujukan layanan kesehatan"),
            ("consent", "ya"),
        ]);
        let (status, loc, _) = call(&f, Method::POST, "/kasus/baru", &fo, Some(good)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id = loc.unwrap().trim_start_matches("/kasus/").to_string();
        // Each role opens to its queue: the front office's holds it, the Kepala Desa's not yet.
        let (_, _, queue) = call(&f, Method::GET, "/antrean", &fo, None).await;
        assert!(queue.contains("K-20"), "{queue}");
        let (kades, _) = login(&f, "kades");
        let (_, _, queue) = call(&f, Method::GET, "/antrean", &kades, None).await;
        assert!(!queue.contains("K-20"), "{queue}");
        // The front office's list holds it; the page shows it escaped, with the next step.
        let (_, _, list) = call(&f, Method::GET, "/kasus", &fo, None).await;
        assert!(list.contains("K-20"), "{list}");
        let (_, _, page) = call(&f, Method::GET, &format!("/kasus/{id}"), &fo, None).await;
        assert!(page.contains("&lt;script&gt;"), "names are shown as text");
        assert!(page.contains("Serahkan ke bagian"), "{page}");
        // Out of order: a decision before a recommendation.
        assert_eq!(
            step(&f, "kades", &id, "decide", "ok").await,
            StatusCode::CONFLICT
        );
        assert_eq!(
            step(&f, "front", &id, "assign", "").await,
            StatusCode::SEE_OTHER
        );
        // The education section cannot recommend a health case; the health section can.
        assert_eq!(
            step(&f, "didik", &id, "recommend", "").await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            step(&f, "sehat", &id, "recommend", "rujuk ke puskesmas").await,
            StatusCode::SEE_OTHER
        );
        // A decision needs a note.
        assert_eq!(
            step(&f, "kades", &id, "decide", " ").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            step(&f, "kades", &id, "decide", "disetujui").await,
            StatusCode::SEE_OTHER
        );
        // The district office reads but never moves a case.
        assert_eq!(
            step(&f, "dinsos", &id, "refer", "x").await,
            StatusCode::FORBIDDEN
        );
        let (dinsos, _) = login(&f, "dinsos");
        let (status, _, _) = call(
            &f,
            Method::GET,
            &format!("/kasus/{id}?desa={VILLAGE}"),
            &dinsos,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        // The directory, then the referral with a due date; the link is shown once.
        let (analis, acsrf) = login(&f, "analis");
        let (status, loc, _) = call(
            &f,
            Method::POST,
            "/penyedia",
            &analis,
            Some(enc(&[
                ("csrf", &acsrf),
                ("name", "Puskesmas Pracimantoro"),
                ("kind", "puskesmas"),
                ("contact", "0273 123"),
            ])),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(loc.as_deref().unwrap().starts_with("/penyedia/"), "{loc:?}");
        let provider = crate::support::first_text(&f, "SELECT id FROM providers");
        let (status, loc, _) = call(
            &f,
            Method::POST,
            &format!("/kasus/{id}/langkah"),
            &analis,
            Some(enc(&[
                ("csrf", &acsrf),
                ("step", "refer"),
                ("note", "surat rujukan"),
                ("provider", &provider),
                ("due_days", "7"),
            ])),
        )
        .await;
        // POST-redirect-GET: the case page holds the referral's link (absolute, from the
        // configured public address) for the roles that may send it.
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(loc.unwrap().starts_with(&format!("/kasus/{id}#rujukan-")));
        let (_, _, sent) = call(&f, Method::GET, &format!("/kasus/{id}"), &analis, None).await;
        let at =
            sent.find(">http://127.0.0.1:8080/rujukan/").unwrap() + ">http://127.0.0.1:8080".len();
        let link = sent[at..].split('<').next().unwrap().replace("&amp;", "&");
        assert!(sent.contains("https://wa.me/?text="), "{sent}");
        // The provider, without an account: sees the need, answers; a forged link is refused.
        let (status, _, page) = call(&f, Method::GET, &link, "", None).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        assert!(page.contains("Anak demam tinggi"), "{page}");
        let rid = link
            .trim_start_matches("/rujukan/")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        // The referral letter: its numbers, and the QR code's address is the provider's link.
        let (status, _, pdf) = call(
            &f,
            Method::GET,
            &format!("/kasus/{id}/rujukan/{rid}/surat"),
            &analis,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(pdf.starts_with("%PDF-"));
        assert!(
            pdf.contains("SURAT RUJUKAN")
                && pdf.contains("/R-01")
                && pdf.contains("Puskesmas Pracimantoro"),
            "letter numbers"
        );
        assert!(
            pdf.contains(&format!("http://127.0.0.1:8080{link}")),
            "the QR target is the answer link"
        );
        let token = link.split("t=").nth(1).unwrap().to_string();
        let (status, _, _) = call(
            &f,
            Method::POST,
            &format!("/rujukan/{rid}/jawab"),
            "",
            Some(enc(&[("t", "palsu"), ("status", "selesai")])),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = call(
            &f,
            Method::POST,
            &format!("/rujukan/{rid}/jawab"),
            "",
            Some(enc(&[
                ("t", &token),
                ("status", "selesai"),
                ("note", "sudah diperiksa dokter"),
            ])),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            step(&f, "sehat", &id, "follow_up", "sudah dilayani").await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            step(&f, "ketua", &id, "close", "").await,
            StatusCode::SEE_OTHER
        );
        let (_, _, page) = call(&f, Method::GET, &format!("/kasus/{id}"), &fo, None).await;
        assert!(
            page.contains("Selesai")
                && page.contains("rujuk ke puskesmas")
                && page.contains("sudah dilayani"),
            "{page}"
        );
        assert!(
            page.contains("Puskesmas Pracimantoro")
                && page.contains("Selesai dilayani")
                && page.contains("sudah diperiksa dokter"),
            "{page}"
        );
        // Six steps and the provider's answer.
        assert_eq!(count(&f, "SELECT COUNT(*) FROM case_events"), 8);
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'step-refused'"
            ),
            3
        );
        assert!(
            count(
                &f,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND entity = 'case'"
            ) >= 3
        );
        // A forged token changes nothing.
        let (status, _, _) = call(
            &f,
            Method::POST,
            &format!("/kasus/{id}/langkah"),
            &fo,
            Some(enc(&[("csrf", "palsu"), ("step", "close")])),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_complaint_receipt_and_the_public_status_page() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (front, csrf) = login(&f, "front");
        let body = enc(&[
            ("csrf", &csrf),
            ("category", "pengaduan"),
            ("program", "bpnt"),
            ("summary", "Sudah desil 2 tetapi tidak menerima Sembako"),
            ("contact_name", "Sukinem"),
            ("contact_phone", "081234567890"),
        ]);
        let (status, loc, _) = call(&f, Method::POST, "/pengaduan/baru", &front, Some(body)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let receipt_page = loc.unwrap();
        assert!(receipt_page.ends_with("/terima"), "{receipt_page}");
        let (status, _, receipt) = call(&f, Method::GET, &receipt_page, &front, None).await;
        assert_eq!(status, StatusCode::OK, "{receipt}");
        // A refresh shows the receipt again and files nothing more.
        let (status, _, again) = call(&f, Method::GET, &receipt_page, &front, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again, receipt);
        assert_eq!(count(&f, "SELECT COUNT(*) FROM complaints"), 1);
        let grab = |class: &str| {
            let at = receipt
                .find(&format!("<dd class=\"{class}\"><strong>"))
                .unwrap()
                + class.len()
                + 21;
            receipt[at..].split('<').next().unwrap().to_string()
        };
        let (ticket, code) = (grab("ticket"), grab("code"));
        assert_eq!((ticket.len(), code.len()), (8, 6), "{receipt}");
        // Public, without logging in: status and dates, nothing personal.
        let (status, _, page) = call(
            &f,
            Method::POST,
            "/status",
            "",
            Some(enc(&[("ticket", &ticket), ("code", &code)])),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Diterima") && page.contains("Batas waktu"),
            "{page}"
        );
        for personal in ["Sukinem", "081234567890", "Sembako", "desil"] {
            assert!(!page.contains(personal), "public page shows {personal}");
        }
        // A ticket guessed in a loop is refused after five wrong codes.
        let mut last = (StatusCode::OK, None, String::new());
        for _ in 0..6 {
            last = call(
                &f,
                Method::POST,
                "/status",
                "",
                Some(enc(&[("ticket", &ticket), ("code", "123123")])),
            )
            .await;
        }
        assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS);
        // It says from when to try again.
        assert!(
            last.2.contains("Coba lagi mulai") && last.2.contains("WIB"),
            "{}",
            last.2
        );
        // Escalated by the Ketua, decided by the district office.
        let id = crate::support::first_text(&f, "SELECT id FROM complaints");
        let act = |user: &'static str, action: &'static str, note: &'static str| {
            let f = &f;
            let id = id.clone();
            async move {
                let (cookie, csrf) = login(f, user);
                call(
                    f,
                    Method::POST,
                    &format!("/pengaduan/{id}/langkah"),
                    &cookie,
                    Some(enc(&[
                        ("csrf", &csrf),
                        ("desa", VILLAGE),
                        ("action", action),
                        ("note", note),
                    ])),
                )
                .await
                .0
            }
        };
        assert_eq!(act("dinsos", "resolve", "x").await, StatusCode::FORBIDDEN);
        assert_eq!(
            act("ketua", "escalate", "perlu keputusan dinas").await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act("dinsos", "resolve", "diusulkan sebagai penerima").await,
            StatusCode::SEE_OTHER
        );
        let (dinsos, _) = login(&f, "dinsos");
        let (_, _, page) = call(
            &f,
            Method::GET,
            &format!("/pengaduan/{id}?desa={VILLAGE}"),
            &dinsos,
            None,
        )
        .await;
        assert!(page.contains("diusulkan sebagai penerima"), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_activity_is_recorded_with_its_participants() {
    for t in crate::support::databases() {
        crate::support::demo_villages(&t, &[(VILLAGE, 3, 11)], puskesos_storage::figures::today());
        let f = setup(t);
        let (cookie, csrf) = login(&f, "sehat");
        let (nik, family) = {
            let row = crate::support::first_text(
                &f,
                "SELECT nik || ' ' || family_id FROM persons ORDER BY nik LIMIT 1",
            );
            let (n, fam) = row.split_once(' ').unwrap();
            (n.to_string(), fam.to_string())
        };
        let form = |date: &str, participants: &str, planned: bool| {
            enc(&[
                ("csrf", &csrf),
                ("kind", "gizi_balita"),
                ("title", "Posyandu gizi balita"),
                ("held_on", date),
                ("planned", if planned { "ya" } else { "" }),
                ("place", "Posyandu RW 02"),
                ("participants", participants),
                ("outcome", "8 balita ditimbang"),
            ])
        };
        let good = format!("{nik}\n; Ibu Sri; P; 1985; 2/1\n");
        let post = |body: String| call(&f, Method::POST, "/kegiatan", &cookie, Some(body));
        let (status, _, body) = post(form("31-02-2026", &good, false)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "31 February is refused"
        );
        assert!(body.contains("Tanggal"), "{body}");
        // The row and the value are named, and what was typed is kept.
        let (status, _, body) = post(form(
            "2026-11-20",
            &format!("{good}3312019999990001"),
            false,
        ))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("Peserta baris 3: NIK tidak sah") && body.contains("3312019999990001"),
            "{body}"
        );
        assert!(
            body.contains("Ibu Sri; P; 1985"),
            "the form lost what was typed"
        );
        let (status, _, body) = post(form("2026-11-20", &format!("{good}{nik}"), false)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("baris 3: NIK ini sudah ada"), "{body}");
        // A date ahead is refused as held, accepted as planned.
        let ahead = (puskesos_storage::figures::today() + chrono::Days::new(40))
            .format("%Y-%m-%d")
            .to_string();
        let (status, _, body) = post(form(&ahead, &good, false)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Direncanakan"), "{body}");
        assert_eq!(count(&f, "SELECT COUNT(*) FROM activities"), 0);
        assert_eq!(count(&f, "SELECT COUNT(*) FROM activity_participants"), 0);
        let (status, _, _) = post(form(&ahead, "", true)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, loc, _) = post(form("2026-11-20", &good, false)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let at = loc.unwrap();
        assert!(at.starts_with("/kegiatan/"), "{at}");
        let (_, _, page) = call(&f, Method::GET, "/kegiatan", &cookie, None).await;
        assert!(
            page.contains("Posyandu gizi balita")
                && page.contains("2 peserta (1 terdaftar)")
                && page.contains("Direncanakan"),
            "{page}"
        );
        // The participant list: personal data, recorded as a read.
        let before = count(
            &f,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'activity'",
        );
        let (status, _, page) = call(&f, Method::GET, &at, &cookie, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Ibu Sri") && page.contains("002/001"),
            "{page}"
        );
        assert!(!page.contains(&nik), "the NIK is shown masked");
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'activity'"
            ),
            before + 1
        );
        // The family page lists it.
        let (_, _, page) = call(
            &f,
            Method::GET,
            &format!("/keluarga/{family}"),
            &cookie,
            None,
        )
        .await;
        assert!(
            page.contains("Layanan Puskesos untuk keluarga ini") && page.contains(&at),
            "{page}"
        );
        // The district office reads the chosen village's list but does not record.
        let (dinsos, dcsrf) = login(&f, "dinsos");
        let (status, _, page) = call(
            &f,
            Method::GET,
            &format!("/kegiatan?desa={VILLAGE}"),
            &dinsos,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Posyandu gizi balita"));
        let (status, _, _) = call(
            &f,
            Method::POST,
            &format!("/kegiatan?desa={VILLAGE}"),
            &dinsos,
            Some(form("2026-11-20", &good, false).replace(&csrf, &dcsrf)),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_psks_register_is_edited_retired_with_history_and_counted() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (cookie, csrf) = login(&f, "analis");
        let add = |name: &str, kind: &str| {
            enc(&[
                ("csrf", &csrf),
                ("name", name),
                ("kind", kind),
                ("contact", "0812 1"),
            ])
        };
        let (status, _, body) = call(
            &f,
            Method::POST,
            "/penyedia",
            &cookie,
            Some(add("", "tksk")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Nama tidak dapat diterima"), "{body}");
        let (status, loc, _) = call(
            &f,
            Method::POST,
            "/penyedia",
            &cookie,
            Some(add("Karang Taruna Maju", "karang_taruna")),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let entry = loc.unwrap();
        call(
            &f,
            Method::POST,
            "/penyedia",
            &cookie,
            Some(add("TKSK Pak Budi", "tksk")),
        )
        .await;
        // An edit writes one history row per changed field.
        let (status, _, _) = call(
            &f,
            Method::POST,
            &entry,
            &cookie,
            Some(enc(&[
                ("csrf", &csrf),
                ("name", "Karang Taruna Maju Jaya"),
                ("kind", "karang_taruna"),
                ("contact", "0812 1"),
                ("capacity", "20 relawan"),
            ])),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, page) = call(&f, Method::GET, &entry, &cookie, None).await;
        assert!(
            page.contains("Karang Taruna Maju → Karang Taruna Maju Jaya")
                && page.contains("20 relawan"),
            "{page}"
        );
        // The menu and the dashboard reach it; the dashboard counts active entries by kind.
        assert!(page.contains("href=\"/penyedia\""));
        let (_, _, dash) = call(&f, Method::GET, "/dasbor", &cookie, None).await;
        assert!(
            dash.contains("PSKS dan penyedia layanan aktif") && dash.contains("Karang Taruna"),
            "{dash}"
        );
        // Retiring needs a reason, keeps the entry and its history.
        let retire = format!("{entry}/pensiun");
        let (status, _, _) = call(
            &f,
            Method::POST,
            &retire,
            &cookie,
            Some(enc(&[("csrf", &csrf), ("reason", " ")])),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, _) = call(
            &f,
            Method::POST,
            &retire,
            &cookie,
            Some(enc(&[("csrf", &csrf), ("reason", "Pengurus bubar")])),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, page) = call(&f, Method::GET, &entry, &cookie, None).await;
        assert!(
            page.contains("Tidak aktif") && page.contains("Pengurus bubar"),
            "{page}"
        );
        let (_, _, list) = call(&f, Method::GET, "/penyedia", &cookie, None).await;
        assert!(list.contains("Karang Taruna Maju Jaya") && list.contains("TKSK Pak Budi"));
        let (_, _, dash) = call(&f, Method::GET, "/dasbor", &cookie, None).await;
        assert!(
            !dash.contains("Karang Taruna Maju"),
            "a retired entry is not counted"
        );
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM provider_changes WHERE field = 'status'"
            ),
            1
        );
        // The district office reads the village's register but does not change it.
        let (dinsos, dcsrf) = login(&f, "dinsos");
        let at = format!("/penyedia?desa={VILLAGE}");
        let (status, _, list) = call(&f, Method::GET, &at, &dinsos, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains("TKSK Pak Budi"), "{list}");
        let (status, _, _) = call(
            &f,
            Method::POST,
            &at,
            &dinsos,
            Some(add("X", "psm").replace(&csrf, &dcsrf)),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----puskesos-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"{file_name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_are_images_or_pdfs_by_content_and_small() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (cookie, csrf) = login(&f, "front");
        let body = enc(&[
            ("csrf", &csrf),
            ("contact_name", "Wagiyem"),
            ("channel", "datang"),
            ("sector", "adminduk"),
            ("summary", "Akta kelahiran anak hilang"),
            ("consent_purpose", "pengurusan dokumen"),
            ("consent", "ya"),
        ]);
        let (_, loc, _) = call(&f, Method::POST, "/kasus/baru", &cookie, Some(body)).await;
        let id = loc.unwrap().trim_start_matches("/kasus/").to_string();
        let upload = |name: &'static str, bytes: Vec<u8>| {
            let (ct, body) = multipart(&csrf, name, &bytes);
            let req = Request::builder()
                .method(Method::POST)
                .uri(format!("/kasus/{id}/lampiran"))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap();
            let app = f.app.clone();
            async move { app.oneshot(req).await.unwrap().status() }
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[0u8; 64]);
        assert_eq!(upload("kk.png", png.clone()).await, StatusCode::SEE_OTHER);
        // A program renamed to .png, and a file over 5 MB: refused, nothing stored, recorded.
        assert_eq!(
            upload("foto.png", b"MZ\x90\x00 not an image".to_vec()).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(5 * 1024 * 1024 + 10, b' ');
        assert_eq!(
            upload("surat.pdf", big).await,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(count(&f, "SELECT COUNT(*) FROM case_attachments"), 1);
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'upload-refused'"
            ),
            2
        );
        let aid = crate::support::first_text(&f, "SELECT id FROM case_attachments");
        let req = Request::builder()
            .uri(format!("/kasus/{id}/lampiran/{aid}"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let resp = f.app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png");
        assert_eq!(
            resp.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
            png
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_profile_becomes_a_family_record_and_a_proposal() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (front, csrf) = login(&f, "front");
        let body = enc(&[
            ("csrf", &csrf),
            ("contact_name", "Wagiyem"),
            ("contact_address", "Dusun Pucung"),
            ("channel", "datang"),
            ("sector", "adminduk"),
            ("summary", "Belum terdaftar di DTSEN"),
            ("consent_purpose", "pendaftaran dan usulan DTSEN"),
            ("consent", "ya"),
        ]);
        let (_, loc, _) = call(&f, Method::POST, "/kasus/baru", &front, Some(body)).await;
        let id = loc.unwrap().trim_start_matches("/kasus/").to_string();
        let (ketua, kcsrf) = login(&f, "ketua");
        let (_, _, page) = call(&f, Method::GET, &format!("/kasus/{id}"), &ketua, None).await;
        assert!(
            page.contains(&format!("/keluarga/baru?kasus={id}")),
            "{page}"
        );
        let (status, _, form) = call(
            &f,
            Method::GET,
            &format!("/keluarga/baru?kasus={id}"),
            &ketua,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            form.contains("value=\"Wagiyem\"") && form.contains("value=\"Dusun Pucung\""),
            "prefilled: {form}"
        );
        let body = enc(&[
            ("csrf", &kcsrf),
            ("f.no_kk", "3312011502150003"),
            ("f.kode_wilayah", VILLAGE),
            ("f.alamat", "Dusun Pucung"),
            ("p.nik", "3312014101900001"),
            ("p.nama", "Wagiyem"),
            ("p.jenis_kelamin", "P"),
            ("p.tanggal_lahir", "1990-01-01"),
            ("p.hubungan", "kepala_keluarga"),
            ("alasan", "didaftarkan dari kasus"),
        ]);
        let (status, loc, resp) = call(
            &f,
            Method::POST,
            &format!("/keluarga/baru?kasus={id}"),
            &ketua,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{resp}");
        let family = loc.unwrap().trim_start_matches("/keluarga/").to_string();
        assert_eq!(
            count(
                &f,
                &format!(
                    "SELECT COUNT(*) FROM cases WHERE family_id = '{family}' AND person_id IS NOT NULL"
                )
            ),
            1
        );
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM case_events WHERE step = 'register' AND note = 'usulan DTSEN'"
            ),
            1
        );
        assert_eq!(
            count(
                &f,
                &format!(
                    "SELECT COUNT(*) FROM families WHERE id = '{family}' AND source = 'usulan-kasus'"
                )
            ),
            1
        );
        // The proposals list for the district, as the data officer or the Ketua downloads it.
        let (status, _, csv) = call(&f, Method::GET, "/data/usulan?format=csv", &ketua, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            csv.contains("3312011502150003") && csv.contains("Wagiyem") && csv.contains("K-20"),
            "{csv}"
        );
        // A later visit found by the family's KK or by the resident's NIK is linked at intake.
        for (number, person_linked) in [("3312011502150003", false), ("3312014101900001", true)] {
            let body = enc(&[
                ("csrf", &csrf),
                ("nik", number),
                ("contact_name", "Wagiyem"),
                ("channel", "telepon"),
                ("sector", "pangan"),
                ("summary", "Menanyakan bantuan pangan"),
                ("consent_purpose", "layanan"),
                ("consent", "ya"),
            ]);
            let (status, _, _) = call(&f, Method::POST, "/kasus/baru", &front, Some(body)).await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            let linked = count(
                &f,
                &format!(
                    "SELECT COUNT(*) FROM cases WHERE family_id = '{family}' AND summary = 'Menanyakan bantuan pangan' AND person_id IS {} NULL",
                    if person_linked { "NOT" } else { "" }
                ),
            );
            assert_eq!(linked, 1, "{number}");
        }
    }
}

/// The provider's link (relative) of the referral `rid` as the case page shows it to `who`.
async fn link_on_case_page(f: &Fixture, who: &str, id: &str) -> Option<String> {
    let (cookie, _) = login(f, who);
    let (_, _, page) = call(f, Method::GET, &format!("/kasus/{id}"), &cookie, None).await;
    let at = page.find(">http://127.0.0.1:8080/rujukan/")? + ">http://127.0.0.1:8080".len();
    Some(page[at..].split('<').next()?.replace("&amp;", "&"))
}

async fn refer(f: &Fixture, id: &str, provider: &str) -> StatusCode {
    let (cookie, csrf) = login(f, "ketua");
    let body = enc(&[
        ("csrf", &csrf),
        ("step", "refer"),
        ("provider", provider),
        ("due_days", "7"),
    ]);
    let path = format!("/kasus/{id}/langkah");
    call(f, Method::POST, &path, &cookie, Some(body)).await.0
}

async fn answer(f: &Fixture, link: &str, status: &str, note: &str) -> StatusCode {
    let (path, token) = link.split_once("?t=").unwrap();
    let body = enc(&[("t", token), ("status", status), ("note", note)]);
    call(f, Method::POST, path, "", Some(body)).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn referrals_as_a_list_refused_then_served_closed_reopened_and_found() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (fo, csrf) = login(&f, "front");
        let intake = enc(&[
            ("csrf", &csrf),
            ("contact_name", "Painem"),
            ("channel", "datang"),
            ("sector", "kesehatan"),
            ("summary", "Butuh kursi roda"),
            ("consent_purpose", "rujukan"),
            ("consent", "ya"),
        ]);
        let (status, loc, _) = call(&f, Method::POST, "/kasus/baru", &fo, Some(intake)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let id = loc.unwrap().trim_start_matches("/kasus/").to_string();
        for (who, s, note) in [
            ("front", "assign", ""),
            ("sehat", "recommend", "kursi roda"),
            ("ketua", "decide", "dirujuk"),
        ] {
            assert_eq!(step(&f, who, &id, s, note).await, StatusCode::SEE_OTHER);
        }
        let (kc, kcsrf) = login(&f, "ketua");
        for (name, kind) in [
            ("Puskesmas Satu", "puskesmas"),
            ("Dinsos Wonogiri", "dinas_sosial"),
        ] {
            let body = enc(&[("csrf", &kcsrf), ("name", name), ("kind", kind)]);
            call(&f, Method::POST, "/penyedia", &kc, Some(body)).await;
        }
        let pid = |name: &str| {
            crate::support::first_text(
                &f,
                &format!("SELECT id FROM providers WHERE name = '{name}'"),
            )
        };
        // The first provider refuses; the case is referred again, to the district's office.
        assert_eq!(
            refer(&f, &id, &pid("Puskesmas Satu")).await,
            StatusCode::SEE_OTHER
        );
        let first = link_on_case_page(&f, "ketua", &id).await.unwrap();
        // The front office may not send referrals: no link on its page.
        assert!(link_on_case_page(&f, "front", &id).await.is_none());
        let (status, _, page) = call(&f, Method::GET, &first, "", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Painem") && page.contains("Butuh kursi roda"),
            "{page}"
        );
        assert_eq!(
            answer(&f, &first, "ditolak", "stok habis").await,
            StatusCode::SEE_OTHER
        );
        // Final: the link is closed, with a page that says so; a second answer changes nothing.
        let (status, _, page) = call(&f, Method::GET, &first, "", None).await;
        assert_eq!(status, StatusCode::GONE, "{page}");
        assert_eq!(
            answer(&f, &first, "selesai", "x").await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            refer(&f, &id, &pid("Dinsos Wonogiri")).await,
            StatusCode::SEE_OTHER
        );
        // The district's desk lists the referral to its office.
        let (dc, _) = login(&f, "dinsos");
        let (status, _, desk) = call(&f, Method::GET, "/antrean", &dc, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            desk.contains("Dinsos Wonogiri") && desk.contains("Painem"),
            "{desk}"
        );
        let second = link_on_case_page(&f, "ketua", &id).await.unwrap();
        assert_ne!(second, first);
        assert_eq!(
            answer(&f, &second, "diterima", "dijadwalkan").await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            answer(&f, &second, "selesai", "kursi roda diserahkan").await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            step(&f, "sehat", &id, "follow_up", "diterima warga").await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            step(&f, "ketua", &id, "close", "").await,
            StatusCode::SEE_OTHER
        );
        // Every answer is in the history with its note.
        let (_, _, page) = call(&f, Method::GET, &format!("/kasus/{id}"), &kc, None).await;
        for note in ["stok habis", "dijadwalkan", "kursi roda diserahkan"] {
            assert!(page.contains(note), "{note} missing from the history");
        }
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM case_events WHERE step LIKE 'provider_%'"
            ),
            3
        );
        // Closed: the search finds it only in the archive, by name.
        let (_, _, open) = call(&f, Method::GET, "/kasus?q=painem", &kc, None).await;
        assert!(!open.contains("Butuh kursi roda"), "{open}");
        let (_, _, archive) = call(&f, Method::GET, "/kasus?q=painem&arsip=ya", &kc, None).await;
        assert!(archive.contains("Butuh kursi roda"), "{archive}");
        let (status, _, _) = call(&f, Method::GET, "/kasus?dari=kemarin", &kc, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Reopened with a reason (required), back in handling.
        assert_eq!(
            step(&f, "ketua", &id, "reopen", "").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            step(&f, "ketua", &id, "reopen", "kursi rusak").await,
            StatusCode::SEE_OTHER
        );
        let (_, _, page) = call(&f, Method::GET, &format!("/kasus/{id}"), &kc, None).await;
        assert!(
            page.contains("Dibuka kembali") && page.contains("kursi rusak"),
            "{page}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_district_picks_a_village_and_decides_an_escalated_complaint() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (dc, dcsrf) = login(&f, "dinsos");
        // No village picked: the picker, with the district's villages by name.
        let (status, _, page) = call(&f, Method::GET, "/kasus", &dc, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("name=\"desa\"") && page.contains("Petirsari"),
            "{page}"
        );
        let r = crate::support::request(
            &f,
            Method::GET,
            &format!("/pengaduan?desa={VILLAGE}"),
            &dc,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        // A complaint filed, escalated by the Ketua, decided by the district.
        let (front, csrf) = login(&f, "front");
        let body = enc(&[
            ("csrf", &csrf),
            ("category", "pengaduan"),
            ("summary", "Bantuan tidak sampai"),
            ("contact_name", "Sukinem"),
        ]);
        let (status, _, _) = call(&f, Method::POST, "/pengaduan/baru", &front, Some(body)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cid = crate::support::first_text(&f, "SELECT id FROM complaints");
        let (kc, kcsrf) = login(&f, "ketua");
        let body = enc(&[
            ("csrf", &kcsrf),
            ("action", "escalate"),
            ("note", "di luar wewenang desa"),
        ]);
        let (status, _, _) = call(
            &f,
            Method::POST,
            &format!("/pengaduan/{cid}/langkah"),
            &kc,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, _, desk) = call(&f, Method::GET, "/antrean", &dc, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(desk.contains("Bantuan tidak sampai"), "{desk}");
        let body = enc(&[
            ("csrf", &dcsrf),
            ("desa", VILLAGE),
            ("action", "resolve"),
            ("note", "diusulkan ke DTSEN"),
        ]);
        let (status, _, _) = call(
            &f,
            Method::POST,
            &format!("/pengaduan/{cid}/langkah"),
            &dc,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, desk) = call(&f, Method::GET, "/antrean", &dc, None).await;
        assert!(!desk.contains("Bantuan tidak sampai"), "{desk}");
        // Back in the village's queue, with the decision.
        let (_, _, queue) = call(&f, Method::GET, "/antrean", &kc, None).await;
        assert!(queue.contains("diusulkan ke DTSEN"), "{queue}");
    }
}

/// At intake a mistyped number and a valid number not registered here get different words:
/// the first is a typing mistake, the second a new resident whose name is needed.
#[tokio::test(flavor = "multi_thread")]
async fn intake_tells_a_mistyped_number_from_an_unregistered_resident() {
    for t in crate::support::databases() {
        let f = setup(t);
        let (cookie, csrf) = login(&f, "front");
        let post = |nik: &str, name: &str| {
            enc(&[
                ("csrf", &csrf),
                ("nik", nik),
                ("contact_name", name),
                ("channel", "datang"),
                ("sector", "kesehatan"),
                ("summary", "Butuh kursi roda"),
                ("consent", "ya"),
                ("consent_purpose", "Penanganan kebutuhan"),
            ])
        };
        let (status, _, typo) = call(
            &f,
            Method::POST,
            "/kasus/baru",
            &cookie,
            Some(post("33120", "")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(typo.contains("bukan NIK atau nomor KK yang sah"), "{typo}");
        let (status, _, new) = call(
            &f,
            Method::POST,
            "/kasus/baru",
            &cookie,
            Some(post("3312014101900077", "")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            new.contains("belum terdaftar di registri desa ini"),
            "{new}"
        );
        assert_eq!(
            count(&f, "SELECT COUNT(*) FROM cases"),
            0,
            "nothing written"
        );
        let (status, _, _) = call(
            &f,
            Method::POST,
            "/kasus/baru",
            &cookie,
            Some(post("3312014101900077", "Pak Darto")),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM cases WHERE contact_nik = '3312014101900077'"
            ),
            1
        );
    }
}

/// A complaint taken with the resident's NIK is the family's: its page lists it. A number that
/// is no NIK or KK is refused with its own words, and nothing is filed.
#[tokio::test(flavor = "multi_thread")]
async fn a_complaint_with_a_nik_is_listed_on_the_family_page() {
    for t in crate::support::databases() {
        crate::support::demo_villages(&t, &[(VILLAGE, 3, 12)], puskesos_storage::figures::today());
        let f = setup(t);
        let (cookie, csrf) = login(&f, "front");
        let row = crate::support::first_text(
            &f,
            "SELECT nik || ' ' || family_id FROM persons ORDER BY nik LIMIT 1",
        );
        let (nik, family) = row.split_once(' ').unwrap();
        let post = |number: &str| {
            enc(&[
                ("csrf", &csrf),
                ("nik", number),
                ("category", "pengaduan"),
                ("summary", "Belum menerima Sembako"),
            ])
        };
        let (status, _, body) = call(
            &f,
            Method::POST,
            "/pengaduan/baru",
            &cookie,
            Some(post("12345")),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("bukan NIK atau nomor KK yang sah"), "{body}");
        assert_eq!(count(&f, "SELECT COUNT(*) FROM complaints"), 0);
        let (status, _, _) = call(
            &f,
            Method::POST,
            "/pengaduan/baru",
            &cookie,
            Some(post(nik)),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let ticket = crate::support::first_text(&f, "SELECT ticket FROM complaints");
        let (_, _, page) = call(
            &f,
            Method::GET,
            &format!("/keluarga/{family}"),
            &cookie,
            None,
        )
        .await;
        assert!(
            page.contains(&ticket),
            "the family page lists the complaint: {page}"
        );
    }
}
