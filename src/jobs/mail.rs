//! A deadline for each message around any mailer: a mail service that stops answering fails
//! the invitation it hangs on, and the next ones go out.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::store::{Delivery, Invitation, Mailer};

/// Wraps a mailer so that each invitation is handed to it alone and gets at most `per_message`
/// to be answered; past that it is [`Delivery::Failed`] (a resend tries it again, with the same
/// Message-ID should the first attempt have gone through after all) and the next invitation
/// goes out.
///
/// The crate's `SmtpMailer` already bounds each SMTP command (lettre's 60 s); wrap a host's own
/// mailer (an HTTP mail API, a message queue) with this before a worker runs imports with it.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use user_import::jobs::TimeoutMailer;
/// use user_import::memory::MemoryMailer;
/// use user_import::Mailer;
///
/// let mailer = TimeoutMailer::new(Arc::new(MemoryMailer::new()), Duration::from_secs(30));
/// assert!(mailer.send(&[]).await.is_empty());
/// # });
/// ```
#[derive(Clone)]
pub struct TimeoutMailer {
    inner: Arc<dyn Mailer>,
    per_message: Duration,
}

impl std::fmt::Debug for TimeoutMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeoutMailer")
            .field("per_message", &self.per_message)
            .finish_non_exhaustive()
    }
}

impl TimeoutMailer {
    /// `inner`, each of whose messages gets at most `per_message`.
    pub fn new(inner: Arc<dyn Mailer>, per_message: Duration) -> TimeoutMailer {
        TimeoutMailer { inner, per_message }
    }
}

#[async_trait]
impl Mailer for TimeoutMailer {
    async fn send(&self, invitations: &[Invitation]) -> Vec<Delivery> {
        let mut outcomes = Vec::with_capacity(invitations.len());
        for invitation in invitations {
            let one = std::slice::from_ref(invitation);
            let outcome = match tokio::time::timeout(self.per_message, self.inner.send(one)).await {
                Ok(answered) => answered.into_iter().next().unwrap_or_else(|| {
                    Delivery::Failed("the mailer gave no answer for this invitation".to_string())
                }),
                Err(_) => Delivery::Failed(format!(
                    "the mail service did not answer within {} ms; a resend tries again",
                    self.per_message.as_millis()
                )),
            };
            outcomes.push(outcome);
        }
        outcomes
    }
}
