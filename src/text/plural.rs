//! Plural forms: a language's plural rule, and the `{count, plural, one {…} other {…}}` blocks
//! of the catalogue's texts (the ICU MessageFormat form, without its other selectors).
//!
//! A block names a placeholder whose value is a count, then one branch per plural category of
//! the language (`zero`, `one`, `two`, `few`, `many`, `other`) or exact value (`=0`); inside
//! a branch `#` is the count, and placeholders and further blocks are filled as anywhere else.
//! A value that is not a whole number takes the `other` branch.
//!
//! ```
//! use user_import::{Catalog, PluralRule};
//!
//! let text = "{count, plural, =0 {no problem} one {# problem} other {# problems}}";
//! let english = Catalog::english().set("x", text);
//! assert_eq!(english.fill("x", &[("count", "0")]), "no problem");
//! assert_eq!(english.fill("x", &[("count", "1")]), "1 problem");
//! assert_eq!(english.fill("x", &[("count", "2")]), "2 problems");
//!
//! // French takes the singular for 0 and 1.
//! assert_eq!(PluralRule::FRENCH.category(0), "one");
//! assert_eq!(PluralRule::ENGLISH.category(0), "other");
//! ```

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

/// How a language picks the plural form of a count: the categories its texts give (`one`,
/// `other`...) and which one a number takes, as the CLDR plural rules say.
///
/// The shipped catalogues use [`PluralRule::ENGLISH`] and [`PluralRule::FRENCH`]; a host that
/// adds a language sets its rule with
/// [`Catalog::with_plural_rule`](crate::Catalog::with_plural_rule)
/// (the common ones are [`PluralRule::for_language`]), and [`Catalog::check`](crate::Catalog::check)
/// verifies that every plural block of its texts gives each category of the rule.
#[derive(Clone, Copy)]
pub struct PluralRule {
    name: &'static str,
    categories: &'static [&'static str],
    select: fn(u64) -> &'static str,
}

impl PluralRule {
    /// `one` for 1, `other` for every other count: English, German, Dutch, Spanish, Italian,
    /// the Scandinavian languages...
    pub const ENGLISH: PluralRule = PluralRule {
        name: "one-is-1",
        categories: &["one", "other"],
        select: |n| if n == 1 { "one" } else { "other" },
    };

    /// `one` for 0 and 1, `other` from 2 on: French, Brazilian Portuguese.
    pub const FRENCH: PluralRule = PluralRule {
        name: "one-is-0-or-1",
        categories: &["one", "other"],
        select: |n| if n <= 1 { "one" } else { "other" },
    };

    /// One form for every count (`other`): Chinese, Japanese, Korean, Vietnamese, Thai,
    /// Indonesian...
    pub const NONE: PluralRule = PluralRule {
        name: "other-only",
        categories: &["other"],
        select: |_| "other",
    };

