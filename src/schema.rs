//! The one description of the template's columns, from which both the template writer and the
//! reader derive.

use crate::error::Error;
use crate::text::primary_language;

/// What a column holds, and so how its values are read, checked and offered in the template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnKind {
    /// Free text, kept as typed (spaces trimmed). Numbers typed into it are read as text,
    /// without a stray `.0`.
    Text,
    /// A person's name: text whose inner runs of spaces are collapsed to one.
    Name,
    /// An email address, checked strictly; its match key ignores case.
    Email,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// An ISO 3166-2 region code of the row's country (`CA-QC`, or `QC` in a Canadian row).
    /// Required only where the row's country has regions.
    Region,
    /// A date, typed as `YYYY-MM-DD` or entered as an Excel date.
    Date,
    /// One of a fixed list of choices, matched ignoring case and stored as written here. Each
    /// choice may have labels in each language ([`Column::choice_label`]), which the
    /// template's drop-down shows and the reader takes too.
    Choice(Vec<String>),
}

impl ColumnKind {
    /// A short description of the expected format, in the language of `catalog`.
    pub fn format_hint_in(&self, catalog: &crate::Catalog) -> String {
        let locations = catalog.text("template.sheet.locations");
        match self {
            ColumnKind::Text => catalog.text("format.text").to_string(),
            ColumnKind::Name => catalog.text("format.name").to_string(),
            ColumnKind::Email => catalog.text("format.email").to_string(),
            ColumnKind::Country => catalog.fill("format.country", &[("locations", locations)]),
            ColumnKind::Region => catalog.fill("format.region", &[("locations", locations)]),
            ColumnKind::Date => catalog.text("format.date").to_string(),
            ColumnKind::Choice(choices) => {
                catalog.fill("format.choice", &[("choices", &choices.join(", "))])
            }
        }
    }

    /// A short description of the expected format, for header notes and the instructions.
    pub fn format_hint(&self) -> String {
        match self {
            ColumnKind::Text => "text".to_string(),
            ColumnKind::Name => "the user's full name".to_string(),
            ColumnKind::Email => "one email address".to_string(),
            ColumnKind::Country => {
                "an ISO 3166-1 country code (two letters), from the Location codes sheet"
                    .to_string()
            }
            ColumnKind::Region => {
                "an ISO 3166-2 region code of the row's country, from the Location codes sheet"
                    .to_string()
            }
            ColumnKind::Date => "a date as YYYY-MM-DD".to_string(),
            ColumnKind::Choice(choices) => format!("one of: {}", choices.join(", ")),
        }
    }
}

/// One column of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    key: String,
    header: String,
    /// (language, header, description) in other languages.
    translations: Vec<(String, String, String)>,
    aliases: Vec<String>,
    /// (choice, language, label) for choice columns.
    choice_labels: Vec<(String, String, String)>,
    kind: ColumnKind,
    required: bool,
    example: String,
    description: String,
    max_chars: usize,
}

impl Column {
    /// A new optional column with a stable `key` (used by the host to read values) and the
    /// `header` text the template shows.
    ///
    /// ```
    /// use user_import::{Column, ColumnKind};
    ///
    /// let cost_centre = Column::new("cost_centre", "Cost centre", ColumnKind::Choice(vec![
    ///     "North".into(), "South".into(),
    /// ]))
    /// .required(true)
    /// .example("North");
    /// assert!(cost_centre.is_required());
    /// ```
    pub fn new(key: impl Into<String>, header: impl Into<String>, kind: ColumnKind) -> Column {
        let example = match &kind {
            ColumnKind::Text => "",
            ColumnKind::Name => "Ann Lee",
            ColumnKind::Email => "ann.lee@example.com",
            ColumnKind::Country => "CA",
            ColumnKind::Region => "CA-QC",
            ColumnKind::Date => "2024-03-31",
            ColumnKind::Choice(choices) => choices.first().map(String::as_str).unwrap_or(""),
        }
        .to_string();
        Column {
            key: key.into(),
            header: header.into(),
            translations: Vec::new(),
            aliases: Vec::new(),
            choice_labels: Vec::new(),
            kind,
            required: false,
            example,
            description: String::new(),
            max_chars: 255,
        }
    }

