//! Invitations through a real SMTP server on loopback (aiosmtpd, started by `scripts/test`,
//! found through `USER_IMPORT_TEST_SMTP_ADDR`; it saves each message it receives into
//! `USER_IMPORT_TEST_SMTP_DIR` as `.eml` plus a `.json` of what it parsed), and as `.eml` files.
//! Each test uses addresses of its own, so the tests run in parallel on one server. Plain
//! `cargo test` skips the tests that need the server as ignored; `scripts/test` runs them.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use user_import::adapters::smtp::{FileMailer, InvitationText, SmtpMailer};
use user_import::memory::MemoryStore;
use user_import::{
    Delivery, DeliveryStatus, ImportId, ImportRequest, ImportStatus, Importer, Invitation,
    InvitationId, Mailer, Outbox, Schema, Stores, UserId,
};

use crate::common::filled;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run scripts/test, which starts an SMTP server (aiosmtpd) on \
             loopback and sets USER_IMPORT_TEST_SMTP_ADDR and USER_IMPORT_TEST_SMTP_DIR"
        )
    })
}

fn mailer() -> SmtpMailer {
    let text = InvitationText::new("Learning Platform <noreply@lms.example>").unwrap();
    SmtpMailer::from_url(
        &format!("smtp://{}", env("USER_IMPORT_TEST_SMTP_ADDR")),
        text,
    )
    .unwrap()
}

/// A tag no other test (or earlier run) uses, for addresses.
fn tag() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "t{}x{nanos}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// The messages the server received for `address`, waiting until `count` have arrived.
async fn arrived(address: &str, count: usize) -> Vec<Value> {
    let dir = PathBuf::from(env("USER_IMPORT_TEST_SMTP_DIR"));
    for _ in 0..100 {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("the SMTP sink's folder") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let message: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                if message["rcpt_tos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == address)
                {
                    found.push(message);
                }
            }
        }
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {count} messages arrived for {address}");
}

/// The header names of a message, in order.
fn header_names(message: &Value) -> Vec<String> {
    message["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap().to_string())
        .collect()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn invitation(name: &str, email: &str, message: &str) -> Invitation {
    Invitation {
        id: InvitationId::from("1"),
        import: ImportId::from("imp"),
        user: UserId::from("u1"),
        name: name.to_string(),
        email: email.to_string(),
        language: "en".to_string(),
        message: message.to_string(),
        status: DeliveryStatus::Sending,
        attempts: 0,
        last_error: None,
        claimed_at: None,
    }
}

/// The headers lettre writes, and nothing else.
const HEADERS: [&str; 7] = [
    "From",
    "To",
    "Subject",
    "MIME-Version",
    "Date",
    "Message-ID",
    "Content-Type",
];

fn assert_only_expected_headers(message: &Value) {
    let mut names = header_names(message);
    names.sort();
    let mut expected: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected, "exactly the expected headers: {message}");
}

#[tokio::test]
#[ignore = "needs an SMTP server: run scripts/test"]
async fn an_import_delivers_its_invitations_to_a_real_smtp_server() {
    let tag = tag();
    let ann = format!("ann.{tag}@example.com");
    let bob = format!("bob.{tag}@example.com");
    let store = MemoryStore::new();
    store.add_group("g1", "Nurses");
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(mailer())),
    );
    let mut request = ImportRequest::new("smtp-import", "users.xlsx");
    request.groups = vec!["Nurses".into()];
    request.message =
        "Welcome to the <b>Emergency</b> team & see you Monday!\nBring your badge.".to_string();
    let upload = filled(&[
        &["Lee, Ann \"Nurse\"", ann.as_str(), "CA", "QC", "en"],
        &["Zoë Brontë", bob.as_str(), "FR", "FR-75C", "fr"],
    ]);
    let summary = importer.run(&request, &upload, &|_| {}).await.unwrap();
    assert_eq!(
        summary.status,
        ImportStatus::Completed,
        "{}",
        summary.reason
    );
    assert_eq!(
        (summary.invitations.sent, summary.invitations.failed),
        (2, 0)
    );
    let outbox = store.invitations(&request.id).await.unwrap();
    assert!(outbox.iter().all(|i| i.status == DeliveryStatus::Sent));

    for (address, name) in [(&ann, "Lee, Ann \"Nurse\""), (&bob, "Zoë Brontë")] {
        let messages = arrived(address, 1).await;
        assert_eq!(messages.len(), 1, "one message for {address}");
        let message = &messages[0];
        assert_eq!(message["mail_from"], "noreply@lms.example");
        assert_eq!(message["rcpt_tos"], serde_json::json!([address]));
        assert_eq!(
            message["to_addresses"],
            serde_json::json!([{ "name": name, "address": address }])
        );
        assert_eq!(message["subject"], format!("{name}, you are invited"));
        let text = message["text"].as_str().unwrap().replace("\r\n", "\n");
        assert_eq!(
            text,
            format!(
                "Hello {name},\n\nAn account was created for you. Sign in with this email \
                 address to start.\n\nWelcome to the <b>Emergency</b> team & see you \
                 Monday!\nBring your badge.\n"
            )
        );
        let html = message["html"].as_str().unwrap();
        assert!(
            html.contains("Welcome to the &lt;b&gt;Emergency&lt;/b&gt; team &amp; see you Monday!"),
            "the message is escaped in HTML: {html}"
        );
        assert!(!html.contains("<b>"), "no markup from the message: {html}");
        assert!(
            html.contains(&format!("Hello {},", name.replace('"', "&quot;"))),
            "the name is escaped in HTML: {html}"
        );
        assert_only_expected_headers(message);
    }
}

