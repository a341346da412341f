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

/// Runs a statement on the test database.
fn exec(f: &Fixture, sql: &str) {
    crate::support::sync(|| f.t.db.conn().unwrap().execute(sql, &[]).unwrap());
}

/// Reassesses the whole registry for `on` (as `puskesos assess --on` does).
fn assess_on(f: &Fixture, on: chrono::NaiveDate) {
    use puskesos_domain::rules::assess::Assessor;
    crate::support::sync(|| {
        puskesos_storage::assessment::assess_all(
            &f.t.db,
            &Assessor::builtin(on),
            &puskesos_storage::registry::Scope::default(),
            |_| {},
        )
        .unwrap()
    });
}

/// The `<li>` of a page that holds `needle`.
fn item_with<'a>(body: &'a str, needle: &str) -> &'a str {
    let at = body
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not on the page"));
    let start = body[..at].rfind("<li").unwrap();
    let end = at + body[at..].find("</li>").unwrap();
    &body[start..end]
}

/// Issue 18 findings 2 and 4: a pupil whose final-year status is blank leaves the family's PIP
/// amount unknown. The gap row says so, the family is listed with "unknown" (not Rp0 and not the
/// known part as if it were the whole), the export says so, and the overview's and the
/// dashboard's rupiah are the known amounts only, with the unknown ones counted apart.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_amount_is_never_summed_as_zero_and_shows_as_unknown() {
    for t in crate::support::databases() {
        let f = setup(t, 150);
        let (cookie, _) = login(&f, "analis");
        // A PIP exclusion with two pupils of known final-year status: blank one of them, so
        // the other's share is known and the family's amount is not.
        let id = crate::support::first_text(
            &f,
            "SELECT g.family_id FROM program_gaps g JOIN families f ON f.id = g.family_id \
             WHERE g.program = 'pip' AND g.gap = 'exclusion' AND g.amount_known = 1 \
             AND (SELECT COUNT(*) FROM persons p WHERE p.family_id = g.family_id \
                  AND p.jenjang_sekolah IN ('sd', 'smp', 'sma') AND p.tingkat_akhir IS NOT NULL \
                  AND (p.status IS NULL OR p.status = 'ada')) >= 2 \
             ORDER BY f.no_kk LIMIT 1",
        );
        let pupil = crate::support::first_text(
            &f,
            &format!(
                "SELECT id FROM persons WHERE family_id = '{id}' \
                 AND jenjang_sekolah IN ('sd', 'smp', 'sma') AND tingkat_akhir IS NOT NULL \
                 AND (status IS NULL OR status = 'ada') ORDER BY nik LIMIT 1"
            ),
        );
        exec(
            &f,
            &format!("UPDATE persons SET tingkat_akhir = NULL WHERE id = '{pupil}'"),
        );
        assess_on(&f, chrono::Local::now().date_naive());
        let row = |col: &str| {
            count(
                &f,
                &format!(
                    "SELECT {col} FROM program_gaps WHERE family_id = '{id}' AND program = 'pip'"
                ),
            )
        };
        assert_eq!(
            row("amount_known"),
            0,
            "{}: the amount is not known",
            f.t.label
        );
        let part = row("amount");
        assert!(part > 0, "the other pupil's share is known: {part}");
        let pip_sql = |what: &str| {
            count(
                &f,
                &format!(
                    "SELECT {what} FROM program_gaps \
                     WHERE program = 'pip' AND gap = 'exclusion'"
                ),
            )
        };
        let known = pip_sql(
            "CAST(COALESCE(SUM(CASE WHEN amount_known = 0 THEN 0 ELSE amount END), 0) AS BIGINT)",
        );
        let unknown = pip_sql("COUNT(*) FILTER (WHERE amount_known = 0)");
        assert!(unknown >= 1);
        let all = pip_sql("CAST(SUM(amount) AS BIGINT)");
        assert!(
            all > known,
            "the unknown amount's known part is not in the total"
        );

        // The overview: known rupiah, and the families with an unknown amount apart.
        let (status, body) = call(&f, Method::GET, "/kelayakan", &cookie, None).await;
        assert_eq!(status, StatusCode::OK);
        let rupiah = |n: i64| puskesos_domain::i18n::format_rupiah(puskesos_domain::Lang::Id, n);
        assert!(
            body.contains(&rupiah(known)),
            "known PIP rupiah {known} shown"
        );
        assert!(
            !body.contains(&rupiah(all)),
            "the unknown amount's part is not added as if it were known"
        );
        assert!(
            body.contains(&format!("{unknown} keluarga dengan jumlah belum diketahui")),
            "{}",
            f.t.label
        );

        // The district's side-by-side view too.
        let (dinsos, _) = login(&f, "dinsos");
        let (_, district) = call(&f, Method::GET, "/kelayakan", &dinsos, None).await;
        assert!(
            district.contains(&format!("{unknown} keluarga dengan jumlah belum diketahui")),
            "{}: the district counts unknown amounts apart",
            f.t.label
        );
        assert!(!district.contains(&rupiah(all)));
        // And its roll-up of villages: the families whose amount is unknown, in their column.
        let stored = count(
            &f,
            "SELECT COUNT(*) FROM program_gaps WHERE gap = 'exclusion' AND amount_known = 0",
        );
        let (_, table) = call(
            &f,
            Method::GET,
            "/dasbor/tabel/kabupaten?format=csv",
            &dinsos,
            None,
        )
        .await;
        let rows = crate::support::excel_rows(table.as_bytes());
        let col = rows[0]
            .iter()
            .position(|h| h == "Keluarga eksklusi dengan nilai belum diketahui")
            .expect("the roll-up has the unknown column");
        let shown: i64 = rows[1..]
            .iter()
            .map(|r| r[col].parse::<i64>().unwrap())
            .sum();
        assert!(stored > 0);
        assert_eq!(
            shown, stored,
            "{}: the roll-up counts unknown amounts apart",
            f.t.label
        );

        // The list: the family's line says "unknown", with no rupiah.
        let no_kk = crate::support::first_text(
            &f,
            &format!("SELECT no_kk FROM families WHERE id = '{id}'"),
        );
        let (status, body) = call(&f, Method::GET, "/kelayakan/pip/exclusion", &cookie, None).await;
        assert_eq!(status, StatusCode::OK);
        let line = item_with(&body, &format!("KK {no_kk}"));
        assert!(line.contains("manfaat setahun tidak diketahui"), "{line}");
        assert!(!line.contains("Rp"), "{line}");
        // The export too.
        let (_, csv) = call(
            &f,
            Method::GET,
            "/kelayakan/pip/exclusion/ekspor?format=csv",
            &cookie,
            None,
        )
        .await;
        let rows = crate::support::excel_rows(csv.as_bytes());
        let exported = rows.iter().find(|r| r[0] == no_kk).unwrap();
        assert!(
            exported.iter().any(|c| c == "belum diketahui"),
            "{exported:?}"
        );

        // The family page: at least the known part, and the missing fact named.
        let (_, page) = call(&f, Method::GET, &format!("/keluarga/{id}"), &cookie, None).await;
        assert!(
            page.contains(&format!("paling sedikit {}", rupiah(part))),
            "the known part as a lower bound"
        );
        assert!(page.contains("Data yang dibutuhkan dan belum ada"));
        assert!(page.contains("Di tingkat akhir"), "the missing fact named");

        // The dashboard: the same known rupiah, the unknown amounts counted apart.
        let r = crate::support::request(
            &f,
            Method::GET,
            "/dasbor/tabel/program?format=xlsx",
            &cookie,
            None,
        )
        .await;
        use calamine::{Data, Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.body)).unwrap();
        let sheet = wb.worksheet_range("program").unwrap();
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let pip = sheet
            .rows()
            .find(|r| r[0].to_string().contains("PIP"))
            .expect("a PIP row");
        assert_eq!(pip[col("Nilai eksklusi (Rp)")], Data::Float(known as f64));
        assert_eq!(
            pip[col("Keluarga eksklusi dengan nilai belum diketahui")],
            Data::Float(unknown as f64)
        );
    }
}

