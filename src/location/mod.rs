//! Location codes: ISO 3166-1 countries and ISO 3166-2 regions, with lookup by code and a search
//! by name that ignores case and accents.
//!
//! The data comes from the `rust_iso3166` crate (ISO 3166-1 and ISO 3166-2 as published in
//! iso-codes 4.20.1, Apache-2.0). Former official names (such as "Swaziland" for Eswatini and
//! "Turkey" for Türkiye) come from the `isocountry` crate and a short list of common names, so an
//! administrator finds a country under either name. French names of countries and regions
//! (`Allemagne`, `États-Unis`, `Québec`) come from the iso-codes project's French translation
//! (LGPL-2.1+, data only) and are searched too; [`Country::name_in`] and [`Region::name_in`]
//! give them.
//!
//! ```
//! use user_import::location;
//!
//! let quebec = location::region("ca-qc").unwrap();
//! assert_eq!(quebec.code(), "CA-QC");
//! assert_eq!(quebec.country().code(), "CA");
//!
//! let found = location::search("quebec");
//! assert_eq!(found[0].code(), "CA-QC");
//! assert_eq!(location::search("Türkiye")[0].code(), "TR");
//! assert_eq!(location::search("Swaziland")[0].code(), "SZ");
//! assert_eq!(location::search("Allemagne")[0].code(), "DE");
//! assert_eq!(location::search("états-unis")[0].code(), "US");
//! ```

mod fr;
mod kinds;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use rust_iso3166::iso3166_2::Subdivision;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A country, by its ISO 3166-1 alpha-2 code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    inner: &'static rust_iso3166::CountryCode,
}

impl Country {
    /// The ISO 3166-1 alpha-2 code, such as `CA`.
    pub fn code(&self) -> &'static str {
        self.inner.alpha2
    }

    /// The ISO 3166-1 alpha-3 code, such as `CAN`.
    pub fn alpha3(&self) -> &'static str {
        self.inner.alpha3
    }

    /// The current English short name, such as `Canada` or `Türkiye`.
    pub fn name(&self) -> &'static str {
        self.inner.name
    }

    /// The name in `language` (a tag such as `fr-CA`) where the data has one, else the
    /// English name.
    ///
    /// ```
    /// let germany = user_import::location::country("DE").unwrap();
    /// assert_eq!(germany.name_in("fr"), "Allemagne");
    /// assert_eq!(germany.name_in("en"), "Germany");
    /// ```
    pub fn name_in(&self, language: &str) -> &'static str {
        if crate::text::primary_language(language) == "fr" {
            return translated(crate::location::fr::COUNTRIES, self.code()).unwrap_or(self.name());
        }
        self.name()
    }

    /// The country's ISO 3166-2 subdivisions, sorted by code; empty for a country that has none.
    pub fn regions(&self) -> &'static [Subdivision] {
        rust_iso3166::iso3166_2::SUBDIVISION_COUNTRY_MAP
            .get(self.inner.alpha2)
            .copied()
            .unwrap_or(&[])
    }

    /// Whether ISO 3166-2 defines regions for this country (and so a row must give one).
    pub fn has_regions(&self) -> bool {
        !self.regions().is_empty()
    }

    /// One of the country's region codes, to show as an example in messages.
    pub fn example_region(&self) -> Option<&'static str> {
        index().example_region.get(self.code()).copied()
    }

    /// The name and code as shown in messages: `Canada (CA)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name(), self.code())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.code())
    }
}

/// A region (ISO 3166-2 subdivision), such as `CA-QC`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    inner: &'static Subdivision,
}

