//! The `.xlsx` template the administrator downloads, generated from the [`Schema`].

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, Formula, Note, Workbook,
    Worksheet,
};

use crate::error::Error;
use crate::location;
use crate::schema::{ColumnKind, Schema};

/// The name of the sheet that explains how to fill in the template.
pub const INSTRUCTIONS_SHEET: &str = "Instructions";
/// The name of the sheet that lists every country and region code.
pub const LOCATIONS_SHEET: &str = "Location codes";
/// The name of the hidden sheet that holds the drop-down lists' values.
pub const LISTS_SHEET: &str = "Lists";

/// The last row (zero-based) the template's formats and drop-downs cover.
const LAST_ROW: u32 = 1_048_575;

/// Builds the template workbook for a [`Schema`].
///
/// The data sheet has a bold, frozen header row with a note on each header (required or not,
/// the format, an example); text-like columns are formatted as Text so Excel keeps leading
/// zeros and does not turn codes into numbers or dates; choice and country columns have
/// drop-down lists whose values live on a hidden sheet. An `Instructions` sheet explains each
/// column, and a `Location codes` sheet lists every country and region code.
///
/// ```
/// use user_import::{Schema, Template};
///
/// let bytes = Template::new(&Schema::default()).to_bytes().unwrap();
/// assert_eq!(&bytes[..2], b"PK");
/// ```
#[derive(Debug, Clone)]
pub struct Template<'s> {
    schema: &'s Schema,
    title: String,
}

impl<'s> Template<'s> {
    /// A template for `schema`.
    pub fn new(schema: &'s Schema) -> Template<'s> {
        Template {
            schema,
            title: "User import".to_string(),
        }
    }

    /// Sets the title shown at the top of the instructions (default "User import").
    pub fn title(mut self, title: impl Into<String>) -> Template<'s> {
        self.title = title.into();
        self
    }

    /// Writes the workbook and returns its bytes.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] if rust_xlsxwriter refuses a value (a header note or choice over
    /// Excel's limits, for instance).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut workbook = Workbook::new();
        let lists = self.lists();

        let users = workbook.add_worksheet();
        self.write_users(users, &lists)?;
        users.set_active(true);

        let instructions = workbook.add_worksheet();
        self.write_instructions(instructions)?;

        let locations = workbook.add_worksheet();
        write_locations(locations)?;

        let hidden = workbook.add_worksheet();
        hidden.set_name(LISTS_SHEET)?;
        let text = Format::new().set_num_format_index(49);
        for (index, (header, values)) in lists.iter().enumerate() {
            let column = index as u16;
            hidden.write_string(0, column, header)?;
            for (row, value) in values.iter().enumerate() {
                hidden.write_string_with_format(row as u32 + 1, column, value, &text)?;
            }
        }
        hidden.set_hidden(true);

