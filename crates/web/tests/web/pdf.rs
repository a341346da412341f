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
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", crate::support::enc(k), crate::support::enc(v)))
        .collect::<Vec<_>>()
        .join("&")
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
    cmd.output()
        .unwrap_or_else(|e| panic!("{name} did not start ({e}): apt-get install qpdf poppler-utils zbar-tools"))
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
                text: w.split('>').nth(1).unwrap().split('<').next().unwrap().to_string(),
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
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: qpdf --check failed: {said}");
    assert!(said.contains("No syntax or stream encoding errors"), "{name}: {said}");
    assert!(!said.to_lowercase().contains("warning"), "{name}: {said}");
    // pdftoppm: every page drawn, and Poppler has nothing to complain about.
    let prefix = dir.join(name);
    let out = run(Command::new("pdftoppm").args(["-r", "150", "-png"]).arg(&file).arg(&prefix));
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
        codes.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
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
                    "{name}: page {}: {a:?} drawn over {b:?}",
                    i + 1
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

async fn post(f: &Fixture, user: &str, uri: &str, pairs: &[(&str, &str)]) -> StatusCode {
    let (cookie, csrf) = login(f, user);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(pairs);
    request(f, Method::POST, uri, &cookie, Some(enc(&all))).await.status
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
    let id = r.location.unwrap().trim_start_matches("/kasus/").to_string();
    let step = |user: &'static str, step: &'static str, note: &'static str| {
        let id = id.clone();
        async move {
            let s = post(f, user, &format!("/kasus/{id}/langkah"), &[("step", step), ("note", note)]).await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{user} {step}");
        }
    };
    step("front", "assign", "").await;
    step("sehat", "recommend", "rujuk ke puskesmas").await;
    step("kades", "decide", "Disetujui: rujuk ke Puskesmas Pracimantoro").await;
    let s = post(
        f,
        "analis",
        "/penyedia",
        &[("name", "Puskesmas Pracimantoro"), ("kind", "puskesmas"), ("contact", "0273 123")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let provider = first_text(f, "SELECT id FROM providers");
    let s = post(
        f,
        "ketua",
        &format!("/kasus/{id}/langkah"),
        &[("step", "refer"), ("note", "surat rujukan"), ("provider", &provider), ("due_days", "7")],
    )
    .await;
    assert!(s.is_success() || s.is_redirection(), "refer: {s}");
    let rid = first_text(f, &format!("SELECT id FROM referrals WHERE case_id = '{id}'"));
    (id, rid)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_referral_letter_reads_renders_and_its_qr_opens_the_answer_page() {
    for t in crate::support::databases() {
        let engine = t.label;
        let f = setup(t);
        let (name, nik, address) = resident(&f);
        let (id, rid) = referred_case(&f).await;
        let (cookie, _) = login(&f, "analis");
        let (status, ctype, pdf) = get(&f, &format!("/kasus/{id}/rujukan/{rid}/surat"), &cookie).await;
        assert_eq!((status, ctype.as_str()), (StatusCode::OK, "application/pdf"));
        let r = sync(|| read(&format!("surat-{engine}"), &pdf));
        let text = flat(&r.text);
        let masked = puskesos_domain::identity::mask(&nik);
        for want in [
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
            assert!(text.contains(want), "the letter lacks {want:?}:\n{}", r.text);
        }
        assert!(!text.contains(&nik), "the full NIK is printed");
        assert_eq!(r.pages, 1, "the letter fits one page");
        // One QR code: the provider's absolute link, printed in full under it, and it opens
        // the provider's page.
        assert_eq!(r.codes.len(), 1, "{:?}", r.codes);
        let link = &r.codes[0];
        assert!(link.starts_with("http://") || link.starts_with("https://"), "{link}");
        assert!(link.contains(&format!("/rujukan/{rid}/jawab?t=")), "{link}");
        assert!(text.contains(link.as_str()), "the link is printed as text: {link}");
        let path = &link[link.find("/rujukan/").unwrap()..];
        let (status, _, page) = get(&f, path, "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(String::from_utf8_lossy(&page).contains("Anak demam tinggi"));
    }
}