impl Region {
    /// The full ISO 3166-2 code, such as `CA-QC`.
    pub fn code(&self) -> &'static str {
        self.inner.code
    }

    /// The region's name as ISO 3166-2 gives it, such as `Quebec`.
    pub fn name(&self) -> &'static str {
        self.inner.name
    }

    /// The name in `language` where the data has one (`Québec` in French), else the ISO
    /// name.
    pub fn name_in(&self, language: &str) -> &'static str {
        if crate::text::primary_language(language) == "fr" {
            return translated(crate::location::fr::REGIONS, self.code()).unwrap_or(self.name());
        }
        self.name()
    }

    /// The kind of subdivision, such as `Province` or `State`.
    pub fn kind(&self) -> &'static str {
        self.inner.subdivision_type
    }

    /// The kind of subdivision in `language` (`État`, `Province` in French), else in
    /// English.
    ///
    /// ```
    /// let new_york = user_import::location::region("US-NY").unwrap();
    /// assert_eq!(new_york.kind_in("fr"), "État");
    /// assert_eq!(new_york.kind_in("en"), "State");
    /// ```
    pub fn kind_in(&self, language: &str) -> &'static str {
        if crate::text::primary_language(language) == "fr" {
            return translated(kinds::FRENCH, self.kind()).unwrap_or(self.kind());
        }
        self.kind()
    }

    /// The country the region belongs to.
    pub fn country(&self) -> Country {
        // Every subdivision's country code is an ISO 3166-1 code of the same data set; a test
        // walks them all.
        country(self.inner.country_code).unwrap_or(Country {
            inner: &rust_iso3166::ALL[0],
        })
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.code())
    }
}

/// The name of `code` in a (code, name) table sorted by code.
fn translated(table: &'static [(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table
        .binary_search_by(|(known, _)| (*known).cmp(code))
        .ok()
        .map(|at| table[at].1)
}

/// A country or a region, as found by [`search`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A country.
    Country(Country),
    /// A region.
    Region(Region),
}

impl Location {
    /// The code to type in the spreadsheet.
    pub fn code(&self) -> &'static str {
        match self {
            Location::Country(country) => country.code(),
            Location::Region(region) => region.code(),
        }
    }

    /// The name.
    pub fn name(&self) -> &'static str {
        match self {
            Location::Country(country) => country.name(),
            Location::Region(region) => region.name(),
        }
    }

    /// The name in `language` where the data has one, else the English name.
    pub fn name_in(&self, language: &str) -> &'static str {
        match self {
            Location::Country(country) => country.name_in(language),
            Location::Region(region) => region.name_in(language),
        }
    }

    /// The country: itself, or the region's country.
    pub fn country(&self) -> Country {
        match self {
            Location::Country(country) => *country,
            Location::Region(region) => region.country(),
        }
    }
}

/// Every ISO 3166-1 country, in the order of the standard's English names.
pub fn countries() -> impl Iterator<Item = Country> {
    index().countries.iter().copied()
}

/// Every ISO 3166-2 region, sorted by code.
pub fn regions() -> impl Iterator<Item = Region> {
    index().regions.iter().copied()
}

/// The country with an ISO 3166-1 alpha-2 code, ignoring case and surrounding spaces.
pub fn country(code: &str) -> Option<Country> {
    match code.trim().as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            let slot = usize::from(a.to_ascii_uppercase() - b'A') * 26
                + usize::from(b.to_ascii_uppercase() - b'A');
            index().country_table[slot]
        }
        _ => None,
    }
}

/// The region with a full ISO 3166-2 code (`CA-QC`), ignoring case and surrounding spaces.
pub fn region(code: &str) -> Option<Region> {
    let code = code.trim().as_bytes();
    let mut upper = [0u8; 12];
    if code.len() < 4 || code.len() > upper.len() {
        return None;
    }
    for (slot, byte) in upper.iter_mut().zip(code) {
        *slot = byte.to_ascii_uppercase();
    }
    let wanted = &upper[..code.len()];
    let regions = &index().regions;
    regions
        .binary_search_by(|region| region.code().as_bytes().cmp(wanted))
        .ok()
        .map(|at| regions[at])
}

