//! The platform (tenant) as a wall: every method given another platform's ids refuses them and
//! changes nothing on either side, and the database itself refuses a row that ties one
//! platform's membership, invitation or enrollment to another platform's user. Then the seat
//! limit, which the commit reads under the platform's lock.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::oneshot;
use user_import::conformance::{self, commit_of, new_user};
use user_import::memory::MemoryMailer;
use user_import::{
    Claim, CourseId, Delivery, GroupAddition, GroupId, ImportId, ImportRequest, ImportStatus,
    Importer, InvitationId, IssueCode, Phase, Schema, StoreError, Stores,
};

use super::{SqlStore, upload_of};

/// Platform `a` is handed platform `b`'s user, import and invitation ids by every method that
/// takes one; each refuses, and neither platform's rows change.
pub(super) async fn another_platforms_ids_are_refused<S: SqlStore>(base: &S) {
    let (a, b) = (base.fresh(), base.fresh());
    conformance::groups(&a, &[("g1", "Nurses")]).await;
    conformance::groups(&b, &[("g1", "Nurses")]).await;
    let ann_b = b.user("Ann B", "ann@example.com", &[]).await;
    let receipt = b
        .commit(&commit_of(
            "b-import",
            vec![new_user(2, "Bob B", "bob@example.com")],
            &["g1"],
        ))
        .await
        .expect("b commits its import");
    let bob_b = receipt.created[0].clone();
    let invitation_b = b.invitations(&ImportId::from("b-import")).await.unwrap()[0]
        .id
        .clone();
    let (before_a, before_b) = (a.snap().await, b.snap().await);

    // Group additions for b's user, in a's commit.
    let mut adding = commit_of("a-adds", Vec::new(), &[]);
    adding.additions = vec![GroupAddition {
        row: 2,
        user: ann_b.clone(),
        email_key: "ann@example.com".to_string(),
        groups: vec![GroupId::from("g1")],
    }];
    let refused = a.commit(&adding).await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict(user_import::Conflict::Stale(why))) if why.contains(ann_b.as_str())),
        "a group addition for another platform's user is refused as a missing user: {refused:?}"
    );

    // Claims, delivery records and the outbox of b's import.
    let now = Utc::now();
    for retry_failed in [false, true] {
        let claim = Claim {
            import: ImportId::from("b-import"),
            limit: 10,
            now,
            stale_before: now,
            retry_failed,
            after: None,
        };
        assert_eq!(
            a.claim(&claim).await.unwrap(),
            [],
            "a claims none of b's invitations"
        );
    }
    let recorded = a.record(&[(invitation_b.clone(), Delivery::Sent)]).await;
    assert!(
        matches!(&recorded, Err(StoreError::NotFound { what }) if what == &format!("invitation {invitation_b}")),
        "recording a delivery of b's invitation in a is refused: {recorded:?}"
    );
    let unknown = InvitationId::from("not-a-number");
    assert!(matches!(
        a.record(&[(unknown, Delivery::Sent)]).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        a.invitations(&ImportId::from("b-import")).await.unwrap(),
        []
    );

    // Enrollment of b's users into a course through a.
    for user in [&ann_b, &bob_b] {
        let enrolled = a
            .enroll(std::slice::from_ref(user), &[CourseId::from("c1")])
            .await;
        assert!(
            matches!(&enrolled, Err(StoreError::NotFound { what }) if what == &format!("user {user}")),
            "enrolling another platform's user is refused: {enrolled:?}"
        );
    }

    // The record and the users of b's import, and an importer on a asked about it.
    assert_eq!(a.get(&ImportId::from("b-import")).await.unwrap(), None);
    assert_eq!(
        a.created_users(&ImportId::from("b-import"), 0, 10)
            .await
            .unwrap(),
        []
    );
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(a.clone()), Arc::new(MemoryMailer::new())),
    );
    let enrolled = importer
        .enroll(&ImportId::from("b-import"), &[CourseId::from("c1")])
        .await;
    assert!(
        matches!(&enrolled, Err(user_import::Error::Store(StoreError::NotFound { what })) if what == "import b-import"),
        "enrolling b's import through a: {enrolled:?}"
    );
    let resent = importer
        .resend_invitations(&ImportId::from("b-import"))
        .await;
    assert!(
        matches!(&resent, Err(user_import::Error::Store(StoreError::NotFound { what })) if what == "import b-import"),
        "resending b's invitations through a: {resent:?}"
    );

    assert_eq!(a.snap().await, before_a, "platform a changed");
    assert_eq!(b.snap().await, before_b, "platform b changed");

    // The database's own keys: rows naming another platform's user cannot be written.
    let (platform_a, ann) = (a.platform_name(), ann_b.as_str());
    for sql in [
        format!("INSERT INTO ui_memberships (platform, user_id, group_id) VALUES ('{platform_a}', {ann}, 'g1')"),
        format!("INSERT INTO ui_enrollments (platform, user_id, course_id) VALUES ('{platform_a}', {ann}, 'c1')"),
        format!(
            "INSERT INTO ui_invitations (platform, import_id, user_id, name, email, language, message, status)
             VALUES ('{platform_a}', 'x', {ann}, 'Ann B', 'ann@example.com', 'en', '', 'pending')"
        ),
    ] {
        let written = a.raw(&sql).await;
        assert!(
            written.as_ref().is_err_and(|e| e.to_lowercase().contains("foreign key")),
            "the database refuses {sql}: {written:?}"
        );
    }
    let own = format!(
        "INSERT INTO ui_memberships (platform, user_id, group_id) VALUES ('{}', {ann}, 'g1')",
        b.platform_name()
    );
    assert_eq!(
        a.raw(&own).await,
        Ok(()),
        "the same row in b's own platform is written"
    );
}

