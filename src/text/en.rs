//! The English texts: the crate's default language and the reference every other catalogue is
//! checked against ([`Catalog::check`](crate::Catalog::check)).

/// The message of each issue code (keyed by [`IssueCode::as_str`](crate::IssueCode::as_str)),
/// without the `row N, Column:` prefix. Placeholders in braces are filled from the issue:
/// `{row}`, `{column}`, `{value}` and the issue's named arguments.
pub(super) const ISSUES: &[(&str, &str)] = &[
    (
        "value.required",
        "the value is missing; fill in {column} for every user",
    ),
    (
        "cell.formula",
        "the cell holds the formula `{formula}`; type the value itself as text",
    ),
    (
        "cell.error_value",
        "the cell holds the error value `{value}`; type the value itself as text",
    ),
    (
        "value.control_character",
        "`{value}` contains a control character ({character}); remove it and keep the value on one line",
    ),
    (
        "value.format_character",
        "`{value}` contains the invisible character {character}, which {effect}; delete it and type the value again",
    ),
    (
        "value.too_long",
        "the value is {length, plural, one {# character} other {# characters}} long, over the limit of {limit}; shorten it",
    ),
    (
        "email.invalid",
        "`{value}` is not a valid email address: {reason}; type one address such as name@example.com",
    ),
    (
        "email.duplicate",
        "`{value}` appears on rows {rows} (emails are compared ignoring case); give each user their own address, or remove the extra rows",
    ),
    (
        "country.name_not_code",
        "`{value}` is a country name; use the code `{code}`",
    ),
    (
        "country.alpha3_code",
        "`{value}` is a three-letter country code; use the two-letter code `{code}`",
    ),
    (
        "country.unknown",
        "`{value}` is not an ISO 3166-1 country code; use a two-letter code from the Location codes sheet, such as `CA` for Canada",
    ),
    (
        "country.required_from_region",
        "the value is missing; the region `{region}` is in {region_country}, so fill in `{code}`",
    ),
    (
        "region.name_not_code",
        "`{value}` is a region name; use the code `{code}`",
    ),
    (
        "region.unknown",
        "`{value}` is not a region code of {country}; use a code from the Location codes sheet, such as `{example}`",
    ),
    (
        "region.country_mismatch",
        "`{value}` is a region of {region_country}, but the row's country is {country}; correct the country or the region",
    ),
    (
        "region.required",
        "the value is missing; {country} has regions, so give one of its region codes, such as `{example}`",
    ),
    (
        "region.not_expected",
        "`{value}` is not a region of {country}, which has no regions; leave the cell empty",
    ),
    (
        "file.too_many_issues",
        "{count, plural, one {# more issue was found and is not listed} other {# more issues were found and are not listed}}; fix the ones shown and check the file again",
    ),
    ("file.rejected", "{reason}"),
    (
        "import.unknown_groups",
        "{count, plural, one {the group {groups} does not exist; choose an existing group} other {the groups {groups} do not exist; choose existing groups}} and import the file again",
    ),
    (
        "import.seat_limit",
        "the file creates {needed, plural, one {# new user} other {# new users}} but only {left, plural, one {# seat is} other {# seats are}} left ({active} of {limit} in use); remove {over, plural, one {# new user} other {# new users}} from the file or raise the subscription's limit",
    ),
    (
        "import.too_many_conflicts",
        "other imports kept changing the same users ({attempts, plural, one {# attempt} other {# attempts}}); nothing was imported, import the file again",
    ),
    (
        "date.format",
        "`{value}` is not a date in the format YYYY-MM-DD; type it as YYYY-MM-DD, for example 2024-03-31",
    ),
    (
        "date.impossible",
        "`{value}` is not a date that exists; check the day and month and type it as YYYY-MM-DD",
    ),
    (
        "choice.invalid",
        "`{value}` is not one of the choices ({choices}); pick one from the drop-down list",
    ),
    (
        "cell.number_format",
        "the cell shows `{shown}` but holds the number {stored}, which is what is imported; if `{shown}` is meant, format the cell as Text and type it again",
    ),
    (
        "column.unknown",
        "this column is not part of the template and is ignored; rename it to one of the template's headers or remove it",
    ),
    (
        "file.macros_ignored",
        "the workbook holds macros (`{part}`); they were not run and are ignored: only the values in the cells are read",
    ),
    (
        "column.values_without_header",
        "cells in column {letter} have no header and are ignored (first on row {first_row}); move the values under a template header or delete them",
    ),
    (
        "file.encoding_assumed",
        "the file is not UTF-8 text, so it was read as {encoding}, the encoding of Excel's CSV for Western languages; if accented letters look wrong, save it as CSV UTF-8 and upload it again",
    ),
];

