//! Names and texts that cannot deceive: format characters that reorder or hide text are an
//! issue on their cell, and text from the file (a header, a sheet name) reaches a message with
//! its control and format characters escaped.

use user_import::{Catalog, Error, Issue, IssueCode, Severity, Validation};

use crate::common::*;

/// The default schema's row `values` with `value` in column `column` (0 = Name).
fn with_value(column: usize, value: &str) -> Validation {
    let mut values = ann();
    values[column] = value;
    read_ok(&filled(&[&values]))
}

/// The only issue of `validation`.
fn only_issue(validation: &Validation) -> &Issue {
    let issues = validation.issues();
    assert_eq!(issues.len(), 1, "{issues:#?}");
    &issues[0]
}

#[test]
fn a_name_with_a_right_to_left_override_is_an_error_on_the_name_column() {
    let validation = with_value(0, "Ann \u{202E}eeL");
    let issue = only_issue(&validation);
    assert_eq!(
        (
            issue.row,
            issue.column.as_deref(),
            issue.code,
            issue.severity
        ),
        (
            Some(2),
            Some("Name"),
            IssueCode::FormatCharacter,
            Severity::Error
        )
    );
    assert_eq!(issue.code.as_str(), "value.format_character");
    assert_eq!(issue.value.as_deref(), Some("Ann \u{202E}eeL"));
    assert_eq!(
        issue.get_arg("character"),
        Some("U+202E RIGHT-TO-LEFT OVERRIDE")
    );
    // The message quotes the value with the character escaped, never raw.
    assert_eq!(
        issue.message,
        "row 2, Name: `Ann \\u{202E}eeL` contains the invisible character U+202E RIGHT-TO-LEFT \
         OVERRIDE, which reverses the text shown after it; delete it and type the value again"
    );
    assert_eq!(
        Catalog::french().issue_message(issue),
        "ligne 2, Name : « Ann \\u{202E}eeL » contient le caractère invisible U+202E \
         RIGHT-TO-LEFT OVERRIDE, qui inverse le texte affiché après lui ; supprimez-le et tapez \
         de nouveau la valeur"
    );
    assert!(!validation.is_valid());
}

#[test]
fn every_reordering_character_inside_a_name_is_refused_with_its_name() {
    for (ch, label, effect) in [
        (
            '\u{202A}',
            "U+202A LEFT-TO-RIGHT EMBEDDING",
            "value.format_effect.reorder",
        ),
        (
            '\u{202B}',
            "U+202B RIGHT-TO-LEFT EMBEDDING",
            "value.format_effect.reorder",
        ),
        (
            '\u{202C}',
            "U+202C POP DIRECTIONAL FORMATTING",
            "value.format_effect.reorder",
        ),
        (
            '\u{202D}',
            "U+202D LEFT-TO-RIGHT OVERRIDE",
            "value.format_effect.reorder",
        ),
        (
            '\u{2066}',
            "U+2066 LEFT-TO-RIGHT ISOLATE",
            "value.format_effect.reorder",
        ),
        (
            '\u{2067}',
            "U+2067 RIGHT-TO-LEFT ISOLATE",
            "value.format_effect.reorder",
        ),
        (
            '\u{2068}',
            "U+2068 FIRST STRONG ISOLATE",
            "value.format_effect.reorder",
        ),
        (
            '\u{2069}',
            "U+2069 POP DIRECTIONAL ISOLATE",
            "value.format_effect.reorder",
        ),
        (
            '\u{200B}',
            "U+200B ZERO WIDTH SPACE",
            "value.format_effect.hide",
        ),
        (
            '\u{200E}',
            "U+200E LEFT-TO-RIGHT MARK",
            "value.format_effect.reorder",
        ),
        (
            '\u{200F}',
            "U+200F RIGHT-TO-LEFT MARK",
            "value.format_effect.reorder",
        ),
        (
            '\u{2028}',
            "U+2028 LINE SEPARATOR",
            "value.format_effect.line",
        ),
        (
            '\u{2029}',
            "U+2029 PARAGRAPH SEPARATOR",
            "value.format_effect.line",
        ),
        (
            '\u{FEFF}',
            "U+FEFF ZERO WIDTH NO-BREAK SPACE",
            "value.format_effect.hide",
        ),
        (
            '\u{E0041}',
            "U+E0041 TAG CHARACTER",
            "value.format_effect.hide",
        ),
    ] {
        let name = format!("Ann{ch}Lee");
        let validation = with_value(0, &name);
        let issue = only_issue(&validation);
        assert_eq!(
            (issue.column.as_deref(), issue.code),
            (Some("Name"), IssueCode::FormatCharacter),
            "{label}"
        );
        assert_eq!(issue.get_arg("character"), Some(label));
        assert_eq!(issue.get_arg("effect_key"), Some(effect));
        assert!(
            !issue.message.contains(ch),
            "{label} raw in {}",
            issue.message
        );
    }
}

#[test]
fn zero_width_characters_at_the_edges_are_trimmed_silently() {
    let validation = with_value(0, "\u{FEFF}\u{200B}Ann Lee\u{200B}");
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(0), "Ann Lee");
}