/// Countries and regions whose name or code matches `query`, best first.
///
/// Case, accents, punctuation and extra spaces are ignored. First come the locations whose
/// code is the query: a country code (`CA`), a full region code (`CA-QC`), or a region code
/// without its country (`QC`, `75C`: the regions of every country with that code). Then the
/// names that equal the query, the names that start with it, the names with a word that starts
/// with it, and the names that contain it; countries before regions at each step. Former and
/// common names are searched too (`Swaziland`, `Turkey`, `Vietnam`). At most 50 results.
///
/// ```
/// use user_import::location;
///
/// let codes = |query| location::search(query).iter().map(|l| l.code()).take(3).collect::<Vec<_>>();
/// assert_eq!(codes("qc")[0], "CA-QC");
/// assert_eq!(codes("75C")[0], "FR-75C");
/// // States and provinces first among the regions of that code, then the names.
/// assert_eq!(codes("NY")[..2], ["US-NY", "HU-NY"]);
/// assert_eq!(location::search("NY")[2].name(), "Nymburk");
/// ```
pub fn search(query: &str) -> Vec<Location> {
    let wanted = fold(query);
    if wanted.is_empty() {
        return Vec::new();
    }
    let index = index();
    let mut hits: Vec<(u8, usize, Location)> = Vec::new();
    let code = query.trim();
    if let Some(country) = country(code) {
        hits.push((0, 0, Location::Country(country)));
    }
    if let Some(region) = region(code) {
        hits.push((0, 0, Location::Region(region)));
    }
    for (position, region) in regions_with_code(code).into_iter().enumerate() {
        hits.push((1, position, Location::Region(region)));
    }
    for (position, (name, location)) in index.names.iter().enumerate() {
        let rank = if *name == wanted {
            1
        } else if name.starts_with(&wanted) {
            2
        } else if name
            .match_indices(&wanted)
            .any(|(at, _)| name[..at].ends_with(' ') && !wanted.starts_with(' '))
        {
            3
        } else if name.contains(&wanted) {
            4
        } else {
            continue;
        };
        // Countries before regions at the same rank.
        let kind = match location {
            Location::Country(_) => 0,
            Location::Region(_) => 1,
        };
        hits.push((rank * 2 + 1 + kind, position, *location));
    }
    hits.sort_by_key(|(rank, position, _)| (*rank, *position));
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (_, _, location) in hits {
        if seen.contains(&location.code()) {
            continue;
        }
        seen.push(location.code());
        out.push(location);
        if out.len() == 50 {
            break;
        }
    }
    out
}

/// The country with an ISO 3166-1 alpha-3 code (`DEU`), ignoring case and surrounding spaces.
pub fn country_by_alpha3(code: &str) -> Option<Country> {
    let code = code.trim();
    if code.len() != 3 {
        return None;
    }
    countries().find(|country| country.alpha3().eq_ignore_ascii_case(code))
}

/// The country whose name (current, former or common) is exactly `name`, ignoring case and
/// accents: used to tell an administrator which code to type instead of a name.
pub fn country_by_name(name: &str) -> Option<Country> {
    index().country_by_name.get(&fold(name)).copied()
}

/// The region of `country` whose name is exactly `name`, ignoring case and accents.
pub fn region_by_name(country: Country, name: &str) -> Option<Region> {
    let wanted = fold(name);
    if wanted.is_empty() {
        return None;
    }
    country
        .regions()
        .iter()
        .map(|inner| Region { inner })
        .find(|region| fold(region.name()) == wanted || fold(region.name_in("fr")) == wanted)
}

/// The regions, of every country, whose code without its country prefix is `code` (`QC`,
/// `qc`, `75C`): states, provinces and the like first, then the others, each by full code.
///
/// ```
/// let found = user_import::location::regions_with_code("qc");
/// assert_eq!(found.iter().map(|r| r.code()).collect::<Vec<_>>(), ["CA-QC"]);
/// ```
pub fn regions_with_code(code: &str) -> Vec<Region> {
    let code = code.trim();
    if code.is_empty() || code.len() > 3 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Vec::new();
    }
    let mut found: Vec<Region> = regions()
        .filter(|region| {
            region
                .code()
                .split_once('-')
                .is_some_and(|(_, own)| own.eq_ignore_ascii_case(code))
        })
        .collect();
    // States and provinces before cities and districts: `NY` is New York before Nyíregyháza.
    found.sort_by_key(|region| (!MAJOR_KINDS.contains(&region.kind()), region.code()));
    found
}

/// The kinds of the regions people mostly mean by a bare code, first in [`regions_with_code`].
const MAJOR_KINDS: &[&str] = &[
    "State",
    "Province",
    "Territory",
    "Region",
    "Land",
    "Canton",
    "Autonomous community",
    "Autonomous region",
    "Federal district",
    "Capital territory",
    "Department",
    "Metropolitan collectivity with special status",
];

