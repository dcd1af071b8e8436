//! The administrator's language: the French template filled and imported, the catalogue walked
//! code by code in both languages, headers matched across languages and aliases, location
//! search on French names, and the exact wording of representative messages.

use std::collections::BTreeSet;
use std::io::{Cursor, Read};
use std::sync::Arc;

use user_import::memory::{MemoryMailer, MemoryStore};
use user_import::{
    Catalog, Column, ColumnKind, Error, ErrorReport, FileKind, ImportRequest, ImportStatus,
    Importer, Issue, IssueCode, Limit, Limits, Schema, Severity, Stores, Template, location,
    validate_bytes,
};

use crate::common::{filled, zip_entries};
use crate::template::fill_template;

fn parts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("inflate");
            (
                entry.name().expect("name").to_string(),
                String::from_utf8_lossy(&data).into_owned(),
            )
        })
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    parts(bytes)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no part {name}"))
        .1
}

fn french_template() -> Vec<u8> {
    Template::new(&Schema::default())
        .locale(Catalog::french())
        .to_bytes()
        .expect("template builds")
}

fn workbook_with_headers(headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (row, values) in rows.iter().enumerate() {
        for (col, value) in values.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(row as u32 + 1, col as u16, *value)
                    .unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

const FRENCH_HEADERS: [&str; 9] = [
    "Nom",
    "Courriel",
    "Pays",
    "Région",
    "Langue",
    "Titre du poste",
    "Service",
    "Matricule",
    "Date d'embauche",
];

#[test]
fn the_french_template_has_french_sheets_headers_notes_drop_downs_and_location_names() {
    let bytes = french_template();
    let workbook = part(&bytes, "xl/workbook.xml");
    for sheet in [
        r#"name="Utilisateurs""#,
        r#"name="Instructions""#,
        r#"name="Codes de lieux""#,
        r#"name="Listes""#,
    ] {
        assert!(workbook.contains(sheet), "{sheet} in {workbook}");
    }
    assert!(!workbook.contains(r#"name="Users""#));
    let strings = part(&bytes, "xl/sharedStrings.xml");
    for text in FRENCH_HEADERS.iter().map(|h| h.replace('\'', "&apos;")) {
        let plain = text.replace("&apos;", "'");
        assert!(
            strings.contains(&format!(">{text}<")) || strings.contains(&format!(">{plain}<")),
            "header {plain}"
        );
    }
    // Instructions and the location codes sheet, in French.
    for text in [
        "Importation d&apos;utilisateurs",
        "Remplissez un utilisateur par ligne dans la feuille Utilisateurs, à partir de la ligne 2.",
        "Écrivez les dates sous la forme AAAA-MM-JJ, par exemple 2024-03-31.",
        ">Quoi saisir<",
        ">Allemagne<",
        ">États-Unis<",
        ">Québec<",
    ] {
        let alt = text.replace("&apos;", "'");
        assert!(
            strings.contains(text) || strings.contains(&alt),
            "`{text}` in the shared strings"
        );
    }
    // Header notes: required, format, description and example, in French.
    let notes = parts(&bytes)
        .into_iter()
        .find(|(n, _)| n.starts_with("xl/comments"))
        .expect("notes")
        .1;
    assert!(
        notes.contains("Obligatoire. Une seule adresse courriel. L&apos;adresse à laquelle l&apos;invitation est envoyée.")
            || notes.contains("Obligatoire. Une seule adresse courriel. L'adresse à laquelle l'invitation est envoyée."),
        "{notes}"
    );
    assert!(notes.contains("Exemple : ann.lee@example.com"), "{notes}");
    assert!(notes.contains("Facultatif. Du texte."), "{notes}");
    // Drop-downs on the hidden Listes sheet, with French messages.
    let users = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        users.contains("<formula1>'Listes'!$A$2:$A$250</formula1>"),
        "{users}"
    );
    assert!(users.contains(r#"errorTitle="Pays non valide""#), "{users}");
    assert!(
        users.contains("Choisissez un code de pays, ou consultez la feuille Codes de lieux."),
        "{users}"
    );
    assert!(
        users.contains("Choisissez l&apos;une des valeurs : Anglais, Français")
            || users.contains("Choisissez l'une des valeurs : Anglais, Français")
    );
}

#[tokio::test]
async fn a_filled_french_template_imports_and_its_summary_speaks_french() {
    let schema = Schema::default();
    let rows = vec![
        vec![
            "Anne Tremblay",
            "anne.tremblay@example.ca",
            "CA",
            "QC",
            "fr",
            "Infirmière",
            "Urgence",
            "000042",
            "2023-09-01",
        ],
        vec!["Bob Lee", "bob@example.com", "us", "US-NY", "EN"],
    ];
    let upload = fill_template(&french_template(), &rows);

    // It reads as valid, values exactly as typed (codes and choices made canonical).
    let validation = validate_bytes(&upload, &schema, &Limits::default()).unwrap();
    assert!(validation.is_valid(), "{:?}", validation.issues());
    assert_eq!(validation.sheet, "Utilisateurs");
    let first = &validation.records()[0];
    assert_eq!(first.get(0), "Anne Tremblay");
    assert_eq!(first.get(3), "CA-QC");
    assert_eq!(first.get(5), "Infirmière");
    assert_eq!(first.get(7), "000042");
    assert_eq!(first.get(8), "2023-09-01");
    assert_eq!(validation.records()[1].get(2), "US");
    assert_eq!(validation.records()[1].get(4), "en");

    // And it imports.
    let store = MemoryStore::new();
    store.add_group("g-1", "Infirmières");
    let mailer = MemoryMailer::new();
    let importer = Importer::new(
        schema,
        Stores::single(Arc::new(store.clone()), Arc::new(mailer.clone())),
    );
    let mut request = ImportRequest::new("fr-1", "utilisateurs.xlsx");
    request.groups = vec!["Infirmières".to_string()];
    request.message = "Bienvenue !".to_string();
    request.locale = Catalog::french();
    let summary = importer.run(&request, &upload, &|_| {}).await.unwrap();
    assert_eq!(
        summary.status,
        ImportStatus::Completed,
        "{}",
        summary.reason
    );
    assert_eq!(summary.counts.created, 2);
    let state = store.snapshot();
    let mut emails: Vec<&str> = state.users.values().map(|u| u.email.as_str()).collect();
    emails.sort_unstable();
    assert_eq!(emails, ["anne.tremblay@example.ca", "bob@example.com"]);
    let anne = state
        .users
        .values()
        .find(|u| u.email == "anne.tremblay@example.ca")
        .unwrap();
    assert_eq!(anne.attributes.get("region"), Some("CA-QC"));
    assert_eq!(anne.attributes.get("employee_id"), Some("000042"));
    let delivered = mailer.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(delivered.iter().all(|i| i.message == "Bienvenue !"));
    assert_eq!(
        Catalog::french().describe(&summary),
        "2 utilisateurs créés, 0 utilisateur existant ajouté aux groupes, 0 laissé tel quel ; 2 invitations envoyées, 0 non remise"
    );

    // A French file with mistakes fails, in French, naming the French headers.
    let bad = fill_template(
        &french_template(),
        &[
            vec!["Chloé Roy", "chloe.roy.example.ca", "Allemagne", "", "fr"],
            vec!["Dmitri Ivanov", "dmitri@example.com", "CA", "US-NY", "de"],
        ],
    );
    let before = store.snapshot();
    let mut request = ImportRequest::new("fr-2", "utilisateurs.xlsx");
    request.locale = Catalog::french();
    let summary = importer.run(&request, &bad, &|_| {}).await.unwrap();
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(store.snapshot().users, before.users);
    let messages: Vec<&str> = summary.issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "ligne 2, Courriel : « chloe.roy.example.ca » n'est pas une adresse courriel valide : elle n'a pas de @ ; tapez une seule adresse, comme nom@exemple.com",
            "ligne 2, Pays : « Allemagne » est un nom de pays ; utilisez le code « DE »",
            "ligne 2, Région : la valeur manque ; le pays Allemagne (DE) a des régions, donnez donc l'un de ses codes de région, comme « DE-BB »",
            "ligne 3, Région : « US-NY » est une région du pays États-Unis (US), mais le pays de la ligne est Canada (CA) ; corrigez le pays ou la région",
            "ligne 3, Langue : « de » ne fait pas partie des choix (en, fr) ; choisissez-en un dans la liste déroulante",
        ]
    );
    assert_eq!(
        summary.reason,
        "5 problèmes dans 2 lignes ; corrigez le fichier et téléversez-le de nouveau"
    );
    assert_eq!(
        summary.issues[1].column.as_deref(),
        Some("Pays"),
        "the column as written in the file"
    );
}

/// A sample issue of `code` whose every placeholder has a value.
fn sample(code: IssueCode) -> Issue {
    let english = user_import::english(code);
    let mut issue = Issue::new(code).at(7, "Courriel").value("x@y");
    for name in placeholders(english) {
        if !matches!(name.as_str(), "row" | "column" | "value") {
            issue = issue.arg(&name, format!("<{name}>"));
        }
    }
    issue
}

/// The names of `{name}` placeholders and of plural blocks' counts (`{name, plural, …}`).
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let tail = &after[name.len()..];
        if !name.is_empty() && (tail.starts_with('}') || tail.starts_with(", plural,")) {
            out.insert(name);
        }
        rest = after;
    }
    out
}

#[test]
fn every_issue_code_has_a_message_in_both_languages_with_every_placeholder_filled() {
    let english = Catalog::english();
    let french = Catalog::french();
    assert_eq!(english.check(), Vec::<String>::new());
    assert_eq!(french.check(), Vec::<String>::new());
    for &code in IssueCode::ALL {
        let issue = sample(code);
        let en = english.issue_message(&issue);
        let fr = french.issue_message(&issue);
        assert_eq!(
            en, issue.message,
            "{code}: the English catalogue is the default"
        );
        for (language, message) in [("en", &en), ("fr", &fr)] {
            assert!(!message.contains('{'), "{code} in {language}: {message}");
            assert!(message.contains('7'), "{code} in {language}: {message}");
            assert!(
                message.contains("Courriel"),
                "{code} in {language}: {message}"
            );
            for name in placeholders(user_import::english(code)) {
                if user_import::english(code).contains(&format!("{{{name}, plural,")) {
                    continue; // A count that picks a plural form (tested on its own).
                }
                let wanted = match name.as_str() {
                    "row" => "7".to_string(),
                    "column" => "Courriel".to_string(),
                    "value" => "x@y".to_string(),
                    other => format!("<{other}>"),
                };
                assert!(
                    message.contains(&wanted),
                    "{code} in {language} lost {{{name}}}: {message}"
                );
            }
        }
        if code != IssueCode::FileRejected {
            assert_ne!(en, fr, "{code} is not translated");
        }
        assert!(fr.starts_with("ligne 7, Courriel : "), "{fr}");
    }
    // Every key, not only issue codes, is in both catalogues.
    assert_eq!(english.keys(), french.keys());
    for key in french.keys() {
        if key.starts_with("template.locations.code")
            || key.starts_with("template.sheet.instructions")
            || key == "report.code"
            || key == "report.message"
            || key == "template.locations.type"
            || key.ends_with(".other")
            || key == "file.rejected"
            || key == "error.store.failed"
        {
            continue; // The same word in both languages.
        }
        assert_ne!(
            english.text(key),
            french.text(key),
            "`{key}` is not translated"
        );
    }
}

/// Every issue the validator actually produces carries every placeholder its message names,
/// in both languages: a file with one of each problem.
#[test]
fn issues_from_a_real_file_fill_every_placeholder_in_both_languages() {
    let long = "x".repeat(300);
    let upload = filled(&[
        &["", "ann@example.com", "CA", "CA-QC", "en"],
        &["Bob", "bob@", "CA", "CA-QC", "en"],
        &["Cy", "cy@example.com", "Canada", "CA-QC", "en"],
        &["Di", "di@example.com", "CAN", "CA-QC", "en"],
        &["Ed", "ed@example.com", "ZZ", "", "en"],
        &["Fa", "fa@example.com", "CA", "Quebec", "en"],
        &["Gi", "gi@example.com", "CA", "CA-ZZ", "en"],
        &["Hu", "hu@example.com", "CA", "US-NY", "en"],
        &["Io", "io@example.com", "CA", "", "en"],
        &["Jo", "jo@example.com", "AQ", "X", "en"],
        &[
            "Ka",
            "ka@example.com",
            "CA",
            "CA-QC",
            "en",
            "",
            "",
            "",
            "31/12/2024",
        ],
        &[
            "Li",
            "li@example.com",
            "CA",
            "CA-QC",
            "en",
            "",
            "",
            "",
            "2024-02-30",
        ],
        &["Mo", "mo@example.com", "CA", "CA-QC", "es"],
        &["Ni\u{7}", "ni@example.com", "CA", "CA-QC", "en"],
        &[&long, "ol@example.com", "CA", "CA-QC", "en"],
        &["Pa", "ANN@example.com", "CA", "CA-QC", "en"],
        &["Qi", "qi@exa mple.com", "CA", "CA-QC", "en"],
    ]);
    let validation = validate_bytes(&upload, &Schema::default(), &Limits::default()).unwrap();
    let codes: BTreeSet<&str> = validation
        .issues()
        .iter()
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        [
            "choice.invalid",
            "country.alpha3_code",
            "country.name_not_code",
            "country.unknown",
            "date.format",
            "date.impossible",
            "email.duplicate",
            "email.invalid",
            "region.country_mismatch",
            "region.name_not_code",
            "region.not_expected",
            "region.required",
            "region.unknown",
            "value.control_character",
            "value.required",
            "value.too_long",
        ]
    );
    for catalog in [Catalog::english(), Catalog::french()] {
        for issue in validation.issues() {
            let message = catalog.issue_message(issue);
            let template = catalog.text(issue.code.as_str());
            let keyed: Vec<&str> = issue
                .args
                .iter()
                .filter(|(name, _)| name.ends_with("_key"))
                .filter_map(|(_, key)| catalog.get(key))
                .collect();
            for text in std::iter::once(template).chain(keyed) {
                for name in placeholders(text) {
                    assert!(
                        !message.contains(&format!("{{{name}}}")),
                        "{} in {} leaves {{{name}}}: {message}",
                        issue.code,
                        catalog.language()
                    );
                }
            }
        }
    }
}

