//! Invitation mailers on lettre: over SMTP ([`SmtpMailer`]) or as `.eml` files in a folder
//! ([`FileMailer`], the embedded default).
//!
//! Every message is built with lettre's builder: the recipient is a [`Mailbox`] (its name is
//! quoted or encoded by lettre, never pasted into a header), the subject is encoded by lettre
//! too, and control characters (CR, LF, tabs, NUL) in a name are replaced with spaces before it
//! reaches either. The personalized message is carried as text, and in the HTML alternative
//! every value is escaped.
//!
//! With [`AcceptLinks`], each invitation carries the host's link to accept it (in the text
//! part, and escaped in the HTML part's `href`), such as a page where the new user chooses a
//! password with a one-time token the host stored.
//!
//! The SMTP URL is the one lettre understands: `smtp://host:port` (plain, for a relay on
//! loopback), `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465` (TLS), with
//! `user:password@` for credentials. TLS goes through rustls with the webpki roots, no OpenSSL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::{Delivery, Invitation, Mailer, StoreError};
use crate::text::{Catalog, SHIPPED_LANGUAGES};

/// The texts a mailer sends: one per language, the first for any other language.
#[derive(Debug, Clone)]
struct Texts(Vec<(String, InvitationText)>);

impl Texts {
    /// Every shipped language's default text, English first.
    fn shipped(from: &str) -> Result<Texts, StoreError> {
        let mut texts = Vec::new();
        for language in SHIPPED_LANGUAGES {
            if let Some(catalog) = Catalog::for_language(language) {
                texts.push((
                    (*language).to_string(),
                    InvitationText::in_language(from, &catalog)?,
                ));
            }
        }
        Ok(Texts(texts))
    }

    fn only(text: InvitationText) -> Texts {
        Texts(vec![(String::new(), text)])
    }

    fn set(&mut self, language: &str, text: InvitationText) {
        let language = crate::text::primary_language(language);
        match self.0.iter_mut().find(|(known, _)| *known == language) {
            Some(slot) => slot.1 = text,
            None => self.0.push((language, text)),
        }
    }

    /// The text for the invited user's language (`fr-CA` takes `fr`), else the first.
    fn for_invitation(&self, invitation: &Invitation) -> &InvitationText {
        let language = crate::text::primary_language(&invitation.language);
        self.0
            .iter()
            .find(|(known, _)| *known == language)
            .map_or(&self.0[0].1, |(_, text)| text)
    }
}

/// What an invitation says, apart from the values of each invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationText {
    /// The sender.
    pub from: Mailbox,
    /// The subject; `{name}` is replaced with the invited user's name.
    pub subject: String,
    /// The first line of the body; `{name}` is replaced with the user's name.
    pub greeting: String,
    /// The sentence that says what the invitation is for.
    pub intro: String,
}

impl InvitationText {
    /// The default English text, from `from` (such as `LMS <noreply@example.com>`).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when `from` is not a mailbox.
    pub fn new(from: &str) -> Result<InvitationText, StoreError> {
        InvitationText::in_language(from, &Catalog::english())
    }

    /// The default text in the language of `catalog` (its `invitation.subject`,
    /// `invitation.greeting` and `invitation.intro`), from `from`.
    ///
    /// ```
    /// use user_import::Catalog;
    /// use user_import::adapters::smtp::InvitationText;
    ///
    /// let text = InvitationText::in_language("LMS <noreply@example.com>", &Catalog::french()).unwrap();
    /// assert_eq!(text.greeting, "Bonjour {name},");
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when `from` is not a mailbox.
    pub fn in_language(from: &str, catalog: &Catalog) -> Result<InvitationText, StoreError> {
        Ok(InvitationText {
            from: from
                .parse()
                .map_err(|e| StoreError::backend("read the sender's address", e))?,
            subject: catalog.text("invitation.subject").to_string(),
            greeting: catalog.text("invitation.greeting").to_string(),
            intro: catalog.text("invitation.intro").to_string(),
        })
    }

