//! The import API through its real router (`tower::ServiceExt::oneshot`): statuses, problem
//! details, the upload's streaming size limit, platforms kept apart, and what the stores hold.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;
use user_import::jobs::{QueueOptions, SqliteQueue, Submitter, Uploads, Worker, WorkerOptions};
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::testing::workbook;
use user_import::web::{Admin, AdminHost, Course, Denied, ImportApi, catalog_for};
use user_import::{
    CourseId, Error, ImportId, ImportLog, ImportStatus, Importer, Limits, Schema, StoreError,
    Stores, async_trait,
};

/// The test host: the "session" is the `x-session` header naming the platform, as a real
/// host's cookie would.
struct TestHost {
    stores: Vec<(String, Arc<MemoryStore>)>,
    mailer: Arc<MemoryMailer>,
}

impl TestHost {
    fn store(&self, platform: &str) -> Result<Arc<MemoryStore>, Error> {
        self.stores
            .iter()
            .find(|(name, _)| name == platform)
            .map(|(_, store)| Arc::clone(store))
            .ok_or_else(|| {
                Error::Store(StoreError::NotFound {
                    what: format!("platform {platform}"),
                })
            })
    }
}

#[async_trait]
impl AdminHost for TestHost {
    async fn admin(&self, request: &Parts) -> Result<Admin, Denied> {
        let platform = request
            .headers
            .get("x-session")
            .and_then(|value| value.to_str().ok())
            .ok_or(Denied::SignIn)?;
        Ok(Admin {
            platform: platform.to_string(),
            user: format!("admin@{platform}.test"),
            catalog: catalog_for(&request.headers, None),
            seat_limit: None,
        })
    }

    fn importer(&self, platform: &str) -> Result<Importer, Error> {
        Ok(Importer::new(
            Schema::default(),
            Stores::single(self.store(platform)?, Arc::clone(&self.mailer)),
        ))
    }

    async fn courses(&self, _admin: &Admin) -> Result<Vec<Course>, StoreError> {
        Ok(vec![Course {
            id: "c-101".into(),
            name: "Safety".into(),
        }])
    }
}

struct Setup {
    _folder: Folder,
    app: axum::Router,
    host: Arc<TestHost>,
    queue: SqliteQueue,
    worker: Worker,
}