/// What went over a limit (`Error::LimitExceeded::what`), by key.
pub(crate) const LIMITS: &[(&str, &str)] = &[
    ("limit.size", "size in bytes"),
    ("limit.parts", "number of parts in the zip package"),
    ("limit.part_size", "largest part, in uncompressed bytes,"),
    ("limit.ratio", "compression ratio of a part"),
    ("limit.total_size", "total uncompressed size in bytes"),
    (
        "limit.shared_strings_size",
        "shared-strings part, in uncompressed bytes,",
    ),
    ("limit.shared_strings", "number of shared strings"),
    (
        "limit.declared_shared_strings",
        "declared number of shared strings",
    ),
    (
        "limit.styles",
        "number of cell formats, fonts, fills and borders in the styles part",
    ),
    ("limit.columns", "number of columns in the header row"),
    ("limit.rows", "number of user rows"),
    ("limit.text", "total length of the cell values in bytes"),
    // Text (CSV) and OpenDocument uploads.
    ("limit.line", "length of one row of text, in bytes,"),
    ("limit.values", "number of values in one row"),
    ("limit.grid_rows", "number of rows, blank ones included,"),
    (
        "limit.ods_memory",
        "memory needed to hold the OpenDocument sheets, in bytes,",
    ),
    ("limit.sheets", "number of sheets"),
    (
        "limit.rereads",
        "number of bytes read to look through its sheets",
    ),
];

/// How to get under a limit (`Error::LimitExceeded::advice`), by key.
pub(crate) const LIMIT_ADVICE: &[(&str, &str)] = &[
    ("limit_advice.split", "split the users over several files"),
    (
        "limit_advice.rereads",
        "its sheets list the same worksheet again and again, which Excel never writes; save the file again from Excel, or copy the users into the template",
    ),
    (
        "limit_advice.sheets",
        "delete the sheets the import does not need, or copy the users into the template",
    ),
    (
        "limit_advice.attachments",
        "save the workbook again from Excel, without attachments or embedded objects",
    ),
    (
        "limit_advice.compression",
        "this is not how Excel compresses a workbook; save the file again from Excel",
    ),
    (
        "limit_advice.styles",
        "delete unused cell styles (long number formats or font names lower the limit), or save the file again from Excel",
    ),
    (
        "limit_advice.columns",
        "delete the columns the template does not have",
    ),
    (
        "limit_advice.shared_text",
        "a shared text counts once for every cell that uses it; split the users over several files",
    ),
    // Text (CSV) and OpenDocument uploads.
    (
        "limit_advice.line",
        "a row this long is a file without line ends, or a quote that is never closed; save the file again as CSV",
    ),
    (
        "limit_advice.grid_rows",
        "a spreadsheet holds at most 1048576 rows; delete the blank lines or split the users over several files",
    ),
    (
        "limit_advice.ods_memory",
        "an OpenDocument sheet is read whole; save the file as an Excel workbook (.xlsx), or split the users over several files",
    ),
];