    /// Builds the message for `invitation`.
    ///
    /// # Errors
    ///
    /// A reason, when the invitation's email address is not one lettre can send to.
    pub fn compose(&self, invitation: &Invitation) -> Result<Message, String> {
        self.compose_with_link(invitation, None)
    }

    /// Builds the message for `invitation` with the link that accepts it, if any: after the
    /// intro, the catalogue's `invitation.accept` sentence (in the user's language) and the
    /// link, in the text part and as an escaped link in the HTML part.
    ///
    /// ```
    /// use user_import::adapters::smtp::InvitationText;
    /// use user_import::{DeliveryStatus, ImportId, Invitation, InvitationId, UserId};
    ///
    /// # let invitation = Invitation {
    /// #     id: InvitationId::from("1"), import: ImportId::from("i"), user: UserId::from("7"),
    /// #     name: "Ann Lee".into(), email: "ann@example.com".into(), language: "en".into(),
    /// #     message: String::new(), status: DeliveryStatus::Pending, attempts: 0,
    /// #     last_error: None, claimed_at: None,
    /// # };
    /// let text = InvitationText::new("LMS <noreply@example.com>").unwrap();
    /// let link = "https://lms.example.com/welcome?token=a1&b=2";
    /// let message = text.compose_with_link(&invitation, Some(link)).unwrap();
    /// let raw = String::from_utf8(message.formatted()).unwrap();
    /// // In the text part as it is; in the HTML part escaped (`&amp;`, then quoted-printable).
    /// assert!(raw.contains("choose your password:\r\nhttps://lms.example.com/welcome?token=a1&b=2\r\n"));
    /// assert!(raw.contains("?token=3Da1&amp;b=3D2</a>"));
    /// // Only web links: anything else is refused.
    /// assert!(text.compose_with_link(&invitation, Some("javascript:alert(1)")).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// A reason, when the invitation's email address is not one lettre can send to or the link
    /// is not an `https://` or `http://` URL on one line.
    pub fn compose_with_link(
        &self,
        invitation: &Invitation,
        link: Option<&str>,
    ) -> Result<Message, String> {
        let address: Address = invitation
            .email
            .parse()
            .map_err(|e| format!("`{}` is not a deliverable address: {e}", invitation.email))?;
        let name = single_line(&invitation.name);
        let to = Mailbox::new((!name.is_empty()).then(|| name.clone()), address);
        let greeting = self.greeting.replace("{name}", &name);
        let mut text = format!("{greeting}\n\n{}\n", self.intro);
        let mut html = format!(
            "<!DOCTYPE html>\n<html><body>\n<p>{}</p>\n<p>{}</p>\n",
            escape_html(&greeting),
            escape_html(&self.intro)
        );
        if let Some(link) = link {
            let web = link.starts_with("https://") || link.starts_with("http://");
            if !web || link.chars().any(|c| c.is_control() || c.is_whitespace()) {
                return Err(format!(
                    "the accept link `{}` is not an https:// or http:// URL",
                    single_line(link)
                ));
            }
            let catalog = Catalog::for_language(&invitation.language).unwrap_or_default();
            let accept = catalog.text("invitation.accept");
            text.push_str(&format!("\n{accept}\n{link}\n"));
            html.push_str(&format!(
                "<p>{}<br><a href=\"{}\">{}</a></p>\n",
                escape_html(accept),
                escape_html(link),
                escape_html(link)
            ));
        }
        if !invitation.message.trim().is_empty() {
            text.push('\n');
            text.push_str(&invitation.message);
            text.push('\n');
            html.push_str("<p style=\"white-space: pre-wrap\">");
            html.push_str(&escape_html(&invitation.message));
            html.push_str("</p>\n");
        }
        html.push_str("</body></html>\n");
        Message::builder()
            .message_id(Some(message_id(invitation, &self.from)))
            .from(self.from.clone())
            .to(to)
            .subject(self.subject.replace("{name}", &name))
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| format!("the message could not be built: {e}"))
    }
}

