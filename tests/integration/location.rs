//! Location codes: the ISO 3166 code set, lookup and search, and how the Country and Region
//! columns of an upload are checked against it.

use std::collections::HashSet;

use user_import::location::{self, Location, RegionProblem};
use user_import::{IssueCode, Validation};

use crate::common::*;

/// The codes of the first `n` search results.
fn top(query: &str, n: usize) -> Vec<&'static str> {
    location::search(query)
        .iter()
        .take(n)
        .map(Location::code)
        .collect()
}

/// A workbook with one user whose country and region are given.
fn one_user(country: &str, region: &str) -> Validation {
    read_ok(&filled(&[&[
        "Ann Lee",
        "ann@example.com",
        country,
        region,
        "en",
    ]]))
}

/// (row, column, code) of every issue.
fn issues(validation: &Validation) -> Vec<(Option<u32>, Option<&str>, &'static str)> {
    validation
        .issues()
        .iter()
        .map(|issue| (issue.row, issue.column.as_deref(), issue.code.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The code set
// ---------------------------------------------------------------------------------------------

#[test]
fn the_code_set_has_the_249_iso_3166_1_countries() {
    let codes: HashSet<&str> = location::countries().map(|c| c.code()).collect();
    assert_eq!(location::countries().count(), 249);
    assert_eq!(codes.len(), 249);
    for code in &codes {
        assert!(
            code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()),
            "{code}"
        );
    }
}

#[test]
fn the_code_set_has_the_5046_iso_3166_2_regions_of_iso_codes_4_20_1() {
    let codes: HashSet<&str> = location::regions().map(|r| r.code()).collect();
    assert_eq!(location::regions().count(), 5046);
    assert_eq!(codes.len(), 5046, "region codes are unique");
}

#[test]
fn regions_are_sorted_by_code() {
    let codes: Vec<&str> = location::regions().map(|r| r.code()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted);
}

#[test]
fn every_region_belongs_to_a_country_of_the_set_named_by_its_prefix() {
    for region in location::regions() {
        let (prefix, rest) = region
            .code()
            .split_once('-')
            .unwrap_or_else(|| panic!("{} has no hyphen", region.code()));
        assert!(!rest.is_empty() && rest.len() <= 3, "{}", region.code());
        let country = location::country(prefix)
            .unwrap_or_else(|| panic!("{} names no country", region.code()));
        assert_eq!(region.country(), country, "{}", region.code());
        assert!(
            country.regions().iter().any(|s| s.code == region.code()),
            "{} is not among {}'s regions",
            region.code(),
            country.code()
        );
    }
}

#[test]
fn telangana_has_its_current_code_in_ts_not_the_former_in_tg() {
    let telangana = location::region("IN-TS").expect("IN-TS exists");
    assert_eq!(telangana.name(), "Telangāna");
    assert_eq!(telangana.country().code(), "IN");
    assert!(location::region("IN-TG").is_none());
}

#[test]
fn countries_carry_their_current_names() {
    assert_eq!(location::country("SZ").unwrap().name(), "Eswatini");
    assert_eq!(location::country("TR").unwrap().name(), "Türkiye");
    assert_eq!(location::country("CA").unwrap().label(), "Canada (CA)");
    assert_eq!(location::country("CA").unwrap().alpha3(), "CAN");
}

#[test]
fn countries_without_iso_3166_2_subdivisions_have_no_regions() {
    for code in ["AQ", "VA", "HK", "PR", "GU"] {
        let country = location::country(code).unwrap();
        assert!(!country.has_regions(), "{code}");
        assert_eq!(country.example_region(), None, "{code}");
    }
    let canada = location::country("CA").unwrap();
    assert!(canada.has_regions());
    assert_eq!(canada.regions().len(), 13);
    assert_eq!(canada.example_region(), Some("CA-AB"));
}

// ---------------------------------------------------------------------------------------------
// Lookup and search
// ---------------------------------------------------------------------------------------------

#[test]
fn lookup_by_code_ignores_case_and_surrounding_spaces() {
    assert_eq!(location::country("ca").unwrap().code(), "CA");
    assert_eq!(location::country(" Ca ").unwrap().code(), "CA");
    assert_eq!(location::region("ca-qc").unwrap().code(), "CA-QC");
    assert_eq!(location::region(" Ca-Qc ").unwrap().code(), "CA-QC");
    assert_eq!(location::region("CA-QC").unwrap().name(), "Quebec");
}

#[test]
fn lookup_of_an_unknown_code_finds_nothing() {
    assert!(location::country("XX").is_none());
    assert!(location::country("CAN").is_none());
    assert!(location::country("").is_none());
    assert!(location::region("CA-XX").is_none());
    assert!(location::region("QC").is_none());
}

#[test]
fn search_by_region_name_ignores_case_and_accents() {
    assert_eq!(top("quebec", 1), ["CA-QC"]);
    assert_eq!(top("Québec", 1), ["CA-QC"]);
    assert_eq!(top("QUÉBEC", 1), ["CA-QC"]);
}

#[test]
fn search_by_country_name_finds_the_country_first() {
    assert_eq!(top("united states", 1), ["US"]);
    assert_eq!(top("Canada", 1), ["CA"]);
}

#[test]
fn search_finds_countries_under_todays_and_former_names() {
    assert_eq!(top("Eswatini", 1), ["SZ"]);
    assert_eq!(top("Swaziland", 1), ["SZ"]);
    assert_eq!(top("Türkiye", 1), ["TR"]);
    assert_eq!(top("turkiye", 1), ["TR"]);
    assert_eq!(top("Turkey", 1), ["TR"]);
}

#[test]
fn search_by_code_finds_the_code() {
    assert_eq!(top("ca-qc", 1), ["CA-QC"]);
    assert_eq!(top("tr", 1), ["TR"]);
}

#[test]
fn search_results_name_the_location_and_its_country() {
    let found = location::search("new york");
    assert_eq!(found[0].code(), "US-NY");
    assert_eq!(found[0].name(), "New York");
    assert_eq!(found[0].country().code(), "US");
}

#[test]
fn search_with_nothing_to_look_for_finds_nothing() {
    assert!(location::search("").is_empty());
    assert!(location::search("  -- ").is_empty());
    assert!(location::search("zzzzqqq").is_empty());
}

#[test]
fn a_country_name_finds_the_code_to_use_instead() {
    assert_eq!(location::country_by_name("Canada").unwrap().code(), "CA");
    assert_eq!(location::country_by_name("canada ").unwrap().code(), "CA");
    assert_eq!(location::country_by_name("Swaziland").unwrap().code(), "SZ");
    assert_eq!(location::country_by_name("turkiye").unwrap().code(), "TR");
    assert_eq!(
        location::country_by_name("United States").unwrap().code(),
        "US"
    );
    assert!(location::country_by_name("Atlantis").is_none());
}

#[test]
fn resolving_a_region_accepts_a_code_with_or_without_its_country_prefix() {
    let canada = location::country("CA").unwrap();
    assert_eq!(
        location::resolve_region(canada, "CA-QC").unwrap().code(),
        "CA-QC"
    );
    assert_eq!(
        location::resolve_region(canada, "ca-qc").unwrap().code(),
        "CA-QC"
    );
    assert_eq!(
        location::resolve_region(canada, "QC").unwrap().code(),
        "CA-QC"
    );
    assert_eq!(
        location::resolve_region(canada, "qc").unwrap().code(),
        "CA-QC"
    );
}

#[test]
fn resolving_a_region_tells_a_name_another_country_and_an_unknown_code_apart() {
    let canada = location::country("CA").unwrap();
    assert!(matches!(
        location::resolve_region(canada, "Québec"),
        Err(RegionProblem::Name(region)) if region.code() == "CA-QC"
    ));
    assert!(matches!(
        location::resolve_region(canada, "US-NY"),
        Err(RegionProblem::OtherCountry(region)) if region.code() == "US-NY"
    ));
    assert_eq!(
        location::resolve_region(canada, "ZZ"),
        Err(RegionProblem::Unknown)
    );
}

// ---------------------------------------------------------------------------------------------
// The Country and Region columns of an upload
// ---------------------------------------------------------------------------------------------

#[test]
fn codes_in_an_upload_are_stored_upper_case() {
    let validation = one_user("ca", "ca-qc");
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(2), "CA");
    assert_eq!(validation.records()[0].get(3), "CA-QC");
}

#[test]
fn a_region_without_its_country_prefix_is_accepted_as_the_full_code() {
    let validation = one_user("CA", "QC");
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(3), "CA-QC");
}

