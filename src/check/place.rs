//! What a row's Country and Region cells say together: the country the region is checked
//! against, and the country an empty Country cell should hold.

use std::borrow::Cow;

use crate::location::{self, Country, Region};

/// What a row's Country and Region cells say, worked out before its cells are checked, so
/// that each is checked with what the other tells.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Place {
    /// The country the region is checked against: the code typed, or the country that a name
    /// or a three-letter code in the Country cell stands for (its own issue says so).
    pub(crate) country: Option<Country>,
    /// The region the Region cell names when no country is known (a full code, or a code or a
    /// name that only one country has): it tells an empty Country cell what to hold.
    pub(crate) region: Option<Region>,
}

/// The one item of `items`, if there is exactly one.
pub(crate) fn only<T>(items: Vec<T>) -> Option<T> {
    let mut items = items.into_iter();
    match (items.next(), items.next()) {
        (Some(item), None) => Some(item),
        _ => None,
    }
}

/// The name and code of a country for a message, and the code apart for a catalogue to write
/// the name in its own language.
pub(crate) fn country_args(name: &'static str, country: Country) -> [(&'static str, String); 2] {
    let code = match name {
        "region_country" => "region_country_code",
        _ => "country_code",
    };
    [(name, country.label()), (code, country.code().to_string())]
}

impl Place {
    /// What the row says, from its Country cell's text (`None` when the cell cannot be read)
    /// and, asked only when no country is known, its Region cell's text.
    pub(crate) fn of<'r>(
        country_text: Option<&str>,
        region_text: impl FnOnce() -> Option<Cow<'r, str>>,
    ) -> Place {
        let Some(country_text) = country_text else {
            return Place::default();
        };
        if let Some(country) = location::country(country_text) {
            return Place {
                country: Some(country),
                region: None,
            };
        }
        let country = location::country_by_alpha3(country_text)
            .or_else(|| location::country_by_name(country_text));
        if country.is_some() {
            return Place {
                country,
                region: None,
            };
        }
        let region = region_text()
            .filter(|text| !text.is_empty())
            .and_then(|text| {
                location::region(&text)
                    .or_else(|| only(location::regions_with_code(&text)))
                    .or_else(|| only(location::regions_by_name(&text)))
            });
        Place {
            country: None,
            region,
        }
    }
}