#[test]
fn soft_hyphens_and_word_joiners_inside_are_removed_silently() {
    let validation = with_value(0, "Ann Lee\u{00AD}Roy\u{2060}");
    assert_eq!(validation.issues(), &[]);
    assert_eq!(validation.records()[0].get(0), "Ann LeeRoy");
}

/// The chosen rule for the zero-width joiner and non-joiner: accepted between two letters (or
/// a letter and a combining mark), where Persian and the Indic scripts need them to spell a
/// name; refused anywhere else, where they only hide.
#[test]
fn joiners_are_accepted_between_letters_and_refused_elsewhere() {
    // Persian: a non-joiner between two letters of a given name.
    let persian = "مهدی\u{200C}زاده";
    assert_eq!(with_value(0, persian).issues(), &[]);
    // Malayalam: a joiner after a virama (a combining mark) makes a chillu letter.
    let malayalam = "കാര്\u{200D}ത്തിക്";
    assert_eq!(with_value(0, malayalam).issues(), &[]);
    // Before a space, after a digit: it hides, and is refused.
    for name in ["Ann\u{200D} Lee", "Ann 2\u{200C}Lee", "Ann\u{200D}-Lee"] {
        let validation = with_value(0, name);
        let issue = only_issue(&validation);
        assert_eq!(issue.code, IssueCode::FormatCharacter, "{name:?}");
        assert_eq!(
            issue.get_arg("effect_key"),
            Some("value.format_effect.hide")
        );
    }
}

#[test]
fn a_format_character_in_another_text_column_is_refused_there() {
    let validation = with_value(6, "Emer\u{2066}gency");
    let issue = only_issue(&validation);
    assert_eq!(
        (issue.column.as_deref(), issue.code),
        (Some("Department"), IssueCode::FormatCharacter)
    );
    assert_eq!(
        issue.get_arg("character"),
        Some("U+2066 LEFT-TO-RIGHT ISOLATE")
    );
}

#[test]
fn an_email_with_a_format_character_keeps_its_own_reason() {
    let validation = with_value(1, "ann\u{202E}@example.com");
    let issue = only_issue(&validation);
    assert_eq!(issue.code, IssueCode::EmailInvalid);
    assert_eq!(issue.get_arg("reason_key"), Some("email.reason.invisible"));
    assert!(
        issue
            .message
            .starts_with("row 2, Email: `ann\\u{202E}@example.com` is not"),
        "{}",
        issue.message
    );
}

#[test]
fn a_header_with_an_escape_byte_is_shown_escaped_in_the_unknown_column_warning() {
    let mut headers = HEADERS.to_vec();
    headers.push("Dept_x001B_[31m");
    let mut values = ann();
    values.push("x");
    let bytes = sheet_of(&headers, &values);
    let validation = read_ok(&bytes);
    let issue = only_issue(&validation);
    assert_eq!(issue.code, IssueCode::UnknownColumn);
    // The header as read (calamine decodes `_x001B_`), kept raw as data...
    assert_eq!(issue.column.as_deref(), Some("Dept\u{1b}[31m"));
    // ...and escaped in every message.
    assert_eq!(
        issue.message,
        "column Dept\\u{001B}[31m: this column is not part of the template and is ignored; \
         rename it to one of the template's headers or remove it"
    );
    let french = Catalog::french().issue_message(issue);
    assert!(
        french.starts_with("colonne Dept\\u{001B}[31m : "),
        "{french}"
    );
}

#[test]
fn a_sheet_name_with_a_right_to_left_override_is_escaped_in_sheet_not_found() {
    let bytes =
        Package::with_sheet("Data\u{202E}xslx.exe", &inline_row(1, &["Nom", "Courriel"])).build();
    let error = check(&bytes).expect_err("no sheet holds the users");
    assert!(matches!(&error, Error::SheetNotFound { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("the file has the sheets `Data\\u{202E}xslx.exe`"),
        "{message}"
    );
    assert!(!message.contains('\u{202E}'), "{message}");
    let french = Catalog::french().error_message(&error);
    assert!(!french.contains('\u{202E}'), "{french}");
    assert!(french.contains("Data\\u{202E}xslx.exe"), "{french}");
}

#[test]
fn a_header_with_a_format_character_is_escaped_in_the_duplicate_column_error() {
    let mut headers = HEADERS.to_vec();
    // Matched as `Name` (invisible characters do not count in a header), so a second Name.
    headers.push("Na\u{202E}me");
    let mut values = ann();
    values.push("x");
    let error = check(&sheet_of(&headers, &values)).expect_err("a duplicate column");
    assert!(
        matches!(&error, Error::DuplicateColumn { header, .. } if header == "Na\u{202E}me"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "sheet `Users` has the column `Na\\u{202E}me` twice (columns A and J); keep one and \
         delete the other"
    );
}

/// A one-sheet workbook `Users` with `headers` on row 1 and `values` on row 2, as inline
/// strings written as given (Excel escapes such as `_x001B_` kept for the reader to decode).
fn sheet_of(headers: &[&str], values: &[&str]) -> Vec<u8> {
    let data = format!("{}{}", inline_row(1, headers), inline_row(2, values));
    Package::with_sheet("Users", &data).build()
}