#[test]
fn a_region_of_another_country_is_refused_naming_both_countries() {
    let validation = one_user("CA", "US-NY");
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Region"), "region.country_mismatch")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Region: `US-NY` is a region of United States of America (US), but the row's country is Canada (CA); correct the country or the region"
    );
    assert_eq!(validation.issues()[0].value.as_deref(), Some("US-NY"));
}

#[test]
fn a_country_name_is_refused_with_the_code_to_use() {
    let validation = one_user("Canada", "CA-QC");
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Country"), "country.name_not_code")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Country: `Canada` is a country name; use the code `CA`"
    );
    assert_eq!(validation.issues()[0].get_arg("code"), Some("CA"));
}

#[test]
fn a_former_country_name_is_refused_with_the_current_code() {
    let validation = one_user("Swaziland", "");
    // The region is checked against the country the name stands for, in the same pass.
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Country"), "country.name_not_code"),
            (Some(2), Some("Region"), "region.required")
        ]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Country: `Swaziland` is a country name; use the code `SZ`"
    );
    let validation = one_user("Türkiye", "");
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Country: `Türkiye` is a country name; use the code `TR`"
    );
}

#[test]
fn an_unknown_country_code_is_refused() {
    let validation = one_user("XX", "");
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Country"), "country.unknown")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Country: `XX` is not an ISO 3166-1 country code; use a two-letter code from the Location codes sheet, such as `CA` for Canada"
    );
}

