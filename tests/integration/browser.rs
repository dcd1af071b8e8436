//! The administrator's page of the web host (`examples/web-host`) in a real headless Chromium,
//! driven over WebDriver (chromedriver): the template download, the location finder, groups,
//! message and notes, an upload through the file input and one through a dropped file, the
//! index turning `completed` and `failed` without a reload, the summary with its issues, the
//! error report, enrollment, and the French page.
//!
//! Each step's screenshot is saved under `target/web-screenshots/`. The server and chromedriver
//! listen on free loopback ports. The test needs `chromium` and `chromedriver` (Debian's
//! `chromium` and `chromium-driver`, which `scripts/test` installs), so plain `cargo test` skips
//! it as ignored.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use user_import::adapters::sqlite::SqliteStore;
use user_import::testing::workbook;
use user_import::{ImportStatus, Schema};

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The target folder this test binary runs from (`target/<profile>/deps/..`).
fn target_folder() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// The web host's binary, built with this test binary's features and profile (or taken from
/// `USER_IMPORT_WEB_HOST_BIN`).
fn web_host() -> PathBuf {
    if let Ok(path) = std::env::var("USER_IMPORT_WEB_HOST_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    let profile = match exe
        .ancestors()
        .nth(2)
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
    {
        Some("debug") | None => "test".to_string(),
        Some("release") => "bench".to_string(),
        Some(other) => other.to_string(),
    };
    let features: Vec<&str> = [
        ("sqlite", cfg!(feature = "sqlite")),
        ("postgres", cfg!(feature = "postgres")),
        ("smtp", cfg!(feature = "smtp")),
        ("jobs", cfg!(feature = "jobs")),
        ("jobs-postgres", cfg!(feature = "jobs-postgres")),
        ("axum", cfg!(feature = "axum")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    // Variables cargo sets for this test would make build scripts run again.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CFG_",
            "CARGO_FEATURE_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
            "CARGO_RUSTC_CURRENT_DIR",
            "OUT_DIR",
            "NEXTEST",
            "__NEXTEST",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
        {
            command.env_remove(name.as_ref());
        }
    }
    let output = command
        .args(["build", "--example", "web-host", "--profile", &profile])
        .args(["--no-default-features", "--features", &features.join(",")])
        .args([
            "--message-format",
            "json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(format!("{}/Cargo.toml", env!("CARGO_MANIFEST_DIR")))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo could not build the web host:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|message| {
            message["reason"] == "compiler-artifact"
                && message["target"]["name"] == "web-host"
                && message["target"]["kind"][0] == "example"
        })
        .and_then(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the web host's executable")
}

/// Starts the web host on a free port; answers it and its address.
fn start_host(state: &Path) -> (Running, String) {
    use std::io::BufRead;
    let mut child = Command::new(web_host())
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(state)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the web host starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("the web host printed no address: {line}"))
        .to_string();
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");
    (Running(child), address)
}

/// A loopback port free now (chromedriver takes a port number, not a listener).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver and a headless Chromium session that downloads into `downloads`.
async fn start_browser(downloads: &Path) -> (Running, Client) {
    let port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (apt-get install chromium chromium-driver)");
    let driver = Running(driver);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1600", "--lang=en-US"],
            "prefs": {
                "download.default_directory": downloads.to_string_lossy(),
                "download.prompt_for_download": false,
                "intl.accept_languages": "en-US,en",
            },
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => break client,
            Err(error) if started.elapsed() < Duration::from_secs(20) => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("no WebDriver session: {error}"),
        }
    };
    (driver, client)
}

