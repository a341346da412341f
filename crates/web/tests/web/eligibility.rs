//! The eligibility pages: the family page explains every program; the gap lists agree with the
//! stored assessment and export to CSV; what-if refuses a broken rule file with its line and
//! column and shows gains without storing anything; an edit is reassessed at once; a district
//! officer sees only villages of the district.

use crate::support::{Fixture, count, enc, login};
use axum::http::{Method, StatusCode};
use puskesos_domain::access::Role;
use puskesos_domain::model::FAMILY_FIELDS;
use puskesos_storage::registry;
use puskesos_storage::testing;

const VILLAGE: &str = "33.12.01.2003";

fn setup(t: testing::TestDb, families: usize) -> Fixture {
    let t = crate::support::with_accounts(
        t,
        &[
            ("analis", Role::ReviewAnalisis, Some(VILLAGE)),
            ("intake", Role::PenerimaInformasi, Some(VILLAGE)),
            ("dinsos", Role::DinasSosial, Some("33.12")),
            ("dinsos2", Role::DinasSosial, Some("33.13")),
        ],
    );
    crate::support::demo_villages(
        &t,
        &[(VILLAGE, families, 3)],
        chrono::Local::now().date_naive(),
    );
    crate::support::fixture(t)
}

async fn call(
    f: &Fixture,
    method: Method,
    uri: &str,
    cookie: &str,
    body: Option<String>,
) -> (StatusCode, String) {
    let r = crate::support::request(f, method, uri, cookie, body).await;
    (r.status, r.text())
}