#[test]
fn a_three_letter_country_code_is_refused_with_the_two_letter_code() {
    let validation = one_user("deu", "");
    assert_eq!(
        issues(&validation),
        [
            (Some(2), Some("Country"), "country.alpha3_code"),
            (Some(2), Some("Region"), "region.required")
        ]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Country: `deu` is a three-letter country code; use the two-letter code `DE`"
    );
}

#[test]
fn a_region_name_is_refused_with_the_code_to_use() {
    let validation = one_user("CA", "Québec");
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Region"), "region.name_not_code")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Region: `Québec` is a region name; use the code `CA-QC`"
    );
}

#[test]
fn an_unknown_region_of_the_rows_country_is_refused_with_an_example() {
    let validation = one_user("CA", "CA-ZZ");
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Region"), "region.unknown")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Region: `CA-ZZ` is not a region code of Canada (CA); use a code from the Location codes sheet, such as `CA-AB`"
    );
}

#[test]
fn a_country_with_regions_requires_one() {
    let validation = one_user("CA", "");
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Region"), "region.required")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Region: the value is missing; Canada (CA) has regions, so give one of its region codes, such as `CA-AB`"
    );
}

#[test]
fn a_country_without_regions_needs_no_region() {
    let validation = one_user("VA", "");
    assert_eq!(validation.issues(), &[]);
    assert!(validation.is_valid());
    assert_eq!(validation.records()[0].get(3), "");
}

#[test]
fn a_region_for_a_country_without_regions_is_refused() {
    let validation = one_user("AQ", "South Pole");
    assert_eq!(
        issues(&validation),
        [(Some(2), Some("Region"), "region.not_expected")]
    );
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Region: `South Pole` is not a region of Antarctica (AQ), which has no regions; leave the cell empty"
    );
}

#[test]
fn a_region_is_not_checked_against_a_country_that_is_itself_wrong() {
    // The country's own issue says what to fix first.
    let validation = one_user("Canada", "QC");
    assert_eq!(
        validation
            .issues()
            .iter()
            .map(|i| i.code)
            .collect::<Vec<_>>(),
        [IssueCode::CountryName]
    );
}

#[test]
fn codes_in_any_case_resolve_for_every_country_with_regions() {
    // Every region code, typed in lower case and without its prefix, resolves to itself under
    // its own country.
    for region in location::regions() {
        let country = region.country();
        let lower = region.code().to_lowercase();
        assert_eq!(location::resolve_region(country, &lower), Ok(region));
        let suffix = &region.code()[3..];
        assert_eq!(
            location::resolve_region(country, suffix),
            Ok(region),
            "{}",
            region.code()
        );
    }
}
