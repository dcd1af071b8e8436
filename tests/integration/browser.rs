//! The administrator's page of the web host (`examples/web-host`) in a real headless Chromium,
//! driven over WebDriver (chromedriver): the template download, the location finder, groups,
//! message and notes, an upload through the file input and one through a dropped file, the
//! index turning `completed` and `failed` without a reload, the summary with its issues, the
//! error report, enrollment, an invited user following the link in their `.eml` to choose a
//! password, and the French page.
//!
//! Each step's screenshot is saved under `target/web-screenshots/`. The server and chromedriver
//! listen on free loopback ports. The test needs `chromium` and `chromedriver` (Debian's
//! `chromium` and `chromium-driver`, which `scripts/test` installs), so plain `cargo test` skips
//! it as ignored.

mod support;

use std::path::Path;
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;
use user_import::adapters::sqlite::SqliteStore;
use user_import::testing::workbook;
use user_import::{ImportStatus, Schema};

use support::{
    Folder, accept_link, downloaded, drop_file, scroll_to, shot, start_browser, start_host, table,
    wait_for, wait_text,
};

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
    let template_bytes = std::fs::read(&template).unwrap();
    let headers = user_import::validate_bytes(
        &template_bytes,
        &Schema::default(),
        &user_import::Limits::default(),
    )
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
    // The downloaded template, filled as Excel saves typed values.
    let good = files.join("spring-intake.xlsx");
    std::fs::write(
        &good,
        crate::template::fill_template(
            &template_bytes,
            &[
                vec!["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"],
                vec!["Bob Roy", "bob@example.com", "FR", "FR-75C", "fr"],
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
