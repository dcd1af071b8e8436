//! The import engine on the in-memory stores: every rule of the mission, atomicity under
//! injected faults, concurrency, batching.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use user_import::faults::{Fault, Faulty};
use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{
    Begin, CourseId, DeliveryStatus, ImportId, ImportLog, ImportRecord, ImportRequest,
    ImportStatus, ImportSummary, Importer, IssueCode, Phase, Schema, StoreError, Stores, UserId,
    conformance,
};

use crate::common::filled;

fn row<'a>(name: &'a str, email: &'a str) -> Vec<&'a str> {
    vec![name, email, "CA", "CA-QC", "en"]
}

fn upload(rows: &[Vec<&str>]) -> Vec<u8> {
    let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
    filled(&rows)
}

struct Setup {
    store: MemoryStore,
    mailer: MemoryMailer,
    importer: Importer,
}

fn setup() -> Setup {
    let store = MemoryStore::new();
    store.add_group("g-nurses", "Nurses");
    store.add_group("g-night", "Night shift");
    let mailer = MemoryMailer::new();
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(mailer.clone())),
    );
    Setup {
        store,
        mailer,
        importer,
    }
}

fn request(id: &str) -> ImportRequest {
    ImportRequest::new(id, format!("{id}.xlsx"))
}

async fn run(setup: &Setup, request: &ImportRequest, bytes: &[u8]) -> ImportSummary {
    setup
        .importer
        .run(request, bytes, &|_| {})
        .await
        .expect("the import runs")
}

#[tokio::test]
async fn the_memory_store_passes_the_conformance_suite() {
    conformance::run_all(|| async { MemoryStore::new() }).await;
}

#[tokio::test]
async fn new_emails_are_created_in_the_groups_and_invited_with_the_message() {
    let s = setup();
    let mut req = request("imp-1");
    req.groups = vec!["Nurses".into(), "g-night".into()];
    req.message = "Welcome to the Emergency team!".into();
    let summary = run(
        &s,
        &req,
        &upload(&[
            row("Ann Lee", "Ann@Example.com"),
            row("Bob Roy", "bob@example.com"),
        ]),
    )
    .await;
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!((summary.counts.rows, summary.counts.created), (2, 2));
    let state = s.store.snapshot();
    let ann = &state.users[&state.emails["ann@example.com"]];
    assert_eq!(ann.name, "Ann Lee");
    assert_eq!(ann.email, "Ann@Example.com");
    assert_eq!(ann.attributes.get("region"), Some("CA-QC"));
    assert_eq!(
        s.store.groups_of(&ann.id),
        ["g-night".into(), "g-nurses".into()]
    );
    let delivered = s.mailer.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(
        delivered
            .iter()
            .all(|i| i.message == "Welcome to the Emergency team!")
    );
    assert_eq!(delivered[0].email, "Ann@Example.com");
    assert_eq!(delivered[0].name, "Ann Lee");
    assert_eq!(summary.invitations.sent, 2);
    assert_eq!(summary.created[0].id, ann.id);
}

#[tokio::test]
async fn an_existing_email_only_gets_the_import_groups_and_nothing_else_changes() {
    let s = setup();
    let ann = s
        .store
        .add_user("Ann Original", "ann@example.com", &["g-nurses"]);
    let before = s.store.snapshot().users[&ann].clone();
    let mut req = request("imp-1");
    req.groups = vec!["Night shift".into()];
    let summary = run(&s, &req, &upload(&[row("Ann Renamed", "ANN@example.com ")])).await;
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(summary.counts.created, 0);
    assert_eq!(summary.counts.groups_added, 1);
    assert_eq!(summary.updated[0].groups_added, ["Night shift"]);
    let state = s.store.snapshot();
    assert_eq!(state.users.len(), 1, "no duplicate account");
    assert_eq!(
        state.users[&ann], before,
        "name, email and attributes unchanged"
    );
    assert_eq!(
        s.store.groups_of(&ann),
        ["g-night".into(), "g-nurses".into()]
    );
    assert!(
        s.mailer.delivered().is_empty(),
        "existing users are not invited"
    );
}

