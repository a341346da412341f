//! One resident's whole SLRT story in a real browser, each step by the role that takes it in a
//! real Puskesos (issue 19): intake at the front office, review, the back office's
//! recommendation, the Ketua's decision, a referral the provider refuses through its link (no
//! account), a second referral that is served, follow-up, close, reopen with a reason; a
//! complaint escalated to the Dinas Sosial and decided on its desk, the decision back on the
//! village's page; the referral letter rendered by Poppler, its QR code decoded by zbar and
//! followed to the provider's page. Officers work at 1280 px; the key pages are seen again on a
//! 360 px phone (the provider answers on one), which must never scroll sideways. On SQLite and
//! on PostgreSQL (unless PUSKESOS_SKIP_PG=1). Screenshots go to target/e2e-screens/slrt-*.
//!
//! Needs `chromium`, `chromium-driver`, `poppler-utils` and `zbar-tools` (bash .ci/run installs
//! them), or PUSKESOS_SKIP_BROWSER=1 (then it prints that it skipped).

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// Visible text of the first element matching `css`.
async fn text_of(c: &Client, css: &str) -> String {
    let Ok(el) = c.find(Locator::Css(css)).await else {
        panic!("no {css} on {}", c.current_url().await.unwrap());
    };
    el.text().await.unwrap()
}

/// Picks the option of select `#id` whose visible text starts with `label`.
async fn choose_by_text(c: &Client, id: &str, label: &str) {
    let found = c
        .execute(
            "const s = document.getElementById(arguments[0]);
             const o = [...s.options].find(o => o.text.trim().startsWith(arguments[1]));
             if (!o) return false; s.value = o.value; return true;",
            vec![json!(id), json!(label)],
        )
        .await
        .unwrap();
    assert_eq!(found, json!(true), "no option '{label}' in #{id}");
}

/// Keeps the page's screenshot and its visible text (to read for words an officer would not
/// understand) in target/e2e-screens/.
async fn look(c: &Client, name: &str) {
    shot(c, name).await;
    let text = body_text(c).await;
    std::fs::write(screens().join(format!("{name}.txt")), text).unwrap();
}

/// Asserts the page fits the phone's width and keeps its screenshot.
async fn phone_page(p: &Client, tag: &str, name: &str) {
    let url = p.current_url().await.unwrap();
    look(p, &format!("slrt-{tag}-hp-{name}")).await;
    assert!(fits(p).await, "{url} is wider than the 360 px phone");
}

/// The page's state line ("Tahap: ...") of a case.
async fn case_state(c: &Client) -> String {
    text_of(c, "p.status strong").await
}

/// Takes a step on the case page open in `c` (already logged in as the role).
async fn take_step(c: &Client, case_url: &str, step: &str, note: &str) {
    c.goto(case_url).await.unwrap();
    if !note.is_empty() {
        fill(c, &format!("note-{step}"), note).await;
    }
    click_and_wait(c, &format!("form.step input[value={step}] ~ button")).await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(case_url),
        "step {step}: {}",
        body_text(c).await
    );
}

/// Refers the case open in `c` to the directory's provider named `provider`; returns the
/// referral's id (the page lands on its entry).
async fn refer(c: &Client, case_url: &str, provider: &str, note: &str) -> String {
    c.goto(case_url).await.unwrap();
    choose_by_text(c, "provider", provider).await;
    fill(c, "due_days", "7").await;
    fill(c, "note-refer", note).await;
    click_and_wait(c, "form.step input[value=refer] ~ button").await;
    let url = c.current_url().await.unwrap();
    let Some(rid) = url.fragment().and_then(|f| f.strip_prefix("rujukan-")) else {
        panic!("refer landed on {url}: {}", body_text(c).await);
    };
    let rid = rid.to_string();
    let entry = text_of(c, &format!("#rujukan-{rid}")).await;
    assert!(
        entry.contains(provider) && entry.contains("Dikirim"),
        "{entry}"
    );
    rid
}