    /// A rule of the host's own: its `name` (rules compare by name), its categories (`other`
    /// among them) and the category of each count.
    ///
    /// ```
    /// use user_import::PluralRule;
    ///
    /// // Polish, for whole numbers.
    /// let polish = PluralRule::new("polish", &["one", "few", "many", "other"], |n| {
    ///     let (ten, hundred) = (n % 10, n % 100);
    ///     if n == 1 {
    ///         "one"
    ///     } else if (2..=4).contains(&ten) && !(12..=14).contains(&hundred) {
    ///         "few"
    ///     } else {
    ///         "many"
    ///     }
    /// });
    /// assert_eq!(polish.category(22), "few");
    /// assert_eq!(polish.category(25), "many");
    /// ```
    pub const fn new(
        name: &'static str,
        categories: &'static [&'static str],
        select: fn(u64) -> &'static str,
    ) -> PluralRule {
        PluralRule {
            name,
            categories,
            select,
        }
    }

    /// The rule of a language tag (`de`, `pt-BR`, `ja`) among the simple ones this crate knows,
    /// or `None` for a language whose counts need more forms (Russian, Polish, Arabic...):
    /// give those with [`PluralRule::new`].
    ///
    /// ```
    /// use user_import::PluralRule;
    ///
    /// assert_eq!(PluralRule::for_language("de"), Some(PluralRule::ENGLISH));
    /// assert_eq!(PluralRule::for_language("fr-CA"), Some(PluralRule::FRENCH));
    /// assert_eq!(PluralRule::for_language("pt-BR"), Some(PluralRule::FRENCH));
    /// assert_eq!(PluralRule::for_language("ja"), Some(PluralRule::NONE));
    /// assert_eq!(PluralRule::for_language("ru"), None);
    /// ```
    pub fn for_language(tag: &str) -> Option<PluralRule> {
        let primary = super::primary_language(tag);
        let region = tag
            .trim()
            .split(['-', '_'])
            .nth(1)
            .unwrap_or_default()
            .to_ascii_uppercase();
        match primary.as_str() {
            "fr" => Some(PluralRule::FRENCH),
            "pt" if region == "BR" || region.is_empty() => Some(PluralRule::FRENCH),
            "en" | "de" | "nl" | "sv" | "da" | "nb" | "nn" | "no" | "fi" | "et" | "es" | "it"
            | "pt" | "el" | "hu" | "tr" | "bg" | "ca" | "eu" | "gl" | "af" | "sw" | "ur" | "hi"
            | "bn" | "ta" | "te" | "ml" | "mr" | "kn" | "gu" | "ka" | "az" | "kk" | "uz" | "sq"
            | "mn" | "ne" | "fa" | "ps" => Some(PluralRule::ENGLISH),
            "zh" | "ja" | "ko" | "vi" | "th" | "id" | "ms" | "my" | "km" | "lo" => {
                Some(PluralRule::NONE)
            }
            _ => None,
        }
    }

    /// The category of `count`: `one`, `other`...
    pub fn category(&self, count: u64) -> &'static str {
        (self.select)(count)
    }

    /// Every category the rule's texts give, `other` last.
    pub fn categories(&self) -> &'static [&'static str] {
        self.categories
    }

    /// The rule's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl PartialEq for PluralRule {
    fn eq(&self, other: &PluralRule) -> bool {
        self.name == other.name && self.categories == other.categories
    }
}

impl Eq for PluralRule {}

impl fmt::Debug for PluralRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluralRule")
            .field("name", &self.name)
            .field("categories", &self.categories)
            .finish()
    }
}