/// Issue 18 finding 1: an assessment stored for reference date D is what the family page and
/// the API show, computed for D, not for today; another date only when asked for, and said so.
#[tokio::test(flavor = "multi_thread")]
async fn the_family_page_recomputes_for_the_stored_reference_date() {
    for t in crate::support::databases() {
        let f = setup(t, 150);
        let (cookie, _) = login(&f, "analis");
        let today = chrono::Local::now().date_naive();
        let stored_on = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        // Each family's PKH exclusion amount (known amounts only), by family.
        let gaps = |f: &Fixture| -> std::collections::BTreeMap<String, i64> {
            crate::support::sync(|| {
                f.t.db
                    .conn()
                    .unwrap()
                    .query(
                        "SELECT family_id, amount FROM program_gaps \
                         WHERE program = 'pkh' AND gap = 'exclusion' AND amount_known = 1",
                        &[],
                    )
                    .unwrap()
                    .into_iter()
                    .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_i64().unwrap()))
                    .collect()
            })
        };
        let for_today = gaps(&f);
        assess_on(&f, stored_on);
        let for_stored = gaps(&f);
        // A PKH exclusion on both days whose amount differs (a child under 7 on the stored
        // day is a pupil now, say).
        let (id, stored_amount, today_amount) = for_stored
            .iter()
            .find_map(|(id, a)| {
                for_today
                    .get(id)
                    .filter(|b| *b != a)
                    .map(|b| (id.clone(), *a, *b))
            })
            .expect("the demo has a family whose PKH amount changed since 2025-07-01");
        let stored_gap = "exclusion";
        let rupiah = |n: i64| puskesos_domain::i18n::format_rupiah(puskesos_domain::Lang::Id, n);
        let pkh_article = |body: &str| {
            let at = body.find("<h4>Program Keluarga Harapan (PKH)").unwrap();
            let end = at + body[at..].find("</article>").unwrap();
            body[at..end].to_string()
        };
        let pkh_class = |body: &str| {
            let at = body.find("<h4>Program Keluarga Harapan (PKH)").unwrap();
            let start = body[..at].rfind("<article class=\"program gap-").unwrap();
            body[start + "<article class=\"program gap-".len()..at]
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        let (status, body) = call(&f, Method::GET, &format!("/keluarga/{id}"), &cookie, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("Tanggal acuan penilaian: 01-07-2025"),
            "{}",
            f.t.label
        );
        assert!(!body.contains("bukan tanggal acuan tersimpan"));
        assert_eq!(
            pkh_class(&body),
            stored_gap,
            "{}: the stored day's answer",
            f.t.label
        );
        assert!(
            pkh_article(&body).contains(&format!(
                "perkiraan manfaat {} setahun",
                rupiah(stored_amount)
            )),
            "{}: the stored day's amount {stored_amount}, not today's {today_amount}",
            f.t.label
        );
        // The API answers for the stored day too.
        let (_, json) = call(
            &f,
            Method::GET,
            &format!("/api/v1/keluarga/{id}/kelayakan"),
            &cookie,
            None,
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["assessed_on"], "2025-07-01");
        assert_eq!(v["stored_assessed_on"], "2025-07-01");
        let pkh = v["programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program"] == "pkh")
            .unwrap();
        assert_eq!(pkh["gap"], stored_gap);
        assert_eq!(pkh["yearly_amount"], stored_amount);
        // The pages and exports that read the stored assessment name its date.
        let (_, list) = call(&f, Method::GET, "/kelayakan/pkh/exclusion", &cookie, None).await;
        assert!(
            list.contains("Tanggal acuan penilaian: 01-07-2025"),
            "the gap list's date"
        );
        let (_, overview) = call(&f, Method::GET, "/kelayakan", &cookie, None).await;
        assert!(
            overview.contains("Tanggal acuan penilaian: 01-07-2025"),
            "the overview's date"
        );
        let (_, csv) = call(
            &f,
            Method::GET,
            "/kelayakan/pkh/exclusion/ekspor?format=csv",
            &cookie,
            None,
        )
        .await;
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .ends_with("Tanggal acuan penilaian"),
            "{csv}"
        );
        assert!(
            csv.lines().skip(1).all(|l| l.ends_with("2025-07-01")),
            "{csv}"
        );
        let (_, dashboard) = call(&f, Method::GET, "/dasbor", &cookie, None).await;
        assert!(
            dashboard.contains("tanggal acuan 01-07-2025"),
            "the dashboard's date"
        );
        // What-if runs for the stored date by default, and says so.
        let (_, form) = call(
            &f,
            Method::GET,
            "/kelayakan/bagaimana-jika?program=pkh",
            &cookie,
            None,
        )
        .await;
        assert!(
            form.contains("name=\"tanggal\" value=\"2025-07-01\""),
            "what-if's date field holds the stored date"
        );
        let (csrf_cookie, csrf) = login(&f, "analis");
        let pkh_file = include_str!("../../../domain/rules/2025/pkh.toml");
        let (status, run) = call(
            &f,
            Method::POST,
            "/kelayakan/bagaimana-jika",
            &csrf_cookie,
            Some(format!(
                "csrf={csrf}&desa={VILLAGE}&rules={}",
                enc(pkh_file)
            )),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{run}");
        assert!(
            run.contains("Tanggal acuan penilaian: 01-07-2025"),
            "what-if's date"
        );
        // The API answers for another date when asked.
        let (_, json) = call(
            &f,
            Method::GET,
            &format!("/api/v1/keluarga/{id}/kelayakan?tanggal={today}"),
            &cookie,
            None,
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["assessed_on"], today.to_string());
        assert_eq!(v["stored_assessed_on"], "2025-07-01");
        // Today's answer only when asked for, and the page says it is not the stored one.
        let (_, body) = call(
            &f,
            Method::GET,
            &format!("/keluarga/{id}?tanggal={today}"),
            &cookie,
            None,
        )
        .await;
        assert!(
            body.contains("bukan tanggal acuan tersimpan 01-07-2025"),
            "{}",
            f.t.label
        );
        assert!(
            pkh_article(&body).contains(&format!(
                "perkiraan manfaat {} setahun",
                rupiah(today_amount)
            )),
            "{}: today's amount when today is asked for",
            f.t.label
        );
    }
}