/// Percent-encodes every byte but ASCII letters and digits (as the WhatsApp link does).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The provider's full link of referral `rid` as the case page shows it (for copying).
async fn provider_link(c: &Client, rid: &str) -> String {
    let link = c
        .execute(
            "return document.querySelector(arguments[0]).value;",
            vec![json!(format!("#rujukan-{rid} textarea.link"))],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .trim()
        .to_string();
    // The WhatsApp button carries the same link.
    let wa = c
        .find(Locator::Css(&format!(
            "#rujukan-{rid} a[href^='https://wa.me/']"
        )))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let encoded = encode(&link);
    assert!(wa.contains(&encoded), "{wa} does not carry {link}");
    link
}

/// Downloads `path` with the browser's own session (its cookies): status, type and bytes.
async fn download(c: &Client, path: &str) -> (u16, String, Vec<u8>) {
    let got = c
        .execute_async(
            "const [url, done] = arguments;
             fetch(url, {credentials: 'same-origin'})
               .then(r => r.arrayBuffer().then(b => done({
                 status: r.status,
                 type: r.headers.get('content-type') || '',
                 bytes: Array.from(new Uint8Array(b)),
               })))
               .catch(e => done({status: 0, type: String(e), bytes: []}));",
            vec![json!(path)],
        )
        .await
        .unwrap();
    let bytes = got["bytes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    (
        got["status"].as_u64().unwrap() as u16,
        got["type"].as_str().unwrap().to_string(),
        bytes,
    )
}

/// Renders the letter with Poppler (no warning allowed) and decodes its QR code with zbar.
fn render_and_scan(pdf: &Path, tag: &str) -> String {
    let out = pdf.with_extension("");
    let run = Command::new("pdftoppm")
        .args(["-png", "-r", "150"])
        .arg(pdf)
        .arg(&out)
        .output()
        .expect("pdftoppm (apt-get install poppler-utils)");
    assert!(run.status.success(), "pdftoppm failed");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.trim().is_empty(), "pdftoppm warns: {stderr}");
    let dir = pdf.parent().unwrap();
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "no page rendered");
    std::fs::copy(&pages[0], screens().join(format!("slrt-{tag}-surat.png"))).unwrap();
    let scan = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .args(&pages)
        .output()
        .expect("zbarimg (apt-get install zbar-tools)");
    assert!(scan.status.success(), "zbarimg found no code in the letter");
    let codes: Vec<String> = String::from_utf8_lossy(&scan.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(codes.len(), 1, "one QR code in the letter: {codes:?}");
    codes[0].clone()
}

/// The text of a PDF (pdftotext, layout kept).
fn pdf_text(pdf: &Path) -> String {
    let run = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(run.status.success());
    String::from_utf8_lossy(&run.stdout).into_owned()
}

