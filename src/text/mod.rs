//! The administrator's language: every text a person reads, in a catalogue keyed by stable
//! keys, with named placeholders.
//!
//! English and French ship with the crate ([`Catalog::english`], [`Catalog::french`]). A host
//! adds a language by starting from a shipped catalogue and replacing its texts
//! ([`Catalog::derive`], [`Catalog::set`]), or overrides any text of a shipped one, without
//! forking the crate. [`Catalog::check`] tells a host whether its texts use only the
//! placeholders each key provides.
//!
//! Keys:
//!
//! - every [`IssueCode`] string (`email.invalid`, `import.seat_limit`...): the message of an
//!   issue, without the position prefix;
//! - `issue.row_column`, `issue.row`, `issue.column`: the position prefix around `{message}`;
//! - `email.reason.*`: why an address is not valid (the `{reason}` of `email.invalid`);
//! - `value.format_effect.*`: what an invisible character does to the text (the `{effect}` of
//!   `value.format_character`);
//! - `error.*`, `file_kind.*`, `file_advice.*`, `limit.*`, `limit_advice.*`: a rejected file;
//! - `format.*`, `template.*`: the template; `report.*`: the error report; `summary.*`: the
//!   summary's sentences; `invitation.*`: the invitation email's default text.
//!
//! Placeholders are written `{name}`. An issue's message is filled from the issue: `{row}`,
//! `{column}`, `{value}` and its named arguments ([`Issue::args`]). An argument `x_key` whose
//! value is a key of the catalogue fills `{x}` with that key's text, so a reason or a limit
//! reads in the catalogue's language too.
//!
//! ```
//! use user_import::{Catalog, Issue, IssueCode};
//!
//! let issue = Issue::new(IssueCode::CountryName).at(5, "Pays").value("Canada").arg("code", "CA");
//! let french = Catalog::french();
//! assert_eq!(
//!     french.issue_message(&issue),
//!     "ligne 5, Pays : « Canada » est un nom de pays ; utilisez le code « CA »"
//! );
//!
//! // A host overrides one text without forking.
//! let ours = Catalog::french().set("country.name_not_code", "« {value} » : tapez plutôt {code}");
//! assert_eq!(ours.issue_message(&issue), "ligne 5, Pays : « Canada » : tapez plutôt CA");
//! assert!(ours.check().is_empty());
//! ```

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

mod en;
mod fr;

use en::{EN, ISSUES};
pub(crate) use en::{LIMIT_ADVICE, LIMITS};
use fr::FR;

/// A language's texts, by key. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    language: Arc<str>,
    texts: Arc<HashMap<Cow<'static, str>, Cow<'static, str>>>,
}

impl Default for Catalog {
    fn default() -> Catalog {
        Catalog::english()
    }
}

/// The languages whose catalogues ship with the crate.
pub const SHIPPED_LANGUAGES: &[&str] = &["en", "fr"];

impl Catalog {
    /// The English catalogue, the crate's default.
    pub fn english() -> Catalog {
        Catalog {
            language: Arc::from("en"),
            texts: Arc::new(english_texts()),
        }
    }

    /// The French catalogue.
    pub fn french() -> Catalog {
        let mut texts = english_texts();
        for (key, text) in FR {
            texts.insert(Cow::Borrowed(*key), Cow::Borrowed(*text));
        }
        Catalog {
            language: Arc::from("fr"),
            texts: Arc::new(texts),
        }
    }

    /// The shipped catalogue for a language tag (`en`, `fr`, `fr-CA`, `EN_us`...), matched on
    /// its primary subtag, ignoring case.
    ///
    /// ```
    /// use user_import::Catalog;
    ///
    /// assert_eq!(Catalog::for_language("fr-CA").unwrap().language(), "fr");
    /// assert!(Catalog::for_language("de").is_none());
    /// ```
    pub fn for_language(tag: &str) -> Option<Catalog> {
        match primary_language(tag).as_str() {
            "en" => Some(Catalog::english()),
            "fr" => Some(Catalog::french()),
            _ => None,
        }
    }

    /// A new language `language` that starts with this catalogue's texts: replace them with
    /// [`Catalog::set`].
    pub fn derive(&self, language: impl Into<String>) -> Catalog {
        Catalog {
            language: Arc::from(language.into()),
            texts: Arc::clone(&self.texts),
        }
    }

