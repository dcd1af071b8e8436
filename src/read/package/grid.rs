//! Excel's grid: its size, `A1` references and column letters.

/// Excel's grid: 1,048,576 rows and 16,384 columns (XFD).
pub(crate) const MAX_GRID_ROWS: u64 = 1_048_576;
pub(crate) const MAX_GRID_COLUMNS: u64 = 16_384;

/// Parses `A1`-style references inside Excel's grid into zero-based (row, column).
pub(crate) fn parse_cell_reference(value: &[u8]) -> Option<(u32, u32)> {
    // One pass: one to three letters, then one to seven digits.
    let mut column: u64 = 0;
    let mut at = 0;
    while at < value.len() && value[at].is_ascii_alphabetic() {
        if at == 3 {
            return None;
        }
        column = column * 26 + u64::from(value[at].to_ascii_uppercase() - b'A') + 1;
        at += 1;
    }
    if at == 0 || !(1..=MAX_GRID_COLUMNS).contains(&column) {
        return None;
    }
    Some((parse_row(&value[at..])?, (column - 1) as u32))
}

/// A row number's one to seven digits, from 0: `None` for any other byte or outside the grid.
pub(crate) fn parse_row(digits: &[u8]) -> Option<u32> {
    if digits.len() > 7 {
        return None;
    }
    let mut row: u64 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        row = row * 10 + u64::from(byte - b'0');
    }
    // No digit at all gives 0, outside the grid.
    (1..=MAX_GRID_ROWS).contains(&row).then(|| (row - 1) as u32)
}

/// The column letters of a zero-based column index: 0 → `A`, 26 → `AA`.
pub(crate) fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_count_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn row_numbers_are_one_to_seven_digits_inside_the_grid() {
        assert_eq!(parse_row(b"1"), Some(0));
        assert_eq!(parse_row(b"0000012"), Some(11));
        assert_eq!(parse_row(b"1048576"), Some(1_048_575));
        assert_eq!(parse_row(b"1048577"), None);
        assert_eq!(parse_row(b"00000001"), None, "eight digits");
        assert_eq!(parse_row(b"0"), None);
        assert_eq!(parse_row(b""), None);
        assert_eq!(parse_row(b"1a"), None);
        assert_eq!(parse_row(b"-1"), None);
    }
}