#[tokio::test]
async fn an_existing_email_with_no_groups_chosen_is_left_untouched_and_reported() {
    let s = setup();
    let ann = s.store.add_user("Ann", "ann@example.com", &[]);
    let before = s.store.snapshot();
    let summary = run(
        &s,
        &request("imp-1"),
        &upload(&[row("Ann", "ann@example.com")]),
    )
    .await;
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(summary.counts.untouched, 1);
    assert_eq!(summary.untouched[0].id, ann);
    assert_eq!(summary.untouched[0].row, 2);
    assert_eq!(s.store.snapshot().without_log().users, before.users);
    assert_eq!(s.store.snapshot().memberships, before.memberships);
}

#[tokio::test]
async fn a_person_under_another_email_gets_a_second_account() {
    let s = setup();
    s.store.add_user("Ann Lee", "ann@work.example.com", &[]);
    let summary = run(
        &s,
        &request("imp-1"),
        &upload(&[row("Ann Lee", "ann@home.example.com")]),
    )
    .await;
    assert_eq!(summary.counts.created, 1);
    let state = s.store.snapshot();
    assert_eq!(state.users.len(), 2);
    assert!(state.emails.contains_key("ann@home.example.com"));
}

#[tokio::test]
async fn a_file_with_an_error_imports_no_one_and_sends_nothing() {
    let s = setup();
    let before = s.store.snapshot();
    let bytes = upload(&[
        row("Ann", "ann@example.com"),
        vec!["Bob", "bob@example", "CA", "QC", "en"],
    ]);
    let summary = run(&s, &request("imp-1"), &bytes).await;
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(summary.counts.created, 0);
    assert_eq!(summary.counts.failed_rows, 1);
    assert_eq!(summary.issues[0].code, IssueCode::EmailInvalid);
    assert_eq!(summary.issues[0].row, Some(3));
    assert_eq!(
        summary.reason,
        "1 problem in 1 row; fix the file and upload it again"
    );
    assert_eq!(s.store.snapshot().without_log(), before.without_log());
    assert!(s.mailer.delivered().is_empty());
    let record = s.store.snapshot().imports[&ImportId::from("imp-1")].clone();
    assert_eq!(record.status, ImportStatus::Failed);
}