#[test]
fn representative_messages_read_exactly_in_english_and_french() {
    let upload = filled(&[
        &["Ann Lee", "ann@example", "CA", "CA-QC", "en"],
        &[
            "Bob Roy",
            "bob@example.com",
            "Canada",
            "CA-QC",
            "en",
            "",
            "",
            "",
            "31/12/2024",
        ],
    ]);
    let mut validation = validate_bytes(&upload, &Schema::default(), &Limits::default()).unwrap();
    let english: Vec<String> = validation
        .issues()
        .iter()
        .map(|i| i.message.clone())
        .collect();
    assert_eq!(
        english,
        [
            "row 2, Email: `ann@example` is not a valid email address: the domain `example` has no dot; type one address such as name@example.com",
            "row 3, Country: `Canada` is a country name; use the code `CA`",
            "row 3, Hire date: `31/12/2024` is not a date in the format YYYY-MM-DD; type it as YYYY-MM-DD, for example 2024-03-31",
        ]
    );
    validation.localize(&Catalog::french());
    let french: Vec<&str> = validation
        .issues()
        .iter()
        .map(|i| i.message.as_str())
        .collect();
    assert_eq!(
        french,
        [
            "ligne 2, Email : « ann@example » n'est pas une adresse courriel valide : le domaine « example » n'a pas de point ; tapez une seule adresse, comme nom@exemple.com",
            "ligne 3, Country : « Canada » est un nom de pays ; utilisez le code « CA »",
            "ligne 3, Hire date : « 31/12/2024 » n'est pas une date au format AAAA-MM-JJ ; tapez-la sous la forme AAAA-MM-JJ, par exemple 2024-03-31",
        ]
    );

    // The seat limit, from its named values.
    let seats = Issue::new(IssueCode::SeatLimit)
        .arg("needed", "12")
        .arg("left", "10")
        .arg("active", "90")
        .arg("limit", "100")
        .arg("over", "2");
    assert_eq!(
        Catalog::english().issue_message(&seats),
        "the file creates 12 new users but only 10 seats are left (90 of 100 in use); remove 2 new users from the file or raise the subscription's limit"
    );
    assert_eq!(
        Catalog::french().issue_message(&seats),
        "le fichier crée 12 nouveaux utilisateurs, mais il ne reste que 10 places (90 sur 100 occupées) ; retirez 2 nouveaux utilisateurs du fichier ou augmentez la limite de l'abonnement"
    );

    // A rejected file: every error kind in English is exactly its Display, and French names
    // the same values.
    let errors = [
        Error::NotXlsx {
            kind: FileKind::Csv,
        },
        Error::NotXlsx {
            kind: FileKind::Encrypted,
        },
        Error::LimitExceeded {
            what: Limit::Rows,
            value: 1_000_001,
            limit: 1_000_000,
        },
        Error::MissingColumns {
            sheet: "Users".into(),
            missing: "`Email`".into(),
            count: 1,
            header_row: 1,
        },
        Error::MissingColumns {
            sheet: "Users".into(),
            missing: "`Email`, `Country`".into(),
            count: 2,
            header_row: 3,
        },
        Error::NoRows {
            sheet: "Users".into(),
            first_row: 2,
        },
    ];
    for error in &errors {
        assert_eq!(Catalog::english().error_message(error), error.to_string());
    }
    let french: Vec<String> = errors
        .iter()
        .map(|e| Catalog::french().error_message(e))
        .collect();
    assert_eq!(
        french,
        [
            "le fichier est un fichier texte CSV, et non un classeur Excel ; ouvrez-le dans Excel ou LibreOffice et enregistrez-le comme classeur Excel (.xlsx), ou remplissez le modèle téléchargé",
            "le fichier est un classeur protégé par mot de passe, et non un classeur Excel ; retirez le mot de passe (Fichier > Informations > Protéger le classeur) et enregistrez-le de nouveau en .xlsx",
            "le fichier dépasse la limite de 1000000 pour le nombre de lignes d'utilisateurs (1000001) ; répartissez les utilisateurs sur plusieurs fichiers",
            "il manque à la feuille « Users » la colonne obligatoire `Email` ; ajoutez-la à la ligne d'en-tête (ligne 1) ou remplissez le modèle téléchargé",
            "il manque à la feuille « Users » les colonnes obligatoires `Email`, `Country` ; ajoutez-les à la ligne d'en-tête (ligne 3) ou remplissez le modèle téléchargé",
            "la feuille « Users » n'a aucun utilisateur sous la ligne d'en-tête ; ajoutez un utilisateur par ligne, à partir de la ligne 2",
        ]
    );
}