/// Issue 18 finding 7: on the Indonesian family page the conditions read as sentences of the
/// catalogue with the rule's numbers: no rule syntax and no fact keys (the rule's text stays in
/// its `<code>` behind "Detail").
#[tokio::test(flavor = "multi_thread")]
async fn conditions_in_words_carry_no_rule_syntax() {
    for t in crate::support::databases() {
        let f = setup(t, 60);
        let (cookie, _) = login(&f, "analis");
        let id = crate::support::first_text(
            &f,
            "SELECT family_id FROM program_gaps WHERE program = 'pkh' AND gap = 'exclusion' \
             ORDER BY family_id LIMIT 1",
        );
        let (status, body) = call(&f, Method::GET, &format!("/keluarga/{id}"), &cookie, None).await;
        assert_eq!(status, StatusCode::OK);
        let mut texts = Vec::new();
        let open = "<ul class=\"conditions\">";
        let mut from = 0;
        while let Some(at) = body[from..].find(open) {
            let start = from + at;
            // The matching </ul> (lists nest).
            let (mut depth, mut i) = (0, start);
            loop {
                let next_open = body[i..].find("<ul").map(|x| x + i);
                let next_close = body[i..].find("</ul>").map(|x| x + i).unwrap();
                match next_open {
                    Some(o) if o < next_close => {
                        depth += 1;
                        i = o + 3;
                    }
                    _ => {
                        depth -= 1;
                        i = next_close + 5;
                        if depth == 0 {
                            break;
                        }
                    }
                }
            }
            // Its text, without tags.
            let mut text = String::new();
            let mut in_tag = false;
            for ch in body[start..i].chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            texts.push(
                text.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'"),
            );
            from = start + open.len();
        }
        assert!(
            texts.len() >= 6,
            "every program's conditions as lists: {}",
            texts.len()
        );
        let all = texts.join("\n");
        assert!(all.contains("Desil keluarga 4 atau lebih rendah"), "{all}");
        for syntax in [
            "&&", "||", ">=", "<=", "==", "!=", " < ", " > ", "known(", "count(", "any(", "'",
        ] {
            assert!(
                !all.contains(syntax),
                "{}: rule syntax {syntax:?} in\n{all}",
                f.t.label
            );
        }
        for word in all.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
            assert!(
                !word.contains('_') && !word.starts_with("fact-") && !word.starts_with("field-"),
                "{}: a key {word:?} instead of its label in\n{all}",
                f.t.label
            );
        }
    }
}

