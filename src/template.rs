//! The `.xlsx` template the administrator downloads, generated from the [`Schema`].

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, Formula, Note, Workbook,
    Worksheet,
};

use crate::error::Error;
use crate::location;
use crate::schema::{ColumnKind, Schema};
use crate::text::Catalog;

/// The name of the sheet that explains how to fill in the template (in English; see
/// [`Template::locale`]).
pub const INSTRUCTIONS_SHEET: &str = "Instructions";
/// The name of the sheet that lists every country and region code (in English).
pub const LOCATIONS_SHEET: &str = "Location codes";
/// The name of the hidden sheet that holds the drop-down lists' values (in English).
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
    title: Option<String>,
    catalog: Catalog,
}

impl<'s> Template<'s> {
    /// A template for `schema`, in English.
    pub fn new(schema: &'s Schema) -> Template<'s> {
        Template {
            schema,
            title: None,
            catalog: Catalog::english(),
        }
    }

    /// Writes the template in the language of `catalog`: sheet names, headers (the columns'
    /// translations), notes, drop-down messages, instructions and location names.
    ///
    /// ```
    /// use user_import::{Catalog, Schema, Template};
    ///
    /// // Sheets `Utilisateurs`, `Instructions`, `Codes de lieux`; headers `Nom`, `Courriel`,
    /// // `Pays`, `Région`, `Langue`...; the reader takes the file in any shipped language.
    /// let schema = Schema::default();
    /// let bytes = Template::new(&schema).locale(Catalog::french()).to_bytes().unwrap();
    /// assert_eq!(&bytes[..2], b"PK");
    /// ```
    pub fn locale(mut self, catalog: Catalog) -> Template<'s> {
        self.catalog = catalog;
        self
    }