    /// The column's header and description in another language (`"fr"`): the template in
    /// that language shows them, and the reader accepts the header in any language.
    ///
    /// ```
    /// use user_import::{Column, ColumnKind, Schema};
    ///
    /// let schema = Schema::builder()
    ///     .column(
    ///         Column::new("cost_centre", "Cost centre", ColumnKind::Text)
    ///             .translation("fr", "Centre de coûts", "Le centre de coûts de l'employé.")
    ///             .alias("CC"),
    ///     )
    ///     .build()
    ///     .unwrap();
    /// let column = schema.column("cost_centre").unwrap();
    /// assert_eq!(column.header_in("fr-CA"), "Centre de coûts");
    /// assert_eq!(column.header_in("de"), "Cost centre");
    /// let position = schema.position("cost_centre");
    /// assert_eq!(schema.match_header(" centre de COÛTS "), position);
    /// assert_eq!(schema.match_header("cc"), position);
    /// ```
    pub fn translation(
        mut self,
        language: impl Into<String>,
        header: impl Into<String>,
        description: impl Into<String>,
    ) -> Column {
        let language = primary_language(&language.into());
        self.translations.retain(|(known, _, _)| *known != language);
        self.translations
            .push((language, header.into(), description.into()));
        self
    }

    /// Another header the reader accepts for this column (an older name, a host's own
    /// wording), compared ignoring case and surrounding spaces.
    pub fn alias(mut self, header: impl Into<String>) -> Column {
        self.aliases.push(header.into());
        self
    }

    /// The header in `language` (a tag such as `fr-CA`, matched on its primary subtag), or
    /// the main header where the column has no translation.
    pub fn header_in(&self, language: &str) -> &str {
        self.translation_in(language)
            .map_or(self.header.as_str(), |(_, header, _)| header.as_str())
    }

    /// The description in `language`, or the main description.
    pub fn description_in(&self, language: &str) -> &str {
        self.translation_in(language)
            .map_or(self.description.as_str(), |(_, _, description)| {
                description.as_str()
            })
    }

