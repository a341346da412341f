//! Helpers of the browser tests: the app (`serve --demo`), chromedriver and Chromium, and the
//! steps every walk takes (log in, fill, click and wait, screenshots).
#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use fantoccini::{Client, ClientBuilder, Locator};
pub use serde_json::json;

pub struct Kill(pub Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "port {port} never opened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The app with the demo village and demo accounts.
pub fn start_app(dir: &Path) -> (Kill, String) {
    start_app_on(dir, None)
}

/// The app with the demo village and demo accounts, on the database at `database_url` (else
/// SQLite in `dir`); the server's log goes to `dir/server.log`.
pub fn start_app_on(dir: &Path, database_url: Option<&str>) -> (Kill, String) {
    let port = free_port();
    std::fs::create_dir_all(dir).unwrap();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_puskesos"));
    cmd.arg("--data-dir").arg(dir);
    match database_url {
        Some(url) => cmd.args(["--database-url", url]),
        None => cmd.env_remove("PUSKESOS_DATABASE_URL"),
    };
    let mut child = cmd
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .env("PUSKESOS_LANG", "id")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("http://") {
            break;
        }
    }
    wait_for_port(port);
    (Kill(child), format!("http://127.0.0.1:{port}"))
}

pub fn start_driver() -> Option<(Kill, String)> {
    if !Path::new("/usr/bin/chromedriver").exists() || !Path::new("/usr/bin/chromium").exists() {
        if std::env::var("PUSKESOS_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!(
                "!!! chromium/chromedriver not installed: browser tests SKIPPED (PUSKESOS_SKIP_BROWSER=1)"
            );
            return None;
        }
        panic!(
            "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver; \
             bash .ci/run does it), or set PUSKESOS_SKIP_BROWSER=1"
        );
    }
    let port = free_port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(port);
    Some((Kill(child), format!("http://127.0.0.1:{port}")))
}

pub async fn browser(driver: &str, profile: &Path, width: u32) -> Client {
    let mut caps = serde_json::Map::new();
    let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={width},900"),
            ],
    });
    if width < 500 {
        // Desktop Chromium will not make a window this narrow: emulate the phone's viewport.
        options["mobileEmulation"] =
            json!({"deviceMetrics": {"width": width, "height": 740, "pixelRatio": 2}});
    }
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("chromedriver session")
}

pub fn screens() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screens");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screens().join(format!("{name}.png")), png).unwrap();
}

pub async fn fill(c: &Client, id: &str, value: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("field #{id}"));
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

pub async fn choose(c: &Client, id: &str, value: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("field #{id}"));
    el.select_by_value(value).await.unwrap();
}

/// Clicks and waits until the browser has left the current page (its `<html>` went stale).
pub async fn click_and_wait(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let start = Instant::now();
    while old.tag_name().await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no navigation after clicking {css}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.wait().for_element(Locator::Css("body")).await.unwrap();
}

pub async fn submit(c: &Client) {
    click_and_wait(c, "main form button[type=submit]").await;
}

pub async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub async fn login(c: &Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/masuk")).await.unwrap();
    fill(c, "username", user).await;
    fill(c, "password", password).await;
    submit(c).await;
}

/// Logs out whoever is logged in and logs in as a demo account.
pub async fn switch_user(c: &Client, base: &str, user: &str) {
    // From a page that shows the account (a public page does not), log out first.
    c.goto(&format!("{base}/sandi")).await.unwrap();
    if c.find(Locator::Css("header form button")).await.is_ok() {
        click_and_wait(c, "header form button").await;
    }
    let password = format!("{}-padi-menguning", user.trim_start_matches("demo."));
    login(c, base, user, &password).await;
}

/// Takes one step on a case as a demo account, with a note when given.
pub async fn step_as(c: &Client, base: &str, case_url: &str, user: &str, step: &str, note: &str) {
    switch_user(c, base, user).await;
    c.goto(case_url).await.unwrap();
    if !note.is_empty() {
        fill(c, &format!("note-{step}"), note).await;
    }
    click_and_wait(c, &format!("form.step input[value={step}] ~ button")).await;
}

/// Whether the page fits the window (no horizontal scrolling).
pub async fn fits(c: &Client) -> bool {
    c.execute(
        "return document.documentElement.scrollWidth <= window.innerWidth;",
        vec![],
    )
    .await
    .unwrap()
        == json!(true)
}