        Ok(workbook.save_to_buffer()?)
    }

    /// The drop-down lists: (schema position, values) for country and choice columns.
    fn lists(&self) -> Vec<(String, Vec<String>)> {
        self.schema
            .columns()
            .iter()
            .filter_map(|column| match column.kind() {
                ColumnKind::Country => Some((
                    column.header().to_string(),
                    location::countries()
                        .map(|c| c.code().to_string())
                        .collect(),
                )),
                ColumnKind::Choice(choices) => Some((column.header().to_string(), choices.clone())),
                _ => None,
            })
            .collect()
    }

    fn write_users(
        &self,
        sheet: &mut Worksheet,
        lists: &[(String, Vec<String>)],
    ) -> Result<(), Error> {
        sheet.set_name(self.schema.sheet_name())?;
        let header_format = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
        let required_format = header_format.clone().set_font_color("#1F3864");
        let text = Format::new().set_num_format_index(49);
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (index, column) in self.schema.columns().iter().enumerate() {
            let col = index as u16;
            let format = if column.is_required() {
                &required_format
            } else {
                &header_format
            };
            sheet.write_string_with_format(0, col, column.header(), format)?;
            let width = column
                .header()
                .chars()
                .count()
                .max(column.example_value().chars().count()) as f64
                + 6.0;
            sheet.set_column_width(col, width.clamp(12.0, 40.0))?;
            match column.kind() {
                ColumnKind::Date => sheet.set_column_format(col, &date)?,
                _ => sheet.set_column_format(col, &text)?,
            };
            // The header keeps its own format over the column's.
            sheet.write_string_with_format(0, col, column.header(), format)?;

            let mut note = format!(
                "{}. {}.",
                if column.is_required() {
                    "Required"
                } else {
                    "Optional"
                },
                capitalize(&column.kind().format_hint())
            );
            if !column.description_text().is_empty() {
                note.push(' ');
                note.push_str(column.description_text());
            }
            if !column.example_value().is_empty() {
                note.push_str(&format!(" Example: {}", column.example_value()));
            }
            sheet.insert_note(
                0,
                col,
                &Note::new(note)
                    .add_author_prefix(false)
                    .set_width(300)
                    .set_height(120),
            )?;

            if let Some(list_index) = lists
                .iter()
                .position(|(header, _)| header == column.header())
            {
                let values = &lists[list_index].1;
                let letter = crate::package::column_letters(list_index as u32);
                let range = format!(
                    "={}!${letter}$2:${letter}${}",
                    quote_sheet(LISTS_SHEET),
                    values.len() + 1
                );
                let message = match column.kind() {
                    ColumnKind::Country => {
                        "Pick a country code, or see the Location codes sheet.".to_string()
                    }
                    _ => format!("Pick one of: {}", values.join(", ")),
                };
                let validation = DataValidation::new()
                    .allow_list_formula(Formula::new(range))
                    .ignore_blank(true)
                    .set_error_style(DataValidationErrorStyle::Stop)
                    .set_error_title(truncate(&format!("Invalid {}", column.header()), 32))?
                    .set_error_message(truncate(&message, 255))?
                    .set_input_title(truncate(column.header(), 32))?
                    .set_input_message(truncate(&message, 255))?;
                sheet.add_data_validation(1, col, LAST_ROW, col, &validation)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    }

    fn write_instructions(&self, sheet: &mut Worksheet) -> Result<(), Error> {
        sheet.set_name(INSTRUCTIONS_SHEET)?;
        let title = Format::new().set_bold().set_font_size(14);
        let bold = Format::new().set_bold();
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        sheet.set_column_width(0, 22)?;
        sheet.set_column_width(1, 90)?;
        sheet.write_string_with_format(0, 0, &self.title, &title)?;
        let sheet_name = self.schema.sheet_name();
        let general = [
            format!("Fill in one user per row on the {sheet_name} sheet, starting on row 2. Keep the header row as it is."),
            "Only the template's columns are imported. Fill in every required column for every user.".to_string(),
            "Type values as plain text. A cell that holds a formula or the result of a macro cannot be imported.".to_string(),
            "Country and Region take location codes, not names: CA for Canada, CA-QC for Quebec. The Location codes sheet lists them all.".to_string(),
            "Write dates as YYYY-MM-DD, for example 2024-03-31.".to_string(),
            "A user whose email already has an account is neither changed nor duplicated: only the import's groups are added.".to_string(),
            "If any row has a problem, no user is imported. Fix the file and upload it again.".to_string(),
        ];
        let mut row = 2;
        for line in &general {
            sheet.write_string_with_format(row, 0, "•", &wrap)?;
            sheet.write_string_with_format(row, 1, line, &wrap)?;
            row += 1;
        }
        row += 1;
        sheet.write_string_with_format(row, 0, "Column", &bold)?;
        sheet.write_string_with_format(row, 1, "What to enter", &bold)?;
        row += 1;
        for column in self.schema.columns() {
            let mut text = format!(
                "{}. {}.",
                if column.is_required() {
                    "Required"
                } else {
                    "Optional"
                },
                capitalize(&column.kind().format_hint())
            );
            if !column.description_text().is_empty() {
                text.push(' ');
                text.push_str(column.description_text());
            }
            if !column.example_value().is_empty() {
                text.push_str(&format!(" Example: {}", column.example_value()));
            }
            sheet.write_string_with_format(row, 0, column.header(), &wrap)?;
            sheet.write_string_with_format(row, 1, &text, &wrap)?;
            row += 1;
        }
        Ok(())
    }
}

fn write_locations(sheet: &mut Worksheet) -> Result<(), Error> {
    sheet.set_name(LOCATIONS_SHEET)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format_index(49);
    for (col, header) in ["Code", "Name", "Type", "Country"].iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    sheet.set_column_width(0, 10)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 24)?;
    sheet.set_column_width(3, 36)?;
    let mut row = 1;
    for country in location::countries() {
        sheet.write_string_with_format(row, 0, country.code(), &text)?;
        sheet.write_string_with_format(row, 1, country.name(), &text)?;
        sheet.write_string_with_format(row, 2, "Country", &text)?;
        sheet.write_string_with_format(row, 3, country.name(), &text)?;
        row += 1;
    }
    for region in location::regions() {
        sheet.write_string_with_format(row, 0, region.code(), &text)?;
        sheet.write_string_with_format(row, 1, region.name(), &text)?;
        sheet.write_string_with_format(row, 2, region.kind(), &text)?;
        sheet.write_string_with_format(row, 3, region.country().name(), &text)?;
        row += 1;
    }
    sheet.autofilter(0, 0, row - 1, 3)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn quote_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn truncate(text: &str, max: usize) -> String {
    // Excel counts UTF-16 units; every character here is in the BMP, so chars are units.
    text.chars().take(max).collect()
}