    /// Every header the reader accepts for this column: the main one, its translations and
    /// its aliases.
    pub fn accepted_headers(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.header.as_str())
            .chain(
                self.translations
                    .iter()
                    .map(|(_, header, _)| header.as_str()),
            )
            .chain(self.aliases.iter().map(String::as_str))
    }

    fn translation_in(&self, language: &str) -> Option<&(String, String, String)> {
        let language = primary_language(language);
        self.translations
            .iter()
            .find(|(known, _, _)| *known == language)
    }

    /// A label of one of the column's choices in `language` (a tag such as `fr-CA`, matched
    /// on its primary subtag): the template in that language shows the labels in its
    /// drop-down, and the reader takes any label of any language, ignoring case and accents,
    /// as the choice itself.
    ///
    /// ```
    /// use user_import::{Column, ColumnKind};
    ///
    /// let shift = Column::new("shift", "Shift", ColumnKind::Choice(vec!["D".into(), "N".into()]))
    ///     .choice_label("D", "en", "Day")
    ///     .choice_label("D", "fr", "Jour")
    ///     .choice_label("N", "en", "Night")
    ///     .choice_label("N", "fr", "Nuit");
    /// assert_eq!(shift.choice_label_in("N", "fr"), "Nuit");
    /// assert_eq!(shift.choice_label_in("N", "de"), "N");
    /// assert_eq!(shift.match_choice(" JOUR "), Some("D"));
    /// assert_eq!(shift.match_choice("n"), Some("N"));
    /// assert_eq!(shift.match_choice("Evening"), None);
    /// ```
    pub fn choice_label(
        mut self,
        choice: impl Into<String>,
        language: impl Into<String>,
        label: impl Into<String>,
    ) -> Column {
        let (choice, language) = (choice.into(), primary_language(&language.into()));
        self.choice_labels
            .retain(|(known, lang, _)| !(*known == choice && *lang == language));
        self.choice_labels.push((choice, language, label.into()));
        self
    }

    /// The label of `choice` in `language`, or the choice itself where it has none.
    pub fn choice_label_in<'c>(&'c self, choice: &'c str, language: &str) -> &'c str {
        let language = primary_language(language);
        self.choice_labels
            .iter()
            .find(|(known, lang, _)| known == choice && *lang == language)
            .map_or(choice, |(_, _, label)| label.as_str())
    }

    /// The choice that `text` names: one of the choices, or a label of one in any language,
    /// ignoring case, accents and surrounding spaces. `None` for a column that is not a
    /// choice list, or a text that names no choice.
    pub fn match_choice(&self, text: &str) -> Option<&str> {
        let ColumnKind::Choice(choices) = &self.kind else {
            return None;
        };
        let text = text.trim();
        if let Some(choice) = choices
            .iter()
            .find(|choice| choice.trim().eq_ignore_ascii_case(text))
        {
            return Some(choice.trim());
        }
        let wanted = crate::location::fold(text);
        if wanted.is_empty() {
            return None;
        }
        if let Some(choice) = choices
            .iter()
            .find(|choice| crate::location::fold(choice) == wanted)
        {
            return Some(choice.trim());
        }
        self.choice_labels
            .iter()
            .find(|(choice, _, label)| {
                choices.contains(choice) && crate::location::fold(label) == wanted
            })
            .map(|(choice, _, _)| choice.trim())
    }

    /// Marks the column required (or not).
    pub fn required(mut self, required: bool) -> Column {
        self.required = required;
        self
    }

    /// Sets the example value shown in the header note and the instructions.
    pub fn example(mut self, example: impl Into<String>) -> Column {
        self.example = example.into();
        self
    }

    /// Sets a sentence that explains the column to the administrator.
    pub fn description(mut self, description: impl Into<String>) -> Column {
        self.description = description.into();
        self
    }

    /// Sets the most characters a value may have (255 unless set; at most 32,767, Excel's
    /// limit for a cell).
    pub fn max_chars(mut self, max_chars: usize) -> Column {
        self.max_chars = max_chars.min(32_767);
        self
    }

    /// The stable key the host reads values by, such as `"email"`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The header text of the template.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// What the column holds.
    pub fn kind(&self) -> &ColumnKind {
        &self.kind
    }

    /// Whether every row must fill it.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// The example value.
    pub fn example_value(&self) -> &str {
        &self.example
    }

    /// The explanation for the administrator.
    pub fn description_text(&self) -> &str {
        &self.description
    }

    /// The most characters a value may have.
    pub fn max_len(&self) -> usize {
        self.max_chars
    }
}

/// The template's columns and sheet name: the single source of truth for the template writer,
/// the reader and validation.
///
/// ```
/// use user_import::{Column, ColumnKind, Schema};
///
/// let schema = Schema::builder()
///     .languages(["en", "fr", "es"])
///     .column(Column::new("start", "Start date", ColumnKind::Date).required(true))
///     .build()
///     .unwrap();
/// assert_eq!(schema.columns().len(), 10);
/// assert_eq!(schema.column("start").unwrap().header(), "Start date");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    sheet: String,
    /// (language, sheet name) in other languages.
    sheet_translations: Vec<(String, String)>,
    columns: Vec<Column>,
    email: usize,
    name: usize,
    country: Option<usize>,
    region: Option<usize>,
    /// Every accepted header, folded, with its column's position.
    folded_headers: Vec<(String, usize)>,
}

impl Default for Schema {
    fn default() -> Schema {
        // The default columns always build.
        match Schema::builder().build() {
            Ok(schema) => schema,
            Err(error) => unreachable!("the default schema is valid: {error}"),
        }
    }
}