/// English texts other than the issue messages (which are [`english`]).
pub(super) const EN: &[(&str, &str)] = &[
    ("issue.row_column", "row {row}, {column}: {message}"),
    ("issue.row", "row {row}: {message}"),
    ("issue.column", "column {column}: {message}"),
    ("list.and", "{head} and {last}"),
    ("list.more", "{head} and {more} more"),
    // What an invisible format character does (the `{effect}` of `value.format_character`).
    (
        "value.format_effect.reverse",
        "reverses the text shown after it",
    ),
    (
        "value.format_effect.reorder",
        "changes the order in which the text around it is shown",
    ),
    (
        "value.format_effect.hide",
        "shows as nothing, so the value looks like another one",
    ),
    ("value.format_effect.line", "starts a new line"),
    // Why an email address is not valid.
    ("email.reason.empty", "it is empty"),
    (
        "email.reason.display_name",
        "it includes a name or angle brackets besides the address",
    ),
    ("email.reason.space", "it contains a space"),
    (
        "email.reason.control",
        "it contains the space or control character U+{code_point}",
    ),
    (
        "email.reason.invisible",
        "it contains the invisible character U+{code_point} (often added by copying from a web page or document)",
    ),
    (
        "email.reason.several",
        "it holds more than one address, or a comma or semicolon",
    ),
    ("email.reason.no_at", "it has no @"),
    ("email.reason.two_at", "it has more than one @"),
    ("email.reason.empty_local", "nothing comes before the @"),
    ("email.reason.empty_domain", "nothing comes after the @"),
    (
        "email.reason.local_too_long",
        "the part before the @ has {length} characters, over the limit of 64",
    ),
    (
        "email.reason.local_character",
        "the part before the @ has the character `{character}`, which addresses do not use",
    ),
    (
        "email.reason.local_dots",
        "the part before the @ starts or ends with a dot, or has two dots in a row",
    ),
    (
        "email.reason.ip_literal",
        "the domain is an IP address, not a name such as example.com",
    ),
    (
        "email.reason.domain_not_ascii",
        "the domain `{domain}` has letters outside a-z, which must be written in the domain's ASCII (xn--) form",
    ),
    (
        "email.reason.domain_too_long",
        "the domain has {length} characters, over the limit of 253",
    ),
    (
        "email.reason.domain_no_dot",
        "the domain `{domain}` has no dot",
    ),
    (
        "email.reason.domain_empty_label",
        "the domain `{domain}` has an empty part between dots",
    ),
    (
        "email.reason.label_too_long",
        "the domain part `{label}` has {length} characters, over the limit of 63",
    ),
    (
        "email.reason.domain_character",
        "the domain has the character `{character}`; domains use only letters, digits, hyphens and dots",
    ),
    (
        "email.reason.label_hyphen",
        "the domain part `{label}` starts or ends with a hyphen",
    ),
    (
        "email.reason.tld",
        "the domain ends in `{tld}`, not a top-level domain such as .com or .org",
    ),
    ("email.reason.other", "{detail}"),
    // A rejected file.
    (
        "error.file.not_xlsx",
        "the file is {kind}, not an Excel workbook; {advice}",
    ),
    (
        "error.file.limit_exceeded",
        "the file {what} ({value}) exceeds the limit of {limit}; {advice}",
    ),
    (
        "error.file.corrupt",
        "the workbook is damaged: {detail}; open it in Excel and save it again as .xlsx",
    ),
    (
        "error.file.cell_outside_grid",
        "the workbook is damaged: part `{part}` has the cell reference `{reference}`, outside Excel's grid of 1048576 rows and 16384 columns (XFD); open it in Excel and save it again as .xlsx",
    ),
    (
        "error.file.duplicate_cell",
        "the workbook is damaged: sheet `{sheet}` has two cells at {reference}; open it in Excel and save it again as .xlsx",
    ),
    (
        "error.file.sheet_not_found",
        "no sheet holds the users: looked for a sheet named `{expected_sheet}` or one whose first row has the headers {expected_headers}; the file has the sheets {found}; fill in the downloaded template",
    ),
    (
        "error.file.missing_column",
        "sheet `{sheet}` is missing the required column {missing}; add it to the header row (row {header_row}) or fill in the downloaded template",
    ),
    (
        "error.file.missing_columns",
        "sheet `{sheet}` is missing the required columns {missing}; add them to the header row (row {header_row}) or fill in the downloaded template",
    ),
    (
        "error.file.duplicate_column",
        "sheet `{sheet}` has the column `{header}` twice (columns {first} and {second}); keep one and delete the other",
    ),
    (
        "error.file.no_rows",
        "sheet `{sheet}` has no users below the header row; add one user per row, starting on row {first_row}",
    ),
    ("error.schema.invalid", "invalid schema: {detail}"),
    (
        "error.write.failed",
        "could not write the workbook: {detail}",
    ),
    ("error.store.failed", "{detail}"),
    ("file_kind.empty", "an empty file"),
    ("file_kind.csv", "a CSV text file"),
    ("file_kind.text", "a plain text file"),
    ("file_kind.xls", "a legacy Excel 97-2003 workbook (.xls)"),
    ("file_kind.encrypted", "a password-protected workbook"),
    ("file_kind.ods", "an OpenDocument spreadsheet (.ods)"),
    ("file_kind.xlsb", "a binary Excel workbook (.xlsb)"),
    (
        "file_kind.zip",
        "a zip archive that holds no Excel workbook",
    ),
    (
        "file_kind.truncated",
        "a damaged or incomplete file (it may have been cut off during upload)",
    ),
    ("file_kind.html", "an HTML page"),
    ("file_kind.pdf", "a PDF document"),
    ("file_kind.unknown", "a file of an unknown kind"),
    (
        "file_advice.encrypted",
        "remove the password (File > Info > Protect Workbook) and save it again as .xlsx",
    ),
    (
        "file_advice.truncated",
        "upload the file again, or open it in Excel and save it again as .xlsx",
    ),
    (
        "file_advice.empty",
        "fill in the template and upload the saved .xlsx file",
    ),
    (
        "file_advice.other",
        "open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), or fill in the downloaded template",
    ),
    // The summary.
    ("summary.rejected", "the file was rejected: {error}"),
    (
        "summary.problems",
        "{count, plural, one {# problem} other {# problems}} in {rows, plural, one {# row} other {# rows}}; fix the file and upload it again",
    ),
    (
        "summary.completed",
        "{created, plural, one {# user created} other {# users created}}, {added, plural, one {# existing user added to the groups} other {# existing users added to the groups}}, {untouched} left untouched; {sent, plural, one {# invitation sent} other {# invitations sent}}, {failed} not delivered{existing, plural, =0 {} one {; # existing user only received the groups: the other values in the file were not applied to them} other {; # existing users only received the groups: the other values in the file were not applied to them}}",
    ),
    (
        "summary.dry_run",
        "dry run: {created, plural, one {# user would be created} other {# users would be created}}, {added, plural, one {# existing user added to the groups} other {# existing users added to the groups}}, {untouched} left untouched{existing, plural, =0 {} one {; # existing user would only receive the groups: the other values in the file would not be applied to them} other {; # existing users would only receive the groups: the other values in the file would not be applied to them}}; nothing was written or sent",
    ),
    (
        "summary.failed",
        "the import failed and nothing was imported: {reason}",
    ),
    ("summary.in_progress", "the import is in progress"),
    // The template.
    ("template.title", "User import"),
    ("template.sheet.users", "Users"),
    ("template.sheet.instructions", "Instructions"),
    ("template.sheet.locations", "Location codes"),
    ("template.sheet.lists", "Lists"),
    ("template.required", "Required"),
    ("template.optional", "Optional"),
    ("template.example", "Example: {example}"),
    (
        "template.pick_country",
        "Pick a country code, or see the {locations} sheet.",
    ),
    ("template.pick_one", "Pick one of: {choices}"),
    ("template.invalid", "Invalid {column}"),
    (
        "template.instructions.rows",
        "Fill in one user per row on the {sheet} sheet, starting on row 2. Keep the header row as it is.",
    ),
    (
        "template.instructions.columns",
        "Only the template's columns are imported. Fill in every required column for every user.",
    ),
    (
        "template.instructions.text",
        "Type values as plain text. A cell that holds a formula or the result of a macro cannot be imported.",
    ),
    (
        "template.instructions.codes",
        "Country and Region take location codes, not names: CA for Canada, CA-QC for Quebec. The {locations} sheet lists them all.",
    ),
    (
        "template.instructions.dates",
        "Write dates as YYYY-MM-DD, for example 2024-03-31.",
    ),
    (
        "template.instructions.existing",
        "A user whose email already has an account is neither changed nor duplicated: only the import's groups are added.",
    ),
    (
        "template.instructions.all_or_nothing",
        "If any row has a problem, no user is imported. Fix the file and upload it again.",
    ),
    ("template.instructions.column", "Column"),
    ("template.instructions.what", "What to enter"),
    ("template.locations.code", "Code"),
    ("template.locations.name", "Name"),
    ("template.locations.type", "Type"),
    ("template.locations.country", "Country"),
    ("template.locations.country_type", "Country"),
    ("format.text", "text"),
    ("format.name", "the user's full name"),
    ("format.email", "one email address"),
    (
        "format.country",
        "an ISO 3166-1 country code (two letters), from the {locations} sheet",
    ),
    (
        "format.region",
        "an ISO 3166-2 region code of the row's country, from the {locations} sheet",
    ),
    ("format.date", "a date as YYYY-MM-DD"),
    ("format.choice", "one of: {choices}"),
    // The error report.
    ("report.issues", "Issues"),
    ("report.problems", "Problems"),
    ("report.problems_alt", "Import problems"),
    ("report.row", "Row"),
    ("report.column", "Column"),
    ("report.value", "Value"),
    ("report.code", "Code"),
    ("report.message", "Message"),
    (
        "report.more",
        "{count, plural, one {# more issue is not listed} other {# more issues are not listed}}: a sheet holds at most {limit} rows",
    ),
    (
        "report.unlisted",
        "this row has problems that are not listed because the file has too many; fix the problems shown and check the file again",
    ),
    // The invitation email.
    ("invitation.subject", "{name}, you are invited"),
    ("invitation.greeting", "Hello {name},"),
    (
        "invitation.intro",
        "An account was created for you. Sign in with this email address to start.",
    ),
    (
        "invitation.accept",
        "Accept the invitation and choose your password:",
    ),
    // Text (CSV) uploads.
    (
        "error.file.not_text",
        "the file is not text that can be read: line {line} has {what}; save it again as CSV UTF-8 or as an Excel workbook (.xlsx)",
    ),
    (
        "error.import.deadline_passed",
        "the import ran longer than its limit of {limit} seconds and was stopped, so nothing was imported; split the users over several files",
    ),
    (
        "error.request.too_long",
        "{text}: {chars} characters, more than the {limit} allowed; shorten it",
    ),
    ("request_text.message", "the personal message"),
    ("request_text.notes", "the notes"),
    (
        "error.file.unclosed_quote",
        "row {row} has a value that opens a quote (\") and never closes it, so the rest of the file would be read as that one value; close the quote or remove it, then save the file again",
    ),
    (
        "not_text.nul",
        "a NUL byte, which text never has (text saved as UTF-16 without a byte-order mark has them)",
    ),
    (
        "not_text.utf16",
        "bytes that are not UTF-16, although the file starts with a UTF-16 byte-order mark",
    ),
];
