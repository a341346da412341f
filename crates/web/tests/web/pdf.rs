//! Every PDF the product prints, read by real readers on SQLite and PostgreSQL: `qpdf --check`
//! finds no error, `pdftoppm` renders every page without a word on stderr, `zbarimg` decodes
//! the QR code to the absolute link the page prints, `pdftotext` finds the fields, no two
//! words are drawn over each other and none leaves the page, and no page is blank. The
//! readers are required (`.ci/run` installs qpdf, poppler-utils and zbar-tools): a missing
//! one fails the test. `PUSKESOS_PDF_DIR=dir` keeps the files and their rendered pages.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Fixture, first_text, login, request, sync};
use axum::http::{Method, StatusCode};
use chrono::Datelike;
use puskesos_domain::access::Role;
use puskesos_storage::{figures, testing};

const VILLAGE: &str = "33.12.01.2003";

fn setup(t: testing::TestDb) -> Fixture {
    let t = crate::support::with_accounts(
        t,
        &[
            ("front", Role::PenerimaInformasi, Some(VILLAGE)),
            ("sehat", Role::BagianKesehatan, Some(VILLAGE)),
            ("kades", Role::KepalaDesa, Some(VILLAGE)),
            ("analis", Role::ReviewAnalisis, Some(VILLAGE)),
            ("ketua", Role::Ketua, Some(VILLAGE)),
        ],
    );
    crate::support::demo_villages(&t, &[(VILLAGE, 40, 7)], figures::today());
    crate::support::fixture(t)
}

fn enc(pairs: &[(&str, &str)]) -> String {
    crate::support::form_body(pairs)
}

/// What the readers found in one PDF.
#[derive(Debug)]
pub struct Read {
    pub pages: usize,
    /// `pdftotext -layout`, all pages.
    pub text: String,
    /// Every QR code `zbarimg` decoded, page by page.
    pub codes: Vec<String>,
}

fn run(cmd: &mut Command) -> std::process::Output {
    let name = format!("{cmd:?}");
    cmd.output().unwrap_or_else(|e| {
        panic!("{name} did not start ({e}): apt-get install qpdf poppler-utils zbar-tools")
    })
}

/// A word's box on a page, from `pdftotext -bbox`.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
}

fn attr(tag: &str, name: &str) -> f32 {
    let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    tag[at..].split('"').next().unwrap().parse().unwrap()
}

/// The words of each page with their boxes, and each page's size.
fn words(file: &Path) -> Vec<((f32, f32), Vec<Word>)> {
    let out = run(Command::new("pdftotext").arg("-bbox").arg(file).arg("-"));
    assert!(out.status.success());
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages = Vec::new();
    for page in html.split("<page ").skip(1) {
        let size = (attr(page, "width"), attr(page, "height"));
        let list = page
            .split("<word ")
            .skip(1)
            .map(|w| Word {
                text: w
                    .split('>')
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_string(),
                x0: attr(w, "xMin"),
                y0: attr(w, "yMin"),
                x1: attr(w, "xMax"),
                y1: attr(w, "yMax"),
            })
            .collect();
        pages.push((size, list));
    }
    pages
}