/// Issue 18: the stored assessment and the family's own answer agree for every family of
/// generated villages (several seeds, stored for a past reference date): each program's gap,
/// its amount and whether that amount is known, the deciles and the DTSEN proposal.
#[tokio::test(flavor = "multi_thread")]
async fn the_stored_assessment_and_the_family_answer_agree_for_every_family() {
    for (n, t) in crate::support::databases().enumerate() {
        let t =
            crate::support::with_accounts(t, &[("analis", Role::ReviewAnalisis, Some(VILLAGE))]);
        // A different generated village per engine, assessed for a day in the past.
        let on = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        crate::support::demo_villages(
            &t,
            &[(VILLAGE, 70, 21 + n as u64)],
            chrono::Local::now().date_naive(),
        );
        let f = crate::support::fixture(t);
        assess_on(&f, on);
        let (cookie, _) = login(&f, "analis");
        let rows = |sql: &str| -> Vec<Vec<String>> {
            crate::support::sync(|| {
                f.t.db
                    .conn()
                    .unwrap()
                    .query(sql, &[])
                    .unwrap()
                    .into_iter()
                    .map(|r| {
                        r.iter()
                            .map(|v| {
                                v.as_str()
                                    .map(str::to_string)
                                    .or_else(|| v.as_i64().map(|i| i.to_string()))
                                    .unwrap_or_default()
                            })
                            .collect()
                    })
                    .collect()
            })
        };
        let stored: std::collections::HashMap<(String, String), (String, String, String)> =
            rows("SELECT family_id, program, gap, amount, amount_known FROM program_gaps")
                .into_iter()
                .map(|r| {
                    (
                        (r[0].clone(), r[1].clone()),
                        (r[2].clone(), r[3].clone(), r[4].clone()),
                    )
                })
                .collect();
        let summaries = rows(
            "SELECT family_id, COALESCE(desil_lokal, -1), COALESCE(desil_efektif, -1), \
             tanggal_acuan FROM assessments",
        );
        assert_eq!(summaries.len(), 70);
        let proposals: std::collections::HashSet<String> = rows(
            "SELECT a.family_id FROM assessments a JOIN families f ON f.id = a.family_id \
             WHERE a.fakir_miskin = 'poor' AND f.desil IS NULL",
        )
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
        let mut gaps_seen = 0;
        for s in &summaries {
            let id = &s[0];
            assert_eq!(s[3], "2025-07-01");
            let (status, json) = call(
                &f,
                Method::GET,
                &format!("/api/v1/keluarga/{id}/kelayakan"),
                &cookie,
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{json}");
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(v["assessed_on"], "2025-07-01");
            let decile = |x: &serde_json::Value| x.as_i64().unwrap_or(-1).to_string();
            assert_eq!(decile(&v["decile"]["local"]), s[1], "{id}: local decile");
            assert_eq!(
                decile(&v["decile"]["effective"]),
                s[2],
                "{id}: effective decile"
            );
            assert_eq!(
                v["dtsen_proposal"].as_bool().unwrap(),
                proposals.contains(id),
                "{id}: DTSEN proposal"
            );
            for p in v["programs"].as_array().unwrap() {
                let code = p["program"].as_str().unwrap().to_string();
                let gap = p["gap"].as_str().unwrap();
                let review = p["to_review"].as_bool().unwrap();
                if gap == "review" {
                    assert!(review, "{id} {code}: a review row is flagged");
                }
                if review {
                    assert!(
                        p["through_program"].is_string(),
                        "{id} {code}: through what"
                    );
                }
                match stored.get(&(id.clone(), code.clone())) {
                    None => assert_eq!(gap, "none", "{id} {code}: no stored gap row"),
                    Some((g, amount, known)) => {
                        gaps_seen += 1;
                        assert_eq!(gap, g, "{id} {code}");
                        assert_eq!(
                            p["yearly_amount_known_part"].as_i64().unwrap().to_string(),
                            *amount,
                            "{id} {code}: amount"
                        );
                        let api_known = p["yearly_amount"].is_i64();
                        assert_eq!(api_known, known == "1", "{id} {code} {gap}: amount known");
                    }
                }
            }
        }
        assert!(
            gaps_seen > 50,
            "the village has gaps to compare: {gaps_seen}"
        );
    }
}

/// Issue 18 finding 6: a family without shelter (fakir miskin outright under Kepmensos
/// 262/2022) and without a DTSEN decile is proposed for DTSEN: on its page and on the data
/// officer's proposal list; and the PKH cap is stated with its number.
#[tokio::test(flavor = "multi_thread")]
async fn fakir_miskin_without_a_decile_is_proposed_for_dtsen() {
    for t in crate::support::databases() {
        let t = crate::support::with_accounts(t, &[("data", Role::PengolahData, Some(VILLAGE))]);
        let f = setup(t, 40);
        let id = crate::support::first_text(
            &f,
            "SELECT id FROM families WHERE desil IS NOT NULL ORDER BY no_kk LIMIT 1",
        );
        exec(
            &f,
            &format!(
                "UPDATE families SET status_rumah = 'tidak_punya', desil = NULL WHERE id = '{id}'"
            ),
        );
        assess_on(&f, chrono::Local::now().date_naive());
        let no_kk = crate::support::first_text(
            &f,
            &format!("SELECT no_kk FROM families WHERE id = '{id}'"),
        );
        let (analis, _) = login(&f, "analis");
        let (_, page) = call(&f, Method::GET, &format!("/keluarga/{id}"), &analis, None).await;
        assert!(page.contains("diusulkan masuk DTSEN"), "{}", f.t.label);
        assert!(
            page.contains("Paling banyak 4 komponen per keluarga"),
            "the PKH cap in words"
        );
        let (data, _) = login(&f, "data");
        let (status, csv) = call(&f, Method::GET, "/data/usulan?format=csv", &data, None).await;
        assert_eq!(status, StatusCode::OK);
        let line = csv
            .lines()
            .find(|l| l.contains(&no_kk))
            .unwrap_or_else(|| panic!("{no_kk} not proposed: {csv}"));
        assert!(
            line.contains("Fakir miskin (Kepmensos 262), tanpa desil"),
            "{line}"
        );
    }
}

/// Issue 18 finding 7: the land under the house and the head's KTP are registry facts: in the
/// edit forms, in the change history, and RS-RTLH reads them (names them when not recorded).
#[tokio::test(flavor = "multi_thread")]
async fn land_and_ktp_are_registry_facts_rs_rtlh_reads() {
    for t in crate::support::databases() {
        let f = setup(t, 40);
        let (cookie, csrf) = login(&f, "analis");
        let id = crate::support::first_text(
            &f,
            "SELECT id FROM families WHERE lahan_milik_sendiri = 1 ORDER BY no_kk LIMIT 1",
        );
        let (status, form) = call(
            &f,
            Method::GET,
            &format!("/keluarga/{id}/ubah"),
            &cookie,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            form.contains("name=\"f.lahan_milik_sendiri\""),
            "the family form"
        );
        let head = crate::support::first_text(
            &f,
            &format!(
                "SELECT id FROM persons WHERE family_id = '{id}' \
                 AND hubungan = 'kepala_keluarga' LIMIT 1"
            ),
        );
        let (status, form) = call(
            &f,
            Method::GET,
            &format!("/anggota/{head}/ubah"),
            &cookie,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains("name=\"p.punya_ktp\""), "the member form");
        // Clear the land fact through the form: history shows it, RS-RTLH names it when it
        // decides on it.
        let family =
            crate::support::sync(|| registry::family_by_id(&mut f.t.db.conn().unwrap(), &id))
                .unwrap()
                .unwrap();
        let mut pairs: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("alasan".into(), "status lahan belum jelas".into()),
        ];
        for (fld, v) in FAMILY_FIELDS.iter().zip(&family.values) {
            let text = if fld.key == "lahan_milik_sendiri" {
                String::new()
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
        assert_eq!(
            count(
                &f,
                &format!(
                    "SELECT COUNT(*) FROM families WHERE id = '{id}' AND lahan_milik_sendiri IS NULL"
                )
            ),
            1
        );
        let (_, page) = call(&f, Method::GET, &format!("/keluarga/{id}"), &cookie, None).await;
        let history = &page[page.find("class=\"history\"").unwrap()..];
        assert!(
            history.contains("Lahan rumah milik sendiri: ya → —"),
            "{}",
            f.t.label
        );
        let rs = &page[page
            .find("<h4>Rehabilitasi Rumah Tidak Layak Huni (RS-RTLH)")
            .unwrap()..];
        let rs = &rs[..rs.find("</article>").unwrap()];
        assert!(
            rs.contains("Lahan rumah milik sendiri"),
            "RS-RTLH's condition names the land: {rs}"
        );
    }
}
