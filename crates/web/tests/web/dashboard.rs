//! The data and information centre in the browser: the dashboard's figures and exports agree
//! with the registry; a wrong filter is named; the public board and its poster carry no NIK,
//! name or address and suppress small counts; the district roll-up lists only its villages and
//! drills down; the monthly report comes as a page, a PDF and an XLSX workbook.

use std::io::Cursor;

use crate::support::{Fixture, count};
use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use puskesos_domain::access::Role;
use puskesos_storage::activities::{self, NewActivity};
use puskesos_storage::testing;
use puskesos_storage::{figures, now_ms};

const VILLAGE: &str = "33.12.01.2003";
const SMALL_VILLAGE: &str = "33.12.01.2001";

/// A village of `families` families and a second one of three, with village and district
/// accounts.
fn setup(t: testing::TestDb, families: usize) -> Fixture {
    let t = crate::support::with_accounts(
        t,
        &[
            ("analis", Role::ReviewAnalisis, Some(VILLAGE)),
            ("dinsos", Role::DinasSosial, Some("33.12")),
            ("dinsos2", Role::DinasSosial, Some("33.13")),
        ],
    );
    crate::support::demo_villages(
        &t,
        &[(VILLAGE, families, 5), (SMALL_VILLAGE, 3, 5)],
        figures::today(),
    );
    crate::support::fixture(t)
}

fn login(f: &Fixture, user: &str) -> String {
    crate::support::login(f, user).0
}

async fn get(f: &Fixture, uri: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
    let r = crate::support::request(f, Method::GET, uri, cookie, None).await;
    (r.status, r.content_type, r.body)
}

fn texts(f: &Fixture, sql: &str) -> Vec<String> {
    crate::support::sync(|| {
        f.t.db
            .conn()
            .unwrap()
            .query(sql, &[])
            .unwrap()
            .into_iter()
            .filter_map(|r| r.into_iter().next().and_then(|v| v.into_string()))
            .collect()
    })
}

/// The data rows (header left out) as Excel reads them.
fn csv_rows(body: &[u8]) -> Vec<Vec<String>> {
    crate::support::excel_rows(body).split_off(1)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_and_its_exports_agree_with_the_registry() {
    for t in crate::support::databases() {
        let f = setup(t, 150);
        let cookie = login(&f, "analis");
        let (status, _, body) = get(&f, "/dasbor", &cookie).await;
        let html = String::from_utf8(body).unwrap();
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(
            html.contains("<svg class=\"chart\""),
            "charts drawn on the server"
        );
        // RS-RTLH is a one-off grant: its value is not "per year".
        assert!(html.contains("sekali (bantuan satu kali)"), "{html}");
        assert_eq!(
            html.matches("<details").count(),
            7,
            "numbers under every chart"
        );
        assert!(
            !html.contains("http://") || !html.contains("src=\"http"),
            "nothing from outside"
        );

        // The people table sums to the registry's present people; the PPKS table has one row per
        // category; the program table's exclusions are the stored ones.
        let people = count(
            &f,
            "SELECT COUNT(*) FROM persons WHERE kode_wilayah = '33.12.01.2003' \
         AND (status IS NULL OR status = 'ada')",
        );
        let (status, ctype, body) = get(&f, "/dasbor/tabel/penduduk?format=csv", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ctype.starts_with("text/csv"));
        let rows = csv_rows(&body);
        assert_eq!(rows.len(), 16, "sixteen age bands");
        let total: i64 = rows.iter().map(|r| r[4].parse::<i64>().unwrap()).sum();
        assert_eq!(total, people);
        let (_, _, body) = get(&f, "/dasbor/tabel/ppks?format=csv", &cookie).await;
        assert_eq!(csv_rows(&body).len(), 7);
        let elderly = csv_rows(&body)[0][1].parse::<i64>().unwrap();
        let born_before: String = (figures::today() - chrono::Duration::days(365 * 60 + 15))
            .format("%Y-%m-%d")
            .to_string();
        let surely_elderly = count(
            &f,
            &format!(
                "SELECT COUNT(*) FROM persons WHERE kode_wilayah = '33.12.01.2003' \
             AND (status IS NULL OR status = 'ada') AND tanggal_lahir < '{born_before}'"
            ),
        );
        assert!(
            elderly >= surely_elderly && surely_elderly > 0,
            "{elderly} vs {surely_elderly}"
        );
        let (_, ctype, body) = get(&f, "/dasbor/tabel/program?format=xlsx", &cookie).await;
        assert!(ctype.contains("spreadsheetml"));
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
        let sheet = wb.worksheet_range("program").unwrap();
        let bpnt_row = sheet
            .rows()
            .find(|r| r[0].to_string().contains("BPNT"))
            .expect("a BPNT row");
        let stored = count(
            &f,
            "SELECT COUNT(*) FROM program_gaps WHERE kode_wilayah = '33.12.01.2003' \
         AND program = 'bpnt' AND gap = 'exclusion'",
        );
        assert_eq!(
            bpnt_row[2],
            Data::Float(stored as f64),
            "exclusions as stored"
        );

        // One RW: the family count of that RW.
        let rw = texts(
            &f,
            "SELECT rw FROM families WHERE kode_wilayah = '33.12.01.2003' ORDER BY no_kk LIMIT 1",
        )
        .remove(0);
        let in_rw = count(
            &f,
            &format!(
                "SELECT COUNT(*) FROM families WHERE kode_wilayah = '33.12.01.2003' AND rw = '{rw}'"
            ),
        );
        let (_, _, body) = get(
            &f,
            &format!("/dasbor/tabel/desil?format=csv&rw={rw}"),
            &cookie,
        )
        .await;
        let families: i64 = csv_rows(&body)
            .iter()
            .map(|r| r[1].parse::<i64>().unwrap())
            .sum();
        assert_eq!(families, in_rw);

        // A wrong filter value is named, in Indonesian.
        let (status, _, body) = get(&f, "/dasbor?rw=satu", &cookie).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = String::from_utf8(body).unwrap();
        assert!(page.contains("Nilai RW"));
        assert!(
            page.contains("&quot;satu&quot;"),
            "the value given is named"
        );
        let (status, _, _) = get(&f, "/dasbor?dari=2026-05-01&sampai=2026-04-01", &cookie).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, _) = get(&f, "/dasbor/tabel/tidak-ada?format=csv", &cookie).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Without a login: to the login page.
        let (status, _, _) = get(&f, "/dasbor", "").await;
        assert_ne!(status, StatusCode::OK);
    }
}