#[tokio::test(flavor = "multi_thread")]
async fn gap_lists_agree_with_the_store_and_export() {
    for t in crate::support::databases() {
        let f = setup(t, 120);
        let (cookie, _) = login(&f, "analis");
        let (status, body) = call(&f, Method::GET, "/kelayakan", &cookie, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Program Sembako (BPNT)"), "{body}");
        let n = count(
            &f,
            "SELECT COUNT(*) FROM program_gaps WHERE program = 'bpnt' AND gap = 'exclusion'",
        );
        assert!(n > 0);
        assert!(
            body.contains(&format!("/kelayakan/bpnt/exclusion\">{n}<")),
            "overview shows {n} BPNT exclusions"
        );
        let (status, csv) = call(
            &f,
            Method::GET,
            "/kelayakan/bpnt/exclusion/ekspor?format=csv",
            &cookie,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            csv.lines().count() as i64,
            n + 1,
            "header plus one line per family"
        );
        let kk: String = crate::support::first_text(
            &f,
            "SELECT f.no_kk FROM program_gaps g JOIN families f ON f.id = g.family_id WHERE g.program = 'bpnt' AND g.gap = 'exclusion' ORDER BY f.no_kk LIMIT 1",
        );
        let rows = crate::support::excel_rows(csv.as_bytes());
        assert_eq!(rows[1][0], kk, "the KK as text in the first column");
        assert_eq!(
            count(
                &f,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND entity = 'gap_list'"
            ),
            1
        );
        // The front-office intake role does not review gaps.
        let (intake, _) = login(&f, "intake");
        let (status, _) = call(&f, Method::GET, "/kelayakan", &intake, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A district officer chooses a village of the district; another district's officer cannot.
        let (dinsos, _) = login(&f, "dinsos");
        let (status, body) = call(
            &f,
            Method::GET,
            &format!("/kelayakan?desa={VILLAGE}"),
            &dinsos,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(&format!("/kelayakan/bpnt/exclusion?desa={VILLAGE}\">{n}<")));
        // Without a village, the district's villages side by side.
        let (status, body) = call(&f, Method::GET, "/kelayakan", &dinsos, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains(&format!("href=\"/kelayakan?desa={VILLAGE}\"")),
            "{body}"
        );
        let (other, _) = login(&f, "dinsos2");
        let (status, body) = call(&f, Method::GET, "/kelayakan", &other, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !body.contains(VILLAGE),
            "another district sees none of this village"
        );
        let (status, _) = call(
            &f,
            Method::GET,
            &format!("/kelayakan/bpnt/exclusion?desa={VILLAGE}"),
            &other,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn family_page_explains_each_program() {
    for t in crate::support::databases() {
        let f = setup(t, 60);
        let (cookie, _) = login(&f, "analis");
        let id = crate::support::first_text(
            &f,
            "SELECT family_id FROM program_gaps WHERE program = 'pkh' AND gap = 'exclusion' LIMIT 1",
        );
        let (status, body) = call(&f, Method::GET, &format!("/keluarga/{id}"), &cookie, None).await;
        assert_eq!(status, StatusCode::OK);
        for needle in [
            "Program Keluarga Harapan (PKH)",
            "Layak, belum menerima",
            "perkiraan manfaat Rp",
            "desil_efektif &lt;= 4",
            "Kriteria fakir miskin Kepmensos 262/HUK/2022",
            "Desil DTSEN",
        ] {
            assert!(body.contains(needle), "family page lacks {needle}");
        }
        // The same answer as JSON.
        let (status, json) = call(
            &f,
            Method::GET,
            &format!("/api/v1/keluarga/{id}/kelayakan"),
            &cookie,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let pkh = v["programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program"] == "pkh")
            .unwrap();
        assert_eq!(pkh["outcome"], "eligible");
        assert_eq!(pkh["gap"], "exclusion");
        assert!(pkh["yearly_amount"].as_i64().unwrap() > 0);
        // Another district's officer gets nothing.
        let (other, _) = login(&f, "dinsos2");
        let (status, _) = call(
            &f,
            Method::GET,
            &format!("/api/v1/keluarga/{id}/kelayakan"),
            &other,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn whatif_refuses_broken_rules_and_counts_gains_without_storing() {
    for t in crate::support::databases() {
        let f = setup(t, 150);
        let (cookie, csrf) = login(&f, "analis");
        let before = count(&f, "SELECT COUNT(*) FROM program_gaps");
        let (status, page) = call(
            &f,
            Method::GET,
            "/kelayakan/bagaimana-jika?program=bpnt",
            &cookie,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("desil_efektif &lt;= 4"),
            "the form holds the BPNT file"
        );
        let bpnt = include_str!("../../../domain/rules/2025/bpnt.toml");
        let broken = bpnt.replace("desil_efektif <= 4", "desil_efektif <= 4 and nonsense");
        let (status, body) = call(
            &f,
            Method::POST,
            "/kelayakan/bagaimana-jika",
            &cookie,
            Some(format!("csrf={csrf}&desa={VILLAGE}&rules={}", enc(&broken))),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let line = broken.lines().position(|l| l.contains("nonsense")).unwrap() + 1;
        assert!(
            body.contains(&format!("baris {line}, kolom 36")),
            "error names line {line}: {body}"
        );
        assert!(body.contains("fakta tidak dikenal"));
        let wider = bpnt.replace("desil_efektif <= 4", "desil_efektif <= 5");
        let (status, body) = call(
            &f,
            Method::POST,
            "/kelayakan/bagaimana-jika",
            &cookie,
            Some(format!("csrf={csrf}&desa={VILLAGE}&rules={}", enc(&wider))),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Independently: families of effective decile 5 are the gains.
        let gains = count(
            &f,
            "SELECT COUNT(*) FROM assessments WHERE desil_efektif = 5",
        );
        assert!(gains > 0);
        assert!(
            body.contains(&format!("Bertambah ({gains})")),
            "{gains} gains expected"
        );
        assert_eq!(
            count(&f, "SELECT COUNT(*) FROM program_gaps"),
            before,
            "nothing stored"
        );
        // A forged CSRF token changes nothing and is refused.
        let (status, _) = call(
            &f,
            Method::POST,
            "/kelayakan/bagaimana-jika",
            &cookie,
            Some(format!("csrf=forged&desa={VILLAGE}&rules={}", enc(&wider))),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_in_the_browser_is_reassessed_at_once() {
    for t in crate::support::databases() {
        let f = setup(t, 40);
        let (cookie, csrf) = login(&f, "analis");
        let id = crate::support::first_text(
            &f,
            "SELECT f.id FROM families f JOIN assessments a ON a.family_id = f.id \
         WHERE f.desil >= 6 AND f.bpnt_sejak IS NULL ORDER BY f.no_kk LIMIT 1",
        );
        let family =
            crate::support::sync(|| registry::family_by_id(&mut f.t.db.conn().unwrap(), &id))
                .unwrap()
                .unwrap();
        let mut pairs: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("alasan".into(), "desil baru dari DTSEN".into()),
        ];
        for (fld, v) in FAMILY_FIELDS.iter().zip(&family.values) {
            let text = if fld.key == "desil" {
                "1".to_string()
            } else {
                v.as_ref().map(|v| v.to_text(fld.kind)).unwrap_or_default()
            };
            pairs.push((format!("f.{}", fld.key), text));
        }
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let (status, resp) = call(
            &f,
            Method::POST,
            &format!("/keluarga/{id}/ubah"),
            &cookie,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{resp}");
        let gap = count(
            &f,
            &format!(
                "SELECT COUNT(*) FROM program_gaps WHERE program = 'bpnt' AND gap = 'exclusion' AND family_id = '{id}'"
            ),
        );
        assert_eq!(gap, 1, "BPNT exclusion recorded right after the edit");
    }
}