#[tokio::test]
async fn a_rejected_file_fails_the_import_with_the_reason() {
    let s = setup();
    let summary = run(&s, &request("imp-1"), b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n").await;
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(summary.issues[0].code, IssueCode::FileRejected);
    assert_eq!(
        summary.issues[0].get_arg("error_code"),
        Some("file.not_xlsx")
    );
    assert!(
        summary
            .reason
            .starts_with("the file was rejected: the file is a PDF document")
    );
}

#[tokio::test]
async fn an_unknown_group_fails_the_import_naming_it() {
    let s = setup();
    let mut req = request("imp-1");
    req.groups = vec!["Nurses".into(), "Pilots".into()];
    let summary = run(&s, &req, &upload(&[row("Ann", "ann@example.com")])).await;
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(
        summary.issues.last().unwrap().code,
        IssueCode::UnknownGroups
    );
    assert_eq!(
        summary.reason,
        "the group `Pilots` does not exist; choose an existing group and import the file again"
    );
    assert!(s.store.snapshot().users.is_empty());
}

async fn seats(limit: Option<u64>, active: usize, new: usize) -> (ImportSummary, usize) {
    let s = setup();
    for i in 0..active {
        s.store
            .add_user("Active", &format!("active{i}@example.com"), &[]);
    }
    let emails: Vec<String> = (0..new).map(|i| format!("new{i}@example.com")).collect();
    let rows: Vec<Vec<&str>> = emails.iter().map(|e| row("New", e)).collect();
    let mut req = request("seats");
    req.seat_limit = limit;
    let summary = run(&s, &req, &upload(&rows)).await;
    (summary, s.store.snapshot().users.len())
}

#[tokio::test]
async fn the_seat_limit_may_be_reached_exactly() {
    let (summary, users) = seats(Some(5), 3, 2).await;
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(users, 5);
}

#[tokio::test]
async fn one_user_over_the_seat_limit_fails_the_import_saying_how_many_seats_are_left() {
    let (summary, users) = seats(Some(5), 3, 3).await;
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(users, 3);
    let issue = summary.issues.last().unwrap();
    assert_eq!(issue.code, IssueCode::SeatLimit);
    assert_eq!(
        issue.message,
        "the file creates 3 new users but only 2 seats are left (3 of 5 in use); remove 1 new user from the file or raise the subscription's limit"
    );
}

#[tokio::test]
async fn without_a_seat_limit_any_number_of_users_is_imported() {
    let (summary, users) = seats(None, 3, 40).await;
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(users, 43);
}

#[tokio::test]
async fn a_plan_with_no_seats_imports_no_new_user_but_still_updates_groups() {
    let s = setup();
    s.store.add_user("Ann", "ann@example.com", &[]);
    let mut req = request("zero");
    req.seat_limit = Some(0);
    req.groups = vec!["Nurses".into()];
    let summary = run(&s, &req, &upload(&[row("Ann", "ann@example.com")])).await;
    assert_eq!(
        summary.status,
        ImportStatus::Completed,
        "group-only updates need no seat"
    );
    let failed = run(
        &s,
        &request("zero-2"),
        &upload(&[row("Bob", "bob@example.com")]),
    )
    .await;
    // Without a limit on this second request the user is created; with zero seats it is not.
    assert_eq!(failed.status, ImportStatus::Completed);
    let mut req = request("zero-3");
    req.seat_limit = Some(0);
    let refused = run(&s, &req, &upload(&[row("Cy", "cy@example.com")])).await;
    assert_eq!(refused.status, ImportStatus::Failed);
    assert_eq!(refused.issues.last().unwrap().get_arg("left"), Some("0"));
}

#[tokio::test]
async fn notes_uploader_and_file_name_are_recorded_in_the_index() {
    let s = setup();
    let mut req = request("imp-1");
    req.notes = "Spring intake, requested by HR ticket 4411".into();
    req.uploaded_by = "admin@hospital.example".into();
    run(&s, &req, &upload(&[row("Ann", "ann@example.com")])).await;
    let listed = s.importer.stores().log.list(10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].notes,
        "Spring intake, requested by HR ticket 4411"
    );
    assert_eq!(listed[0].uploaded_by, "admin@hospital.example");
    assert_eq!(listed[0].file_name, "imp-1.xlsx");
    assert_eq!(listed[0].status, ImportStatus::Completed);
    let summary = listed[0].summary.as_ref().unwrap();
    assert_eq!(
        summary.invitations.sent, 1,
        "the stored summary has the final outcome"
    );
}

/// An import log that records every status it is given, in order.
#[derive(Clone)]
struct RecordingLog {
    inner: MemoryStore,
    seen: Arc<Mutex<Vec<ImportStatus>>>,
}

#[async_trait]
impl ImportLog for RecordingLog {
    async fn begin(&self, record: &ImportRecord) -> Result<Begin, StoreError> {
        self.seen.lock().unwrap().push(record.status);
        self.inner.begin(record).await
    }
    async fn set_status(
        &self,
        id: &ImportId,
        status: ImportStatus,
        summary: Option<&ImportSummary>,
    ) -> Result<bool, StoreError> {
        self.seen.lock().unwrap().push(status);
        self.inner.set_status(id, status, summary).await
    }
    async fn get(&self, id: &ImportId) -> Result<Option<ImportRecord>, StoreError> {
        self.inner.get(id).await
    }
    async fn list(&self, limit: usize) -> Result<Vec<ImportRecord>, StoreError> {
        self.inner.list(limit).await
    }
}

fn recording_importer(store: &MemoryStore, seen: &Arc<Mutex<Vec<ImportStatus>>>) -> Importer {
    let mut stores = Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new()));
    stores.log = Arc::new(RecordingLog {
        inner: store.clone(),
        seen: seen.clone(),
    });
    Importer::new(Schema::default(), stores)
}