#[tokio::test]
#[ignore = "needs an SMTP server: run scripts/test"]
async fn line_breaks_in_a_name_cannot_inject_headers_or_recipients() {
    let tag = tag();
    let eve = format!("eve.{tag}@example.com");
    let victim = format!("victim.{tag}@example.com");
    let name = format!("Eve\r\nBcc: {victim}\r\nX-Injected: yes\n\rSubject: pwned");
    let outcomes = mailer()
        .send(&[invitation(
            &name,
            &eve,
            "Line one\r\nBcc: not-a-header@example.com\r\n\r\nLine three",
        )])
        .await;
    assert_eq!(outcomes, [Delivery::Sent]);
    let messages = arrived(&eve, 1).await;
    let message = &messages[0];
    assert_eq!(
        message["rcpt_tos"],
        serde_json::json!([eve]),
        "the only recipient"
    );
    assert_only_expected_headers(message);
    let flat = format!("Eve Bcc: {victim} X-Injected: yes Subject: pwned");
    assert_eq!(
        collapse(message["subject"].as_str().unwrap()),
        format!("{flat}, you are invited")
    );
    assert_eq!(
        message["to_addresses"].as_array().unwrap().len(),
        1,
        "one To address"
    );
    assert_eq!(message["to_addresses"][0]["address"], eve.as_str());
    // Python's address parser puts a space between adjacent encoded words, so compare the
    // name without any whitespace.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(
        squeeze(message["to_addresses"][0]["name"].as_str().unwrap()),
        squeeze(&flat)
    );
    let text = message["text"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        text.ends_with("Line one\nBcc: not-a-header@example.com\n\nLine three\n"),
        "the message stays in the body: {text:?}"
    );
    // Nothing went to the address hidden in the name.
    let dir = PathBuf::from(env("USER_IMPORT_TEST_SMTP_DIR"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let received: Value = serde_json::from_str(&text).unwrap();
            assert!(
                !received["rcpt_tos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == victim.as_str()),
                "no message for {victim}"
            );
        }
    }
}

#[tokio::test]
#[ignore = "needs an SMTP server: run scripts/test"]
async fn an_undeliverable_address_fails_alone() {
    let tag = tag();
    let ok = format!("ok.{tag}@example.com");
    let outcomes = mailer()
        .send(&[
            invitation("Bad", "not an address", "Hi"),
            invitation("Good", &ok, "Hi"),
        ])
        .await;
    assert!(
        matches!(&outcomes[0], Delivery::Failed(reason) if reason.contains("not a deliverable address")),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[1], Delivery::Sent);
    assert_eq!(arrived(&ok, 1).await.len(), 1);
}

#[tokio::test]
async fn a_stopped_server_is_a_failed_delivery_not_a_panic() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = InvitationText::new("noreply@lms.example").unwrap();
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}"), text).unwrap();
    let store = MemoryStore::new();
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(mailer)),
    );
    let summary = importer
        .run(
            &ImportRequest::new("no-server", "u.xlsx"),
            &filled(&[&["Ann", "ann@example.com", "CA", "QC", "en"]]),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Completed, "the users stay");
    assert_eq!(
        (summary.invitations.sent, summary.invitations.failed),
        (0, 1)
    );
    let outbox = store
        .invitations(&ImportId::from("no-server"))
        .await
        .unwrap();
    assert_eq!(outbox[0].status, DeliveryStatus::Failed);
    assert_eq!(outbox[0].attempts, 1);
}

#[tokio::test]
async fn the_file_mailer_writes_one_eml_per_invitation() {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("eml-{}", tag()));
    let mailer = FileMailer::new(&folder, "LMS <noreply@lms.example>").unwrap();
    let outcomes = mailer
        .send(&[
            invitation("Ann Lee", "ann@example.com", "Welcome!"),
            invitation("Eve\r\nBcc: victim@example.com", "eve@example.com", "Hi"),
        ])
        .await;
    assert_eq!(outcomes, [Delivery::Sent, Delivery::Sent]);
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    files.sort_by_key(|f| f.contains("eve@example.com"));
    assert_eq!(files.len(), 2);
    for file in &files {
        let head = file.split("\r\n\r\n").next().unwrap();
        let mut names: Vec<&str> = head
            .split("\r\n")
            .filter(|line| !line.starts_with([' ', '\t']))
            .map(|line| line.split(':').next().unwrap())
            .collect();
        names.sort();
        let mut expected = HEADERS.to_vec();
        expected.sort();
        assert_eq!(names, expected, "{head}");
    }
    assert!(
        files[0].contains("\r\nTo: \"Ann Lee\" <ann@example.com>\r\n")
            || files[0].contains("\r\nTo: Ann Lee <ann@example.com>\r\n"),
        "{}",
        files[0]
    );
    assert!(
        files[0].contains("\r\nSubject: Ann Lee, you are invited\r\n"),
        "{}",
        files[0]
    );
    assert!(files[0].contains("Welcome!"));
    assert!(!files[1].contains("\r\nBcc:"), "{}", files[1]);
    std::fs::remove_dir_all(&folder).unwrap();
}