/// Runs every reader on `pdf` (saved as `name`) and checks what holds for every PDF we print.
pub fn read(name: &str, pdf: &[u8]) -> Read {
    let dir = match std::env::var_os("PUSKESOS_PDF_DIR") {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join(format!("puskesos-pdf-{}", puskesos_storage::new_id())),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "{name} is no PDF");
    // qpdf: structure, cross-reference table and every stream.
    let out = run(Command::new("qpdf").arg("--check").arg(&file));
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: qpdf --check failed: {said}");
    assert!(
        said.contains("No syntax or stream encoding errors"),
        "{name}: {said}"
    );
    assert!(!said.to_lowercase().contains("warning"), "{name}: {said}");
    // pdftoppm: every page drawn, and Poppler has nothing to complain about.
    let prefix = dir.join(name);
    let out = run(Command::new("pdftoppm")
        .args(["-r", "150", "-png"])
        .arg(&file)
        .arg(&prefix));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{name}: pdftoppm failed: {stderr}");
    assert_eq!(stderr, "", "{name}: Poppler warned while rendering");
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let f = p.file_name().unwrap().to_string_lossy().into_owned();
            f.starts_with(&format!("{name}-")) && f.ends_with(".png")
        })
        .collect();
    pngs.sort();
    // zbarimg on every page (exit 4: no code on that page).
    let mut codes = Vec::new();
    for png in &pngs {
        let out = run(Command::new("zbarimg").args(["--quiet", "--raw"]).arg(png));
        assert!(
            out.status.success() || out.status.code() == Some(4),
            "{name}: zbarimg failed on {png:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        codes.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string),
        );
    }
    let out = run(Command::new("pdftotext").arg("-layout").arg(&file).arg("-"));
    assert!(out.status.success(), "{name}: pdftotext failed");
    let text = String::from_utf8(out.stdout).expect("pdftotext writes UTF-8");
    // `ansi` writes "?" for a character outside WinAnsi; links carry their own "?t=".
    assert!(
        !text.replace("?t=", "").contains('?'),
        "{name}: a character could not be encoded:\n{text}"
    );
    // Layout: words inside the page, none drawn over another, no blank page.
    let pages = words(&file);
    assert_eq!(pages.len(), pngs.len(), "{name}: one image a page");
    for (i, ((w, h), list)) in pages.iter().enumerate() {
        assert!(!list.is_empty(), "{name}: page {} is blank", i + 1);
        for a in list {
            assert!(
                a.x0 >= 0.0 && a.y0 >= 0.0 && a.x1 <= *w && a.y1 <= *h,
                "{name}: {a:?} leaves page {}",
                i + 1
            );
        }
        for (k, a) in list.iter().enumerate() {
            for b in &list[k + 1..] {
                let overlap_x = a.x1.min(b.x1) - a.x0.max(b.x0);
                let overlap_y = a.y1.min(b.y1) - a.y0.max(b.y0);
                assert!(
                    overlap_x <= 0.5 || overlap_y <= 0.5,
                    "{name}: page {}: {:?} drawn over {:?} ({a:?}, {b:?})",
                    i + 1,
                    a.text,
                    b.text
                );
            }
        }
    }
    Read {
        pages: pngs.len(),
        text,
        codes,
    }
}

/// The text with its runs of spaces folded (pdftotext -layout pads columns).
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn get(f: &Fixture, uri: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
    let r = request(f, Method::GET, uri, cookie, None).await;
    (r.status, r.content_type, r.body)
}

/// A PDF the user may have: answered 200 as a PDF, and the read left an audit row.
async fn get_audited_pdf(f: &Fixture, uri: &str, cookie: &str) -> Vec<u8> {
    let audited = crate::support::count(f, "SELECT COUNT(*) FROM audit_log");
    let (status, ctype, pdf) = get(f, uri, cookie).await;
    assert_eq!(
        (status, ctype.as_str()),
        (StatusCode::OK, "application/pdf"),
        "{uri}"
    );
    assert!(
        crate::support::count(f, "SELECT COUNT(*) FROM audit_log") > audited,
        "{uri}: audited"
    );
    pdf
}

async fn post(f: &Fixture, user: &str, uri: &str, pairs: &[(&str, &str)]) -> StatusCode {
    let (cookie, csrf) = login(f, user);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(pairs);
    request(f, Method::POST, uri, &cookie, Some(enc(&all)))
        .await
        .status
}

/// A registered resident's name, NIK and their family's address, RT and RW.
fn resident(f: &Fixture) -> (String, String, String) {
    let q = |col: &str| {
        first_text(
            f,
            &format!(
                "SELECT {col} FROM persons p JOIN families k ON k.id = p.family_id \
                 WHERE k.kode_wilayah = '{VILLAGE}' AND k.alamat IS NOT NULL \
                 ORDER BY p.nik LIMIT 1"
            ),
        )
    };
    (q("p.nama"), q("p.nik"), q("k.alamat"))
}