#[tokio::test]
async fn a_completed_import_moves_pending_running_completed() {
    let store = MemoryStore::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let importer = recording_importer(&store, &seen);
    let phases = Arc::new(Mutex::new(Vec::new()));
    let sink = phases.clone();
    importer
        .run(
            &request("imp-1"),
            &upload(&[row("Ann", "ann@example.com")]),
            &move |p| sink.lock().unwrap().push(p.phase),
        )
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ImportStatus::Pending,
            ImportStatus::Running,
            ImportStatus::Completed
        ]
    );
    let mut phases = phases.lock().unwrap().clone();
    phases.dedup();
    assert_eq!(
        phases,
        [
            Phase::Reading,
            Phase::Planning,
            Phase::Committing,
            Phase::Inviting,
            Phase::Done
        ]
    );
    let record = store.snapshot().imports[&ImportId::from("imp-1")].clone();
    assert_eq!(record.status, ImportStatus::Completed);
}

#[tokio::test]
async fn a_message_over_its_limit_is_refused_in_the_request_language_and_nothing_is_recorded() {
    let s = setup();
    let before = s.store.snapshot();
    let mut request = request("imp-1");
    request.message = "w".repeat(5_001);
    let bytes = upload(&[row("Ann", "ann@example.com")]);
    let error = s.importer.run(&request, &bytes, &|_| {}).await.unwrap_err();
    assert_eq!(error.code(), "request.too_long");
    assert_eq!(
        error.to_string(),
        "the personal message: 5001 characters, more than the 5000 allowed; shorten it"
    );
    assert_eq!(
        user_import::Catalog::french().error_message(&error),
        "le message personnel : 5001 caractères, plus que les 5000 permis ; raccourcissez ce texte"
    );
    assert_eq!(s.store.snapshot(), before, "no record, no user");
    assert!(s.mailer.delivered().is_empty());
    // A dry run is refused the same way.
    request.dry_run = true;
    let error = s.importer.run(&request, &bytes, &|_| {}).await.unwrap_err();
    assert_eq!(error.code(), "request.too_long");
}

/// An importer whose imports may take no time at all: every deadline check fails.
fn out_of_time(s: &Setup) -> Importer {
    s.importer.clone().limits(user_import::Limits {
        max_duration: Some(std::time::Duration::ZERO),
        ..user_import::Limits::default()
    })
}

/// Runs import `id` of `bytes` out of time: it must be stopped while reading, before any
/// planning, as [`assert_out_of_time`] says.
async fn stopped_while_reading(
    s: &Setup,
    before: &user_import::memory::State,
    id: &str,
    bytes: &[u8],
) {
    let phases = Mutex::new(Vec::new());
    let summary = out_of_time(s)
        .run(&request(id), bytes, &|p| {
            phases.lock().unwrap().push(p.phase)
        })
        .await
        .unwrap();
    assert_out_of_time(s, before, &summary);
    let phases = phases.into_inner().unwrap();
    assert!(
        !phases.contains(&Phase::Planning),
        "{id}: stopped while reading, before planning: {phases:?}"
    );
}

/// What every import stopped by its deadline shows: failed, with the reason, and nothing of it
/// in the store or the mail.
fn assert_out_of_time(s: &Setup, before: &user_import::memory::State, summary: &ImportSummary) {
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(
        summary.reason,
        "the import ran longer than its limit of 0 seconds and was stopped, so nothing was imported; split the users over several files"
    );
    assert_eq!(s.store.snapshot().without_log(), before.without_log());
    assert!(s.mailer.delivered().is_empty());
}

#[tokio::test]
async fn a_deadline_passed_while_reading_fails_the_import_and_writes_nothing() {
    let s = setup();
    let before = s.store.snapshot();
    // An .xlsx sheet (checked every 4,096 cells) and a CSV file (checked on every row).
    let csv = b"Name,Email,Country,Region,Language\nAnn Lee,ann@example.com,CA,CA-QC,en\n";
    for (id, bytes) in [
        ("late", crate::common::users_workbook("late", 1_500)),
        ("late-csv", csv.to_vec()),
    ] {
        stopped_while_reading(&s, &before, id, &bytes).await;
        let record = &s.store.snapshot().imports[&ImportId::from(id)];
        assert_eq!(record.status, ImportStatus::Failed);
    }
}