impl Schema {
    /// Starts from the default columns (`Name`, `Email`, `Country`, `Region`, `Language`
    /// required; `Job title`, `Department`, `Employee ID`, `Hire date` optional) on a sheet
    /// named `Users`.
    pub fn builder() -> SchemaBuilder {
        SchemaBuilder {
            sheet: "Users".to_string(),
            sheet_translations: vec![("fr".to_string(), "Utilisateurs".to_string())],
            columns: vec![
                Column::new("name", "Name", ColumnKind::Name)
                    .required(true)
                    .description("The user's full name, as it should appear on the platform.")
                    .translation("fr", "Nom", "Le nom complet de l'utilisateur, tel qu'il doit paraître sur la plateforme."),
                Column::new("email", "Email", ColumnKind::Email)
                    .required(true)
                    .max_chars(254)
                    .description("The address the invitation is sent to. A user whose email already has an account keeps it; only the import's groups are added.")
                    .translation("fr", "Courriel", "L'adresse à laquelle l'invitation est envoyée. Un utilisateur dont l'adresse a déjà un compte le garde ; seuls les groupes de l'importation lui sont ajoutés.")
                    .alias("Email address")
                    .alias("E-mail")
                    .alias("Adresse courriel"),
                Column::new("country", "Country", ColumnKind::Country)
                    .required(true)
                    .description("The ISO 3166-1 code of the user's country.")
                    .translation("fr", "Pays", "Le code ISO 3166-1 du pays de l'utilisateur."),
                Column::new("region", "Region", ColumnKind::Region)
                    .required(true)
                    .description("The ISO 3166-2 code of the user's state, province or region. Leave it empty only for a country that has no regions.")
                    .translation("fr", "Région", "Le code ISO 3166-2 de l'État, de la province ou de la région de l'utilisateur. Laissez la cellule vide seulement pour un pays sans régions."),
                Column::new(
                    "language",
                    "Language",
                    ColumnKind::Choice(vec!["en".to_string(), "fr".to_string()]),
                )
                .required(true)
                .choice_label("en", "en", "English")
                .choice_label("en", "fr", "Anglais")
                .choice_label("fr", "en", "French")
                .choice_label("fr", "fr", "Français")
                .description("The language of the user's invitation and interface.")
                .translation("fr", "Langue", "La langue de l'invitation et de l'interface de l'utilisateur."),
                Column::new("job_title", "Job title", ColumnKind::Text)
                    .example("Nurse")
                    .translation("fr", "Titre du poste", ""),
                Column::new("department", "Department", ColumnKind::Text)
                    .example("Emergency")
                    .translation("fr", "Service", ""),
                Column::new("employee_id", "Employee ID", ColumnKind::Text)
                    .example("000123")
                    .description("Kept exactly as typed, leading zeros included.")
                    .translation("fr", "Matricule", "Gardé tel que tapé, zéros de tête compris."),
                Column::new("hire_date", "Hire date", ColumnKind::Date)
                    .translation("fr", "Date d'embauche", ""),
            ],
        }
    }

    /// The data sheet's name in the template.
    pub fn sheet_name(&self) -> &str {
        &self.sheet
    }

    /// The data sheet's name in `language` (a tag such as `fr-CA`), or the main name where
    /// the schema has no translation.
    pub fn sheet_name_in(&self, language: &str) -> &str {
        let language = primary_language(language);
        self.sheet_translations
            .iter()
            .find(|(known, _)| *known == language)
            .map_or(self.sheet.as_str(), |(_, name)| name.as_str())
    }

    /// Every name the reader takes for the data sheet: the main one and its translations.
    pub fn sheet_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.sheet.as_str()).chain(
            self.sheet_translations
                .iter()
                .map(|(_, name)| name.as_str()),
        )
    }

    /// The columns in template order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column with `key`.
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.key == key)
    }

    /// The position of the column with `key`.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|column| column.key == key)
    }

    /// The position of the email column, whose values identify users.
    pub fn email_position(&self) -> usize {
        self.email
    }

    /// The position of the name column.
    pub fn name_position(&self) -> usize {
        self.name
    }

    /// The position of the country column, if the schema has one.
    pub fn country_position(&self) -> Option<usize> {
        self.country
    }

    /// The position of the region column, if the schema has one.
    pub fn region_position(&self) -> Option<usize> {
        self.region
    }

    /// The column whose header matches `header`, ignoring case and surrounding spaces: its
    /// main header, a translation or an alias.
    pub fn match_header(&self, header: &str) -> Option<usize> {
        let folded = fold_header(header);
        self.folded_headers
            .iter()
            .find(|(known, _)| *known == folded)
            .map(|(_, position)| *position)
    }
}

/// Header comparison: trimmed (including non-breaking and zero-width spaces), inner spaces
/// collapsed, lower case, invisible format characters inside dropped (a header is matched,
/// never stored; messages quote it escaped).
pub(crate) fn fold_header(header: &str) -> String {
    let folded = crate::value::clean_spaces(header, true).to_lowercase();
    if folded.chars().any(crate::value::is_format_character) {
        return folded
            .chars()
            .filter(|ch| !crate::value::is_format_character(*ch))
            .collect();
    }
    folded
}

