//! The host behind the page: one platform, `demo`, in a SQLite file, invitations as `.eml`
//! files, and every visitor its administrator.

use std::path::Path;
use std::sync::Arc;

use axum::http::header::COOKIE;
use axum::http::request::Parts;
use user_import::adapters::smtp::{AcceptLinks, FileMailer};
use user_import::adapters::sqlite::SqliteStore;
use user_import::web::{Admin, AdminHost, Course, Denied, catalog_for};
use user_import::{
    Error, Group, GroupId, GroupStore, Importer, Mailer, Schema, StoreError, Stores, async_trait,
};

/// The platform of this host.
pub(crate) const PLATFORM: &str = "demo";

/// The groups the platform starts with.
const GROUPS: [(&str, &str); 3] = [
    ("nurses", "Nurses"),
    ("physicians", "Physicians"),
    ("night-shift", "Night shift"),
];

/// The courses the page offers for enrollment.
const COURSES: [(&str, &str); 3] = [
    ("safety-101", "Workplace safety"),
    ("hygiene-201", "Hand hygiene"),
    ("records-110", "Patient records"),
];

/// The demo host: its store and mailer.
pub(crate) struct DemoHost {
    store: SqliteStore,
    mailer: Arc<dyn Mailer>,
}

impl DemoHost {
    /// Opens the database and the mail folder in `state` (each invitation with the link
    /// `links` makes), and gives the platform its groups.
    pub(crate) async fn open(
        state: &Path,
        links: Arc<dyn AcceptLinks>,
    ) -> Result<DemoHost, String> {
        let url = format!("sqlite://{}", state.join("user-import.db").display());
        let store = SqliteStore::connect(&url, PLATFORM)
            .await
            .map_err(|error| format!("cannot open {url}: {error}"))?;
        store
            .migrate()
            .await
            .map_err(|error| format!("cannot set up {url}: {error}"))?;
        let mailer = FileMailer::new(state.join("mail"), "Demo LMS <no-reply@demo.test>")
            .map_err(|error| format!("cannot open the mail folder: {error}"))?
            .accept_links(links);
        let host = DemoHost {
            store,
            mailer: Arc::new(mailer),
        };
        host.groups()
            .await
            .map_err(|error| format!("cannot set up the groups: {error}"))?;
        Ok(host)
    }

    /// Creates the platform's groups when it has none.
    async fn groups(&self) -> Result<(), StoreError> {
        if self.store.list_groups().await?.is_empty() {
            let groups: Vec<Group> = GROUPS
                .iter()
                .map(|(id, name)| Group {
                    id: GroupId::from(*id),
                    name: (*name).to_string(),
                })
                .collect();
            self.store.create_groups(&groups).await?;
        }
        Ok(())
    }

    /// Closes the database.
    pub(crate) async fn close(&self) {
        self.store.pool().close().await;
    }
}

/// The `lang` cookie's value, if the page set one.
fn lang_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("lang="))
}

#[async_trait]
impl AdminHost for DemoHost {
    async fn admin(&self, request: &Parts) -> Result<Admin, Denied> {
        // No sign-in in this demo: a real host reads its session here.
        Ok(Admin {
            platform: PLATFORM.to_string(),
            user: "admin@demo.test".to_string(),
            catalog: catalog_for(&request.headers, lang_cookie(request)),
            seat_limit: None,
        })
    }

    fn importer(&self, platform: &str) -> Result<Importer, Error> {
        let store = Arc::new(self.store.for_platform(platform));
        let stores = Stores {
            users: store.clone(),
            groups: store.clone(),
            log: store.clone(),
            outbox: store.clone(),
            mailer: Arc::clone(&self.mailer),
            enroller: store,
        };
        Ok(Importer::new(Schema::default(), stores).stale_after(chrono::Duration::seconds(30)))
    }

    async fn courses(&self, _admin: &Admin) -> Result<Vec<Course>, StoreError> {
        Ok(COURSES
            .iter()
            .map(|(id, name)| Course {
                id: (*id).to_string(),
                name: (*name).to_string(),
            })
            .collect())
    }
}