/// A sheet of one user and then 150,000 empty cells: no row after the first reaches the
/// validator, so only the reader's own look at the deadline, every 4,096 cells, stops it.
#[tokio::test]
async fn a_deadline_passed_in_a_sheet_of_blank_cells_stops_the_read() {
    let s = setup();
    let before = s.store.snapshot();
    let mut data = format!("{}{}", crate::hostile::header(), crate::hostile::user(2));
    for row in 3..303 {
        data.push_str(&format!(r#"<row r="{row}">{}</row>"#, "<c/>".repeat(500)));
    }
    let bytes = crate::common::Package::with_sheet("Users", &data).build();
    stopped_while_reading(&s, &before, "blank", &bytes).await;

    // With time to spare, the same file imports its one user.
    let summary = s
        .importer
        .run(&request("blank-in-time"), &bytes, &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (summary.status, summary.counts.created),
        (ImportStatus::Completed, 1)
    );
}

#[tokio::test]
async fn a_deadline_passed_while_planning_fails_the_import_before_its_commit() {
    let s = setup();
    let before = s.store.snapshot();
    // Under 4,096 cells the read is not checked: the planning's first lookup is.
    let bytes = upload(&[row("Ann", "ann@example.com")]);
    let summary = out_of_time(&s)
        .run(&request("late"), &bytes, &|_| {})
        .await
        .unwrap();
    assert_out_of_time(&s, &before, &summary);
}

#[tokio::test]
async fn reading_reports_the_rows_the_file_declares_before_the_first_row() {
    let store = MemoryStore::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let importer = recording_importer(&store, &seen);
    let steps = Arc::new(Mutex::new(Vec::new()));
    let sink = steps.clone();
    let rows: Vec<Vec<&str>> = ["ann@example.com", "bob@example.com", "cy@example.com"]
        .iter()
        .map(|email| row("Someone", email))
        .collect();
    importer
        .run(&request("imp-1"), &upload(&rows), &move |p| {
            sink.lock().unwrap().push(p)
        })
        .await
        .unwrap();
    let steps = steps.lock().unwrap().clone();
    let reading: Vec<(u64, Option<u64>)> = steps
        .iter()
        .filter(|p| p.phase == Phase::Reading)
        .map(|p| (p.done, p.total))
        .collect();
    // The header first (size unknown), then the sheet's declared three rows below it.
    assert_eq!(reading, [(0, None), (0, Some(3))]);
}

#[tokio::test]
async fn a_failed_import_moves_pending_running_failed() {
    let store = MemoryStore::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let importer = recording_importer(&store, &seen);
    importer
        .run(
            &request("imp-1"),
            &upload(&[row("Ann", "not-an-email")]),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ImportStatus::Pending,
            ImportStatus::Running,
            ImportStatus::Failed
        ]
    );
}

#[tokio::test]
async fn enrollment_reaches_the_created_users_only() {
    let s = setup();
    let existing = s.store.add_user("Ann", "ann@example.com", &[]);
    let mut req = request("imp-1");
    req.groups = vec!["Nurses".into()];
    let summary = run(
        &s,
        &req,
        &upload(&[
            row("Ann", "ann@example.com"),
            row("Bob", "bob@example.com"),
            row("Cy", "cy@example.com"),
        ]),
    )
    .await;
    let courses = [CourseId::from("safety-101"), CourseId::from("ethics")];
    let enrolled = s
        .importer
        .enroll(&ImportId::from("imp-1"), &courses)
        .await
        .unwrap();
    assert_eq!(enrolled, 2);
    let enrollments = s.store.snapshot().enrollments;
    let created: Vec<UserId> = summary.created.iter().map(|c| c.id.clone()).collect();
    assert_eq!(enrollments.len(), 4);
    for (user, _) in &enrollments {
        assert!(created.contains(user));
        assert_ne!(*user, existing);
    }
}

#[tokio::test]
async fn submitting_the_same_import_twice_imports_once_and_answers_the_first_result() {
    let s = setup();
    let bytes = upload(&[row("Ann", "ann@example.com")]);
    let first = run(&s, &request("same"), &bytes).await;
    let other = upload(&[row("Bob", "bob@example.com")]);
    let second = run(&s, &request("same"), &other).await;
    assert_eq!(second, first);
    let state = s.store.snapshot();
    assert_eq!(state.users.len(), 1);
    assert_eq!(s.mailer.delivered().len(), 1);
}

#[tokio::test]
async fn twin_submissions_at_once_import_once() {
    let s = setup();
    let bytes = upload(&[row("Ann", "ann@example.com"), row("Bob", "bob@example.com")]);
    let importer = Arc::new(s.importer.clone());
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let importer = importer.clone();
            let bytes = bytes.clone();
            tokio::spawn(async move { importer.run(&request("twin"), &bytes, &|_| {}).await })
        })
        .collect();
    for task in tasks {
        let summary = task.await.unwrap().unwrap();
        assert_eq!(summary.status, ImportStatus::Completed);
    }
    assert_eq!(s.store.snapshot().users.len(), 2);
    assert_eq!(s.mailer.delivered().len(), 2, "each invitation once");
}