#[tokio::test]
async fn a_rejected_file_is_explained_in_the_request_language() {
    let store = MemoryStore::new();
    let importer = Importer::new(
        Schema::default(),
        Stores::single(Arc::new(store.clone()), Arc::new(MemoryMailer::new())),
    );
    let mut request = ImportRequest::new("pdf-1", "users.pdf");
    request.locale = Catalog::french();
    let summary = importer
        .run(&request, b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n", &|_| {})
        .await
        .unwrap();
    assert_eq!(summary.status, ImportStatus::Failed);
    assert_eq!(summary.issues.len(), 1);
    assert_eq!(summary.issues[0].code, IssueCode::FileRejected);
    assert_eq!(
        summary.issues[0].get_arg("error_code"),
        Some("file.not_xlsx")
    );
    assert_eq!(
        summary.issues[0].message,
        "le fichier est un document PDF, et non un classeur Excel ; ouvrez-le dans Excel ou LibreOffice et enregistrez-le comme classeur Excel (.xlsx), ou remplissez le modèle téléchargé"
    );
    assert_eq!(
        summary.reason,
        format!("le fichier a été refusé : {}", summary.issues[0].message)
    );
    // The same in English, the default.
    let summary = importer
        .run(
            &ImportRequest::new("pdf-2", "users.pdf"),
            b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n",
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        summary.issues[0].message,
        "the file is a PDF document, not an Excel workbook; open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or fill in the downloaded template"
    );
}

#[test]
fn headers_match_in_either_language_and_through_aliases() {
    let schema = Schema::default();
    let row: &[&str] = &["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"];
    // French headers into an English host.
    let french = workbook_with_headers(&FRENCH_HEADERS, &[row]);
    let validation = validate_bytes(&french, &schema, &Limits::default()).unwrap();
    assert!(validation.is_valid(), "{:?}", validation.issues());
    assert_eq!(validation.records()[0].get(1), "ann@example.com");
    assert_eq!(validation.headers[1].as_deref(), Some("Courriel"));
    // Mixed, odd case and spaces, and a shipped alias.
    let mixed = workbook_with_headers(&[" NOM ", "E-mail", "pays", "Region", "LANGUE"], &[row]);
    let validation = validate_bytes(&mixed, &schema, &Limits::default()).unwrap();
    assert!(validation.is_valid(), "{:?}", validation.issues());
    assert_eq!(validation.records()[0].get(2), "CA");
    // The same column twice, in two languages, is refused by name.
    let twice = workbook_with_headers(
        &["Name", "Email", "Country", "Region", "Language", "Courriel"],
        &[row],
    );
    match validate_bytes(&twice, &schema, &Limits::default()) {
        Err(Error::DuplicateColumn {
            header,
            first,
            second,
            ..
        }) => {
            assert_eq!(
                (header.as_str(), first.as_str(), second.as_str()),
                ("Courriel", "B", "F")
            );
        }
        other => panic!("expected a duplicate column, got {other:?}"),
    }
    // A host's own column with its translation and alias.
    let schema = Schema::builder()
        .column(
            Column::new("cost_centre", "Cost centre", ColumnKind::Text)
                .required(true)
                .translation("fr", "Centre de coûts", "")
                .alias("CC"),
        )
        .build()
        .unwrap();
    for header in ["Cost centre", "centre de coûts", "cc"] {
        let upload = workbook_with_headers(
            &["Name", "Email", "Country", "Region", "Language", header],
            &[&["Ann Lee", "ann@example.com", "CA", "CA-QC", "en", "North"]],
        );
        let validation = validate_bytes(&upload, &schema, &Limits::default()).unwrap();
        assert!(validation.is_valid(), "{header}: {:?}", validation.issues());
        assert_eq!(validation.records()[0].get(9), "North", "{header}");
    }
    // An alias that another column already uses is a schema error naming both.
    let clash = Schema::builder()
        .column(Column::new("mail2", "Other", ColumnKind::Text).alias("Courriel"))
        .build();
    match clash {
        Err(Error::Schema(message)) => assert_eq!(
            message,
            "the header `Courriel` is used by two columns (`email` and `mail2`)"
        ),
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[test]
fn the_french_sheet_name_is_found_by_name_even_after_other_sheets() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let notes = workbook.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "Nom").unwrap();
    notes.write_string(0, 1, "Courriel").unwrap();
    let users = workbook.add_worksheet();
    users.set_name("Utilisateurs").unwrap();
    for (col, header) in FRENCH_HEADERS.iter().enumerate() {
        users.write_string(0, col as u16, *header).unwrap();
    }
    for (col, value) in ["Ann Lee", "ann@example.com", "CA", "QC", "fr"]
        .iter()
        .enumerate()
    {
        users.write_string(1, col as u16, *value).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let validation = validate_bytes(&bytes, &Schema::default(), &Limits::default()).unwrap();
    assert_eq!(validation.sheet, "Utilisateurs");
    assert_eq!(validation.row_count(), 1);
    assert!(validation.is_valid());
}

#[test]
fn location_search_finds_french_names() {
    for (query, code) in [
        ("Québec", "CA-QC"),
        ("quebec", "CA-QC"),
        ("Allemagne", "DE"),
        ("États-Unis", "US"),
        ("etats unis", "US"),
        ("Royaume-Uni", "GB"),
        ("Fédération de Russie", "RU"),
        ("Corée du Sud", "KR"),
    ] {
        let found = location::search(query);
        assert_eq!(found.first().map(|l| l.code()), Some(code), "{query}");
    }
    assert_eq!(location::country("DE").unwrap().name_in("fr"), "Allemagne");
    assert_eq!(
        location::country("DE").unwrap().name_in("fr-CA"),
        "Allemagne"
    );
    assert_eq!(location::country("DE").unwrap().name_in("es"), "Germany");
    assert_eq!(location::region("CA-QC").unwrap().name_in("fr"), "Québec");
    assert_eq!(location::region("CA-QC").unwrap().name_in("en"), "Quebec");
    // A French region name typed where the code goes is refused with the code to use.
    let upload = filled(&[&["Ann", "ann@example.com", "DE", "Bavière", "fr"]]);
    let validation = validate_bytes(&upload, &Schema::default(), &Limits::default()).unwrap();
    let issue = &validation.issues()[0];
    assert_eq!(issue.code, IssueCode::RegionName);
    assert_eq!(issue.get_arg("code"), Some("DE-BY"));
}

#[test]
fn the_error_report_speaks_the_catalogue_language() {
    let schema = Schema::default();
    let upload = workbook_with_headers(
        &FRENCH_HEADERS[..5],
        &[&["Ann Lee", "ann@", "CA", "CA-QC", "fr"]],
    );
    let validation = validate_bytes(&upload, &schema, &Limits::default()).unwrap();
    let bytes = ErrorReport::new(&schema, &validation)
        .locale(Catalog::french())
        .to_bytes()
        .unwrap();
    let workbook = part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"name="Liste des problèmes""#),
        "{workbook}"
    );
    let all: String = parts(&bytes)
        .into_iter()
        .filter(|(n, _)| n.starts_with("xl/worksheets/") || n == "xl/sharedStrings.xml")
        .map(|(_, text)| text)
        .collect();
    for text in [
        ">Problèmes<",
        ">Courriel<",
        ">Ligne<",
        "ligne 2, Courriel : « ann@ » n&apos;est pas une adresse courriel valide : rien ne suit le @ ; tapez une seule adresse, comme nom@exemple.com",
    ] {
        let alt = text.replace("&apos;", "'");
        assert!(
            all.contains(text) || all.contains(&alt),
            "`{text}` in the report"
        );
    }
    // A French report uploaded again: its Problèmes column is its own, ignored quietly.
    let again = validate_bytes(&bytes, &schema, &Limits::default()).unwrap();
    let warnings: Vec<(&str, Option<&str>)> = again
        .issues()
        .iter()
        .filter(|i| i.severity == Severity::Warning)
        .map(|i| (i.code.as_str(), i.column.as_deref()))
        .collect();
    assert_eq!(warnings, []);
}

#[test]
fn a_package_that_only_looks_french_is_still_hostile_until_read() {
    // A French sheet name is no way around the package checks.
    let bytes = zip_entries(&[("xl/workbook.xml", b"<workbook><sheets><sheet name=\"Utilisateurs\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")]);
    let error = validate_bytes(&bytes, &Schema::default(), &Limits::default()).unwrap_err();
    assert!(
        matches!(error.code(), "file.corrupt" | "file.not_xlsx"),
        "{error}"
    );
    assert!(!Catalog::french().error_message(&error).contains('{'));
}

#[cfg(feature = "smtp")]
#[tokio::test]
async fn invitations_go_out_in_each_users_language() {
    use user_import::{
        DeliveryStatus, ImportId, Invitation, InvitationId, Mailer, UserId,
        adapters::smtp::FileMailer,
    };
    let folder = std::env::temp_dir().join(format!("user-import-locale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let mailer = FileMailer::new(&folder, "LMS <noreply@example.com>").unwrap();
    let invitation = |name: &str, email: &str, language: &str| Invitation {
        id: InvitationId(format!("inv-{email}")),
        import: ImportId("i-1".into()),
        user: UserId(format!("u-{email}")),
        name: name.to_string(),
        email: email.to_string(),
        language: language.to_string(),
        message: "Welcome / Bienvenue".to_string(),
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        claimed_at: None,
    };
    let outcomes = mailer
        .send(&[
            invitation("Anne", "anne@example.ca", "fr-CA"),
            invitation("Bob", "bob@example.com", "en"),
            invitation("Cy", "cy@example.com", "de"),
        ])
        .await;
    assert_eq!(outcomes.len(), 3);
    // Whole `.eml` files named after their invitation, no temporary file left.
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3);
    for name in &names {
        assert!(name.ends_with(".eml") && !name.starts_with('.'), "{name}");
    }
    let messages: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(messages.len(), 3);
    let find = |who: &str| {
        messages
            .iter()
            .find(|m| m.lines().any(|l| l.starts_with("To:") && l.contains(who)))
            .unwrap_or_else(|| panic!("no message to {who}"))
            .clone()
    };
    assert!(find("anne@example.ca").contains("Bonjour Anne,"));
    assert!(find("bob@example.com").contains("Hello Bob,"));
    assert!(
        find("cy@example.com").contains("Hello Cy,"),
        "English for other languages"
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
fn lists_of_rows_are_joined_in_the_catalogue_language() {
    let upload = filled(&[
        &["Ann Lee", "ann@example.com", "CA", "CA-QC", "en"],
        &["Bob Roy", "bob@example.com", "CA", "CA-QC", "en"],
        &["Ann Again", "ANN@example.com", "CA", "CA-QC", "en"],
        &["Ann Thrice", "ann@EXAMPLE.com", "CA", "CA-QC", "en"],
    ]);
    let mut validation = validate_bytes(&upload, &Schema::default(), &Limits::default()).unwrap();
    assert_eq!(
        validation.issues()[0].message,
        "row 2, Email: `ann@example.com` appears on rows 2, 4 and 5 (emails are compared ignoring case); give each user their own address, or remove the extra rows"
    );
    validation.localize(&Catalog::french());
    assert_eq!(
        validation.issues()[0].message,
        "ligne 2, Email : « ann@example.com » figure aux lignes 2, 4 et 5 (les adresses sont comparées sans tenir compte des majuscules) ; donnez à chaque utilisateur sa propre adresse, ou supprimez les lignes en trop"
    );
    // Past twenty rows, the rest are counted.
    let rows: Vec<Vec<String>> = (0..23)
        .map(|i| {
            vec![
                format!("User {i}"),
                "same@example.com".to_string(),
                "CA".into(),
                "CA-QC".into(),
                "en".into(),
            ]
        })
        .collect();
    let borrowed: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let slices: Vec<&[&str]> = borrowed.iter().map(Vec::as_slice).collect();
    let validation =
        validate_bytes(&filled(&slices), &Schema::default(), &Limits::default()).unwrap();
    let french = Catalog::french().issue_message(&validation.issues()[0]);
    assert!(
        french.contains("aux lignes 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 et 3 autres ("),
        "{french}"
    );
    assert!(
        validation.issues()[0]
            .message
            .contains("on rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 and 3 more ("),
        "{}",
        validation.issues()[0].message
    );
}