/// The whole story on the app at `base`. `d` is the officers' desktop (1280 px), `p` a 360 px
/// phone (the provider's, and the officers' second look at the key pages).
async fn story(d: &Client, p: &Client, base: &str, tag: &str, work: &Path) {
    // --- The front office: the resident is found in the registry, her need registered. ---
    switch_user(d, base, "demo.penerima-informasi").await;
    assert!(
        d.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/antrean"),
        "the front office opens to its queue"
    );
    d.goto(&format!("{base}/registri")).await.unwrap();
    fill(d, "q", "sri").await;
    submit(d).await;
    assert!(body_text(d).await.contains("keluarga ditemukan"));
    click_and_wait(d, "ul.results li a").await;
    let member = text_of(d, "article.member h4").await;
    let (name, nik) = member
        .rsplit_once(" NIK ")
        .unwrap_or_else(|| panic!("member heading: {member}"));
    let (name, nik) = (name.trim().to_string(), nik.trim().to_string());
    assert_eq!(nik.len(), 16, "{member}");
    let need = "Ibu lumpuh setelah stroke, butuh kursi roda dan kontrol rutin";
    d.goto(&format!("{base}/kasus/baru")).await.unwrap();
    fill(d, "nik", &nik).await;
    choose(d, "channel", "datang").await;
    choose(d, "sector", "kesehatan").await;
    fill(d, "summary", need).await;
    d.find(Locator::Css("input[name=consent]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    look(d, &format!("slrt-{tag}-kasus-baru")).await;
    submit(d).await;
    let case_url = d.current_url().await.unwrap().to_string();
    assert!(
        case_url.starts_with(&format!("{base}/kasus/")),
        "{case_url}: {}",
        body_text(d).await
    );
    let number = text_of(d, "main h2")
        .await
        .trim_start_matches("Kasus")
        .trim()
        .to_string();
    assert!(number.starts_with("K-"), "{number}");
    let text = body_text(d).await;
    assert!(text.contains(&name) && text.contains(need), "{text}");
    assert!(!text.contains(&nik), "the case page masks the NIK: {text}");
    assert_eq!(case_state(d).await, "Terdaftar");
    look(d, &format!("slrt-{tag}-kasus-terdaftar")).await;
    // The same on the front office's phone: the intake form and the new case.
    switch_user(p, base, "demo.penerima-informasi").await;
    p.goto(&format!("{base}/kasus/baru")).await.unwrap();
    phone_page(p, tag, "kasus-baru").await;
    p.goto(&case_url).await.unwrap();
    phone_page(p, tag, "kasus-terdaftar").await;

    // --- Review and analysis: the case waits in its queue; checked and handed to the section.
    switch_user(d, base, "demo.review-analisis").await;
    assert!(body_text(d).await.contains(&number), "review's queue");
    take_step(
        d,
        &case_url,
        "assign",
        "Data keluarga sudah diperiksa di registri; diserahkan ke bagian kesehatan",
    )
    .await;
    assert_eq!(case_state(d).await, "Ditangani");

    // --- The back office (health section) recommends. ---
    switch_user(d, base, "demo.bagian-kesehatan").await;
    let queue = body_text(d).await;
    assert!(queue.contains(&number), "health section's queue: {queue}");
    look(d, &format!("slrt-{tag}-antrean-kesehatan")).await;
    take_step(
        d,
        &case_url,
        "recommend",
        "Rujuk ke puskesmas untuk kontrol dan kursi roda",
    )
    .await;
    assert_eq!(case_state(d).await, "Direkomendasikan");

    // --- The Ketua decides. ---
    switch_user(d, base, "demo.ketua").await;
    assert!(body_text(d).await.contains(&number), "Ketua's queue");
    take_step(d, &case_url, "decide", "Disetujui, rujuk ke puskesmas").await;
    assert_eq!(case_state(d).await, "Diputuskan");

    // --- The section refers to the puskesmas; the link goes out by WhatsApp. ---
    switch_user(d, base, "demo.bagian-kesehatan").await;
    let first = refer(
        d,
        &case_url,
        "Puskesmas Kecamatan",
        "Mohon kontrol dan kursi roda",
    )
    .await;
    assert_eq!(case_state(d).await, "Dirujuk");
    let link = provider_link(d, &first).await;
    assert!(
        link.starts_with(&format!("{base}/rujukan/{first}/jawab?t=")),
        "the full link: {link}"
    );
    look(d, &format!("slrt-{tag}-rujukan-1")).await;
    switch_user(p, base, "demo.bagian-kesehatan").await;
    p.goto(&format!("{case_url}#rujukan-{first}"))
        .await
        .unwrap();
    phone_page(p, tag, "kasus-rujukan").await;

    // --- The puskesmas opens the link on its phone (no account) and refuses. ---
    p.delete_all_cookies().await.unwrap();
    p.goto(&link).await.unwrap();
    let page = body_text(p).await;
    assert!(
        page.contains(&name) && page.contains(need) && page.contains("Puskesmas Kecamatan"),
        "{page}"
    );
    assert!(
        p.find_all(Locator::Css("form[action='/keluar']"))
            .await
            .unwrap()
            .is_empty(),
        "the provider is not logged in"
    );
    phone_page(p, tag, "penyedia-1").await;
    p.find(Locator::Css("input[value=ditolak]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(p, "note", "Kursi roda tidak tersedia di puskesmas").await;
    submit(p).await;
    assert!(
        body_text(p)
            .await
            .contains("Terima kasih, jawaban tercatat")
    );
    // Final: the link is closed, and says so.
    p.goto(&link).await.unwrap();
    let page = body_text(p).await;
    assert!(
        page.contains("tautan ini tidak dapat dipakai lagi"),
        "{page}"
    );
    assert!(
        p.find_all(Locator::Css("input[name=status]"))
            .await
            .unwrap()
            .is_empty()
    );
    phone_page(p, tag, "penyedia-1-tertutup").await;

    // --- The section sees the refusal and refers again, to the Dinas Sosial. ---
    d.goto(&case_url).await.unwrap();
    let text = body_text(d).await;
    assert!(
        text.contains("Ditolak penyedia")
            && text.contains("Penyedia menolak rujukan")
            && text.contains("Kursi roda tidak tersedia di puskesmas"),
        "{text}"
    );
    let second = refer(
        d,
        &case_url,
        "Dinas Sosial Kabupaten",
        "Mohon bantuan kursi roda (ATENSI)",
    )
    .await;
    assert_ne!(first, second);
    let link2 = provider_link(d, &second).await;
    look(d, &format!("slrt-{tag}-rujukan-2")).await;

    // --- The letter: downloaded, rendered, its QR code the full link. ---
    let href = d
        .find(Locator::Css(&format!("#rujukan-{second} a[download]")))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        href.ends_with(&format!("/rujukan/{second}/surat")),
        "{href}"
    );
    let (status, kind, pdf) = download(d, &href).await;
    assert_eq!(status, 200, "letter download");
    assert!(kind.starts_with("application/pdf"), "{kind}");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let letters = work.join(format!("surat-{tag}"));
    std::fs::create_dir_all(&letters).unwrap();
    let file = letters.join("surat.pdf");
    std::fs::write(&file, &pdf).unwrap();
    std::fs::write(screens().join(format!("slrt-{tag}-surat.pdf")), &pdf).unwrap();
    let letter = pdf_text(&file);
    let address = letter
        .lines()
        .find_map(|l| l.trim().strip_prefix("Alamat"))
        .map(|a| a.trim_start_matches([' ', ':']).trim().to_string())
        .unwrap_or_default();
    assert!(
        !address.is_empty() && address != "-" && address != "–",
        "the letter gives the family's address:\n{letter}"
    );
    for field in [
        name.as_str(),
        "Dinas Sosial Kabupaten",
        &number,
        need,
        "Disetujui, rujuk ke puskesmas",
        "Bagian Kesehatan",
    ] {
        assert!(
            letter.contains(field),
            "{field} not in the letter:\n{letter}"
        );
    }
    assert!(!letter.contains(&nik), "the letter masks the NIK");
    let qr = render_and_scan(&file, tag);
    assert_eq!(qr, link2, "the QR code is the provider's full link");
    assert!(qr.starts_with("http://127.0.0.1:"), "{qr}");

    // --- The Dinas Sosial sees the referral on its desk. ---
    switch_user(d, base, "demo.dinas-sosial").await;
    let desk = body_text(d).await;
    assert!(
        desk.contains("Meja Dinas Sosial")
            && desk.contains("Rujukan ke Dinas Sosial yang menunggu jawaban")
            && desk.contains(&number)
            && desk.contains(&name),
        "{desk}"
    );

    // --- Its officer scans the QR code on the printed letter: the provider's page. ---
    p.delete_all_cookies().await.unwrap();
    p.goto(&qr).await.unwrap();
    let page = body_text(p).await;
    assert!(
        page.contains(&name) && page.contains(need) && page.contains("Dinas Sosial Kabupaten"),
        "{page}"
    );
    phone_page(p, tag, "penyedia-2").await;
    p.find(Locator::Css("input[value=diterima]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(p, "note", "Dijadwalkan penyerahan kursi roda hari Kamis").await;
    submit(p).await;
    assert!(
        body_text(p)
            .await
            .contains("Terima kasih, jawaban tercatat")
    );
    // Accepted is not final: the same link serves the outcome.
    p.goto(&qr).await.unwrap();
    assert!(body_text(p).await.contains("Diterima penyedia"));
    p.find(Locator::Css("input[value=selesai]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(p, "note", "Kursi roda sudah diserahkan kepada keluarga").await;
    submit(p).await;
    assert!(
        body_text(p)
            .await
            .contains("Terima kasih, jawaban tercatat")
    );
    // Served is final: the QR code on the letter no longer changes anything.
    p.goto(&qr).await.unwrap();
    assert!(
        body_text(p)
            .await
            .contains("tautan ini tidak dapat dipakai lagi")
    );

    // --- Follow-up by the section, closed by the Ketua. ---
    switch_user(d, base, "demo.bagian-kesehatan").await;
    take_step(
        d,
        &case_url,
        "follow_up",
        "Warga sudah menerima kursi roda; kontrol di puskesmas tetap berjalan",
    )
    .await;
    assert_eq!(case_state(d).await, "Ditindaklanjuti");
    switch_user(d, base, "demo.ketua").await;
    take_step(d, &case_url, "close", "").await;
    assert_eq!(case_state(d).await, "Selesai");
    let text = body_text(d).await;
    for note in [
        "Kursi roda tidak tersedia di puskesmas",
        "Dijadwalkan penyerahan kursi roda hari Kamis",
        "Kursi roda sudah diserahkan kepada keluarga",
        "Penyedia: selesai dilayani",
        "Selesai dilayani",
    ] {
        assert!(text.contains(note), "{note} missing from the case page");
    }
    assert!(
        d.find_all(Locator::Css("textarea.link"))
            .await
            .unwrap()
            .is_empty(),
        "no provider's link once every referral is answered"
    );
    look(d, &format!("slrt-{tag}-kasus-selesai")).await;
    // Closed cases are found in the archive.
    d.goto(&format!("{base}/kasus?q={}&arsip=ya", encode(&name)))
        .await
        .unwrap();
    let found = body_text(d).await;
    assert!(found.contains(&number), "archive search: {found}");

    // --- Reopened by the Ketua with a reason. ---
    d.goto(&case_url).await.unwrap();
    let required = d
        .find(Locator::Id("note-reopen"))
        .await
        .unwrap()
        .attr("required")
        .await
        .unwrap();
    assert!(required.is_some(), "reopening asks for a reason");
    take_step(
        d,
        &case_url,
        "reopen",
        "Kursi roda rusak setelah dua minggu, perlu diganti",
    )
    .await;
    assert_eq!(case_state(d).await, "Ditangani");
    let text = body_text(d).await;
    assert!(
        text.contains("Dibuka kembali")
            && text.contains("Kursi roda rusak setelah dua minggu, perlu diganti"),
        "{text}"
    );
    look(d, &format!("slrt-{tag}-kasus-dibuka-kembali")).await;
    switch_user(p, base, "demo.ketua").await;
    p.goto(&case_url).await.unwrap();
    phone_page(p, tag, "kasus-dibuka-kembali").await;

    // --- A complaint: filed at the front office, escalated by the Ketua. ---
    switch_user(d, base, "demo.penerima-informasi").await;
    let grievance = "Keluarga desil 1 tetapi belum pernah menerima PKH";
    d.goto(&format!("{base}/pengaduan/baru")).await.unwrap();
    choose(d, "category", "pengaduan").await;
    fill(d, "program", "PKH").await;
    fill(d, "summary", grievance).await;
    fill(d, "contact_name", &name).await;
    fill(d, "contact_phone", "081234567890").await;
    submit(d).await;
    let receipt = body_text(d).await;
    let ticket = text_of(d, "dd.ticket strong").await;
    assert!(receipt.contains("Batas waktu"), "{receipt}");
    look(d, &format!("slrt-{tag}-pengaduan-tanda-terima")).await;
    // The receipt page is safe to refresh, and fits the front office's phone.
    switch_user(p, base, "demo.penerima-informasi").await;
    p.goto(d.current_url().await.unwrap().as_str())
        .await
        .unwrap();
    assert_eq!(text_of(p, "dd.ticket strong").await, ticket);
    phone_page(p, tag, "pengaduan-tanda-terima").await;
    click_and_wait(d, "section.receipt p.actions a:last-child").await;
    let complaint_url = d.current_url().await.unwrap().to_string();
    assert!(complaint_url.contains("/pengaduan/"), "{complaint_url}");
    switch_user(d, base, "demo.ketua").await;
    d.goto(&complaint_url).await.unwrap();
    fill(
        d,
        "note-escalate",
        "Penetapan penerima PKH adalah kewenangan Dinas Sosial",
    )
    .await;
    click_and_wait(d, "form.step input[value=escalate] ~ button").await;
    assert!(
        body_text(d).await.contains("Dieskalasi ke Dinas Sosial"),
        "{}",
        body_text(d).await
    );

    // --- The Dinas Sosial: the complaint on its desk, through the village picker, decided. ---
    switch_user(d, base, "demo.dinas-sosial").await;
    let desk = body_text(d).await;
    assert!(
        desk.contains("Pengaduan yang dieskalasi ke kabupaten/kota")
            && desk.contains(&ticket)
            && desk.contains(grievance),
        "{desk}"
    );
    look(d, &format!("slrt-{tag}-meja-dinas")).await;
    let on_desk = d
        .find(Locator::LinkText(&ticket))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let village = on_desk
        .split_once("desa=")
        .map(|(_, v)| v.to_string())
        .unwrap_or_else(|| panic!("{on_desk}"));
    // Its complaint list asks for a village first; the picker opens the village's list.
    d.goto(&format!("{base}/pengaduan?desa=")).await.unwrap();
    assert!(body_text(d).await.contains("Pilih desa/kelurahan"));
    look(d, &format!("slrt-{tag}-pilih-desa")).await;
    choose(d, "desa", &village).await;
    click_and_wait(d, "form.village-picker button").await;
    let list = body_text(d).await;
    assert!(list.contains(&ticket), "{list}");
    let from_list = d
        .find(Locator::LinkText(&ticket))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(from_list, on_desk, "the list keeps the picked village");
    d.goto(&format!("{base}{from_list}")).await.unwrap();
    assert!(body_text(d).await.contains(grievance));
    let decision = "Diusulkan sebagai penerima PKH pada pemutakhiran bulan depan";
    fill(d, "note-resolve", decision).await;
    click_and_wait(d, "form.step input[value=resolve] ~ button").await;
    let page = body_text(d).await;
    assert!(page.contains(decision), "{page}");
    let desk = {
        d.goto(&format!("{base}/antrean")).await.unwrap();
        body_text(d).await
    };
    assert!(!desk.contains(grievance), "decided, off the desk: {desk}");
    switch_user(p, base, "demo.dinas-sosial").await;
    phone_page(p, tag, "meja-dinas").await;

    // --- Back in the village: the Ketua's queue and the complaint's page show the decision. ---
    switch_user(d, base, "demo.ketua").await;
    let queue = body_text(d).await;
    assert!(
        queue.contains("Pengaduan yang diputuskan Dinas Sosial") && queue.contains(decision),
        "{queue}"
    );
    look(d, &format!("slrt-{tag}-antrean-ketua")).await;
    d.goto(&complaint_url).await.unwrap();
    let page = body_text(d).await;
    assert!(
        page.contains(decision) && page.contains("Selesai"),
        "{page}"
    );
    look(d, &format!("slrt-{tag}-pengaduan-diputuskan")).await;
    switch_user(p, base, "demo.ketua").await;
    phone_page(p, tag, "antrean-ketua").await;
    p.goto(&complaint_url).await.unwrap();
    phone_page(p, tag, "pengaduan-diputuskan").await;
}

/// The story on one engine: a fresh app on `database_url` (SQLite when `None`).
async fn on_engine(driver: &str, tag: &str, database_url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let (_app, base) = start_app_on(&dir.path().join("data"), database_url);
    let d = browser(driver, &dir.path().join("desktop"), 1280).await;
    let p = browser(driver, &dir.path().join("phone"), 360).await;
    let started = std::time::Instant::now();
    story(&d, &p, &base, tag, dir.path()).await;
    eprintln!(
        "slrt story on {tag}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    d.close().await.unwrap();
    p.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_slrt_loop_in_chromium_as_each_role() {
    let Some((_driver, driver_url)) = start_driver() else {
        return;
    };
    on_engine(&driver_url, "sqlite", None).await;
    // A throwaway PostgreSQL database (the synchronous client may not run on the runtime's
    // thread: it blocks).
    let pg = tokio::task::block_in_place(puskesos_storage::testing::postgres);
    if let Some(pg) = pg {
        let url = pg.url().unwrap();
        on_engine(&driver_url, "postgres", Some(&url)).await;
        tokio::task::block_in_place(move || drop(pg));
    }
}