/// The regions, of every country, whose name (ISO or French) is exactly `name`, ignoring case
/// and accents, sorted by code.
///
/// ```
/// let found = user_import::location::regions_by_name("ontario");
/// assert_eq!(found.iter().map(|r| r.code()).collect::<Vec<_>>(), ["CA-ON"]);
/// ```
pub fn regions_by_name(name: &str) -> Vec<Region> {
    let wanted = fold(name);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<Region> = index()
        .names
        .iter()
        .filter(|(known, _)| *known == wanted)
        .filter_map(|(_, location)| match location {
            Location::Region(region) => Some(*region),
            Location::Country(_) => None,
        })
        .collect();
    found.sort_by_key(|region| region.code());
    found.dedup();
    found
}

/// Why a region value does not fit its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionProblem {
    /// A name was typed; this is the code to use.
    Name(Region),
    /// The code belongs to another country.
    OtherCountry(Region),
    /// Not a region code of the row's country.
    Unknown,
}

/// Resolves a region value in a row whose country is `country`.
///
/// Accepts a full code (`CA-QC`, `ca-qc`) and a code without its country prefix (`QC`).
///
/// ```
/// use user_import::location::{self, RegionProblem};
///
/// let canada = location::country("CA").unwrap();
/// assert_eq!(location::resolve_region(canada, "qc").unwrap().code(), "CA-QC");
/// assert!(matches!(
///     location::resolve_region(canada, "US-NY"),
///     Err(RegionProblem::OtherCountry(region)) if region.code() == "US-NY"
/// ));
/// ```
pub fn resolve_region(country: Country, value: &str) -> Result<Region, RegionProblem> {
    let value = value.trim();
    if let Some(found) = region(value) {
        if found.country() == country {
            return Ok(found);
        }
        return Err(RegionProblem::OtherCountry(found));
    }
    if !value.contains('-') && (1..=3).contains(&value.len()) {
        let mut full = [0u8; 6];
        full[..2].copy_from_slice(country.code().as_bytes());
        full[2] = b'-';
        full[3..3 + value.len()].copy_from_slice(value.as_bytes());
        if let Some(found) = std::str::from_utf8(&full[..3 + value.len()])
            .ok()
            .and_then(region)
        {
            return Ok(found);
        }
    }
    match region_by_name(country, value) {
        Some(found) => Err(RegionProblem::Name(found)),
        None => Err(RegionProblem::Unknown),
    }
}

/// Folds a name for comparison: lower case, accents removed, every run of characters that are
/// not letters or digits turned into one space, trimmed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.nfd() {
        if is_combining_mark(ch) {
            continue;
        }
        if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match ch {
                'ß' => out.push_str("ss"),
                'ı' => out.push('i'),
                'ø' | 'Ø' => out.push('o'),
                'æ' | 'Æ' => out.push_str("ae"),
                'œ' | 'Œ' => out.push_str("oe"),
                'đ' | 'Đ' => out.push('d'),
                'ł' | 'Ł' => out.push('l'),
                c => out.extend(c.to_lowercase()),
            }
        } else if ch != '\'' && ch != '’' {
            pending_space = true;
        }
    }
    out
}