/// One piece of a text: plain text, a placeholder, or a plural block.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece<'t> {
    /// Text as written (a `{` that opens nothing included).
    Text(&'t str),
    /// `{name}`.
    Placeholder(&'t str),
    /// `{name, plural, selector {body} …}`.
    Plural {
        name: &'t str,
        branches: Vec<(&'t str, &'t str)>,
    },
}

/// Splits a text into its pieces. A `{` whose `}` never comes is text; a block that starts as
/// a plural one but is not well formed is text too, so a slip shows instead of vanishing.
pub(crate) fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push(Piece::Text(&rest[open..]));
            rest = "";
            break;
        };
        let name = &after[..close];
        if let Some((plural, end)) = plural_block(after) {
            out.push(plural);
            rest = &after[end..];
        } else {
            out.push(Piece::Placeholder(name));
            rest = &after[close + 1..];
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// A plural block at the start of `text` (just after its `{`): the piece and where the text
/// after its closing `}` starts.
fn plural_block(text: &str) -> Option<(Piece<'_>, usize)> {
    let (name, rest) = text.split_once(',')?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let rest = rest.trim_start().strip_prefix("plural")?.trim_start();
    let rest = rest.strip_prefix(',')?;
    let mut at = text.len() - rest.len();
    let mut branches = Vec::new();
    loop {
        let tail = &text[at..];
        let trimmed = tail.trim_start();
        at += tail.len() - trimmed.len();
        if let Some(after) = trimmed.strip_prefix('}') {
            let end = text.len() - after.len();
            if branches.is_empty() {
                return None;
            }
            return Some((Piece::Plural { name, branches }, end));
        }
        let selector_end = trimmed.find(|c: char| c.is_whitespace() || c == '{')?;
        let selector = &trimmed[..selector_end];
        if selector.is_empty() {
            return None;
        }
        at += selector_end;
        let tail = &text[at..];
        let trimmed = tail.trim_start();
        at += tail.len() - trimmed.len();
        let body = trimmed.strip_prefix('{')?;
        at += 1;
        // The body ends at its matching `}`.
        let mut depth = 0usize;
        let mut end = None;
        for (offset, ch) in body.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    end = Some(offset);
                    break;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        let end = end?;
        branches.push((selector, &body[..end]));
        at += end + 1;
    }
}

/// The branch of a plural block that `value` takes under `rule`.
fn branch<'t>(rule: &PluralRule, branches: &[(&'t str, &'t str)], value: &str) -> &'t str {
    let count = value.trim().parse::<u64>().ok();
    if let Some(count) = count {
        let exact = format!("={count}");
        if let Some((_, body)) = branches.iter().find(|(selector, _)| *selector == exact) {
            return body;
        }
        let category = rule.category(count);
        if let Some((_, body)) = branches.iter().find(|(selector, _)| *selector == category) {
            return body;
        }
    }
    branches
        .iter()
        .find(|(selector, _)| *selector == "other")
        .or_else(|| branches.last())
        .map_or("", |(_, body)| body)
}

/// Fills `{name}` placeholders and plural blocks of `template` from `lookup`, choosing plural
/// forms by `rule`; unknown placeholders stay as written.
pub(crate) fn fill<'a>(
    rule: &PluralRule,
    template: &str,
    lookup: &dyn Fn(&str) -> Option<Cow<'a, str>>,
) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    fill_into(&mut out, rule, template, lookup, None);
    out
}

fn fill_into<'a>(
    out: &mut String,
    rule: &PluralRule,
    template: &str,
    lookup: &dyn Fn(&str) -> Option<Cow<'a, str>>,
    count: Option<&str>,
) {
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => match count {
                Some(count) if text.contains('#') => out.push_str(&text.replace('#', count)),
                _ => out.push_str(text),
            },
            Piece::Placeholder(name) => match lookup(name) {
                Some(value) => out.push_str(&value),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            },
            Piece::Plural { name, branches } => {
                let value = lookup(name);
                let shown = value.as_deref().unwrap_or("");
                let body = branch(rule, &branches, shown);
                let number = match &value {
                    Some(value) => value.to_string(),
                    None => format!("{{{name}}}"),
                };
                fill_into(out, rule, body, lookup, Some(&number));
            }
        }
    }
}

/// The placeholders a text uses, those inside plural blocks and the blocks' counts included.
pub(crate) fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for piece in pieces(text) {
        match piece {
            Piece::Text(_) => {}
            Piece::Placeholder(name) => {
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    out.insert(name);
                }
            }
            Piece::Plural { name, branches } => {
                out.insert(name);
                for (_, body) in branches {
                    out.extend(placeholders(body));
                }
            }
        }
    }
    out
}

/// The plural blocks of a text, nested ones included: (count name, selectors).
pub(crate) fn plural_blocks(text: &str) -> Vec<(&str, Vec<&str>)> {
    let mut out = Vec::new();
    for piece in pieces(text) {
        if let Piece::Plural { name, branches } = piece {
            out.push((
                name,
                branches.iter().map(|(selector, _)| *selector).collect(),
            ));
            for (_, body) in branches {
                out.extend(plural_blocks(body));
            }
        }
    }
    out
}