/// Saves the page's screenshot as `target/web-screenshots/<name>.png`.
async fn shot(client: &Client, name: &str) {
    let folder = target_folder().join("web-screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(folder.join(format!("{name}.png")), png).unwrap();
}

/// Waits until the text of the first element `css` matches is `wanted`.
async fn wait_text(client: &Client, css: &str, wanted: &str) {
    wait_for(client, css, wanted, |text| text == wanted).await;
}

/// Waits until the text of the first element `css` matches passes `test` (`what` says how,
/// for the failure's message).
async fn wait_for(client: &Client, css: &str, what: &str, test: impl Fn(&str) -> bool) {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if test(&text) {
                return;
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{css}` shows `{last}`, not `{what}`");
}

/// The texts of the cells of the rows of table `css`.
async fn table(client: &Client, css: &str) -> Vec<Vec<String>> {
    let script = format!(
        "return [...document.querySelectorAll('{css} tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()));"
    );
    let rows = client.execute(&script, Vec::new()).await.unwrap();
    serde_json::from_value(rows).unwrap()
}

/// Waits for a file ending in `suffix` in `folder` (a finished download).
async fn downloaded(folder: &Path, suffix: &str) -> PathBuf {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(entries) = std::fs::read_dir(folder) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.ends_with(suffix) {
                    return entry.path();
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no file *{suffix} was downloaded into {}", folder.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver (scripts/test installs them)"]
async fn an_administrator_imports_users_through_the_page_in_a_real_browser() {
    let folder = Folder(std::env::temp_dir().join(format!(
        "user-import-browser-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )));
    let state = folder.0.join("state");
    let downloads = folder.0.join("downloads");
    let files = folder.0.join("files");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::create_dir_all(&files).unwrap();
    let (_host, address) = start_host(&state);
    let (_driver, client) = start_browser(&downloads).await;
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(flow(
        &client, &address, &state, &downloads, &files,
    )))
    .await;
    // The browser is closed whatever happened, then a failure is reported.
    let _ = client.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn flow(client: &Client, address: &str, state: &Path, downloads: &Path, files: &Path) {
    client.goto(address).await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-ready='true']"))
        .await
        .unwrap();
    assert_eq!(client.title().await.unwrap(), "Batch imports");
    // Every field has a name a screen reader reads.
    let unlabelled = client
        .execute(
            "return [...document.querySelectorAll('input, select, textarea, button')]
                 .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                              && !e.textContent.trim())
                 .map(e => e.id);",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, json!([]));
    shot(client, "01-page").await;

    // A running import's progress, as the index draws it from a record's `progress`.
    let drawn = client
        .execute(
            "return progressOf({status: 'running',
                                progress: {phase: 'reading', done: 1500, total: 20000}}).innerText;",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(drawn, json!("reading the file: 1,500 of 20,000"));

    // 1. The template, through its link.
    client
        .find(Locator::Id("template-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let template = downloaded(downloads, "user-import-template.xlsx").await;
    let bytes = std::fs::read(&template).unwrap();
    let headers =
        user_import::validate_bytes(&bytes, &Schema::default(), &user_import::Limits::default())
            .err()
            .map(|error| error.code());
    // The empty template is read as a template without users.
    assert_eq!(headers, Some("file.no_rows"));

    // 2. A location code, found and copied.
    let query = client.find(Locator::Id("location-query")).await.unwrap();
    query.send_keys("quebec").await.unwrap();
    wait_text(client, "#location-table tbody tr td.code", "CA-QC").await;
    assert_eq!(
        table(client, "#location-table").await[0],
        ["CA-QC", "Quebec", "Province", "Canada", "Copy"]
    );
    client
        .find(Locator::Css("#location-table button.copy"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "#location-table button.copy", "Copied CA-QC").await;
    shot(client, "02-location-copied").await;

    // 3. A group, a message and notes.
    client
        .find(Locator::Id("group-nurses"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Id("message"))
        .await
        .unwrap()
        .send_keys("Welcome to the ward!")
        .await
        .unwrap();
    client
        .find(Locator::Id("notes"))
        .await
        .unwrap()
        .send_keys("March intake")
        .await
        .unwrap();

    // The drop zone from the keyboard: Tab from the notes reaches it, its focus is visible, and
    // Enter opens the file picker (here caught before it opens).
    client
        .execute(
            "window.pickerOpened = 0;
             document.getElementById('file-input').addEventListener('click', (event) => {
                 window.pickerOpened += 1;
                 event.preventDefault();
             }, {once: true});",
            Vec::new(),
        )
        .await
        .unwrap();
    client
        .find(Locator::Id("notes"))
        .await
        .unwrap()
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("drop-zone")
    );
    assert_eq!(focused.css_value("outline-style").await.unwrap(), "solid");
    assert_eq!(focused.css_value("outline-width").await.unwrap(), "3px");
    shot(client, "03a-drop-zone-keyboard-focus").await;
    focused.send_keys(&Key::Enter.to_string()).await.unwrap();
    let opened = client
        .execute("return window.pickerOpened;", Vec::new())
        .await
        .unwrap();
    assert_eq!(opened, json!(1));

    // 4. The file, through the file input.
    let good = files.join("spring-intake.xlsx");
    std::fs::write(
        &good,
        workbook(
            &Schema::default(),
            &[
                &["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"],
                &["Bob Roy", "bob@example.com", "FR", "FR-75C", "fr"],
            ],
        ),
    )
    .unwrap();
    client
        .find(Locator::Id("file-input"))
        .await
        .unwrap()
        .send_keys(&good.to_string_lossy())
        .await
        .unwrap();
    let status = client.find(Locator::Id("file-status")).await.unwrap();
    assert!(
        status
            .text()
            .await
            .unwrap()
            .starts_with("Selected: spring-intake.xlsx ("),
    );
    shot(client, "03b-ready-to-import").await;

    // 5. Import; the index turns `completed` without a reload.
    client
        .find(Locator::Id("import-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "#index-table tbody tr .badge", "completed").await;
    wait_text(
        client,
        "#confirmation p",
        "The import of spring-intake.xlsx is completed: 2 new users, 0 existing users.",
    )
    .await;
    let rows = table(client, "#index-table").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "spring-intake.xlsx");
    assert_eq!(rows[0][1], "admin@demo.test");
    assert_eq!(rows[0][3..], ["completed", "done", "2", "0"]);
    scroll_to(client, "index-title").await;
    shot(client, "04-index-completed").await;

    // The summary, then enrollment.
    client
        .find(Locator::Id("confirmation-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "#summary-counts .created strong", "2").await;
    let counts: Vec<String> = serde_json::from_value(
        client
            .execute(
                "return [...document.querySelectorAll('#summary-counts .count')].map(c => c.innerText.replace(/\\s+/g, ' ').trim());",
                Vec::new(),
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        counts,
        [
            "2 Rows read",
            "2 New users created",
            "0 Existing users added to the groups",
            "0 Existing users left unchanged",
            "0 Rows with problems",
        ]
    );
    wait_text(
        client,
        "#invitation-line",
        "Invitations: 2 sent, 0 not delivered, 0 waiting.",
    )
    .await;
    shot(client, "05-summary").await;
    client
        .find(Locator::Id("course-safety-101"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Id("enroll-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "#enroll-status", "2 users enrolled in 1 course.").await;
    shot(client, "06-enrolled").await;

    // What the store holds: two users in the group, enrolled, and two invitations as files.
    let url = format!("sqlite://{}", state.join("user-import.db").display());
    let store = SqliteStore::connect(&url, "demo").await.unwrap();
    let snapshot = store.snapshot().await.unwrap();
    let mut emails: Vec<&str> = snapshot.users.iter().map(|u| u.email.as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["ann@example.com", "bob@example.com"]);
    assert_eq!(snapshot.memberships.len(), 2);
    assert!(
        snapshot
            .memberships
            .iter()
            .all(|(_, group)| group.0 == "nurses")
    );
    let mut courses: Vec<&str> = snapshot
        .enrollments
        .iter()
        .map(|(_, course)| course.as_str())
        .collect();
    courses.sort();
    assert_eq!(courses, ["safety-101", "safety-101"]);
    assert_eq!(snapshot.imports.len(), 1);
    assert_eq!(snapshot.imports[0].status, ImportStatus::Completed);
    assert_eq!(snapshot.imports[0].message, "Welcome to the ward!");
    assert_eq!(snapshot.imports[0].notes, "March intake");
    let mails = std::fs::read_dir(state.join("mail"))
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".eml"))
        .count();
    assert_eq!(mails, 2);
    store.pool().close().await;

    // The invitation's way in: Ann follows the link in her `.eml` and chooses a password.
    let link = accept_link(&state.join("mail"), "ann@example.com", address);
    client.goto(&link).await.unwrap();
    wait_text(client, "#welcome-title", "Welcome, Ann Lee").await;
    shot(client, "06a-welcome").await;
    for id in ["password", "confirm"] {
        client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys("correct horse battery")
            .await
            .unwrap();
    }
    client
        .find(Locator::Id("welcome-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(
        client,
        "#welcome-notice",
        "Your password is set. Sign in with ann@example.com and your new password.",
    )
    .await;
    shot(client, "06b-password-set").await;
    client.goto(&link).await.unwrap();
    wait_text(
        client,
        "#welcome-notice",
        "This link was already used. Sign in with your email address and your password.",
    )
    .await;
    // Bob's invitation, in his language.
    let link = accept_link(&state.join("mail"), "bob@example.com", address);
    client.goto(&link).await.unwrap();
    wait_text(client, "#welcome-title", "Bienvenue, Bob Roy").await;
    client.goto(address).await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-ready='true']"))
        .await
        .unwrap();

    // A bad file, dropped on the drop zone, for the group Nurses.
    client
        .find(Locator::Id("group-nurses"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let bad = workbook(
        &Schema::default(),
        &[
            &["Cy Diaz", "cy@example", "CA", "CA-QC", "en"],
            &["Di Eng", "di@example.com", "Canada", "CA-QC", "en"],
        ],
    );
    drop_file(client, "needs-fixing.xlsx", &bad).await;
    let selected = "Selected: needs-fixing.xlsx (";
    wait_for(client, "#file-status", selected, |text| {
        text.starts_with(selected) && text.ends_with(" KB)")
    })
    .await;
    client
        .find(Locator::Id("import-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "#index-table tbody tr .badge", "failed").await;
    wait_text(
        client,
        "#confirmation p",
        "The import of needs-fixing.xlsx failed: 2 problems in 2 rows; fix the file and upload it again",
    )
    .await;
    scroll_to(client, "index-title").await;
    shot(client, "07-index-failed").await;
    client
        .find(Locator::Id("confirmation-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "#issues-table tbody tr td", "2").await;
    assert_eq!(
        table(client, "#issues-table").await,
        [
            vec![
                "2".to_string(),
                "Email".into(),
                "cy@example".into(),
                "`cy@example` is not a valid email address: the domain `example` has no dot; type one address such as name@example.com".into(),
            ],
            vec![
                "3".to_string(),
                "Country".into(),
                "Canada".into(),
                "`Canada` is a country name; use the code `CA`".into(),
            ],
        ]
    );
    assert!(
        client
            .find(Locator::Id("enroll-section"))
            .await
            .unwrap()
            .attr("hidden")
            .await
            .unwrap()
            .is_some()
    );
    shot(client, "08-summary-issues").await;
    client
        .find(Locator::Id("report-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let report = downloaded(downloads, "-problems.xlsx").await;
    assert_eq!(&std::fs::read(report).unwrap()[..2], b"PK");

    // The French page.
    client
        .find(Locator::Id("back-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Id("language"))
        .await
        .unwrap()
        .select_by_value("fr")
        .await
        .unwrap();
    wait_text(client, "h1", "Imports par lot").await;
    wait_text(client, "#index-table tbody tr .badge", "échouée").await;
    let failed = "L'import de needs-fixing.xlsx a échoué : ";
    wait_for(client, "#confirmation p", failed, |text| {
        text.starts_with(failed)
    })
    .await;
    assert!(
        client
            .find(Locator::Id("group-nurses"))
            .await
            .unwrap()
            .prop("checked")
            .await
            .unwrap()
            .as_deref()
            == Some("true")
    );
    let rows = table(client, "#index-table").await;
    assert_eq!(rows[1][3], "terminée");
    assert_eq!(rows[0][0], "needs-fixing.xlsx");
    assert_eq!(
        client
            .find(Locator::Id("import-button"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Importer"
    );
    scroll_to(client, "index-title").await;
    shot(client, "09-french").await;
}

/// The accept link in the `.eml` file written for `email`, under `address` (the text part,
/// its quoted-printable soft line breaks and escapes undone).
fn accept_link(mail: &Path, email: &str, address: &str) -> String {
    let wanted = format!("{}welcome?token=", address);
    for entry in std::fs::read_dir(mail).unwrap().flatten() {
        let raw = std::fs::read_to_string(entry.path()).unwrap();
        if !raw.contains(&format!("<{email}>")) {
            continue;
        }
        let text = quoted_printable(&raw);
        let start = text
            .find(&wanted)
            .unwrap_or_else(|| panic!("no link to {wanted} in the invitation of {email}:\n{raw}"));
        let link: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || ":/.?=&_-".contains(*c))
            .collect();
        return link;
    }
    panic!("no invitation to {email} in {}", mail.display());
}

/// `text` with quoted-printable soft line breaks removed and `=XX` escapes decoded.
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Scrolls the element with `id` to the top of the window.
async fn scroll_to(client: &Client, id: &str) {
    client
        .execute(
            "document.getElementById(arguments[0]).scrollIntoView();",
            vec![json!(id)],
        )
        .await
        .unwrap();
}

/// Drops a file named `name` holding `bytes` on the drop zone, as a drag from the desktop does.
async fn drop_file(client: &Client, name: &str, bytes: &[u8]) {
    let numbers: Vec<u8> = bytes.to_vec();
    client
        .execute(
            "const [name, bytes] = arguments;
             const file = new File([new Uint8Array(bytes)], name,
                 {type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'});
             const data = new DataTransfer();
             data.items.add(file);
             const zone = document.getElementById('drop-zone');
             for (const type of ['dragenter', 'dragover', 'drop']) {
                 zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
             }",
            vec![json!(name), json!(numbers)],
        )
        .await
        .unwrap();
}