/// A health case of a registered resident, taken through intake, assignment, recommendation
/// and decision, referred by the Ketua to a puskesmas. Returns the case and referral ids.
async fn referred_case(f: &Fixture) -> (String, String) {
    let (_, nik, _) = resident(f);
    let (cookie, csrf) = login(f, "front");
    let r = request(
        f,
        Method::POST,
        "/kasus/baru",
        &cookie,
        Some(enc(&[
            ("csrf", &csrf),
            ("nik", &nik),
            ("channel", "datang"),
            ("sector", "kesehatan"),
            ("summary", "Anak demam tinggi 7–10 hari, belum punya BPJS"),
            ("consent_purpose", "rujukan layanan kesehatan"),
            ("consent", "ya"),
        ])),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = r
        .location
        .unwrap()
        .trim_start_matches("/kasus/")
        .to_string();
    let step = |user: &'static str, step: &'static str, note: &'static str| {
        let id = id.clone();
        async move {
            let s = post(
                f,
                user,
                &format!("/kasus/{id}/langkah"),
                &[("step", step), ("note", note)],
            )
            .await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{user} {step}");
        }
    };
    step("front", "assign", "").await;
    step("sehat", "recommend", "rujuk ke puskesmas").await;
    step(
        "kades",
        "decide",
        "Disetujui: rujuk ke Puskesmas Pracimantoro",
    )
    .await;
    let s = post(
        f,
        "analis",
        "/penyedia",
        &[
            ("name", "Puskesmas Pracimantoro"),
            ("kind", "puskesmas"),
            ("contact", "0273 123"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let provider = first_text(f, "SELECT id FROM providers");
    let s = post(
        f,
        "ketua",
        &format!("/kasus/{id}/langkah"),
        &[
            ("step", "refer"),
            ("note", "surat rujukan"),
            ("provider", &provider),
            ("due_days", "7"),
        ],
    )
    .await;
    assert!(s.is_success() || s.is_redirection(), "refer: {s}");
    let rid = first_text(
        f,
        &format!("SELECT id FROM referrals WHERE case_id = '{id}'"),
    );
    (id, rid)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_referral_letter_reads_renders_and_its_qr_opens_the_answer_page() {
    for t in crate::support::databases() {
        let engine = t.label;
        let f = setup(t);
        let before = figures::today();
        let (name, nik, address) = resident(&f);
        let (id, rid) = referred_case(&f).await;
        let (cookie, _) = login(&f, "analis");
        let (status, ctype, pdf) =
            get(&f, &format!("/kasus/{id}/rujukan/{rid}/surat"), &cookie).await;
        assert_eq!(
            (status, ctype.as_str()),
            (StatusCode::OK, "application/pdf")
        );
        let r = sync(|| read(&format!("surat-{engine}"), &pdf));
        let text = flat(&r.text);
        let masked = puskesos_domain::identity::mask(&nik);
        // Dated by the village's day (WIB), not UTC's: after 17:00 UTC they differ.
        let today = printed_day(&text, before);
        for want in [
            today.as_str(),
            "SURAT RUJUKAN",
            "PEMERINTAH KABUPATEN WONOGIRI",
            "Puskesmas Pracimantoro",
            name.as_str(),
            masked.as_str(),
            address.as_str(),
            "ketua (Ketua Puskesos)",
            "Disetujui: rujuk ke Puskesmas Pracimantoro",
            "7–10 hari",
            "/R-01",
        ] {
            assert!(
                text.contains(want),
                "the letter lacks {want:?}:\n{}",
                r.text
            );
        }
        assert!(!text.contains(&nik), "the full NIK is printed");
        assert_eq!(r.pages, 1, "the letter fits one page");
        // One QR code: the provider's absolute link, printed in full under it, and it opens
        // the provider's page.
        assert_eq!(r.codes.len(), 1, "{:?}", r.codes);
        let link = &r.codes[0];
        assert!(
            link.starts_with("http://") || link.starts_with("https://"),
            "{link}"
        );
        assert!(link.contains(&format!("/rujukan/{rid}/jawab?t=")), "{link}");
        assert!(
            text.contains(link.as_str()),
            "the link is printed as text: {link}"
        );
        let path = &link[link.find("/rujukan/").unwrap()..];
        let (status, _, page) = get(&f, path, "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(String::from_utf8_lossy(&page).contains("Anak demam tinggi"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_poster_lays_out_on_a4_and_a3_with_the_status_link() {
    for t in crate::support::databases() {
        let engine = t.label;
        let f = setup(t);
        for size in ["a4", "a3"] {
            let (status, _, pdf) =
                get(&f, &format!("/papan/{VILLAGE}/poster?ukuran={size}"), "").await;
            assert_eq!(status, StatusCode::OK);
            let r = sync(|| read(&format!("poster-{size}-{engine}"), &pdf));
            let text = flat(&r.text);
            for want in ["Papan informasi", "DESA PETIRSARI", "keluarga", "jiwa"] {
                assert!(
                    text.contains(want),
                    "{size}: the poster lacks {want:?}:\n{}",
                    r.text
                );
            }
            assert_eq!(r.pages, 1, "{size}: the poster is one page");
            assert_eq!(r.codes.len(), 1, "{size}: {:?}", r.codes);
            let link = &r.codes[0];
            assert!(
                link.starts_with("http") && link.ends_with("/status"),
                "{link}"
            );
            assert!(text.contains(link.as_str()), "{size}: the link is printed");
        }
    }
}

/// The village's day as printed (dd-mm-yyyy) on a document made since `before`: `before`, or
/// today when midnight passed meanwhile (the server reads the real clock; the test cannot fix
/// it, only not fail when the day turns during the test).
fn printed_day(text: &str, before: chrono::NaiveDate) -> String {
    let days = [before, figures::today()].map(|d| d.format("%d-%m-%Y").to_string());
    days.iter()
        .find(|d| text.contains(d.as_str()))
        .unwrap_or(&days[1])
        .clone()
}

/// The monthly report's PDF and workbook of this month, after two referrals of which the
/// provider answered one; and the day whose month was asked for.
async fn report_with_referrals(f: &Fixture) -> (Vec<u8>, Vec<u8>, chrono::NaiveDate) {
    let (id, rid) = referred_case(f).await;
    referred_case(f).await;
    // The provider answers the first through the letter's QR code.
    let (cookie, _) = login(f, "ketua");
    let (_, _, letter) = get(f, &format!("/kasus/{id}/rujukan/{rid}/surat"), &cookie).await;
    let code = sync(|| read("surat-untuk-jawaban", &letter))
        .codes
        .remove(0);
    let token = code.split("?t=").nth(1).unwrap().to_string();
    let r = request(
        f,
        Method::POST,
        &format!("/rujukan/{rid}/jawab"),
        "",
        Some(enc(&[
            ("t", &token),
            ("status", "diterima"),
            ("note", "dilayani"),
        ])),
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.text()
    );
    let today = figures::today();
    let month = today.format("%Y-%m").to_string();
    let (_, ctype, pdf) = get(f, &format!("/laporan?bulan={month}&format=pdf"), &cookie).await;
    assert_eq!(ctype, "application/pdf");
    let (_, _, xlsx) = get(f, &format!("/laporan?bulan={month}&format=xlsx"), &cookie).await;
    (pdf, xlsx, today)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_monthly_report_is_a_letter_to_the_dinas_sosial_of_its_kabupaten() {
    for t in crate::support::databases() {
        let engine = t.label;
        let f = setup(t);
        // The month asked for, not the clock's after the request (a month may end meanwhile).
        let (pdf, _, today) = report_with_referrals(&f).await;
        let r = sync(|| read(&format!("laporan-{engine}"), &pdf));
        let text = flat(&r.text);
        let month_words = puskesos_web::features::dashboard::print::month_in_words(
            puskesos_domain::Lang::Id,
            today.year(),
            today.month(),
        );
        for want in [
            "PEMERINTAH KABUPATEN WONOGIRI",
            "DESA PETIRSARI",
            "Nomor : ",
            "/LB-PUSKESOS/33.12.01.2003/",
            "Kepala Dinas Sosial Kabupaten Wonogiri",
            &format!("Laporan bulanan Puskesos Petirsari, {month_words}"),
            "Ketua Puskesos",
            "Mengetahui,",
            "Kepala Desa/Lurah Petirsari",
            // No case closed yet: the median is a real en dash, not "?".
            "sampai ditutup: – hari",
        ] {
            assert!(
                text.contains(want),
                "the report lacks {want:?}:\n{}",
                r.text
            );
        }
        assert!(
            !text.contains(&today.format("%Y-%m").to_string()),
            "the month in digits"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_referral_table_sums_to_its_sent_count() {
    use calamine::{Data, Reader, Xlsx};
    for t in crate::support::databases() {
        let f = setup(t);
        let (pdf, xlsx, _) = report_with_referrals(&f).await;
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
        let num = |d: Option<&Data>| match d {
            Some(Data::Float(n)) => *n as i64,
            other => panic!("not a number: {other:?}"),
        };
        // The title rows, then the table.
        let summary = wb.worksheet_range("layanan").unwrap();
        let cell = |r: &calamine::Range<Data>, row: usize, col: usize| {
            r.get((row, col)).map(|d| d.to_string()).unwrap_or_default()
        };
        assert!(cell(&summary, 0, 0).starts_with("Laporan bulanan Puskesos Petirsari, "));
        assert!(cell(&summary, 1, 0).contains("Petirsari"));
        assert!(cell(&summary, 2, 0).starts_with("Bulan: "));
        let sent_row = (0..summary.height())
            .find(|r| cell(&summary, *r, 0) == "Rujukan dikirim")
            .expect("the summary's sent count");
        let sent = num(summary.get((sent_row, 1)));
        assert_eq!(sent, 2, "two referrals sent this month");
        let table = wb.worksheet_range("rujukan").unwrap();
        let header = (0..table.height())
            .find(|r| cell(&table, *r, 0) == "Sektor")
            .expect("the referral table's header");
        let width = table.width();
        assert_eq!(cell(&table, header, width - 1), "Jumlah dikirim");
        assert_eq!(cell(&table, header, 1), "Belum dijawab");
        let body: Vec<usize> = (header + 1..table.height())
            .filter(|r| cell(&table, *r, 0) != "Jumlah")
            .collect();
        let column: i64 = body.iter().map(|r| num(table.get((*r, width - 1)))).sum();
        assert_eq!(column, sent, "the total column sums to the sent count");
        let by_status: i64 = body
            .iter()
            .map(|r| (1..width - 1).map(|c| num(table.get((*r, c)))).sum::<i64>())
            .sum();
        assert_eq!(by_status, sent, "every status column together");
        let waiting: i64 = body.iter().map(|r| num(table.get((*r, 1)))).sum();
        assert_eq!(waiting, 1, "one still waits for the provider");
        // The PDF prints the same: the total row ends in the sent count.
        let text = sync(|| read("laporan-jumlah", &pdf)).text;
        let total = text
            .lines()
            .map(flat)
            .find(|l| l.starts_with("Jumlah 1 1 0 0 "))
            .unwrap_or_else(|| panic!("no total row in:\n{text}"));
        assert_eq!(total, "Jumlah 1 1 0 0 2");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_complaint_receipt_prints_ticket_code_and_the_status_link() {
    for t in crate::support::databases() {
        let engine = t.label;
        let f = setup(t);
        let (cookie, csrf) = login(&f, "front");
        let mut r = request(
            &f,
            Method::POST,
            "/pengaduan/baru",
            &cookie,
            Some(enc(&[
                ("csrf", &csrf),
                ("category", "pengaduan"),
                ("summary", "Sudah desil 2 tetapi tidak menerima Sembako"),
                ("contact_name", "Sukinem"),
            ])),
        )
        .await;
        if let Some(next) = r.location.clone() {
            r = request(&f, Method::GET, &next, &cookie, None).await;
        }
        let page = r.text();
        let grab = |class: &str| {
            let start = format!("<dd class=\"{class}\"><strong>");
            let at = page
                .find(&start)
                .unwrap_or_else(|| panic!("no {class} in {page}"))
                + start.len();
            page[at..].split('<').next().unwrap().to_string()
        };
        let (ticket, code) = (grab("ticket"), grab("code"));
        let id = first_text(&f, "SELECT id FROM complaints");
        let uri = format!("/pengaduan/{id}/tanda-terima.pdf?kode={code}");
        let pdf = get_audited_pdf(&f, &uri, &cookie).await;
        let read_it = sync(|| read(&format!("tanda-terima-pengaduan-{engine}"), &pdf));
        let text = flat(&read_it.text);
        for want in [
            "TANDA TERIMA PENGADUAN",
            "PUSKESOS DESA PETIRSARI",
            ticket.as_str(),
            &format!("Kode : {code}"),
            "Langkah berikutnya",
            "Batas waktu",
        ] {
            assert!(
                text.contains(want),
                "the receipt lacks {want:?}:\n{}",
                read_it.text
            );
        }
        assert_eq!(read_it.pages, 1);
        assert_eq!(read_it.codes.len(), 1, "{:?}", read_it.codes);
        let link = &read_it.codes[0];
        assert!(
            link.starts_with("http") && link.ends_with("/status"),
            "{link}"
        );
        assert!(text.contains(link.as_str()));
        // A reprint without the code, or with a wrong one, prints no code and says why.
        for uri in [
            format!("/pengaduan/{id}/tanda-terima.pdf"),
            format!("/pengaduan/{id}/tanda-terima.pdf?kode=000000"),
        ] {
            let (_, _, pdf) = get(&f, &uri, &cookie).await;
            let again = sync(|| read(&format!("tanda-terima-ulang-{engine}"), &pdf));
            assert_eq!(again.pages, 1, "{uri}: one page");
            let text = flat(&again.text);
            assert!(
                !text.contains(&code) && !text.contains("000000"),
                "{uri}: {text}"
            );
            assert!(text.contains("Kode hanya tercetak pada tanda terima pertama"));
        }
        // Another village's complaint id: not found.
        let (status, _, _) = get(
            &f,
            "/pengaduan/01a23c78-493d-7354-adea-3b317f74e623/tanda-terima.pdf",
            &cookie,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_intake_receipt_prints_the_case_number_need_and_next_step() {
    for t in crate::support::databases() {
        let engine = t.label;
        let f = setup(t);
        let (name, nik, _) = resident(&f);
        let (cookie, csrf) = login(&f, "front");
        let before = figures::today();
        let r = request(
            &f,
            Method::POST,
            "/kasus/baru",
            &cookie,
            Some(enc(&[
                ("csrf", &csrf),
                ("nik", &nik),
                ("channel", "datang"),
                ("sector", "kesehatan"),
                ("summary", "Kursi roda – lumpuh sejak 2025"),
                ("consent_purpose", "rujukan layanan kesehatan"),
                ("consent", "ya"),
            ])),
        )
        .await;
        let id = r
            .location
            .unwrap()
            .trim_start_matches("/kasus/")
            .to_string();
        let number = first_text(&f, "SELECT nomor FROM cases");
        let pdf = get_audited_pdf(&f, &format!("/kasus/{id}/tanda-terima.pdf"), &cookie).await;
        let read_it = sync(|| read(&format!("tanda-terima-kasus-{engine}"), &pdf));
        let text = flat(&read_it.text);
        let today = printed_day(&text, before);
        for want in [
            "TANDA TERIMA PERMOHONAN LAYANAN",
            number.as_str(),
            name.as_str(),
            today.as_str(),
            "Kesehatan",
            "Kursi roda – lumpuh sejak 2025",
            "Langkah berikutnya",
            "Petugas penerima",
        ] {
            assert!(
                text.contains(want),
                "the receipt lacks {want:?}:\n{}",
                read_it.text
            );
        }
        assert!(!text.contains(&nik), "no NIK on a receipt");
        assert_eq!(read_it.pages, 1);
    }
}

/// The personal-data record (UU 27/2022 Ps 32) prints whole: the person's data by its labels,
/// the centre's services for the family (the case), and the recorded processing in words; the
/// JSON carries the same services.
#[tokio::test(flavor = "multi_thread")]
async fn the_personal_data_record_prints_the_data_services_and_processing() {
    for t in crate::support::databases() {
        let engine = t.label;
        let f = setup(t);
        let (name, nik, _) = resident(&f);
        let person = first_text(&f, &format!("SELECT id FROM persons WHERE nik = '{nik}'"));
        let (cookie, csrf) = login(&f, "front");
        let r = request(
            &f,
            Method::POST,
            "/kasus/baru",
            &cookie,
            Some(enc(&[
                ("csrf", &csrf),
                ("nik", &nik),
                ("channel", "datang"),
                ("sector", "kesehatan"),
                ("summary", "Butuh kursi roda"),
                ("consent_purpose", "rujukan layanan kesehatan"),
                ("consent", "ya"),
            ])),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // The officer lands on the case page: a recorded read of the person's case.
        let (status, _, _) = get(&f, r.location.as_deref().unwrap(), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        let number = first_text(&f, "SELECT nomor FROM cases");
        let (ketua, _) = login(&f, "ketua");
        let pdf = get_audited_pdf(&f, &format!("/anggota/{person}/data?format=pdf"), &ketua).await;
        let read_it = sync(|| read(&format!("data-pribadi-{engine}"), &pdf));
        let text = flat(&read_it.text);
        for want in [
            "Catatan data pribadi dan pemrosesannya",
            "Pasal 32",
            name.as_str(),
            nik.as_str(),
            number.as_str(),
            "Pemrosesan yang tercatat",
            // The case page opened after intake: a read of the person's case.
            "Melihat",
            "Kasus",
        ] {
            assert!(
                text.contains(want),
                "the record lacks {want:?}:\n{}",
                read_it.text
            );
        }
        let (_, _, json) = get(&f, &format!("/anggota/{person}/data"), &ketua).await;
        let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(
            doc["layanan_puskesos"]["kasus"][0]["nomor"],
            number.as_str()
        );
    }
}