/// What is wrong with the plural blocks of `text` (the text of `key`) under `rule`, given the
/// counts the reference text gives plural forms to.
pub(crate) fn plural_problems(
    key: &str,
    text: &str,
    rule: &PluralRule,
    wanted: &BTreeSet<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let blocks = plural_blocks(text);
    for (name, selectors) in &blocks {
        for category in rule.categories() {
            if !selectors.contains(category) {
                problems.push(format!(
                    "`{key}` has no `{category}` form for `{name}` (the plural rule `{}` has the forms {:?})",
                    rule.name(),
                    rule.categories()
                ));
            }
        }
        for selector in selectors {
            if !selector.starts_with('=') && !rule.categories().contains(selector) {
                problems.push(format!(
                    "`{key}` has a `{selector}` form for `{name}`, which the plural rule `{}` never picks (it has the forms {:?})",
                    rule.name(),
                    rule.categories()
                ));
            }
        }
    }
    if rule.categories().len() > 1 {
        for name in wanted {
            if !blocks.iter().any(|(found, _)| found == name) {
                problems.push(format!(
                    "`{key}` gives `{name}` no plural forms: write `{{{name}, plural, {} }}`",
                    rule.categories()
                        .iter()
                        .map(|category| format!("{category} {{…}}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(
        args: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Option<Cow<'static, str>> {
        move |name| {
            args.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| Cow::Borrowed(*value))
        }
    }

    #[test]
    fn plural_blocks_pick_the_rules_form() {
        let text = "{n, plural, one {# row} other {# rows}} left";
        assert_eq!(
            fill(&PluralRule::ENGLISH, text, &lookup(&[("n", "1")])),
            "1 row left"
        );
        assert_eq!(
            fill(&PluralRule::ENGLISH, text, &lookup(&[("n", "0")])),
            "0 rows left"
        );
        assert_eq!(
            fill(&PluralRule::FRENCH, text, &lookup(&[("n", "0")])),
            "0 row left"
        );
        assert_eq!(
            fill(&PluralRule::ENGLISH, text, &lookup(&[("n", "x")])),
            "x rows left"
        );
        assert_eq!(
            fill(&PluralRule::ENGLISH, text, &lookup(&[])),
            "{n} rows left"
        );
    }

    #[test]
    fn branches_hold_placeholders_and_blocks() {
        let text = "{a, plural, =0 {} other {; {who}: {b, plural, one {# x} other {# xs}}}}!";
        let args = lookup(&[("a", "2"), ("b", "1"), ("who", "ann")]);
        assert_eq!(fill(&PluralRule::ENGLISH, text, &args), "; ann: 1 x!");
        let none = lookup(&[("a", "0")]);
        assert_eq!(fill(&PluralRule::ENGLISH, text, &none), "!");
        let found: Vec<&str> = placeholders(text).into_iter().collect();
        assert_eq!(found, ["a", "b", "who"]);
    }

    #[test]
    fn plain_text_is_left_as_written() {
        let text = "a {x} b {y, z} # {";
        assert_eq!(
            fill(&PluralRule::ENGLISH, text, &lookup(&[("x", "1")])),
            "a 1 b {y, z} # {"
        );
    }

    #[test]
    fn missing_forms_are_problems() {
        let wanted: BTreeSet<&str> = ["n"].into_iter().collect();
        let good = "{n, plural, one {#} other {#}}";
        assert!(plural_problems("k", good, &PluralRule::FRENCH, &wanted).is_empty());
        assert_eq!(
            plural_problems("k", "{n, plural, other {#}}", &PluralRule::FRENCH, &wanted),
            [
                "`k` has no `one` form for `n` (the plural rule `one-is-0-or-1` has the forms [\"one\", \"other\"])"
            ]
        );
        assert_eq!(
            plural_problems("k", "{n}", &PluralRule::ENGLISH, &wanted),
            ["`k` gives `n` no plural forms: write `{n, plural, one {…} other {…} }`"]
        );
        assert!(plural_problems("k", "{n}", &PluralRule::NONE, &wanted).is_empty());
        assert_eq!(
            plural_problems(
                "k",
                "{n, plural, few {#} other {#}}",
                &PluralRule::NONE,
                &wanted
            ),
            [
                "`k` has a `few` form for `n`, which the plural rule `other-only` never picks (it has the forms [\"other\"])"
            ]
        );
    }
}