/// The Message-ID of an invitation, derived from its invitation id and its import's, at the
/// sender's domain: a second copy of one invitation (sent again after a crash) carries the same
/// Message-ID, so a receiver can tell it is the same message. Characters a Message-ID cannot hold
/// are written as `=` and two hexadecimal digits.
///
/// ```
/// use user_import::adapters::smtp::message_id;
/// use user_import::{DeliveryStatus, ImportId, Invitation, InvitationId, UserId};
///
/// let invitation = Invitation {
///     id: InvitationId::from("42"),
///     import: ImportId::from("spring intake"),
///     user: UserId::from("7"),
///     name: "Ann Lee".into(),
///     email: "ann@example.com".into(),
///     language: "en".into(),
///     message: String::new(),
///     status: DeliveryStatus::Pending,
///     attempts: 0,
///     last_error: None,
///     claimed_at: None,
/// };
/// let from = "LMS <noreply@lms.example.org>".parse().unwrap();
/// assert_eq!(message_id(&invitation, &from), "<invitation.42.spring=20intake@lms.example.org>");
/// ```
pub fn message_id(invitation: &Invitation, from: &Mailbox) -> String {
    fn atom(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("={byte:02x}"));
            }
        }
        out
    }
    format!(
        "<invitation.{}.{}@{}>",
        atom(invitation.id.as_str()),
        atom(invitation.import.as_str()),
        from.email.domain()
    )
}

/// `value` on one line: every control character (CR, LF, tab, NUL, ...) becomes a space, and
/// the result is trimmed.
pub fn single_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// `value` escaped for HTML text and attribute values.
pub fn escape_html(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The host's link that accepts an invitation, such as a page where the new user chooses a
/// password, with a one-time token the host stores for the user.
///
/// It is asked again when an invitation is sent again (after a crash, or a resend): answer the
/// same link for the same [`Invitation::id`] while its token is unused.
#[async_trait]
pub trait AcceptLinks: Send + Sync {
    /// The absolute `https://` (or `http://`) link for `invitation`'s user.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the link cannot be made; the invitation is not sent and counts
    /// as failed.
    async fn link(&self, invitation: &Invitation) -> Result<String, StoreError>;
}

/// The message of `invitation`, with its accept link when `links` is given.
async fn compose(
    texts: &Texts,
    links: Option<&Arc<dyn AcceptLinks>>,
    invitation: &Invitation,
) -> Result<Message, String> {
    let link = match links {
        Some(links) => Some(
            links
                .link(invitation)
                .await
                .map_err(|e| format!("the accept link could not be made: {e}"))?,
        ),
        None => None,
    };
    texts
        .for_invitation(invitation)
        .compose_with_link(invitation, link.as_deref())
}

/// Sends invitations over SMTP through lettre's async, pooled transport.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    texts: Texts,
    links: Option<Arc<dyn AcceptLinks>>,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.texts.0[0].1.from)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for the server at `url` (see the module docs), sending `text` to every user
    /// whatever their language (add others with [`SmtpMailer::language`]).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the URL is not one lettre understands.
    pub fn from_url(url: &str, text: InvitationText) -> Result<SmtpMailer, StoreError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| StoreError::backend("configure the SMTP mailer", e))?
            .build();
        Ok(SmtpMailer {
            transport,
            texts: Texts::only(text),
            links: None,
        })
    }

    /// A mailer for the server at `url`, sending as `from` the shipped default text in each
    /// user's language (their `Language` value: English, French; English for any other).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the URL is not one lettre understands or `from` is not a
    /// mailbox.
    pub fn localized(url: &str, from: &str) -> Result<SmtpMailer, StoreError> {
        let mut mailer = SmtpMailer::from_url(url, InvitationText::new(from)?)?;
        mailer.texts = Texts::shipped(from)?;
        Ok(mailer)
    }

    /// Sends `text` to users whose language is `language` (`fr` also serves `fr-CA`).
    pub fn language(mut self, language: &str, text: InvitationText) -> SmtpMailer {
        self.texts.set(language, text);
        self
    }

    /// Puts in each invitation the link `links` makes for it.
    pub fn accept_links(mut self, links: Arc<dyn AcceptLinks>) -> SmtpMailer {
        self.links = Some(links);
        self
    }

    /// Whether the server answers (connects and says hello).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when it does not.
    pub async fn check(&self) -> Result<bool, StoreError> {
        self.transport
            .test_connection()
            .await
            .map_err(|e| StoreError::backend("reach the SMTP server", e))
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
        let mut outcomes = Vec::with_capacity(invitations.len());
        for invitation in invitations {
            let outcome = match compose(&self.texts, self.links.as_ref(), invitation).await {
                Ok(message) => match self.transport.send(message).await {
                    Ok(_) => Delivery::Sent,
                    Err(e) => Delivery::Failed(format!("the SMTP server refused: {e}")),
                },
                Err(reason) => Delivery::Failed(reason),
            };
            outcomes.push(outcome);
        }
        outcomes
    }
}