    /// Replaces the text of `key` (or adds a key of the host's own).
    pub fn set(mut self, key: impl Into<String>, text: impl Into<String>) -> Catalog {
        Arc::make_mut(&mut self.texts).insert(Cow::Owned(key.into()), Cow::Owned(text.into()));
        self
    }

    /// The language tag, such as `"fr"`.
    pub fn language(&self) -> &str {
        &self.language
    }

    /// The text of `key`, or `None` if the catalogue has no such key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.texts.get(key).map(|text| text.as_ref())
    }

    /// The text of `key`, or the key itself where the catalogue has none (a visible slip,
    /// never a panic).
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.get(key).unwrap_or(key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.texts.keys().map(|key| key.as_ref()).collect();
        keys.sort_unstable();
        keys
    }

    /// The text of `key` with its placeholders filled from `args`; a placeholder with no
    /// argument stays as written.
    ///
    /// ```
    /// use user_import::Catalog;
    ///
    /// let text = Catalog::french().fill("template.example", &[("example", "CA-QC")]);
    /// assert_eq!(text, "Exemple : CA-QC");
    /// ```
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text(key), |name| {
            args.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| Cow::Borrowed(*value))
        })
    }

    /// `2, 5 and 9` (or `2, 5 et 9`); `… and 12 more` past the rows listed.
    pub(crate) fn join_rows(&self, rows: &[&str], total: usize) -> String {
        match rows {
            [] => String::new(),
            [one] if total <= 1 => (*one).to_string(),
            _ if total > rows.len() => {
                let more = (total - rows.len()).to_string();
                self.fill("list.more", &[("head", &rows.join(", ")), ("more", &more)])
            }
            [init @ .., last] => {
                self.fill("list.and", &[("head", &init.join(", ")), ("last", last)])
            }
        }
    }

    /// Problems of this catalogue against the English one: keys English has and this one
    /// lacks, and texts whose placeholders differ from the English text's (a placeholder the
    /// English text does not have would stay unfilled; one it lacks would lose information).
    /// Empty when the catalogue is sound.
    pub fn check(&self) -> Vec<String> {
        let reference = english_texts();
        let mut problems = Vec::new();
        let mut keys: Vec<&Cow<'static, str>> = reference.keys().collect();
        keys.sort_unstable();
        for key in keys {
            let Some(text) = self.texts.get(key.as_ref()) else {
                problems.push(format!("`{key}` has no text"));
                continue;
            };
            let wanted = placeholders(&reference[key.as_ref()]);
            let found = placeholders(text);
            if wanted != found {
                problems.push(format!(
                    "`{key}` uses the placeholders {found:?}, but the key provides {wanted:?}"
                ));
            }
        }
        problems
    }
}

/// The primary subtag of a language tag, lower case: `fr-CA` → `fr`.
pub(crate) fn primary_language(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The English catalogue, built once.
pub(crate) fn english_catalog() -> &'static Catalog {
    static ENGLISH: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    ENGLISH.get_or_init(Catalog::english)
}

/// The placeholders a text uses.
pub(crate) fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    out.insert(name);
                }
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

/// Fills `{name}` placeholders of `template` from `lookup`; unknown ones stay as written.
pub(crate) fn fill<'a>(template: &str, lookup: impl Fn(&str) -> Option<Cow<'a, str>>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every English text, issue codes included.
fn english_texts() -> HashMap<Cow<'static, str>, Cow<'static, str>> {
    let mut texts = HashMap::with_capacity(EN.len() + ISSUES.len() + LIMITS.len());
    for (key, text) in ISSUES.iter().chain(EN) {
        texts.insert(Cow::Borrowed(*key), Cow::Borrowed(*text));
    }
    for (key, text) in LIMITS.iter().chain(LIMIT_ADVICE) {
        texts.insert(Cow::Borrowed(*key), Cow::Borrowed(*text));
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found() {
        let found = placeholders("a {x} b {y_z} {} {not valid} {x}");
        assert_eq!(found.into_iter().collect::<Vec<_>>(), vec!["x", "y_z"]);
    }

    #[test]
    fn fill_keeps_unknown_placeholders() {
        assert_eq!(
            fill("{a} {b} {", |name| (name == "a")
                .then_some(Cow::Borrowed("1"))),
            "1 {b} {"
        );
    }

    #[test]
    fn the_french_table_has_no_key_english_lacks() {
        let english = english_texts();
        for (key, _) in FR {
            assert!(english.contains_key(*key), "`{key}` is not an English key");
        }
    }
}
