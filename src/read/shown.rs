//! What a number cell shows under its number format: `00123` for 123 under `00000`, `1,234`
//! under `#,##0`, `ID-7` under `"ID-"0`. The reader takes a zero-padded whole number as it is
//! shown, and warns where a format shows other text than the number the file holds.

/// A cell format's number format that can make a number show otherwise than the reader reads
/// it. General, Text (`@`) and date or time formats are not such formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NumberFormat {
    /// The format code.
    pub(crate) code: String,
    /// Only zeros (`00000`): a whole number is read as shown, leading zeros included.
    pub(crate) padded: bool,
}

/// The number format of a format code, or `None` when a number shows as the reader reads it.
pub(crate) fn classify(code: &str) -> Option<NumberFormat> {
    let code = code.trim();
    if code.is_empty() || code.eq_ignore_ascii_case("general") || code == "@" {
        return None;
    }
    if is_date_or_time(code) {
        return None;
    }
    let first = sections(code).into_iter().next().unwrap_or_default();
    Some(NumberFormat {
        code: code.to_string(),
        padded: first.len() >= 2 && first.bytes().all(|b| b == b'0'),
    })
}

/// Whether a format code shows dates or times (letters y, m, d, h, s outside quotes).
fn is_date_or_time(code: &str) -> bool {
    let mut chars = code.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '"' => {
                for inner in chars.by_ref() {
                    if inner == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                // `[h]`, `[mm]`, `[ss]`: elapsed time; `[Red]`, `[$€-407]`: not.
                let inner: String = chars.by_ref().take_while(|c| *c != ']').collect();
                let lower = inner.to_ascii_lowercase();
                if !lower.is_empty() && lower.chars().all(|c| matches!(c, 'h' | 'm' | 's')) {
                    return true;
                }
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

/// The sections of a format code, split on `;` outside quotes and escapes.
fn sections(code: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = code.chars();
    while let Some(ch) = chars.next() {
        let current = out.last_mut().expect("one section at least");
        match ch {
            ';' => out.push(String::new()),
            '"' => {
                current.push(ch);
                for inner in chars.by_ref() {
                    current.push(inner);
                    if inner == '"' {
                        break;
                    }
                }
            }
            '\\' => {
                current.push(ch);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            _ => current.push(ch),
        }
    }
    out
}

enum Token {
    Literal(String),
    /// `0`, `#` or `?`.
    Digit(char),
    Point,
    Comma,
}

/// The text `value` shows under the format `code`, or `None` for a format this reader does not
/// render (scientific, fractions, conditions, text sections).
pub(crate) fn render(code: &str, value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    let sections = sections(code);
    let (section, negative_sign) = if value < 0.0 && sections.len() >= 2 {
        (&sections[1], false)
    } else if value == 0.0 && sections.len() >= 3 {
        (&sections[2], false)
    } else {
        (&sections[0], value < 0.0)
    };
    let tokens = tokens(section)?;
    let mut percent = 0;
    for token in &tokens {
        if let Token::Literal(text) = token {
            percent += text.matches('%').count() as i32;
        }
    }
    // Commas: between integer digits, a thousands separator; right after the last integer
    // digit, a division by 1000 each.
    let point = tokens.iter().position(|t| matches!(t, Token::Point));
    let integer_end = point.unwrap_or(tokens.len());
    let last_int_digit = tokens[..integer_end]
        .iter()
        .rposition(|t| matches!(t, Token::Digit(_)));
    let mut thousands = false;
    let mut scale = 0;
    for (at, token) in tokens[..integer_end].iter().enumerate() {
        if matches!(token, Token::Comma) {
            match last_int_digit {
                Some(last) if at < last => thousands = true,
                Some(_) => scale += 1,
                None => {}
            }
        }
    }
    let decimals: Vec<char> = tokens[integer_end..]
        .iter()
        .filter_map(|t| match t {
            Token::Digit(kind) => Some(*kind),
            _ => None,
        })
        .collect();
    let int_places: Vec<char> = tokens[..integer_end]
        .iter()
        .filter_map(|t| match t {
            Token::Digit(kind) => Some(*kind),
            _ => None,
        })
        .collect();
    if int_places.is_empty() && decimals.is_empty() {
        return None;
    }

    let scaled = value.abs() * 100f64.powi(percent) / 1000f64.powi(scale);
    let fixed = format!("{:.*}", decimals.len(), scaled);
    let (int_text, frac_text) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let int_digits = if int_text == "0" { "" } else { int_text };

    // The integer placeholders, filled from the right; extra digits go to the leftmost one.
    let mut int_fill: Vec<String> = vec![String::new(); int_places.len()];
    if thousands {
        let zeros = int_places.iter().filter(|kind| **kind == '0').count();
        let padded = format!("{int_digits:0>zeros$}");
        let mut grouped = String::new();
        for (i, ch) in padded.chars().enumerate() {
            if i > 0 && (padded.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        if let Some(first) = int_fill.first_mut() {
            *first = grouped;
        }
    } else {
        let mut digits: Vec<char> = int_digits.chars().collect();
        for (slot, kind) in int_fill.iter_mut().zip(&int_places).rev() {
            *slot = match digits.pop() {
                Some(digit) => digit.to_string(),
                None => match kind {
                    '0' => "0".to_string(),
                    '?' => " ".to_string(),
                    _ => String::new(),
                },
            };
        }
        if let Some(first) = int_fill.first_mut() {
            let rest: String = digits.into_iter().collect();
            first.insert_str(0, &rest);
        }
    }
    // The decimal placeholders: `#` drops trailing zeros, `?` shows them as spaces.
    let mut frac_fill: Vec<String> = frac_text.chars().map(|c| c.to_string()).collect();
    for (slot, kind) in frac_fill.iter_mut().zip(&decimals).rev() {
        if slot != "0" {
            break;
        }
        match kind {
            '#' => slot.clear(),
            '?' => *slot = " ".to_string(),
            _ => break,
        }
    }

    let mut out = String::new();
    if negative_sign {
        out.push('-');
    }
    let (mut int_at, mut frac_at) = (0, 0);
    for (at, token) in tokens.iter().enumerate() {
        match token {
            Token::Literal(text) => out.push_str(text),
            Token::Comma => {}
            Token::Point => out.push('.'),
            Token::Digit(_) if at < integer_end => {
                if thousands && int_at > 0 {
                    int_at += 1;
                    continue;
                }
                out.push_str(&int_fill[int_at]);
                int_at += 1;
            }
            Token::Digit(_) => {
                out.push_str(frac_fill.get(frac_at).map_or("", String::as_str));
                frac_at += 1;
            }
        }
    }
    Some(out)
}

/// The tokens of one section, or `None` where it has what [`render`] does not render.
fn tokens(section: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = section.chars();
    let mut seen_point = false;
    while let Some(ch) = chars.next() {
        match ch {
            '"' => {
                let text: String = chars.by_ref().take_while(|c| *c != '"').collect();
                out.push(Token::Literal(text));
            }
            '\\' => out.push(Token::Literal(chars.next()?.to_string())),
            '_' => {
                chars.next();
                out.push(Token::Literal(" ".to_string()));
            }
            '*' => {
                chars.next();
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|c| *c != ']').collect();
                if let Some(currency) = inner.strip_prefix('$') {
                    let symbol = currency.split('-').next().unwrap_or_default();
                    out.push(Token::Literal(symbol.to_string()));
                } else if inner.starts_with(['<', '>', '=']) {
                    return None;
                }
                // A colour such as `[Red]`: nothing shown.
            }
            '0' | '#' | '?' => out.push(Token::Digit(ch)),
            '.' if !seen_point => {
                seen_point = true;
                out.push(Token::Point);
            }
            ',' => out.push(Token::Comma),
            'E' | 'e' | '/' | '@' => return None,
            c if c.is_ascii_alphabetic() => return None,
            c => out.push(Token::Literal(c.to_string())),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_show_numbers_as_excel_does() {
        for (code, value, shown) in [
            ("00000", 123.0, "00123"),
            ("000000", 1234567.0, "1234567"),
            ("0", 5.5, "6"),
            ("0.00", 5.0, "5.00"),
            ("#,##0", 1234567.0, "1,234,567"),
            ("#,##0.00", 1234.5, "1,234.50"),
            ("0%", 0.25, "25%"),
            ("\"ID-\"0", 7.0, "ID-7"),
            ("000-000-0000", 5145550123.0, "514-555-0123"),
            ("#.##", 0.5, ".5"),
            ("0.00;(0.00)", -2.0, "(2.00)"),
            ("00000", -12.0, "-00012"),
            ("[$€-407] #,##0", 12.0, "€ 12"),
            ("#,##0,\"k\"", 12345.0, "12k"),
            ("0_)", 3.0, "3 "),
        ] {
            assert_eq!(
                render(code, value).as_deref(),
                Some(shown),
                "{code} {value}"
            );
        }
    }

    #[test]
    fn formats_beyond_the_renderer_are_not_guessed() {
        for code in ["0.00E+00", "# ?/?", "[<100]0;0.0", "@"] {
            assert_eq!(render(code, 1.0), None, "{code}");
        }
    }

    #[test]
    fn only_numeric_formats_are_kept() {
        assert_eq!(classify("General"), None);
        assert_eq!(classify("@"), None);
        assert_eq!(classify("yyyy-mm-dd"), None);
        assert_eq!(classify("[h]:mm"), None);
        assert!(classify("00000").unwrap().padded);
        assert!(!classify("0").unwrap().padded);
        assert!(!classify("#,##0").unwrap().padded);
        assert!(!classify("[Red]0.00").unwrap().padded);
    }
}