/// The import plans against a limit of 10; as it reaches its commit, a transaction takes the
/// platform's lock and lowers the limit to 2, and holds the lock a while. The commit, which
/// waited for the lock, reads the new limit: it is refused, the import plans again against the
/// new limit and fails on the seat limit, with nothing written.
pub(super) async fn a_seat_limit_lowered_under_the_lock_holds<S: SqlStore>(base: &S) {
    let store = base.fresh();
    store.user("Ann Lee", "ann@example.com", &[]).await;
    store.limit_seats(Some(10)).await;
    assert_eq!(store.seat_limit().await.unwrap(), Some(10));
    let before = store.snap().await;

    // The import's progress callback, called as it reaches the commit, says so and waits
    // (blocking its thread) until the lock is taken: nothing of the commit has run yet.
    let (at_commit_tx, at_commit) = oneshot::channel::<()>();
    let (locked_tx, locked) = std::sync::mpsc::channel::<()>();
    let at_commit_tx = std::sync::Mutex::new(Some(at_commit_tx));
    let locked = std::sync::Mutex::new(locked);
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())),
    );
    let emails: Vec<String> = (0..3).map(|n| format!("new{n}@example.com")).collect();
    let bytes = upload_of(&emails);
    let import = tokio::spawn(async move {
        let request = ImportRequest::new("seats", "seats.xlsx");
        let progress = move |p: user_import::Progress| {
            if p.phase == Phase::Committing
                && let Some(tx) = at_commit_tx.lock().unwrap().take()
            {
                tx.send(()).unwrap();
                locked.lock().unwrap().recv().expect("the lock is taken");
            }
        };
        importer.run(&request, &bytes, &progress).await
    });
    at_commit.await.expect("the import reaches its commit");
    let (holding_tx, holding) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    let holder = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .lower_seats_holding_the_lock(2, holding_tx, release_rx)
                .await
        })
    };
    holding.await.expect("the lock is held");
    locked_tx.send(()).unwrap();
    // The import now waits for the lock.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    release.send(()).expect("the holder waits");
    holder.await.unwrap();

    let summary = import.await.unwrap().expect("the import answers");
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(
        summary.attempts, 2,
        "planned once, refused at the commit, planned again"
    );
    let codes: Vec<IssueCode> = summary.issues.iter().map(|i| i.code).collect();
    assert_eq!(codes, [IssueCode::SeatLimit]);
    let after = store.snap().await;
    assert_eq!(
        after.without_log(),
        before.without_log(),
        "nothing was written"
    );
    assert_eq!(store.seat_limit().await.unwrap(), Some(2));
}

/// A claim after an invitation starts past it, in id order; one from the first finds what a
/// sender let go stale behind it.
pub(super) async fn a_claim_after_an_invitation_starts_past_it<S: SqlStore>(base: &S) {
    let store = base.fresh();
    let users = (0..5)
        .map(|i| new_user(i + 2, &format!("User {i}"), &format!("user{i}@example.com")))
        .collect();
    store
        .commit(&commit_of("cursor", users, &[]))
        .await
        .unwrap();
    let now = Utc::now();
    // A claim at `at` takes again the claims made 30 seconds or more before.
    let claim = |limit: usize, after: Option<&InvitationId>, at: chrono::DateTime<Utc>| Claim {
        import: ImportId::from("cursor"),
        limit,
        now: at,
        stale_before: at - chrono::Duration::seconds(30),
        retry_failed: false,
        after: after.cloned(),
    };
    let emails = |claimed: &[user_import::Invitation]| -> Vec<String> {
        claimed.iter().map(|i| i.email.clone()).collect()
    };
    let first = store.claim(&claim(2, None, now)).await.unwrap();
    assert_eq!(emails(&first), ["user0@example.com", "user1@example.com"]);
    let next = store
        .claim(&claim(2, Some(&first[1].id), now))
        .await
        .unwrap();
    assert_eq!(emails(&next), ["user2@example.com", "user3@example.com"]);
    let last = store
        .claim(&claim(5, Some(&next[1].id), now))
        .await
        .unwrap();
    assert_eq!(emails(&last), ["user4@example.com"]);
    assert_eq!(
        store
            .claim(&claim(5, Some(&last[0].id), now))
            .await
            .unwrap(),
        []
    );
    assert_eq!(
        store.claim(&claim(5, None, now)).await.unwrap(),
        [],
        "all are claimed"
    );
    // Claims let go stale: a claim after the fourth finds the fifth only, one from the first
    // finds them all.
    let later = now + chrono::Duration::minutes(1);
    let stale = store
        .claim(&claim(5, Some(&next[1].id), later))
        .await
        .unwrap();
    assert_eq!(emails(&stale), ["user4@example.com"]);
    let swept = store.claim(&claim(5, None, later)).await.unwrap();
    assert_eq!(
        emails(&swept),
        [
            "user0@example.com",
            "user1@example.com",
            "user2@example.com",
            "user3@example.com"
        ]
    );
}
