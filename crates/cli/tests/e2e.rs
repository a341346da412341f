//! End to end in a real browser: Debian's headless Chromium driven through chromedriver
//! (WebDriver, fantoccini) against the real `puskesos serve --demo`. Log in, search, register a
//! family, edit a member with a reason, see the history and the audit entry, log out; the same
//! at 360 px wide; a wrong password makes the next try wait, and the right one gets in after. On
//! SQLite and on PostgreSQL (unless PUSKESOS_SKIP_PG=1). Screenshots go to target/e2e-screens/
//! (`pg-` before the name on PostgreSQL).
//!
//! Needs `chromium` and `chromium-driver` (bash .ci/run installs them). Without them the test
//! fails and says so, unless PUSKESOS_SKIP_BROWSER=1 (then it prints that it skipped).

mod common;
use common::*;

/// The whole walk at one window width; `kk` and `nik` differ per run.
async fn walk(c: &Client, base: &str, tag: &str, kk: &str, nik: &str) {
    login(c, base, "demo.ketua", "ketua-padi-menguning").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/antrean"),
        "each role opens to its queue"
    );
    assert!(body_text(c).await.contains("Antrean saya"));
    c.goto(&format!("{base}/registri")).await.unwrap();
    shot(c, &format!("{tag}-registri")).await;

    // Search by name.
    fill(c, "q", "sri").await;
    submit(c).await;
    let text = body_text(c).await;
    assert!(text.contains("keluarga ditemukan"), "{text}");

    // Register a family with its head.
    c.goto(&format!("{base}/keluarga/baru")).await.unwrap();
    fill(c, "f-no_kk", kk).await;
    fill(c, "f-rt", "004").await;
    fill(c, "f-rw", "002").await;
    fill(c, "p-nik", nik).await;
    fill(c, "p-nama", "Rina Kusuma").await;
    choose(c, "p-jenis_kelamin", "P").await;
    // A date input takes the digits in the browser's locale order; set it directly instead.
    c.execute(
        "document.getElementById('p-tanggal_lahir').value = '1990-01-01';",
        vec![],
    )
    .await
    .unwrap();
    choose(c, "p-hubungan", "kepala_keluarga").await;
    fill(c, "alasan", "warga datang mendaftar").await;
    shot(c, &format!("{tag}-form")).await;
    submit(c).await;
    let url = c.current_url().await.unwrap();
    assert!(
        url.path().starts_with("/keluarga/"),
        "{url}: {}",
        body_text(c).await
    );
    assert!(body_text(c).await.contains("Rina Kusuma"));

    // Edit the member with a reason.
    click_and_wait(c, "article.member p.actions a").await;
    fill(c, "p-nama", "Rina Kusumawati").await;
    fill(c, "alasan", "ejaan sesuai KTP").await;
    submit(c).await;
    let text = body_text(c).await;
    assert!(text.contains("Rina Kusumawati"), "{text}");
    // The history shows the change, who made it and why.
    assert!(text.contains("Rina Kusuma → Rina Kusumawati"), "{text}");
    assert!(text.contains("ejaan sesuai KTP"));
    // By the officer's name, not the login code.
    assert!(
        text.contains("Sri Wahyuni") && !text.contains("user:demo.ketua"),
        "{text}"
    );
    shot(c, &format!("{tag}-keluarga")).await;

    // Who should get what: the gap overview, a PKH exclusion family explained, what-if.
    c.goto(&format!("{base}/kelayakan")).await.unwrap();
    let text = body_text(c).await;
    assert!(text.contains("Kelayakan program"), "{text}");
    assert!(text.contains("Program Keluarga Harapan (PKH)"), "{text}");
    let fits = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        json!(true),
        "{tag}: gap overview wider than the window"
    );
    shot(c, &format!("{tag}-kelayakan")).await;
    c.goto(&format!("{base}/kelayakan/pkh/exclusion"))
        .await
        .unwrap();
    click_and_wait(c, "ol.results li a").await;
    let text = body_text(c).await;
    assert!(text.contains("Layak, belum menerima"), "{text}");
    assert!(text.contains("perkiraan manfaat Rp"), "{text}");
    shot(c, &format!("{tag}-keluarga-kelayakan")).await;
    c.goto(&format!("{base}/kelayakan/bagaimana-jika?program=bpnt"))
        .await
        .unwrap();
    let rules: String = c
        .execute("return document.getElementById('rules').value;", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert!(rules.contains("desil_efektif <= 4"), "{rules}");
    c.execute(
        "const t = document.getElementById('rules'); t.value = t.value.replace('desil_efektif <= 4', 'desil_efektif <= 5');",
        vec![],
    )
    .await
    .unwrap();
    click_and_wait(c, "textarea#rules ~ button").await;
    let text = body_text(c).await;
    assert!(text.contains("Bertambah ("), "{text}");
    assert!(text.contains("tidak ada yang disimpan"), "{text}");
    shot(c, &format!("{tag}-bagaimana-jika")).await;

    // Log out.
    click_and_wait(c, "header form button").await;
    assert!(c.current_url().await.unwrap().as_str().ends_with("/masuk"));
    c.goto(&format!("{base}/registri")).await.unwrap();
    assert!(c.current_url().await.unwrap().as_str().ends_with("/masuk"));
}