/// Every NIK, KK, name and address of the registry, for the no-personal-data checks.
fn personal(f: &Fixture) -> Vec<String> {
    let mut all = texts(f, "SELECT nik FROM persons");
    all.extend(texts(f, "SELECT nama FROM persons"));
    all.extend(texts(f, "SELECT no_kk FROM families"));
    all.extend(texts(
        f,
        "SELECT alamat FROM families WHERE alamat IS NOT NULL",
    ));
    all.retain(|s| s.len() >= 4);
    assert!(all.len() > 500);
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_and_poster_show_no_personal_data_and_suppress_small_counts() {
    for t in crate::support::databases() {
        let f = setup(t, 60);
        let secrets = personal(&f);
        for village in [VILLAGE, SMALL_VILLAGE] {
            let (status, _, body) = get(&f, &format!("/papan/{village}"), "").await;
            let html = String::from_utf8(body).unwrap();
            assert_eq!(status, StatusCode::OK, "public, no login");
            for s in &secrets {
                assert!(!html.contains(s.as_str()), "board shows {s}");
            }
            // No count from 1 to 4 anywhere in a table or a chart label.
            for n in 1..=4 {
                assert!(
                    !html.contains(&format!("<td class=\"num\">{n}</td>")),
                    "{village}: {n} shown"
                );
                assert!(
                    !html.contains(&format!("class=\"v\">{n}</text>")),
                    "{village}: bar {n}"
                );
            }
            for size in ["a4", "a3"] {
                let (status, ctype, pdf) =
                    get(&f, &format!("/papan/{village}/poster?ukuran={size}"), "").await;
                assert_eq!(status, StatusCode::OK);
                assert_eq!(ctype, "application/pdf");
                let text = String::from_utf8_lossy(&pdf);
                assert!(text.starts_with("%PDF-"));
                assert!(text.contains(if size == "a3" { "1191" } else { "842" }));
                for s in &secrets {
                    assert!(!text.contains(&format!("({s})")), "poster shows {s}");
                }
                for n in 1..=4 {
                    assert!(
                        !text.contains(&format!("({n})")),
                        "poster shows the count {n}"
                    );
                }
            }
        }
        // The three-family village: its family count and small categories read "< 5".
        let (_, _, body) = get(&f, &format!("/papan/{SMALL_VILLAGE}"), "").await;
        let html = String::from_utf8(body).unwrap();
        assert!(html.contains("<strong>&lt; 5</strong> keluarga"), "{html}");
        let (_, _, pdf) = get(&f, &format!("/papan/{SMALL_VILLAGE}/poster"), "").await;
        assert!(String::from_utf8_lossy(&pdf).contains("(< 5)"));
        // A village without a registry here, or not a village code: not found.
        for code in ["33.12.01.2002", "33.12", "ngawur"] {
            let (status, _, _) = get(&f, &format!("/papan/{code}"), "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{code}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_district_sees_its_villages_side_by_side_and_drills_down() {
    for t in crate::support::databases() {
        let f = setup(t, 40);
        let cookie = login(&f, "dinsos");
        let (status, _, body) = get(&f, "/dasbor", &cookie).await;
        let html = String::from_utf8(body).unwrap();
        assert_eq!(status, StatusCode::OK);
        for v in [VILLAGE, SMALL_VILLAGE] {
            assert!(html.contains(&format!("/dasbor?desa={v}")), "{v} listed");
        }
        let (_, _, body) = get(&f, "/dasbor/tabel/kabupaten?format=csv", &cookie).await;
        let rows = csv_rows(&body);
        assert_eq!(rows.len(), 2);
        let big = rows.iter().find(|r| r[2] == VILLAGE).unwrap();
        assert_eq!(big[3], "40", "families of the village");
        let (status, _, body) = get(&f, &format!("/dasbor?desa={VILLAGE}"), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            String::from_utf8(body)
                .unwrap()
                .contains("<svg class=\"chart\"")
        );
        // Another district's officer sees neither.
        let other = login(&f, "dinsos2");
        let (_, _, body) = get(&f, "/dasbor", &other).await;
        assert!(!String::from_utf8(body).unwrap().contains(VILLAGE));
        let (status, _, _) = get(&f, &format!("/dasbor?desa={VILLAGE}"), &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_monthly_report_as_page_pdf_and_workbook() {
    for t in crate::support::databases() {
        let f = setup(t, 30);
        let today = figures::today();
        let participant = texts(
            &f,
            "SELECT nik FROM persons WHERE kode_wilayah = '33.12.01.2003' LIMIT 1",
        )
        .remove(0);
        crate::support::sync(|| {
            activities::record(
                &mut f.t.db.conn().unwrap(),
                &NewActivity {
                    village: VILLAGE.into(),
                    kind: "sosialisasi".into(),
                    title: "Sosialisasi PKH di balai desa".into(),
                    held_on: Some(today),
                    place: "Balai desa".into(),
                    outcome: None,
                    planned: false,
                    provider_id: None,
                    participants: vec![participant, "; Tamu dari dusun; P; 1980; 2/3".into()],
                },
                "analis",
                now_ms(),
            )
        })
        .unwrap()
        .unwrap();
        let cookie = login(&f, "analis");
        let month = today.format("%Y-%m").to_string();
        let (status, _, body) = get(&f, &format!("/laporan?bulan={month}"), &cookie).await;
        let html = String::from_utf8(body).unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Sosialisasi PKH di balai desa"));
        let (_, ctype, pdf) = get(&f, &format!("/laporan?bulan={month}&format=pdf"), &cookie).await;
        assert_eq!(ctype, "application/pdf");
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/LB-PUSKESOS/33.12.01.2003/"),
            "the letter's number"
        );
        assert!(text.contains("(Sosialisasi PKH di balai desa)"));
        let (_, _, xlsx) = get(&f, &format!("/laporan?bulan={month}&format=xlsx"), &cookie).await;
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
        assert_eq!(
            wb.sheet_names(),
            [
                "layanan",
                "kegiatan",
                "kasus",
                "rujukan",
                "pengaduan",
                "pemutakhiran",
                "usulan"
            ]
        );
        // Each sheet opens with three title rows (title, village, month) and a blank one.
        let acts = wb.worksheet_range("kegiatan").unwrap();
        assert_eq!(acts.height(), 6, "titles, header and the one activity");
        assert_eq!(
            acts.get((5, 4)),
            Some(&Data::Float(2.0)),
            "two participants"
        );
        let summary = wb.worksheet_range("layanan").unwrap();
        assert_eq!(
            summary.get((5, 1)),
            Some(&Data::Float(2.0)),
            "two people served"
        );
        // The month the data was saved shows the saves; an impossible month is named.
        let data = wb.worksheet_range("pemutakhiran").unwrap();
        assert_eq!(
            data.get((5, 1)),
            Some(&Data::Float(30.0)),
            "the village's 30 families saved"
        );
        let (status, _, _) = get(&f, "/laporan?bulan=2026-13", &cookie).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