#[tokio::test]
async fn a_dry_run_writes_nothing_sends_nothing_and_says_what_would_happen() {
    let s = setup();
    s.store.add_user("Ann", "ann@example.com", &[]);
    let before = s.store.snapshot();
    let mut req = request("dry");
    req.dry_run = true;
    req.groups = vec!["Nurses".into()];
    let summary = run(
        &s,
        &req,
        &upload(&[row("Ann", "ann@example.com"), row("Bob", "bob@example.com")]),
    )
    .await;
    assert!(summary.dry_run);
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(
        (summary.counts.created, summary.counts.groups_added),
        (1, 1)
    );
    assert_eq!(summary.created[0].email, "bob@example.com");
    assert_eq!(s.store.snapshot(), before, "not even the index changes");
    assert!(s.mailer.delivered().is_empty());
}

#[tokio::test]
async fn a_mail_failure_keeps_the_users_and_a_resend_delivers_only_what_is_pending() {
    let s = setup();
    s.mailer.fail_for("bob@example.com");
    let summary = run(
        &s,
        &request("imp-1"),
        &upload(&[row("Ann", "ann@example.com"), row("Bob", "bob@example.com")]),
    )
    .await;
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(
        (summary.invitations.sent, summary.invitations.failed),
        (1, 1)
    );
    assert_eq!(summary.invitations.failures[0].0, "bob@example.com");
    assert_eq!(s.store.snapshot().users.len(), 2, "users stay");
    let outbox = s.store.snapshot().invitations;
    let bob = outbox
        .values()
        .find(|i| i.email == "bob@example.com")
        .unwrap();
    assert_eq!(bob.status, DeliveryStatus::Failed);
    assert_eq!(
        bob.last_error.as_deref(),
        Some("mailbox bob@example.com is unavailable")
    );

    s.mailer.heal();
    let resent = s
        .importer
        .resend_invitations(&ImportId::from("imp-1"))
        .await
        .unwrap();
    assert_eq!((resent.sent, resent.failed), (1, 0));
    let again = s
        .importer
        .resend_invitations(&ImportId::from("imp-1"))
        .await
        .unwrap();
    assert_eq!(again.sent, 0, "nothing is sent twice");
    let delivered: Vec<String> = s.mailer.delivered().into_iter().map(|i| i.email).collect();
    assert_eq!(delivered, ["ann@example.com", "bob@example.com"]);
}

#[tokio::test]
async fn a_store_failure_before_the_commit_is_an_error_and_changes_nothing() {
    let store = MemoryStore::new();
    let before = store.snapshot();
    let faulty = Faulty::new(store.clone()).with_fault(Fault::Fail(3));
    let mailer = MemoryMailer::new();
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(faulty), Arc::new(mailer.clone())),
    );
    let error = importer
        .run(
            &request("imp-1"),
            &upload(&[row("Ann", "ann@example.com")]),
            &|_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "store.failed");
    assert!(error.to_string().contains("injected failure on call 3"));
    assert_eq!(store.snapshot().without_log(), before.without_log());
    assert_eq!(
        store.snapshot().imports[&ImportId::from("imp-1")].status,
        ImportStatus::Failed
    );
    assert!(mailer.delivered().is_empty());
}