/// Writes each invitation as an `.eml` file in a folder, for a platform that hands mail to
/// another system, and for development. Each file appears whole: it is written under a hidden
/// `.tmp` name and renamed, so a process that reads the `.eml` files never sees half a message
/// (a process killed mid-write leaves the `.tmp` file, which such a reader skips).
#[derive(Clone)]
pub struct FileMailer {
    folder: PathBuf,
    texts: Texts,
    links: Option<Arc<dyn AcceptLinks>>,
}

impl std::fmt::Debug for FileMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileMailer")
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

impl FileMailer {
    /// A mailer that writes into `folder` (created if missing), sending as `from` the
    /// shipped default text in each user's language (English, French; English for any other).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the folder cannot be created or `from` is not a mailbox.
    pub fn new(folder: impl AsRef<Path>, from: &str) -> Result<FileMailer, StoreError> {
        let mut mailer = FileMailer::with_text(folder, InvitationText::new(from)?)?;
        mailer.texts = Texts::shipped(from)?;
        Ok(mailer)
    }

    /// Sends `text` to users whose language is `language` (`fr` also serves `fr-CA`).
    pub fn language(mut self, language: &str, text: InvitationText) -> FileMailer {
        self.texts.set(language, text);
        self
    }

    /// Puts in each invitation the link `links` makes for it.
    pub fn accept_links(mut self, links: Arc<dyn AcceptLinks>) -> FileMailer {
        self.links = Some(links);
        self
    }

    /// A mailer that writes `text` into `folder` (created if missing).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the folder cannot be created.
    pub fn with_text(
        folder: impl AsRef<Path>,
        text: InvitationText,
    ) -> Result<FileMailer, StoreError> {
        let folder = folder.as_ref().to_path_buf();
        std::fs::create_dir_all(&folder)
            .map_err(|e| StoreError::backend("create the mail folder", e))?;
        Ok(FileMailer {
            folder,
            texts: Texts::only(text),
            links: None,
        })
    }

    /// The folder the messages are written to.
    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
        let mut outcomes = Vec::with_capacity(invitations.len());
        for invitation in invitations {
            let outcome = match compose(&self.texts, self.links.as_ref(), invitation).await {
                Ok(message) => match self.write(invitation, &message).await {
                    Ok(()) => Delivery::Sent,
                    Err(e) => Delivery::Failed(format!("the message could not be written: {e}")),
                },
                Err(reason) => Delivery::Failed(reason),
            };
            outcomes.push(outcome);
        }
        outcomes
    }
}

impl FileMailer {
    /// Writes `message` as `<invitation id>-<time>.eml`, whole or not at all: it is written
    /// under a hidden temporary name (`.<name>.tmp`) and renamed once complete, so a process
    /// killed mid-write leaves no half message where a pickup process reads `.eml` files.
    async fn write(&self, invitation: &Invitation, message: &Message) -> std::io::Result<()> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let id: String = invitation
            .id
            .as_str()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let name = format!("{id}-{nanos:x}");
        let done = self.folder.join(format!("{name}.eml"));
        let partial = self.folder.join(format!(".{name}.tmp"));
        tokio::fs::write(&partial, message.formatted()).await?;
        tokio::fs::rename(&partial, &done).await
    }
}