#[tokio::test(flavor = "multi_thread")]
async fn walk_through_in_chromium_desktop_and_phone() {
    let Some((_driver, driver_url)) = start_driver() else {
        return;
    };
    walk_through_on(&driver_url, None).await;
    if let Some(pg) = tokio::task::block_in_place(puskesos_storage::testing::postgres) {
        walk_through_on(&driver_url, Some(&pg)).await;
        tokio::task::block_in_place(move || drop(pg));
    }
}

/// The app on the throwaway PostgreSQL database `pg`, or on SQLite in `dir`; its database as
/// the test reads it; the screenshots' prefix (`pg-` on PostgreSQL).
fn app_on(
    dir: &std::path::Path,
    pg: Option<&puskesos_storage::testing::TestDb>,
) -> (Kill, String, puskesos_storage::Db, &'static str) {
    let url = pg.and_then(|t| t.url());
    let (app, base) = start_app_on(&dir.join("data"), url.as_deref());
    let db = match pg {
        Some(t) => t.db.clone(),
        None => {
            puskesos_storage::Db::open(dir.join("data/puskesos.sqlite").to_str().unwrap()).unwrap()
        }
    };
    (app, base, db, if pg.is_some() { "pg-" } else { "" })
}

/// The walk on one engine (SQLite when `pg` is `None`).
async fn walk_through_on(driver_url: &str, pg: Option<&puskesos_storage::testing::TestDb>) {
    let dir = tempfile::tempdir().unwrap();
    let (_app, base, db, pre) = tokio::task::block_in_place(|| app_on(dir.path(), pg));

    for (tag, width, kk, nik) in [
        ("desktop", 1280, "3312011502150091", "3312014101900091"),
        ("hp-360", 360, "3312011502150092", "3312014101900092"),
    ] {
        let profile = dir.path().join(format!("profile-{tag}"));
        let c = browser(driver_url, &profile, width).await;
        if width == 360 {
            // The page must fit: no horizontal scrolling on a 360 px phone.
            c.goto(&base).await.unwrap();
            let fits = c
                .execute(
                    "return document.documentElement.scrollWidth <= window.innerWidth;",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(fits, json!(true), "page wider than the 360 px window");
            let inner = c
                .execute("return window.innerWidth;", vec![])
                .await
                .unwrap();
            assert_eq!(inner, json!(360));
        }
        walk(&c, &base, &format!("{pre}{tag}"), kk, nik).await;
        c.close().await.unwrap();
    }

    // The audit log holds the views of the new families' pages by the demo Ketua, and of the
    // family (or families) the eligibility list opened: three at least. (Each walk also reopens its new
    // family after the edit: a repeat within a minute, folded into a count row that the server
    // writes when the minute has passed, see audit_fold.rs.)
    let viewed = |only_new: bool| {
        let sql = format!(
            "SELECT COUNT(DISTINCT a.entity_id) FROM audit_log a JOIN families f ON f.id = a.entity_id \
             WHERE a.actor = 'user:demo.ketua' AND a.action = 'view' AND a.entity = 'family'{}",
            if only_new {
                " AND f.no_kk IN ('3312011502150091', '3312011502150092')"
            } else {
                ""
            }
        );
        tokio::task::block_in_place(|| db.conn().unwrap().query_i64(&sql, &[]).unwrap())
    };
    assert_eq!(viewed(true), 2, "views of the two new families recorded");
    let all = viewed(false);
    assert!(all >= 3, "families whose views are recorded: {all}");

    // A walk-in at the front office: intake on a phone, handed to the section, the queue.
    let c = browser(driver_url, &dir.path().join("profile-case"), 360).await;
    login(
        &c,
        &base,
        "demo.penerima-informasi",
        "penerima-informasi-padi-menguning",
    )
    .await;
    c.goto(&format!("{base}/kasus/baru")).await.unwrap();
    fill(&c, "contact_name", "Wagiyem").await;
    fill(&c, "contact_address", "Dusun Pucung RT 001/RW 002").await;
    choose(&c, "sector", "kesehatan").await;
    fill(&c, "summary", "Anak demam tinggi, belum punya BPJS").await;
    c.find(Locator::Css("input[name=consent]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shot(&c, &format!("{pre}hp-360-kasus-baru")).await;
    click_and_wait(&c, "main form button[type=submit]").await;
    let text = body_text(&c).await;
    assert!(
        text.contains("Terdaftar") && text.contains("Wagiyem"),
        "{text}"
    );
    let fits = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "case page wider than 360 px");
    click_and_wait(&c, "form.step button").await;
    let text = body_text(&c).await;
    assert!(text.contains("Ditangani"), "{text}");
    shot(&c, &format!("{pre}hp-360-kasus")).await;
    // ... recommended by the health section, decided by the Kepala Desa, referred by review
    // and analysis with the letter, answered by the provider through the link, followed up and
    // closed: every step by its own role, in the browser.
    let case_url = c.current_url().await.unwrap().to_string();
    step_as(
        &c,
        &base,
        &case_url,
        "demo.bagian-kesehatan",
        "recommend",
        "rujuk ke puskesmas",
    )
    .await;
    step_as(
        &c,
        &base,
        &case_url,
        "demo.kepala-desa",
        "decide",
        "disetujui",
    )
    .await;
    switch_user(&c, &base, "demo.review-analisis").await;
    c.goto(&format!("{base}/penyedia")).await.unwrap();
    fill(&c, "name", "Puskesmas Pracimantoro").await;
    choose(&c, "kind", "puskesmas").await;
    click_and_wait(&c, "main form button[type=submit]").await;
    c.goto(&case_url).await.unwrap();
    fill(&c, "note-refer", "surat rujukan").await;
    click_and_wait(&c, "form.step input[value=refer] ~ button").await;
    // The case page keeps the provider's full link (to copy or share on WhatsApp).
    let link = c
        .find(Locator::Css("textarea.link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(link.starts_with(&format!("{base}/rujukan/")), "{link}");
    let letter = c
        .find(Locator::Css("a[download]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(letter.ends_with("/surat"), "{letter}");
    shot(&c, &format!("{pre}hp-360-rujukan")).await;
    // The provider opens the link (no account) and answers.
    c.goto(&link).await.unwrap();
    assert!(body_text(&c).await.contains("Anak demam tinggi"));
    c.find(Locator::Css("input[value=selesai]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "note", "sudah diperiksa dokter").await;
    click_and_wait(&c, "main form button[type=submit]").await;
    assert!(body_text(&c).await.contains("Terima kasih"));
    step_as(
        &c,
        &base,
        &case_url,
        "demo.bagian-kesehatan",
        "follow_up",
        "sudah dilayani",
    )
    .await;
    step_as(&c, &base, &case_url, "demo.ketua", "close", "").await;
    let text = body_text(&c).await;
    assert!(
        text.contains("Selesai")
            && text.contains("Selesai dilayani")
            && text.contains("sudah diperiksa dokter"),
        "{text}"
    );
    shot(&c, &format!("{pre}hp-360-kasus-selesai")).await;
    c.close().await.unwrap();

    // Wrong passwords make the next try wait (no lock): the right one gets in after the wait.
    let c = browser(driver_url, &dir.path().join("profile-lock"), 1280).await;
    let mut text = String::new();
    for _ in 0..5 {
        login(&c, &base, "demo.pengolah-data", "salah-sekali").await;
        text = body_text(&c).await;
        if text.contains("tunggu") {
            break;
        }
    }
    assert!(text.contains("tunggu"), "{text}");
    shot(&c, &format!("{pre}tunggu")).await;
    // The right password, once a second until the wait (at most 30 s) is over.
    let mut tries = 0;
    loop {
        tries += 1;
        login(
            &c,
            &base,
            "demo.pengolah-data",
            "pengolah-data-padi-menguning",
        )
        .await;
        if !c.current_url().await.unwrap().path().starts_with("/masuk") {
            break;
        }
        assert!(tries < 40, "the right password never got in");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn dashboard_roll_up_and_board_in_chromium_desktop_and_phone() {
    let Some((_driver, driver_url)) = start_driver() else {
        return;
    };
    dashboard_on(&driver_url, None).await;
    if let Some(pg) = tokio::task::block_in_place(puskesos_storage::testing::postgres) {
        dashboard_on(&driver_url, Some(&pg)).await;
        tokio::task::block_in_place(move || drop(pg));
    }
}

/// The dashboard walk on one engine (SQLite when `pg` is `None`).
async fn dashboard_on(driver_url: &str, pg: Option<&puskesos_storage::testing::TestDb>) {
    let dir = tempfile::tempdir().unwrap();
    let (_app, base, _db, pre) = tokio::task::block_in_place(|| app_on(dir.path(), pg));
    for (tag, width) in [("desktop", 1280), ("hp-360", 360)] {
        let c = browser(driver_url, &dir.path().join(format!("dash-{tag}")), width).await;
        let tag = format!("{pre}{tag}");
        login(&c, &base, "demo.ketua", "ketua-padi-menguning").await;
        c.goto(&format!("{base}/dasbor")).await.unwrap();
        let text = body_text(&c).await;
        assert!(
            text.contains("Penduduk menurut umur dan jenis kelamin"),
            "{text}"
        );
        let charts = c.find_all(Locator::Css("svg.chart")).await.unwrap();
        assert!(charts.len() >= 6, "{} charts", charts.len());
        assert!(fits(&c).await, "dashboard wider than the {width} px window");
        shot(&c, &format!("{tag}-dasbor")).await;
        // Each chart's numbers are one click away.
        let numbers = c.find(Locator::Css("#ppks details table")).await.unwrap();
        assert!(!numbers.is_displayed().await.unwrap());
        c.find(Locator::Css("#ppks details summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(numbers.is_displayed().await.unwrap(), "the numbers open");
        assert!(
            fits(&c).await,
            "dashboard with its numbers wider than {width} px"
        );
        shot(&c, &format!("{tag}-dasbor-angka")).await;

        // The public board, from the dashboard's link, logged out.
        let board = c
            .find(Locator::Css("a[href^='/papan/']"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        c.delete_all_cookies().await.unwrap();
        c.goto(&format!("{base}{board}")).await.unwrap();
        let text = body_text(&c).await;
        assert!(text.contains("Papan informasi"), "{text}");
        let logout = c
            .find_all(Locator::Css("form[action='/keluar']"))
            .await
            .unwrap();
        assert!(logout.is_empty(), "not logged in");
        assert!(fits(&c).await, "board wider than the {width} px window");
        shot(&c, &format!("{tag}-papan")).await;

        // The district officer's roll-up, drilling down to the village.
        login(
            &c,
            &base,
            "demo.dinas-sosial",
            "dinas-sosial-padi-menguning",
        )
        .await;
        c.goto(&format!("{base}/dasbor")).await.unwrap();
        assert!(body_text(&c).await.contains("Rekap kabupaten/kota"));
        assert!(
            fits(&c).await,
            "roll-up wider than the {width} px window (its table scrolls inside)"
        );
        shot(&c, &format!("{tag}-rekap")).await;
        click_and_wait(&c, "table.rollup tbody a").await;
        assert!(
            c.current_url()
                .await
                .unwrap()
                .as_str()
                .contains("/dasbor?desa=")
        );
        assert!(
            !c.find_all(Locator::Css("svg.chart"))
                .await
                .unwrap()
                .is_empty()
        );
        c.close().await.unwrap();
    }
}