    /// Sets the title shown at the top of the instructions (default "User import", or its
    /// translation).
    pub fn title(mut self, title: impl Into<String>) -> Template<'s> {
        self.title = Some(title.into());
        self
    }

    fn language(&self) -> &str {
        self.catalog.language()
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
        self.write_users(users, &lists, 0)?;
        users.set_active(true);
        self.write_guides(&mut workbook, &lists, false)?;
        Ok(workbook.save_to_buffer()?)
    }

    /// Adds the sheets after the data sheet: Instructions, Location codes and the hidden
    /// lists, in constant-memory mode when `constant_memory` (the error report's).
    pub(crate) fn write_guides(
        &self,
        workbook: &mut Workbook,
        lists: &[(usize, Vec<String>)],
        constant_memory: bool,
    ) -> Result<(), Error> {
        let add = |workbook: &mut Workbook| -> Result<(), Error> {
            if constant_memory {
                workbook.add_worksheet_with_constant_memory()?;
            } else {
                workbook.add_worksheet();
            }
            Ok(())
        };
        let first = workbook.worksheets().len();
        add(workbook)?;
        self.write_instructions(workbook.worksheet_from_index(first)?)?;
        add(workbook)?;
        self.write_locations(workbook.worksheet_from_index(first + 1)?)?;
        add(workbook)?;
        let hidden = workbook.worksheet_from_index(first + 2)?;
        hidden.set_name(self.catalog.text("template.sheet.lists"))?;
        let text = Format::new().set_num_format_index(49);
        // Row by row: constant-memory mode writes rows in order.
        let longest = lists
            .iter()
            .map(|(_, values)| values.len())
            .max()
            .unwrap_or(0);
        for (index, (position, _)) in lists.iter().enumerate() {
            let header = self.schema.columns()[*position].header_in(self.language());
            hidden.write_string(0, index as u16, header)?;
        }
        for row in 0..longest {
            for (index, (_, values)) in lists.iter().enumerate() {
                if let Some(value) = values.get(row) {
                    hidden.write_string_with_format(row as u32 + 1, index as u16, value, &text)?;
                }
            }
        }
        hidden.set_hidden(true);
        Ok(())
    }

    /// The drop-down lists: (schema position, values) for country and choice columns.
    pub(crate) fn lists(&self) -> Vec<(usize, Vec<String>)> {
        self.schema
            .columns()
            .iter()
            .enumerate()
            .filter_map(|(position, column)| match column.kind() {
                ColumnKind::Country => Some((
                    position,
                    location::countries()
                        .map(|c| c.code().to_string())
                        .collect(),
                )),
                ColumnKind::Choice(choices) => Some((
                    position,
                    choices
                        .iter()
                        .map(|choice| column.choice_label_in(choice, self.language()).to_string())
                        .collect(),
                )),
                _ => None,
            })
            .collect()
    }

    /// The note and instructions text of a column: required or not, format, description,
    /// example.
    fn explain(&self, column: &crate::schema::Column) -> String {
        let catalog = &self.catalog;
        let hint = match column.kind() {
            // The choices as the drop-down shows them: their labels in this language.
            ColumnKind::Choice(choices) => {
                let labels: Vec<&str> = choices
                    .iter()
                    .map(|choice| column.choice_label_in(choice, self.language()))
                    .collect();
                catalog.fill("format.choice", &[("choices", &labels.join(", "))])
            }
            kind => kind.format_hint_in(catalog),
        };
        let mut text = format!(
            "{}. {}.",
            catalog.text(if column.is_required() {
                "template.required"
            } else {
                "template.optional"
            }),
            capitalize(&hint)
        );
        let description = column.description_in(self.language());
        if !description.is_empty() {
            text.push(' ');
            text.push_str(description);
        }
        if !column.example_value().is_empty() {
            let example = column.choice_label_in(column.example_value(), self.language());
            text.push(' ');
            text.push_str(&catalog.fill("template.example", &[("example", example)]));
        }
        text
    }

    /// The data sheet's name, header row (on the zero-based row `header`, with its notes), the
    /// columns' widths and formats, and the drop-downs below the header.
    pub(crate) fn write_users(
        &self,
        sheet: &mut Worksheet,
        lists: &[(usize, Vec<String>)],
        header_row: u32,
    ) -> Result<(), Error> {
        sheet.set_name(self.schema.sheet_name_in(self.language()))?;
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
            let header = column.header_in(self.language());
            sheet.write_string_with_format(header_row, col, header, format)?;
            let width = header
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
            sheet.write_string_with_format(header_row, col, header, format)?;

            let note = self.explain(column);
            sheet.insert_note(
                header_row,
                col,
                &Note::new(note)
                    .add_author_prefix(false)
                    .set_width(300)
                    .set_height(120),
            )?;

            if let Some(list_index) = lists.iter().position(|(position, _)| *position == index) {
                let values = &lists[list_index].1;
                let letter = crate::read::package::column_letters(list_index as u32);
                let range = format!(
                    "={}!${letter}$2:${letter}${}",
                    quote_sheet(self.catalog.text("template.sheet.lists")),
                    values.len() + 1
                );
                let message = match column.kind() {
                    ColumnKind::Country => self.catalog.fill(
                        "template.pick_country",
                        &[("locations", self.catalog.text("template.sheet.locations"))],
                    ),
                    _ => self
                        .catalog
                        .fill("template.pick_one", &[("choices", &values.join(", "))]),
                };
                let title = self.catalog.fill("template.invalid", &[("column", header)]);
                let validation = DataValidation::new()
                    .allow_list_formula(Formula::new(range))
                    .ignore_blank(true)
                    .set_error_style(DataValidationErrorStyle::Stop)
                    .set_error_title(truncate(&title, 32))?
                    .set_error_message(truncate(&message, 255))?
                    .set_input_title(truncate(header, 32))?
                    .set_input_message(truncate(&message, 255))?;
                sheet.add_data_validation(header_row + 1, col, LAST_ROW, col, &validation)?;
            }
        }
        sheet.set_freeze_panes(header_row + 1, 0)?;
        Ok(())
    }

    fn write_instructions(&self, sheet: &mut Worksheet) -> Result<(), Error> {
        let catalog = &self.catalog;
        sheet.set_name(catalog.text("template.sheet.instructions"))?;
        let title = Format::new().set_bold().set_font_size(14);
        let bold = Format::new().set_bold();
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        sheet.set_column_width(0, 22)?;
        sheet.set_column_width(1, 90)?;
        let heading = self
            .title
            .as_deref()
            .unwrap_or_else(|| catalog.text("template.title"));
        sheet.write_string_with_format(0, 0, heading, &title)?;
        let names = [
            ("sheet", self.schema.sheet_name_in(self.language())),
            ("locations", catalog.text("template.sheet.locations")),
        ];
        let mut row = 2;
        for key in [
            "template.instructions.rows",
            "template.instructions.columns",
            "template.instructions.text",
            "template.instructions.codes",
            "template.instructions.dates",
            "template.instructions.existing",
            "template.instructions.all_or_nothing",
        ] {
            sheet.write_string_with_format(row, 0, "•", &wrap)?;
            sheet.write_string_with_format(row, 1, catalog.fill(key, &names), &wrap)?;
            row += 1;
        }
        row += 1;
        sheet.write_string_with_format(
            row,
            0,
            catalog.text("template.instructions.column"),
            &bold,
        )?;
        sheet.write_string_with_format(
            row,
            1,
            catalog.text("template.instructions.what"),
            &bold,
        )?;
        row += 1;
        for column in self.schema.columns() {
            sheet.write_string_with_format(row, 0, column.header_in(self.language()), &wrap)?;
            sheet.write_string_with_format(row, 1, self.explain(column), &wrap)?;
            row += 1;
        }
        Ok(())
    }

    fn write_locations(&self, sheet: &mut Worksheet) -> Result<(), Error> {
        let catalog = &self.catalog;
        let language = self.language();
        sheet.set_name(catalog.text("template.sheet.locations"))?;
        let bold = Format::new().set_bold();
        let text = Format::new().set_num_format_index(49);
        for (col, key) in [
            "template.locations.code",
            "template.locations.name",
            "template.locations.type",
            "template.locations.country",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string_with_format(0, col as u16, catalog.text(key), &bold)?;
        }
        sheet.set_column_width(0, 10)?;
        sheet.set_column_width(1, 40)?;
        sheet.set_column_width(2, 24)?;
        sheet.set_column_width(3, 36)?;
        let country_type = catalog.text("template.locations.country_type");
        let mut row = 1;
        for country in location::countries() {
            let name = country.name_in(language);
            sheet.write_string_with_format(row, 0, country.code(), &text)?;
            sheet.write_string_with_format(row, 1, name, &text)?;
            sheet.write_string_with_format(row, 2, country_type, &text)?;
            sheet.write_string_with_format(row, 3, name, &text)?;
            row += 1;
        }
        for region in location::regions() {
            sheet.write_string_with_format(row, 0, region.code(), &text)?;
            sheet.write_string_with_format(row, 1, region.name_in(language), &text)?;
            sheet.write_string_with_format(row, 2, region.kind_in(language), &text)?;
            sheet.write_string_with_format(row, 3, region.country().name_in(language), &text)?;
            row += 1;
        }
        sheet.autofilter(0, 0, row - 1, 3)?;
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    }
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