/// Common names that are not in either data set, as (name, alpha-2 code).
const COMMON_NAMES: &[(&str, &str)] = &[
    ("United States", "US"),
    ("USA", "US"),
    ("United Kingdom", "GB"),
    ("UK", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("Wales", "GB"),
    ("Northern Ireland", "GB"),
    ("Russia", "RU"),
    ("South Korea", "KR"),
    ("Korea", "KR"),
    ("North Korea", "KP"),
    ("Vietnam", "VN"),
    ("Laos", "LA"),
    ("Iran", "IR"),
    ("Syria", "SY"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Moldova", "MD"),
    ("Czech Republic", "CZ"),
    ("Ivory Coast", "CI"),
    ("Cape Verde", "CV"),
    ("Macedonia", "MK"),
    ("Burma", "MM"),
    ("Holland", "NL"),
    ("Netherlands", "NL"),
    ("Vatican", "VA"),
    ("Vatican City", "VA"),
    ("Taiwan", "TW"),
    ("Palestine", "PS"),
    ("Micronesia", "FM"),
    ("Brunei", "BN"),
    ("East Timor", "TL"),
    ("Democratic Republic of the Congo", "CD"),
    ("DR Congo", "CD"),
    ("Republic of the Congo", "CG"),
    ("UAE", "AE"),
    ("Turkey", "TR"),
    ("Swaziland", "SZ"),
];

struct Index {
    countries: Vec<Country>,
    regions: Vec<Region>,
    /// Countries by alpha-2 code: slot = (first letter) * 26 + (second letter).
    country_table: Vec<Option<Country>>,
    country_by_name: HashMap<String, Country>,
    example_region: HashMap<&'static str, &'static str>,
    /// Folded names (current, former, common) with what they name, countries first.
    names: Vec<(String, Location)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

fn build_index() -> Index {
    let countries: Vec<Country> = rust_iso3166::ALL
        .iter()
        .map(|inner| Country { inner })
        .collect();
    let country_by_code: HashMap<&'static str, Country> = countries
        .iter()
        .map(|country| (country.code(), *country))
        .collect();
    let mut regions: Vec<Region> = countries
        .iter()
        .flat_map(|country| country.regions().iter().map(|inner| Region { inner }))
        .collect();
    regions.sort_by_key(|region| region.code());
    let mut country_table = vec![None; 26 * 26];
    for country in &countries {
        let code = country.code().as_bytes();
        country_table[usize::from(code[0] - b'A') * 26 + usize::from(code[1] - b'A')] =
            Some(*country);
    }
    let example_region = countries
        .iter()
        .filter_map(|country| {
            let mut codes: Vec<&'static str> =
                country.regions().iter().map(|region| region.code).collect();
            codes.sort_unstable();
            codes.first().map(|code| (country.code(), *code))
        })
        .collect();

    let mut names: Vec<(String, Location)> = Vec::new();
    let mut country_by_name = HashMap::new();
    let mut add_country_name = |names: &mut Vec<(String, Location)>, name: &str, country| {
        let folded = fold(name);
        if folded.is_empty() || names.iter().any(|(known, _)| *known == folded) {
            return;
        }
        country_by_name.entry(folded.clone()).or_insert(country);
        names.push((folded, Location::Country(country)));
    };
    for country in &countries {
        add_country_name(&mut names, country.name(), *country);
        // "Korea (Republic of)" is also found as "Korea, Republic of" and "Republic of Korea".
        if let Some((short, rest)) = country.name().split_once(" (") {
            let qualifier = rest.trim_end_matches(')');
            add_country_name(&mut names, &format!("{qualifier} {short}"), *country);
        }
    }
    for former in isocountry::CountryCode::as_array() {
        if let Some(country) = country_by_code.get(former.alpha2()) {
            add_country_name(&mut names, former.name(), *country);
        }
    }
    for (name, code) in COMMON_NAMES {
        if let Some(country) = country_by_code.get(code) {
            add_country_name(&mut names, name, *country);
        }
    }
    // French names: "Allemagne", "États-Unis"; "Russie, Fédération de" also as
    // "Fédération de Russie".
    for (code, name) in crate::location::fr::COUNTRIES {
        if let Some(country) = country_by_code.get(code) {
            add_country_name(&mut names, name, *country);
            if let Some((head, tail)) = name.split_once(", ") {
                add_country_name(&mut names, &format!("{tail} {head}"), *country);
            }
        }
    }
    for region in &regions {
        names.push((fold(region.name()), Location::Region(*region)));
        let french = region.name_in("fr");
        if french != region.name() {
            names.push((fold(french), Location::Region(*region)));
        }
    }
    Index {
        countries,
        regions,
        country_table,
        country_by_name,
        example_region,
        names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_region_has_its_french_name() {
        assert!(kinds::FRENCH.windows(2).all(|pair| pair[0].0 < pair[1].0));
        for region in regions() {
            assert!(
                translated(kinds::FRENCH, region.kind()).is_some(),
                "{}: {}",
                region.code(),
                region.kind()
            );
        }
    }

    #[test]
    fn fold_removes_case_accents_and_punctuation() {
        assert_eq!(fold("  Québec "), "quebec");
        assert_eq!(fold("Côte d'Ivoire"), "cote divoire");
        assert_eq!(fold("Korea (Republic of)"), "korea republic of");
        assert_eq!(fold("Türkiye"), "turkiye");
    }
}
