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
//! - every [`IssueCode`](crate::IssueCode) string (`email.invalid`, `import.seat_limit`...): the message of an
//!   issue, without the position prefix;
//! - `issue.row_column`, `issue.row`, `issue.column`: the position prefix around `{message}`;
//! - `email.reason.*`: why an address is not valid (the `{reason}` of `email.invalid`);
//! - `value.format_effect.*`: what an invisible character does to the text (the `{effect}` of
//!   `value.format_character`);
//! - `error.*`, `file_kind.*`, `file_advice.*`, `limit.*`, `limit_advice.*`: a rejected file;
//! - `format.*`, `template.*`: the template; `report.*`: the error report; `summary.*`: the
//!   summary's sentences; `invitation.*`: the invitation email's default text;
//! - `web.*`: the administrator's page and the problems of the import API (feature `axum`).
//!
//! Placeholders are written `{name}`. An issue's message is filled from the issue: `{row}`,
//! `{column}`, `{value}` and its named arguments ([`Issue::args`](crate::Issue::args)). An argument `x_key` whose
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
mod plural;
mod web_en;
mod web_fr;

use en::{EN, ISSUES};
pub(crate) use en::{LIMIT_ADVICE, LIMITS};
use fr::FR;
pub use plural::PluralRule;
use web_en::WEB_EN;
use web_fr::WEB_FR;

/// A language's texts, by key. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    language: Arc<str>,
    plural: PluralRule,
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
            plural: PluralRule::ENGLISH,
            texts: Arc::new(english_texts()),
        }
    }

    /// The French catalogue.
    pub fn french() -> Catalog {
        let mut texts = english_texts();
        for (key, text) in FR.iter().chain(WEB_FR) {
            texts.insert(Cow::Borrowed(*key), Cow::Borrowed(*text));
        }
        Catalog {
            language: Arc::from("fr"),
            plural: PluralRule::FRENCH,
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
    /// [`Catalog::set`]. Its plural rule is the language's where [`PluralRule::for_language`]
    /// knows it, else this catalogue's: set it with [`Catalog::with_plural_rule`].
    ///
    /// ```
    /// use user_import::{Catalog, PluralRule};
    ///
    /// assert_eq!(Catalog::english().derive("ja").plural_rule(), PluralRule::NONE);
    /// assert_eq!(Catalog::english().derive("xx").plural_rule(), PluralRule::ENGLISH);
    /// ```
    pub fn derive(&self, language: impl Into<String>) -> Catalog {
        let language = language.into();
        Catalog {
            plural: PluralRule::for_language(&language).unwrap_or(self.plural),
            language: Arc::from(language),
            texts: Arc::clone(&self.texts),
        }
    }

    /// Sets how the language picks the plural form of a count; [`Catalog::check`] then
    /// verifies that every plural block of the texts gives each form of the rule.
    ///
    /// ```
    /// use user_import::{Catalog, PluralRule};
    ///
    /// let polish = PluralRule::new("polish", &["one", "few", "many", "other"], |n| match n {
    ///     1 => "one",
    ///     n if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => "few",
    ///     _ => "many",
    /// });
    /// let catalog = Catalog::english().derive("pl").with_plural_rule(polish);
    /// // The English texts it starts from have no `few` or `many` forms yet.
    /// assert!(catalog.check().iter().any(|problem| problem.contains("`few`")));
    /// ```
    pub fn with_plural_rule(mut self, rule: PluralRule) -> Catalog {
        self.plural = rule;
        self
    }

    /// How the language picks the plural form of a count.
    pub fn plural_rule(&self) -> PluralRule {
        self.plural
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
    ///
    /// Plural blocks take the form of their count in this language (see [`PluralRule`]):
    ///
    /// ```
    /// use user_import::Catalog;
    ///
    /// let args = [("count", "1"), ("rows", "1")];
    /// assert_eq!(
    ///     Catalog::english().fill("summary.problems", &args),
    ///     "1 problem in 1 row; fix the file and upload it again"
    /// );
    /// let args = [("count", "0"), ("rows", "0")];
    /// assert_eq!(
    ///     Catalog::french().fill("summary.problems", &args),
    ///     "0 problème dans 0 ligne ; corrigez le fichier et téléversez-le de nouveau"
    /// );
    /// ```
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.fill_text(self.text(key), |name| {
            args.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| Cow::Borrowed(*value))
        })
    }

    /// Fills `template` (a text of this catalogue) from `lookup`, with this language's plural
    /// forms.
    pub(crate) fn fill_text<'a>(
        &self,
        template: &str,
        lookup: impl Fn(&str) -> Option<Cow<'a, str>>,
    ) -> String {
        plural::fill(&self.plural, template, &lookup)
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
    /// lacks, texts whose placeholders differ from the English text's (a placeholder the
    /// English text does not have would stay unfilled; one it lacks would lose information),
    /// and counts without the plural forms of the catalogue's [`PluralRule`] (where the
    /// English text gives a count plural forms, this one must give every form of its rule).
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
            let counts = plural::plural_blocks(&reference[key.as_ref()])
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            problems.extend(plural::plural_problems(key, text, &self.plural, &counts));
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

/// Whether `header` is the error report's own column of messages in a shipped language
/// (`Issues`, `Problèmes`, or one of them with a number, `Issues 2`, where the schema had the
/// name already): the reader ignores that column without a warning.
pub(crate) fn is_report_issues_header(header: &str) -> bool {
    let header = header.trim();
    let base = match header.rsplit_once(' ') {
        Some((base, number)) if number.bytes().all(|b| b.is_ascii_digit()) => base.trim_end(),
        _ => header,
    };
    [en::EN, fr::FR].iter().any(|table| {
        table.iter().any(|(key, text)| {
            *key == "report.issues" && text.to_lowercase() == base.to_lowercase()
        })
    })
}

/// The English catalogue, built once.
pub(crate) fn english_catalog() -> &'static Catalog {
    static ENGLISH: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    ENGLISH.get_or_init(Catalog::english)
}

/// The placeholders a text uses, those inside plural blocks included.
pub(crate) fn placeholders(text: &str) -> BTreeSet<&str> {
    plural::placeholders(text)
}

/// Fills `{name}` placeholders and plural blocks of `template` from `lookup`, with English
/// plural forms; unknown ones stay as written.
pub(crate) fn fill<'a>(template: &str, lookup: impl Fn(&str) -> Option<Cow<'a, str>>) -> String {
    plural::fill(&PluralRule::ENGLISH, template, &lookup)
}

/// Every English text, issue codes included.
fn english_texts() -> HashMap<Cow<'static, str>, Cow<'static, str>> {
    let mut texts = HashMap::with_capacity(EN.len() + ISSUES.len() + LIMITS.len());
    for (key, text) in ISSUES.iter().chain(EN).chain(WEB_EN) {
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
        for (key, _) in FR.iter().chain(WEB_FR) {
            assert!(english.contains_key(*key), "`{key}` is not an English key");
        }
    }
}