#[tokio::test]
async fn an_import_dropped_while_a_store_call_hangs_changes_nothing() {
    let store = MemoryStore::new();
    let before = store.snapshot();
    let faulty = Faulty::new(store.clone()).with_fault(Fault::HangOnCommit(1));
    let mailer = MemoryMailer::new();
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(faulty.clone()), Arc::new(mailer.clone())),
    );
    let bytes = upload(&[row("Ann", "ann@example.com")]);
    let outcome = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        importer.run(&request("imp-1"), &bytes, &|_| {}),
    )
    .await;
    assert!(outcome.is_err(), "the import hangs on the commit");
    assert_eq!(faulty.calls_to("commit"), 1);
    assert_eq!(store.snapshot().without_log(), before.without_log());
    assert!(mailer.delivered().is_empty());
}

#[tokio::test]
async fn a_conflict_at_commit_is_planned_again_against_the_new_state() {
    let store = MemoryStore::new();
    store.add_group("g1", "Nurses");
    let faulty = Faulty::new(store.clone()).with_fault(Fault::ConflictOnCommit(
        1,
        user_import::Conflict::EmailTaken(vec!["ann@example.com".into()]),
    ));
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(faulty.clone()), Arc::new(MemoryMailer::new())),
    );
    let summary = importer
        .run(
            &request("imp-1"),
            &upload(&[row("Ann", "ann@example.com")]),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(summary.attempts, 2);
    assert_eq!(faulty.calls_to("commit"), 2);
    assert_eq!(faulty.calls_to("find_by_email_keys"), 2, "looked up again");
}

#[tokio::test]
async fn an_import_that_keeps_conflicting_gives_up_and_says_why() {
    let store = MemoryStore::new();
    let faulty = Faulty::new(store.clone()).with_fault(Fault::ConflictOnEveryCommit(
        user_import::Conflict::Stale("test".into()),
    ));
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(faulty.clone()), Arc::new(MemoryMailer::new())),
    )
    .max_attempts(3);
    let bytes = upload(&[row("Ann", "ann@example.com")]);
    let summary = importer
        .run(&request("imp-1"), &bytes, &|_| {})
        .await
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(summary.attempts, 3);
    assert_eq!(faulty.calls_to("commit"), 3);
    let issue = summary.issues.last().unwrap();
    assert_eq!(issue.code, IssueCode::TooManyConflicts);
    assert_eq!(
        issue.message,
        "other imports kept changing the same users (3 attempts); nothing was imported, import the file again"
    );
    assert!(store.snapshot().users.is_empty());
}

/// A mail service that refuses every message of a large import: every failure is counted, the
/// record keeps the first 1,000 with their reasons.
#[tokio::test]
async fn a_mail_service_refusing_every_message_keeps_a_bounded_list_of_failures() {
    let s = setup();
    let emails: Vec<String> = (0..1_200).map(|i| format!("user{i}@example.com")).collect();
    for email in &emails {
        s.mailer.fail_for(email);
    }
    let bytes = user_import::testing::workbook_of_emails(&emails);
    let summary = s
        .importer
        .run(&request("refused"), &bytes, &|_| {})
        .await
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Completed);
    assert_eq!(
        (summary.invitations.sent, summary.invitations.failed),
        (0, 1_200)
    );
    assert_eq!(summary.invitations.failures.len(), 1_000);
    assert_eq!(
        summary.invitations.failures[0],
        (
            "user0@example.com".to_string(),
            "mailbox user0@example.com is unavailable".to_string()
        )
    );
    let stored = s.store.snapshot().imports[&ImportId::from("refused")].clone();
    let kept = stored.summary.expect("the record's summary").invitations;
    assert_eq!((kept.failed, kept.failures.len()), (1_200, 1_000));

    let resent = s
        .importer
        .resend_invitations(&ImportId::from("refused"))
        .await
        .unwrap();
    // A resend whose first batch all fails stops there (the service is down) ...
    assert_eq!((resent.failed, resent.failures.len()), (50, 50));
    // ... and the record still keeps 1,000 reasons.
    let stored = s.store.snapshot().imports[&ImportId::from("refused")].clone();
    let kept = stored.summary.expect("the record's summary").invitations;
    assert_eq!(kept.failures.len(), 1_000);
}
