//! The fix-up loop: every problem of a row in one pass, lookups that find what people type,
//! choice labels, numbers shown by their format, counts that read right, and every word in the
//! catalogue's language.

use user_import::location::{self, Location};
use user_import::{
    Catalog, Column, ColumnKind, Failure, ImportId, ImportStatus, ImportSummary, Issue, IssueCode,
    PluralRule, Schema, Template, Validation,
};

use crate::common::*;

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

/// Every issue's message, in English and in French.
fn messages(validation: &Validation) -> (Vec<String>, Vec<String>) {
    let french = Catalog::french();
    (
        validation
            .issues()
            .iter()
            .map(|issue| issue.message.clone())
            .collect(),
        validation
            .issues()
            .iter()
            .map(|issue| french.issue_message(issue))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Every problem of a row in one pass
// ---------------------------------------------------------------------------------------------

#[test]
fn a_country_name_and_a_region_name_are_both_reported_in_one_pass() {
    let (en, fr) = messages(&one_user("Canada", "Ontario"));
    assert_eq!(
        en,
        [
            "row 2, Country: `Canada` is a country name; use the code `CA`",
            "row 2, Region: `Ontario` is a region name; use the code `CA-ON`",
        ]
    );
    assert_eq!(
        fr,
        [
            "ligne 2, Country : « Canada » est un nom de pays ; utilisez le code « CA »",
            "ligne 2, Region : « Ontario » est un nom de région ; utilisez le code « CA-ON »",
        ]
    );
}

#[test]
fn a_region_of_another_country_names_its_country_when_the_country_is_a_name() {
    let (en, fr) = messages(&one_user("Canada", "US-NY"));
    assert_eq!(
        en[1],
        "row 2, Region: `US-NY` is a region of United States of America (US), but the row's country is Canada (CA); correct the country or the region"
    );
    assert_eq!(
        fr[1],
        "ligne 2, Region : « US-NY » est une région du pays États-Unis (US), mais le pays de la ligne est Canada (CA) ; corrigez le pays ou la région"
    );
}

#[test]
fn a_region_code_with_an_empty_country_says_which_country_to_fill_in() {
    let validation = one_user("", "CA-QC");
    assert_eq!(validation.issues().len(), 1);
    assert_eq!(validation.issues()[0].code, IssueCode::CountryFromRegion);
    let (en, fr) = messages(&validation);
    assert_eq!(
        en,
        [
            "row 2, Country: the value is missing; the region `CA-QC` is in Canada (CA), so fill in `CA`"
        ]
    );
    assert_eq!(
        fr,
        [
            "ligne 2, Country : la valeur manque ; la région « CA-QC » est dans le pays Canada (CA), remplissez donc « CA »"
        ]
    );
    // A code without its country prefix that only one country has tells it too.
    let (en, _) = messages(&one_user("", "75C"));
    assert_eq!(
        en,
        [
            "row 2, Country: the value is missing; the region `FR-75C` is in France (FR), so fill in `FR`"
        ]
    );
}

#[test]
fn a_region_name_with_an_empty_country_gets_its_code_and_the_country() {
    let (en, _) = messages(&one_user("", "Ontario"));
    assert_eq!(
        en,
        [
            "row 2, Country: the value is missing; the region `CA-ON` is in Canada (CA), so fill in `CA`",
            "row 2, Region: `Ontario` is a region name; use the code `CA-ON`",
        ]
    );
}

#[test]
fn a_region_left_empty_under_a_country_name_is_reported_with_the_country() {
    let (en, fr) = messages(&one_user("United States", ""));
    assert_eq!(
        en[1],
        "row 2, Region: the value is missing; United States of America (US) has regions, so give one of its region codes, such as `US-AK`"
    );
    assert_eq!(
        fr[1],
        "ligne 2, Region : la valeur manque ; le pays États-Unis (US) a des régions, donnez donc l'un de ses codes de région, comme « US-AK »"
    );
}

#[test]
fn country_names_inside_french_messages_are_french() {
    let (en, fr) = messages(&one_user("DE", "XX"));
    assert_eq!(
        en,
        [
            "row 2, Region: `XX` is not a region code of Germany (DE); use a code from the Location codes sheet, such as `DE-BB`"
        ]
    );
    assert_eq!(
        fr,
        [
            "ligne 2, Region : « XX » n'est pas un code de région du pays Allemagne (DE) ; utilisez un code de la feuille Codes de lieux, comme « DE-BB »"
        ]
    );
    let (_, fr) = messages(&one_user("MC", "QC"));
    assert_eq!(
        fr,
        [
            "ligne 2, Region : « QC » n'est pas un code de région du pays Monaco (MC) ; utilisez un code de la feuille Codes de lieux, comme « MC-CL »"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Lookups that find what people type
// ---------------------------------------------------------------------------------------------

fn top(query: &str, n: usize) -> Vec<&'static str> {
    location::search(query)
        .iter()
        .take(n)
        .map(Location::code)
        .collect()
}

#[test]
fn a_bare_region_code_finds_the_regions_with_that_code() {
    assert_eq!(top("QC", 1), ["CA-QC"]);
    assert_eq!(top("qc", 1), ["CA-QC"]);
    assert_eq!(top(" 75C ", 1), ["FR-75C"]);
    // `ON` is a code in Canada only: CA-ON comes before the names that start with `on`.
    assert_eq!(top("on", 1), ["CA-ON"]);
}

#[test]
fn an_exact_code_comes_before_names_that_start_with_the_query() {
    let found = top("NY", 3);
    assert_eq!(found[0], "US-NY");
    let names: Vec<&str> = location::search("NY")
        .iter()
        .skip(1)
        .take(2)
        .map(|location| location.name())
        .collect();
    for name in names {
        assert!(name.to_lowercase().starts_with("ny"), "{name}");
    }
}

#[test]
fn names_that_contain_the_query_come_last() {
    let found = location::search("ebec");
    let codes: Vec<&str> = found.iter().map(Location::code).collect();
    assert!(codes.contains(&"CA-QC"), "{codes:?}");
}

#[test]
fn region_kinds_are_in_the_language_asked() {
    let quebec = location::region("CA-QC").unwrap();
    assert_eq!(quebec.kind(), "Province");
    assert_eq!(location::region("US-NY").unwrap().kind_in("fr"), "État");
    assert_eq!(
        location::region("FR-75C").unwrap().kind_in("fr-CA"),
        "Collectivité métropolitaine à statut particulier"
    );
    assert_eq!(location::region("DE-BY").unwrap().kind_in("fr"), "Land");
    assert_eq!(
        location::region("GB-KEN").unwrap().kind_in("fr"),
        "Comté à deux niveaux"
    );
}

// ---------------------------------------------------------------------------------------------
// Choice columns take their labels
// ---------------------------------------------------------------------------------------------

#[test]
fn the_language_column_takes_the_languages_names_in_either_language() {
    let validation = read_ok(&filled(&[
        &["Ann Lee", "ann@example.com", "CA", "CA-QC", "English"],
        &["Bob Roy", "bob@example.com", "CA", "CA-QC", "Français"],
        &["Cy Doe", "cy@example.com", "CA", "CA-QC", " anglais "],
        &["Dee Fox", "dee@example.com", "CA", "CA-QC", "FRANCAIS"],
        &["Eve Ng", "eve@example.com", "CA", "CA-QC", "FR"],
    ]));
    assert!(validation.issues().is_empty(), "{:#?}", validation.issues());
    let schema = Schema::default();
    let languages: Vec<&str> = validation
        .records()
        .iter()
        .map(|record| validation.value(&schema, record, "language"))
        .collect();
    assert_eq!(languages, ["en", "fr", "en", "fr", "fr"]);
}

#[test]
fn a_hosts_choice_column_takes_its_labels() {
    let schema = Schema::builder()
        .column(
            Column::new(
                "shift",
                "Shift",
                ColumnKind::Choice(vec!["D".into(), "N".into()]),
            )
            .choice_label("D", "en", "Day")
            .choice_label("D", "fr", "Jour")
            .choice_label("N", "en", "Night")
            .choice_label("N", "fr", "Nuit"),
        )
        .build()
        .unwrap();
    let bytes = user_import::testing::workbook(
        &schema,
        &[&[
            "Ann Lee",
            "ann@example.com",
            "CA",
            "CA-QC",
            "en",
            "",
            "",
            "",
            "",
            "nuit",
        ]],
    );
    let validation =
        user_import::validate_bytes(&bytes, &schema, &user_import::Limits::default()).unwrap();
    assert!(validation.issues().is_empty(), "{:#?}", validation.issues());
    let record = &validation.records()[0];
    assert_eq!(validation.value(&schema, record, "shift"), "N");
}

#[test]
fn the_french_templates_drop_down_shows_the_french_labels() {
    let schema = Schema::default();
    let bytes = Template::new(&schema)
        .locale(Catalog::french())
        .to_bytes()
        .unwrap();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(&bytes)).unwrap();
    use calamine::Reader;
    let lists = workbook.worksheet_range("Listes").unwrap();
    let languages: Vec<String> = lists
        .rows()
        .skip(1)
        .map(|r| r[1].to_string())
        .filter(|v| !v.is_empty())
        .collect();
    assert_eq!(languages, ["Anglais", "Français"]);
}

// ---------------------------------------------------------------------------------------------
// Numbers whose format shows other text
// ---------------------------------------------------------------------------------------------

/// A styles part whose cell format 1 is `00000`, 2 is `#,##0` and 3 is `"ID-"0`.
fn number_styles() -> String {
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="00000"/><numFmt numFmtId="165" formatCode="&quot;ID-&quot;0"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#
        .to_string()
}

#[test]
fn a_zero_padded_number_is_read_as_shown_and_other_formats_are_warned_about() {
    let headers = [
        "Name",
        "Email",
        "Country",
        "Region",
        "Language",
        "Job title",
        "Department",
        "Employee ID",
    ];
    let mut data = inline_row(1, &headers);
    data.push_str(r#"<row r="2">"#);
    for (column, value) in ["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"]
        .iter()
        .enumerate()
    {
        data.push_str(&inline(&format!("{}2", letters(column as u32)), value));
    }
    data.push_str(r#"<c r="F2" s="3"><v>7</v></c><c r="G2" s="2"><v>1234</v></c><c r="H2" s="1"><v>123</v></c></row>"#);
    let mut package = Package::with_sheet("Users", &data);
    package.styles = Some(number_styles());
    let validation = read_ok(&package.build());
    let schema = Schema::default();
    let record = &validation.records()[0];
    assert_eq!(validation.value(&schema, record, "employee_id"), "00123");
    assert_eq!(validation.value(&schema, record, "job_title"), "7");
    assert_eq!(validation.value(&schema, record, "department"), "1234");
    let (en, fr) = messages(&validation);
    assert_eq!(
        en,
        [
            "row 2, Job title: the cell shows `ID-7` but holds the number 7, which is what is imported; if `ID-7` is meant, format the cell as Text and type it again",
            "row 2, Department: the cell shows `1,234` but holds the number 1234, which is what is imported; if `1,234` is meant, format the cell as Text and type it again",
        ]
    );
    assert_eq!(
        fr[0],
        "ligne 2, Job title : la cellule affiche « ID-7 » mais contient le nombre 7, qui est ce qui est importé ; si « ID-7 » est voulu, mettez la cellule au format Texte et tapez-la de nouveau"
    );
    assert!(validation.is_valid());
}

// ---------------------------------------------------------------------------------------------
// Counts that read right in every language
// ---------------------------------------------------------------------------------------------

fn failed(problems: u64, rows: u64) -> ImportSummary {
    let mut summary = ImportSummary::new(ImportId("i-1".into()), ImportStatus::Failed);
    summary.failure = Some(Failure::Problems { problems, rows });
    summary
}

#[test]
fn problem_counts_take_the_singular_where_each_language_wants_it() {
    let (english, french) = (Catalog::english(), Catalog::french());
    assert_eq!(
        english.failure_reason(&failed(1, 1)).unwrap(),
        "1 problem in 1 row; fix the file and upload it again"
    );
    assert_eq!(
        english.failure_reason(&failed(3, 2)).unwrap(),
        "3 problems in 2 rows; fix the file and upload it again"
    );
    assert_eq!(
        french.failure_reason(&failed(1, 1)).unwrap(),
        "1 problème dans 1 ligne ; corrigez le fichier et téléversez-le de nouveau"
    );
    assert_eq!(
        french.failure_reason(&failed(2, 2)).unwrap(),
        "2 problèmes dans 2 lignes ; corrigez le fichier et téléversez-le de nouveau"
    );
}

#[test]
fn one_unknown_group_and_one_seat_read_in_the_singular() {
    let group = Issue::new(IssueCode::UnknownGroups)
        .arg("groups", "`Pharmacists`")
        .arg("count", "1");
    assert_eq!(
        group.message,
        "the group `Pharmacists` does not exist; choose an existing group and import the file again"
    );
    assert_eq!(
        Catalog::french().issue_message(&group),
        "le groupe `Pharmacists` n'existe pas ; choisissez un groupe existant et importez de nouveau le fichier"
    );
    let seats = Issue::new(IssueCode::SeatLimit)
        .arg("needed", "2")
        .arg("left", "1")
        .arg("active", "9")
        .arg("limit", "10")
        .arg("over", "1");
    assert_eq!(
        seats.message,
        "the file creates 2 new users but only 1 seat is left (9 of 10 in use); remove 1 new user from the file or raise the subscription's limit"
    );
    assert_eq!(
        Catalog::french().issue_message(&seats),
        "le fichier crée 2 nouveaux utilisateurs, mais il ne reste que 1 place (9 sur 10 occupées) ; retirez 1 nouvel utilisateur du fichier ou augmentez la limite de l'abonnement"
    );
}

#[test]
fn the_summary_says_existing_users_only_received_the_groups() {
    let mut summary = ImportSummary::new(ImportId("i-1".into()), ImportStatus::Completed);
    summary.counts.created = 1;
    summary.counts.groups_added = 1;
    summary.invitations.sent = 1;
    assert_eq!(
        Catalog::english().describe(&summary),
        "1 user created, 1 existing user added to the groups, 0 left untouched; 1 invitation sent, 0 not delivered; 1 existing user only received the groups: the other values in the file were not applied to them"
    );
    assert_eq!(
        Catalog::french().describe(&summary),
        "1 utilisateur créé, 1 utilisateur existant ajouté aux groupes, 0 laissé tel quel ; 1 invitation envoyée, 0 non remise ; 1 utilisateur existant n'a reçu que les groupes : les autres valeurs du fichier ne lui ont pas été appliquées"
    );
    summary.counts.untouched = 2;
    summary.dry_run = true;
    assert_eq!(
        Catalog::english().describe(&summary),
        "dry run: 1 user would be created, 1 existing user added to the groups, 2 left untouched; 3 existing users would only receive the groups: the other values in the file would not be applied to them; nothing was written or sent"
    );
    assert_eq!(
        Catalog::french().describe(&summary),
        "essai : 1 utilisateur serait créé, 1 utilisateur existant ajouté aux groupes, 2 laissés tels quels ; 3 utilisateurs existants ne recevraient que les groupes : les autres valeurs du fichier ne leur seraient pas appliquées ; rien n'a été écrit ni envoyé"
    );
}

#[test]
fn a_host_language_must_give_its_plural_forms() {
    let polish = PluralRule::new("polish", &["one", "few", "many", "other"], |n| match n {
        1 => "one",
        n if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => "few",
        _ => "many",
    });
    let catalog = Catalog::english().derive("pl").with_plural_rule(polish);
    let problems = catalog.check();
    assert!(problems.contains(
        &"`summary.problems` has no `few` form for `count` (the plural rule `polish` has the forms [\"one\", \"few\", \"many\", \"other\"])".to_string()
    ), "{problems:#?}");
    // A text that gives every form passes, and is used.
    let mut catalog = catalog;
    for key in catalog
        .keys()
        .iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
    {
        let text = catalog.text(&key).to_string();
        let fixed = text.replace(" other {", " few {x} many {y} other {");
        catalog = catalog.set(key, fixed);
    }
    assert_eq!(catalog.check(), Vec::<String>::new());
    assert_eq!(
        catalog.fill("summary.problems", &[("count", "3"), ("rows", "5")]),
        "x in y; fix the file and upload it again"
    );
    // A language with one form may keep a bare count.
    let japanese = Catalog::english()
        .derive("ja")
        .set("summary.problems", "{count} 件の問題 ({rows} 行)");
    let problems = japanese.check();
    assert!(
        problems
            .iter()
            .all(|problem| !problem.starts_with("`summary.problems`")),
        "{problems:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The error report is the template, filled in
// ---------------------------------------------------------------------------------------------

fn part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn the_french_report_has_the_templates_sheets_drop_downs_and_notes_on_bad_cells() {
    let schema = Schema::default();
    let upload = user_import::testing::workbook(
        &schema,
        &[
            &["Ann Lee", "ann@example.com", "Canada", "Ontario", "en"],
            &["Bob Roy", "bob@example.com", "CA", "CA-QC", "fr"],
        ],
    );
    let validation =
        user_import::validate_bytes(&upload, &schema, &user_import::Limits::default()).unwrap();
    let bytes = user_import::ErrorReport::new(&schema, &validation)
        .locale(Catalog::french())
        .to_bytes()
        .unwrap();
    let workbook = part(&bytes, "xl/workbook.xml");
    for name in [
        "Utilisateurs",
        "Liste des problèmes",
        "Instructions",
        "Codes de lieux",
        "Listes",
    ] {
        assert!(workbook.contains(&format!("name=\"{name}\"")), "{workbook}");
    }
    let users = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        users.contains("<formula1>'Listes'!$A$2:$A$250</formula1>"),
        "{users}"
    );
    let comments = part(&bytes, "xl/comments1.xml");
    // The header notes of the template, and a note on each cell with a problem, whose message
    // names the column as the report's header shows it.
    assert!(
        comments.contains("Obligatoire. Une seule adresse courriel."),
        "{comments}"
    );
    assert!(
        comments
            .contains("ligne 2, Pays : « Canada » est un nom de pays ; utilisez le code « CA »"),
        "{comments}"
    );
    assert!(
        comments.contains(
            "ligne 2, Région : « Ontario » est un nom de région ; utilisez le code « CA-ON »"
        ),
        "{comments}"
    );
    // Uploaded again as it is: the same problem, and no warning about the report's own column.
    let again =
        user_import::validate_bytes(&bytes, &schema, &user_import::Limits::default()).unwrap();
    let codes: Vec<&str> = again.issues().iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["country.name_not_code", "region.name_not_code"]);
}
