//! The invitation's way in: each invitation carries a link with a one-time token
//! ([`AcceptLinks`]); the link opens "welcome, choose your password", in the invited user's
//! language. This demo keeps the tokens in `welcome.json` in the state folder and records that
//! a password was chosen without keeping it; a real host stores a password hash in its own
//! accounts.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};
use user_import::adapters::smtp::{AcceptLinks, escape_html};
use user_import::{Catalog, Invitation, StoreError, async_trait};

/// The shortest password the page takes.
const MIN_PASSWORD_CHARS: usize = 8;

/// The tokens, kept in a file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Tokens {
    /// Token → the account it opens.
    accounts: BTreeMap<String, Account>,
    /// Invitation id → its token, so an invitation sent again carries the same link.
    invitations: BTreeMap<String, String>,
}

/// An invited user, as their token knows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Account {
    name: String,
    email: String,
    language: String,
    /// Whether the token was used to choose a password.
    used: bool,
}

/// The welcome pages and the links to them.
pub(crate) struct Welcome {
    base: String,
    file: PathBuf,
    tokens: Mutex<Tokens>,
}

impl Welcome {
    /// Links under `base` (`http://127.0.0.1:8080`), tokens in `file`.
    pub(crate) fn open(base: String, file: PathBuf) -> Welcome {
        let tokens = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Welcome {
            base,
            file,
            tokens: Mutex::new(tokens),
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(tokens)
            .map_err(|error| StoreError::backend("write the welcome tokens", error))?;
        std::fs::write(&self.file, bytes)
            .map_err(|error| StoreError::backend("write the welcome tokens", error))
    }
}

/// 128 random bits as hexadecimal, from the system's random source.
fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .map_err(|error| StoreError::backend("draw a token", error))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[async_trait]
impl AcceptLinks for Welcome {
    async fn link(&self, invitation: &Invitation) -> Result<String, StoreError> {
        let mut tokens = self
            .tokens
            .lock()
            .map_err(|_| StoreError::backend("read the welcome tokens", "a writer panicked"))?;
        let known = tokens
            .invitations
            .get(invitation.id.as_str())
            .filter(|token| tokens.accounts.get(*token).is_some_and(|a| !a.used))
            .cloned();
        let token = match known {
            Some(token) => token,
            None => {
                let token = new_token()?;
                tokens.accounts.insert(
                    token.clone(),
                    Account {
                        name: invitation.name.clone(),
                        email: invitation.email.clone(),
                        language: invitation.language.clone(),
                        used: false,
                    },
                );
                tokens
                    .invitations
                    .insert(invitation.id.as_str().to_string(), token.clone());
                self.save(&tokens)?;
                token
            }
        };
        Ok(format!("{}/welcome?token={token}", self.base))
    }
}

/// `?token=`.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `GET /welcome?token=`: the form, or why the link does not open it.
pub(crate) async fn page(
    State(welcome): State<Arc<Welcome>>,
    Query(query): Query<TokenQuery>,
) -> Html<String> {
    let account = welcome
        .tokens
        .lock()
        .ok()
        .and_then(|tokens| tokens.accounts.get(&query.token).cloned());
    Html(match account {
        None => notice(&Catalog::english(), "web.welcome.unknown", &[]),
        Some(account) if account.used => notice(&catalog(&account), "web.welcome.used", &[]),
        Some(account) => form(&account, &query.token, None),
    })
}

/// `POST /welcome`: chooses the password, once.
pub(crate) async fn choose(
    State(welcome): State<Arc<Welcome>>,
    Form(form_data): Form<PasswordForm>,
) -> Html<String> {
    let Ok(mut tokens) = welcome.tokens.lock() else {
        return Html(notice(&Catalog::english(), "web.welcome.unknown", &[]));
    };
    let Some(account) = tokens.accounts.get(&form_data.token).cloned() else {
        return Html(notice(&Catalog::english(), "web.welcome.unknown", &[]));
    };
    let catalog = catalog(&account);
    if account.used {
        return Html(notice(&catalog, "web.welcome.used", &[]));
    }
    let problem = if form_data.password.chars().count() < MIN_PASSWORD_CHARS {
        Some("web.welcome.short")
    } else if form_data.password != form_data.confirm {
        Some("web.welcome.mismatch")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Html(form(&account, &form_data.token, Some(problem)));
    }
    if let Some(stored) = tokens.accounts.get_mut(&form_data.token) {
        stored.used = true;
    }
    if welcome.save(&tokens).is_err() {
        return Html(notice(&catalog, "web.welcome.unknown", &[]));
    }
    Html(notice(
        &catalog,
        "web.welcome.done",
        &[("email", &account.email)],
    ))
}

fn catalog(account: &Account) -> Catalog {
    Catalog::for_language(&account.language).unwrap_or_default()
}

/// A page with `body` in the page's style.
fn shell(catalog: &Catalog, title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"page.css\">\n</head>\n<body>\n\
         <main class=\"narrow\">\n<section class=\"card\">\n{body}</section>\n</main>\n</body>\n</html>\n",
        escape_html(catalog.language()),
        escape_html(title)
    )
}

/// A page that only says `key`'s text.
fn notice(catalog: &Catalog, key: &str, args: &[(&str, &str)]) -> String {
    let title = catalog.text("web.welcome.heading");
    let body = format!(
        "<h1>{}</h1>\n<p id=\"welcome-notice\" role=\"status\">{}</p>\n",
        escape_html(title),
        escape_html(&catalog.fill(key, args))
    );
    shell(catalog, title, &body)
}

/// The password form for `account`, with `problem`'s text when the last try had one.
fn form(account: &Account, token: &str, problem: Option<&str>) -> String {
    let catalog = catalog(account);
    let title = catalog.fill("web.welcome.title", &[("name", &account.name)]);
    let problem = problem.map_or(String::new(), |key| {
        format!(
            "<p id=\"welcome-problem\" class=\"status bad\" role=\"alert\">{}</p>\n",
            escape_html(catalog.text(key))
        )
    });
    let body = format!(
        "<h1 id=\"welcome-title\">{title}</h1>\n<p>{intro}</p>\n{problem}\
         <form method=\"post\" action=\"welcome\">\n\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\n\
         <input type=\"hidden\" name=\"email\" value=\"{email}\" autocomplete=\"username\">\n\
         <label for=\"password\">{password}</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{min}\">\n\
         <label for=\"confirm\">{confirm}</label>\n\
         <input id=\"confirm\" name=\"confirm\" type=\"password\" autocomplete=\"new-password\" required minlength=\"{min}\">\n\
         <p><button id=\"welcome-submit\" class=\"button primary\" type=\"submit\">{submit}</button></p>\n\
         </form>\n",
        title = escape_html(&title),
        intro = escape_html(&catalog.fill("web.welcome.intro", &[("email", &account.email)])),
        token = escape_html(token),
        email = escape_html(&account.email),
        password = escape_html(catalog.text("web.welcome.password")),
        confirm = escape_html(catalog.text("web.welcome.confirm")),
        submit = escape_html(catalog.text("web.welcome.submit")),
        min = MIN_PASSWORD_CHARS,
    );
    shell(&catalog, &title, &body)
}