/// Builds a [`Schema`]: starts from the defaults, lets a host add columns, change the language
/// choices, mark columns required, or rename the sheet.
#[derive(Debug, Clone)]
pub struct SchemaBuilder {
    sheet: String,
    sheet_translations: Vec<(String, String)>,
    columns: Vec<Column>,
}

impl SchemaBuilder {
    /// Renames the data sheet (default `Users`, `Utilisateurs` in French); the names it had
    /// in other languages are dropped (give them again with [`SchemaBuilder::sheet_name_in`]).
    pub fn sheet_name(mut self, name: impl Into<String>) -> SchemaBuilder {
        self.sheet = name.into();
        self.sheet_translations.clear();
        self
    }

    /// Names the data sheet in another language (`"fr"`).
    pub fn sheet_name_in(
        mut self,
        language: impl Into<String>,
        name: impl Into<String>,
    ) -> SchemaBuilder {
        let language = primary_language(&language.into());
        self.sheet_translations
            .retain(|(known, _)| *known != language);
        self.sheet_translations.push((language, name.into()));
        self
    }

    /// Sets the choices of the `Language` column (default `en`, `fr`).
    pub fn languages<I, S>(mut self, languages: I) -> SchemaBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let choices: Vec<String> = languages.into_iter().map(Into::into).collect();
        if let Some(column) = self.columns.iter_mut().find(|c| c.key == "language") {
            column.example = choices.first().cloned().unwrap_or_default();
            column.kind = ColumnKind::Choice(choices);
        }
        self
    }

    /// Adds a column after the others.
    pub fn column(mut self, column: Column) -> SchemaBuilder {
        self.columns.push(column);
        self
    }

    /// Marks the column with `key` required or optional; does nothing if there is none.
    pub fn require(mut self, key: &str, required: bool) -> SchemaBuilder {
        if let Some(column) = self.columns.iter_mut().find(|c| c.key == key) {
            column.required = required;
        }
        self
    }

    /// Gives the column with `key` (a default one included) its header and description in
    /// another language; does nothing if there is none.
    ///
    /// ```
    /// use user_import::Schema;
    ///
    /// let schema = Schema::builder()
    ///     .translate("email", "es", "Correo electrónico", "La dirección de la invitación.")
    ///     .alias("email", "Mail")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(schema.column("email").unwrap().header_in("es"), "Correo electrónico");
    /// assert_eq!(schema.match_header("correo electrónico"), Some(schema.email_position()));
    /// assert_eq!(schema.match_header("MAIL"), Some(schema.email_position()));
    /// ```
    pub fn translate(
        mut self,
        key: &str,
        language: &str,
        header: impl Into<String>,
        description: impl Into<String>,
    ) -> SchemaBuilder {
        if let Some(position) = self.columns.iter().position(|c| c.key == key) {
            let column = self.columns.remove(position);
            self.columns
                .insert(position, column.translation(language, header, description));
        }
        self
    }

    /// Adds a header the reader accepts for the column with `key` (a default one included);
    /// does nothing if there is none.
    pub fn alias(mut self, key: &str, header: impl Into<String>) -> SchemaBuilder {
        if let Some(column) = self.columns.iter_mut().find(|c| c.key == key) {
            column.aliases.push(header.into());
        }
        self
    }

    /// Labels a choice of the column with `key` in `language` (see [`Column::choice_label`]);
    /// does nothing if there is no such column.
    ///
    /// ```
    /// use user_import::Schema;
    ///
    /// let schema = Schema::builder()
    ///     .languages(["en", "fr", "es"])
    ///     .choice_label("language", "es", "en", "Spanish")
    ///     .choice_label("language", "es", "fr", "Espagnol")
    ///     .build()
    ///     .unwrap();
    /// let language = schema.column("language").unwrap();
    /// assert_eq!(language.match_choice("espagnol"), Some("es"));
    /// assert_eq!(language.match_choice("FRANCAIS"), Some("fr"));
    /// assert_eq!(language.choice_label_in("en", "fr"), "Anglais");
    /// ```
    pub fn choice_label(
        mut self,
        key: &str,
        choice: impl Into<String>,
        language: impl Into<String>,
        label: impl Into<String>,
    ) -> SchemaBuilder {
        if let Some(position) = self.columns.iter().position(|c| c.key == key) {
            let column = self.columns.remove(position);
            self.columns
                .insert(position, column.choice_label(choice, language, label));
        }
        self
    }

    /// Removes the column with `key` (an optional default column the host does not use).
    pub fn without(mut self, key: &str) -> SchemaBuilder {
        self.columns.retain(|c| c.key != key);
        self
    }

    /// Checks the schema and builds it.
    ///
    /// # Errors
    ///
    /// [`Error::Schema`] when a key or header is empty or repeated, a header is longer than 255
    /// characters, a choice list is empty, the sheet name is not a valid Excel sheet name, or
    /// the schema lacks exactly one required email column and one name column.
    pub fn build(self) -> Result<Schema, Error> {
        let sheet = self.sheet.trim().to_string();
        for name in std::iter::once(&sheet).chain(self.sheet_translations.iter().map(|(_, n)| n)) {
            if name.trim().is_empty()
                || name.chars().count() > 31
                || name.contains(['[', ']', ':', '*', '?', '/', '\\'])
                || name.starts_with('\'')
                || name.ends_with('\'')
            {
                return Err(Error::Schema(format!(
                    "the sheet name `{name}` is not a valid Excel sheet name (1 to 31 characters, none of []:*?/\\, not starting or ending with ')"
                )));
            }
        }
        if self.columns.len() > 200 {
            return Err(Error::Schema(format!(
                "the schema has {} columns, over the limit of 200",
                self.columns.len()
            )));
        }
        let mut folded_headers: Vec<(String, usize)> = Vec::with_capacity(self.columns.len() * 2);
        for (index, column) in self.columns.iter().enumerate() {
            if column.key.trim().is_empty() {
                return Err(Error::Schema(format!(
                    "column {} has an empty key",
                    index + 1
                )));
            }
            for header in column.accepted_headers() {
                let folded = fold_header(header);
                if folded.is_empty() || header.chars().count() > 255 {
                    return Err(Error::Schema(format!(
                        "column `{}` needs headers of 1 to 255 characters",
                        column.key
                    )));
                }
                match folded_headers.iter().find(|(known, _)| *known == folded) {
                    Some((_, other)) if *other != index => {
                        return Err(Error::Schema(format!(
                            "the header `{header}` is used by two columns (`{}` and `{}`)",
                            self.columns[*other].key, column.key
                        )));
                    }
                    Some(_) => {}
                    None => folded_headers.push((folded, index)),
                }
            }
            if self.columns[..index].iter().any(|c| c.key == column.key) {
                return Err(Error::Schema(format!(
                    "the key `{}` is used by two columns",
                    column.key
                )));
            }
            if let ColumnKind::Choice(choices) = &column.kind
                && (choices.is_empty() || choices.iter().any(|c| c.trim().is_empty()))
            {
                return Err(Error::Schema(format!(
                    "column `{}` is a choice list with an empty choice or no choices",
                    column.key
                )));
            }
        }
        let single = |kind: &ColumnKind, what: &str| -> Result<Option<usize>, Error> {
            let found: Vec<usize> = self
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.kind == *kind)
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(*one)),
                _ => Err(Error::Schema(format!(
                    "the schema has more than one {what} column"
                ))),
            }
        };
        let email = single(&ColumnKind::Email, "email")?
            .ok_or_else(|| Error::Schema("the schema needs an email column".to_string()))?;
        if !self.columns[email].required {
            return Err(Error::Schema(
                "the email column identifies users and must be required".to_string(),
            ));
        }
        let name = single(&ColumnKind::Name, "name")?
            .ok_or_else(|| Error::Schema("the schema needs a name column".to_string()))?;
        let country = single(&ColumnKind::Country, "country")?;
        let region = single(&ColumnKind::Region, "region")?;
        if region.is_some() && country.is_none() {
            return Err(Error::Schema(
                "a region column needs a country column".to_string(),
            ));
        }
        Ok(Schema {
            sheet,
            sheet_translations: self.sheet_translations,
            columns: self.columns,
            email,
            name,
            country,
            region,
            folded_headers,
        })
    }
}