struct Folder(std::path::PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn setup(name: &str, limits: Limits) -> Setup {
    let folder = std::env::temp_dir().join(format!(
        "user-import-web-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&folder).unwrap();
    let options = QueueOptions {
        heartbeat: std::time::Duration::from_secs(1),
        missed_heartbeats: 2,
        max_attempts: 3,
    };
    let queue = SqliteQueue::open(&folder.join("jobs.db"), options)
        .await
        .unwrap();
    let uploads = Uploads::new(Arc::new(
        user_import::jobs::object_store::memory::InMemory::new(),
    ));
    let stores = ["acme", "globex"]
        .iter()
        .map(|platform| {
            let store = Arc::new(MemoryStore::new());
            store.add_group("nurses", "Nurses");
            (platform.to_string(), store)
        })
        .collect();
    let host = Arc::new(TestHost {
        stores,
        mailer: Arc::new(MemoryMailer::new()),
    });
    let submitter = Submitter::new(uploads.clone(), Arc::new(queue.clone()), limits);
    let app = ImportApi::new(host.clone(), submitter).router();
    let platforms = {
        let host = Arc::clone(&host);
        move |platform: &str| host.importer(platform)
    };
    let worker = Worker::new(
        Arc::new(platforms),
        uploads,
        WorkerOptions {
            backoff: std::time::Duration::from_millis(10),
            ..WorkerOptions::default()
        },
    );
    Setup {
        _folder: Folder(folder),
        app,
        host,
        queue,
        worker,
    }
}

impl Setup {
    async fn send(&self, request: Request<Body>) -> (StatusCode, String, Vec<u8>) {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let kind = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, kind, body.to_vec())
    }

    async fn json(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, _, body) = self.send(request).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn work_until_idle(&self) {
        let stop = self.worker.until_idle(Arc::new(self.queue.clone()));
        tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.worker.work_sqlite(&self.queue, stop),
        )
        .await
        .expect("the worker went idle within a minute")
        .unwrap();
    }

    fn store(&self, platform: &str) -> Arc<MemoryStore> {
        self.host.store(platform).unwrap()
    }
}

fn get(path: &str, platform: &str) -> Request<Body> {
    Request::get(path)
        .header("x-session", platform)
        .body(Body::empty())
        .unwrap()
}

const BOUNDARY: &str = "XyZ-boundary-0123";

/// A multipart form: text fields, then the file.
fn form(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn upload(platform: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/imports")
        .header("x-session", platform)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-length", body.len())
        .body(Body::from(body))
        .unwrap()
}

fn two_users() -> Vec<u8> {
    workbook(
        &Schema::default(),
        &[
            &["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"],
            &["Bob Roy", "bob@example.com", "FR", "FR-75C", "fr"],
        ],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_answers_202_pending_and_the_worker_completes_it() {
    let setup = setup("flow", Limits::default()).await;
    let body = form(
        &[
            ("id", "spring-intake"),
            ("groups", "Nurses"),
            ("message", "Welcome aboard!"),
            ("notes", "March hires"),
        ],
        Some(("spring.xlsx", &two_users())),
    );
    let response = setup
        .app
        .clone()
        .oneshot(upload("acme", body))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "imports/spring-intake"
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        answer,
        json!({"id": "spring-intake", "status": "pending", "replay": false, "same_file": true})
    );
    let record = setup
        .store("acme")
        .get(&ImportId::from("spring-intake"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, ImportStatus::Pending);
    assert_eq!(record.file_name, "spring.xlsx");
    assert_eq!(record.uploaded_by, "admin@acme.test");
    assert_eq!(record.message, "Welcome aboard!");
    assert_eq!(record.notes, "March hires");

    // The index shows it pending, in words too.
    let (status, index) = setup.json(get("/imports", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(index["imports"].as_array().unwrap().len(), 1);
    assert_eq!(index["imports"][0]["status"], "pending");
    assert_eq!(index["imports"][0]["status_text"], "pending");
    assert_eq!(index["next_page"], Value::Null);

    setup.work_until_idle().await;
    let (status, summary) = setup.json(get("/imports/spring-intake", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["status"], "completed");
    assert_eq!(
        summary["counts"],
        json!({"rows": 2, "created": 2, "groups_added": 0, "untouched": 0, "failed_rows": 0})
    );
    assert_eq!(summary["issues"], json!([]));
    let mut delivered: Vec<String> = setup
        .host
        .mailer
        .delivered()
        .into_iter()
        .map(|invitation| format!("{} {}", invitation.email, invitation.message))
        .collect();
    delivered.sort();
    assert_eq!(
        delivered,
        [
            "ann@example.com Welcome aboard!",
            "bob@example.com Welcome aboard!"
        ]
    );
    let state = setup.store("acme").snapshot();
    assert_eq!(state.users.len(), 2);
    assert_eq!(state.memberships.len(), 2);

    // Enroll the two new users in one course.
    let enroll = Request::post("/imports/spring-intake/enroll")
        .header("x-session", "acme")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"courses": ["c-101"]}"#))
        .unwrap();
    let (status, enrolled) = setup.json(enroll).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(enrolled, json!({"enrolled": 2, "courses": 1}));
    let enrollments: Vec<CourseId> = setup
        .store("acme")
        .snapshot()
        .enrollments
        .into_iter()
        .map(|(_, course)| course)
        .collect();
    assert_eq!(
        enrollments,
        [CourseId::from("c-101"), CourseId::from("c-101")]
    );

    // Resending finds nothing left to send.
    let resend = Request::post("/imports/spring-intake/resend")
        .header("x-session", "acme")
        .body(Body::empty())
        .unwrap();
    let (status, counts) = setup.json(resend).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        counts,
        json!({"sent": 0, "failed": 0, "pending": 0, "failures": []})
    );
}

/// A body that counts the bytes the server pulled from it, arriving 8 KiB at a time as from a
/// network (each chunk after a pause, so the server sees the body as it streams).
fn counted_body(total: usize, pulled: Arc<AtomicU64>) -> Body {
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n\r\nPK\x03\x04"
    )
    .into_bytes();
    let chunks: Vec<Vec<u8>> = std::iter::once(head)
        .chain((0..total / 8192).map(|_| vec![b'x'; 8192]))
        .collect();
    let stream = futures_util::stream::unfold(chunks.into_iter(), move |mut chunks| {
        let pulled = Arc::clone(&pulled);
        async move {
            let chunk = chunks.next()?;
            tokio::task::yield_now().await;
            pulled.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            Some((
                Ok::<_, std::io::Error>(axum::body::Bytes::from(chunk)),
                chunks,
            ))
        }
    });
    Body::from_stream(stream)
}

#[tokio::test]
async fn an_upload_over_the_limit_answers_413_before_its_body_is_read_whole() {
    let limits = Limits {
        max_file_bytes: 100_000,
        ..Limits::default()
    };
    let setup = setup("limit", limits).await;
    // Streamed without a length: cut off once the file passes the limit.
    let pulled = Arc::new(AtomicU64::new(0));
    let total = 8 * 1024 * 1024;
    let request = Request::post("/imports")
        .header("x-session", "acme")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(counted_body(total, Arc::clone(&pulled)))
        .unwrap();
    let (status, kind, body) = setup.send(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(kind, "application/problem+json");
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "file.limit_exceeded");
    assert_eq!(problem["status"], 413);
    assert_eq!(problem["title"], "Payload Too Large");
    let read = pulled.load(Ordering::SeqCst);
    assert!(
        read < 100_000 + 2 * 8192 + 200,
        "{read} bytes were read of {total}"
    );
    // Announced too large: refused before a byte is read.
    let pulled = Arc::new(AtomicU64::new(0));
    let request = Request::post("/imports")
        .header("x-session", "acme")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-length", total)
        .body(counted_body(total, Arc::clone(&pulled)))
        .unwrap();
    let (status, problem) = setup.json(request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(problem["code"], "file.limit_exceeded");
    assert_eq!(
        problem["detail"],
        "the file size in bytes (8388608) exceeds the limit of 100000; split the users over several files"
    );
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
    assert!(setup.store("acme").snapshot().imports.is_empty());
}

#[tokio::test]
async fn a_file_that_is_not_a_workbook_is_rejected_from_its_bytes_in_the_request_language() {
    let setup = setup("kind", Limits::default()).await;
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n".to_vec();
    let body = form(&[("id", "pdf-1")], Some(("users.xlsx", &pdf)));
    let (status, kind, bytes) = setup.send(upload("acme", body.clone())).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(kind, "application/problem+json");
    let problem: Value = serde_json::from_slice(&bytes).unwrap();
    let english = user_import::Catalog::english().error_message(&Error::NotXlsx {
        kind: user_import::FileKind::Pdf,
    });
    assert_eq!(
        problem,
        json!({"type": "about:blank", "title": "Unsupported Media Type", "status": 415,
               "code": "file.not_xlsx", "detail": english})
    );
    let mut french = upload("acme", body);
    french.headers_mut().insert(
        "accept-language",
        "fr-CA,fr;q=0.9,en;q=0.5".parse().unwrap(),
    );
    let (_, problem) = setup.json(french).await;
    assert_eq!(
        problem["detail"],
        user_import::Catalog::french().error_message(&Error::NotXlsx {
            kind: user_import::FileKind::Pdf
        })
    );
    assert!(setup.store("acme").snapshot().imports.is_empty());
    // No file at all.
    let (status, problem) = setup.json(upload("acme", form(&[("id", "x")], None))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "request.no_file");
    assert_eq!(
        problem["detail"],
        "the form has no file; choose the filled-in template and upload it again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_platforms_import_answers_404_and_nobody_signed_in_answers_401() {
    let setup = setup("platforms", Limits::default()).await;
    let body = form(&[("id", "ours")], Some(("a.xlsx", &two_users())));
    assert_eq!(
        setup.send(upload("acme", body)).await.0,
        StatusCode::ACCEPTED
    );
    setup.work_until_idle().await;
    for path in [
        "/imports/ours",
        "/imports/ours/report",
        "/imports/ours/users",
    ] {
        let (status, problem) = setup.json(get(path, "globex")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            problem,
            json!({"type": "about:blank", "title": "Not Found", "status": 404,
                   "code": "import.not_found",
                   "detail": "there is no import `ours` on this platform"})
        );
    }
    for action in ["enroll", "resend"] {
        let request = Request::post(format!("/imports/ours/{action}"))
            .header("x-session", "globex")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"courses": ["c-101"]}"#))
            .unwrap();
        assert_eq!(
            setup.json(request).await.0,
            StatusCode::NOT_FOUND,
            "{action}"
        );
    }
    let (_, index) = setup.json(get("/imports", "globex")).await;
    assert_eq!(index["imports"], json!([]));
    assert_eq!(
        setup.json(get("/imports/ours", "acme")).await.0,
        StatusCode::OK
    );
    // The body cannot name a platform: a `platform` field is read and dropped.
    let body = form(
        &[("id", "theirs"), ("platform", "acme")],
        Some(("b.xlsx", &two_users())),
    );
    assert_eq!(
        setup.send(upload("globex", body)).await.0,
        StatusCode::ACCEPTED
    );
    assert!(
        setup
            .store("acme")
            .get(&ImportId::from("theirs"))
            .await
            .unwrap()
            .is_none()
    );
    let unsigned = Request::get("/imports").body(Body::empty()).unwrap();
    let (status, problem) = setup.json(unsigned).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "request.sign_in");
    assert_eq!(problem["detail"], "sign in to import users");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_of_one_id_import_once() {
    let setup = setup("concurrent", Limits::default()).await;
    let file = two_users();
    let requests = (0..4).map(|_| {
        let body = form(&[("id", "twice")], Some(("a.xlsx", &file)));
        setup.json(upload("acme", body))
    });
    let answers = futures_util::future::join_all(requests).await;
    let mut replays: Vec<bool> = answers
        .iter()
        .map(|(status, answer)| {
            assert_eq!(*status, StatusCode::ACCEPTED);
            assert_eq!(answer["id"], "twice");
            assert_eq!(answer["same_file"], true);
            answer["replay"].as_bool().unwrap()
        })
        .collect();
    replays.sort();
    assert_eq!(replays, [false, true, true, true]);
    setup.work_until_idle().await;
    assert_eq!(setup.store("acme").snapshot().users.len(), 2);
    assert_eq!(setup.host.mailer.delivered().len(), 2);
    assert_eq!(setup.store("acme").snapshot().imports.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_problems_fails_with_its_issues_and_its_error_report() {
    let setup = setup("issues", Limits::default()).await;
    let bad = workbook(
        &Schema::default(),
        &[
            &["Ann Lee", "ann@example", "CA", "CA-QC", "en"],
            &["Bob Roy", "bob@example.com", "Canada", "CA-QC", "en"],
        ],
    );
    let body = form(&[("id", "bad")], Some(("bad.xlsx", &bad)));
    assert_eq!(
        setup.send(upload("acme", body)).await.0,
        StatusCode::ACCEPTED
    );
    setup.work_until_idle().await;
    let (status, summary) = setup.json(get("/imports/bad", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["status_text"], "failed");
    assert_eq!(summary["counts"]["failed_rows"], 2);
    let cells: Vec<(u64, &str, &str, &str)> = summary["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| {
            (
                issue["row"].as_u64().unwrap(),
                issue["column"].as_str().unwrap(),
                issue["value"].as_str().unwrap(),
                issue["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            (2, "Email", "ann@example", "email.invalid"),
            (3, "Country", "Canada", "country.name_not_code"),
        ]
    );
    assert_eq!(
        summary["issues"][1]["message"],
        "`Canada` is a country name; use the code `CA`"
    );
    assert!(setup.store("acme").snapshot().users.is_empty());
    let (status, kind, report) = setup.send(get("/imports/bad/report", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        kind,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(&report[..2], b"PK");
    // Enrolling a failed import's users is refused.
    let enroll = Request::post("/imports/bad/enroll")
        .header("x-session", "acme")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"courses": ["c-101"]}"#))
        .unwrap();
    let (status, problem) = setup.json(enroll).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "import.not_completed");
    assert_eq!(
        problem["detail"],
        "import `bad` is failed; only the users of a completed import can be enrolled or invited again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_of_more_issues_than_kept_says_how_many_there_were() {
    let setup = setup("many-issues", Limits::default()).await;
    let emails: Vec<String> = (0..1_200)
        .map(|i| format!("user{i}-at-example.com"))
        .collect();
    let bad = user_import::testing::workbook_of_emails(&emails);
    let body = form(&[("id", "many")], Some(("many.xlsx", &bad)));
    assert_eq!(
        setup.send(upload("acme", body)).await.0,
        StatusCode::ACCEPTED
    );
    setup.work_until_idle().await;
    let (status, summary) = setup.json(get("/imports/many", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["status"], "failed");
    assert_eq!(summary["counts"]["failed_rows"], 1_200);
    assert_eq!(summary["issues"].as_array().unwrap().len(), 1_000);
    assert_eq!(summary["issue_count"], 1_200);
    assert_eq!(summary["issues"][0]["row"], 2);
    assert_eq!(summary["issues"][999]["row"], 1_001);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_of_a_large_import_come_from_the_store_a_page_at_a_time() {
    let setup = setup("many-users", Limits::default()).await;
    let emails: Vec<String> = (0..1_200).map(|i| format!("user{i}@example.com")).collect();
    let file = user_import::testing::workbook_of_emails(&emails);
    let body = form(&[("id", "big")], Some(("big.xlsx", &file)));
    assert_eq!(
        setup.send(upload("acme", body)).await.0,
        StatusCode::ACCEPTED
    );
    setup.work_until_idle().await;
    let (status, summary) = setup.json(get("/imports/big", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["counts"]["created"], 1_200);
    // The record keeps the first thousand; the store has them all.
    let kept = summary["summary"]["created"].as_array().unwrap();
    assert_eq!((kept.len(), &kept[0]["row"]), (1_000, &json!(2)));

    let (status, first) = setup
        .json(get("/imports/big/users?limit=1000", "acme"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = |page: &Value| -> Vec<u64> {
        let users = page["users"].as_array().unwrap();
        users.iter().map(|u| u["row"].as_u64().unwrap()).collect()
    };
    assert_eq!(rows(&first), (2..=1_001).collect::<Vec<u64>>());
    assert_eq!(first["users"][0]["email"], "user0@example.com");
    assert_eq!(first["users"][0]["id"], kept[0]["id"]);
    assert_eq!(first["next_after"], 1_001);
    let (_, rest) = setup
        .json(get("/imports/big/users?after=1001&limit=1000", "acme"))
        .await;
    assert_eq!(rows(&rest), (1_002..=1_201).collect::<Vec<u64>>());
    assert_eq!(rest["users"][199]["email"], "user1199@example.com");
    assert_eq!(rest["next_after"], Value::Null);
    let (_, default) = setup.json(get("/imports/big/users", "acme")).await;
    assert_eq!(
        rows(&default),
        (2..=101).collect::<Vec<u64>>(),
        "100 a page by default"
    );
    let (status, problem) = setup.json(get("/imports/big/users?after=x", "acme")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "request.bad_form");

    // Enrolling reads every page: all 1,200, not the thousand the record keeps.
    let request = Request::post("/imports/big/enroll")
        .header("x-session", "acme")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"courses": ["c-101"]}"#))
        .unwrap();
    let (status, answer) = setup.json(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, json!({"enrolled": 1_200, "courses": 1}));
}

#[tokio::test]
async fn the_template_locations_groups_courses_and_texts_answer_in_the_admins_language() {
    let setup = setup("lookup", Limits::default()).await;
    let (status, kind, bytes) = setup.send(get("/template", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        kind,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    // The same workbook, part for part, but its creation time (docProps/core.xml), which
    // moves on when a second passes between the two.
    assert_eq!(
        parts_but_the_time(&bytes),
        parts_but_the_time(
            &user_import::Template::new(&Schema::default())
                .to_bytes()
                .unwrap()
        )
    );
    let response = setup
        .app
        .clone()
        .oneshot(get("/template?lang=fr", "acme"))
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"modele-import-utilisateurs.xlsx\"; filename*=UTF-8''modele-import-utilisateurs.xlsx"
    );
    let (_, found) = setup.json(get("/locations?q=quebec", "acme")).await;
    assert_eq!(
        found[0],
        json!({"code": "CA-QC", "name": "Quebec", "type": "Province", "country": "Canada"})
    );
    let mut french = get("/locations?q=CA-QC", "acme");
    french
        .headers_mut()
        .insert("accept-language", "fr".parse().unwrap());
    let (_, found) = setup.json(french).await;
    assert_eq!(found[0]["name"], "Québec");
    assert_eq!(found[0]["country"], "Canada");
    let (_, none) = setup.json(get("/locations?q=", "acme")).await;
    assert_eq!(none, json!([]));
    let (_, groups) = setup.json(get("/groups", "acme")).await;
    assert_eq!(groups, json!([{"id": "nurses", "name": "Nurses"}]));
    let (_, courses) = setup.json(get("/courses", "acme")).await;
    assert_eq!(courses, json!([{"id": "c-101", "name": "Safety"}]));
    let (_, texts) = setup.json(get("/texts?lang=fr", "acme")).await;
    assert_eq!(texts["language"], "fr");
    assert_eq!(texts["texts"]["status.completed"], "terminée");
    assert_eq!(texts["texts"]["page.view"], "Voir le résumé de l'import");
}

#[tokio::test]
async fn the_index_pages_newest_first_and_a_bad_id_is_refused() {
    let setup = setup("pages", Limits::default()).await;
    let file = two_users();
    for id in ["first", "second", "third"] {
        let body = form(&[("id", id)], Some((&format!("{id}.xlsx"), &file)));
        assert_eq!(
            setup.send(upload("acme", body)).await.0,
            StatusCode::ACCEPTED
        );
    }
    let ids = |page: &Value| -> Vec<String> {
        page["imports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|record| record["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, page) = setup.json(get("/imports?per_page=2", "acme")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), ["third", "second"]);
    assert_eq!(
        (page["page"].clone(), page["next_page"].clone()),
        (json!(1), json!(2))
    );
    let (_, page) = setup.json(get("/imports?per_page=2&page=2", "acme")).await;
    assert_eq!(ids(&page), ["first"]);
    assert_eq!(page["next_page"], Value::Null);
    assert_eq!(page["imports"][0]["file_name"], "first.xlsx");
    assert_eq!(page["imports"][0]["uploaded_by"], "admin@acme.test");

    let body = form(&[("id", "../etc/passwd")], Some(("x.xlsx", &file)));
    let (status, problem) = setup.json(upload("acme", body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        problem["detail"],
        "the import id `../etc/passwd` is not valid; use 1 to 100 letters, digits, `-`, `_`, `.` or `~`"
    );
    let long = "m".repeat(64 * 1024 + 1);
    let body = form(
        &[("id", "long"), ("message", &long)],
        Some(("x.xlsx", &file)),
    );
    let (status, problem) = setup.json(upload("acme", body)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(problem["code"], "request.field_too_long");
    assert_eq!(setup.store("acme").snapshot().imports.len(), 3);

    // Malformed requests answer problems too.
    let (status, problem) = setup.json(get("/imports?page=first", "acme")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "request.bad_form");
    let not_a_form = Request::post("/imports")
        .header("x-session", "acme")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let (status, problem) = setup.json(not_a_form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "request.bad_form");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("the form could not be read (")
    );
}

/// Every part of a workbook, by name, but the one that holds the time it was written.
fn parts_but_the_time(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for index in 0..zip.len() {
        let mut part = zip.by_index(index).unwrap();
        let name = part.name().unwrap().to_string();
        if name == "docProps/core.xml" {
            continue;
        }
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut part, &mut content).unwrap();
        parts.push((name, content));
    }
    assert!(parts.len() > 5, "a workbook of {} parts", parts.len());
    parts
}
