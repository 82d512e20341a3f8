//! Escaping user-supplied text (scenario and host names, units, swept values, paths) for the
//! places negcycle writes it: CSV fields ([`csv_field`], [`csv_value`]), SVG text
//! ([`xml_text`]) and terminals ([`terminal_text`]).
//!
//! Numbers that negcycle computes are written by the code that formats them and never pass
//! through [`csv_field`]: its formula guard (below) is for text.
//!
//! # SVG and plotters
//! The charts are drawn with `plotters`' SVG backend (`plotters-svg` 0.3.7). Its
//! `SVGBackend::escape_and_push` already escapes `<`, `>`, `&`, `"` and `'` (as `&lt;`, `&gt;`,
//! `&amp;`, `&quot;`, `&apos;`) in every text node and attribute value it writes, but passes
//! every other character through unchanged, including those that make an XML 1.0 document
//! ill-formed (most C0 controls, U+FFFE, U+FFFF). So [`xml_text`] removes those and does *not*
//! escape the five markup characters: escaping them here as well would show `&amp;lt;` in the
//! chart. A test of the charts pins this (a `<&>` in a scenario name appears as `&lt;&amp;&gt;`
//! exactly once escaped).

use std::borrow::Cow;
use std::fmt::Write;

/// The characters that make spreadsheet programs read a text cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text field of a CSV row (RFC 4180): quoted if it contains `,`, `"`, a line break or any
/// other control character (C0, DEL, C1), with `"` doubled; a field that a spreadsheet would
/// read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is quoted
/// and gets a leading `'` inside the quotes, which spreadsheets show as plain text.
///
/// For text only (names, units, labels): a number such as `-0.5` would be changed.
pub fn csv_field(s: &str) -> String {
    let formula = s.starts_with(FORMULA_START);
    let quote = formula || s.chars().any(|c| c == ',' || c == '"' || c.is_control());
    if !quote {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 3);
    out.push('"');
    if formula {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push_str("\"\"");
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// A user-given value that is often a number (a swept parameter's value): written as given if
/// it parses as a number (`-0.5`, `1e3`; no CSV or formula meaning), otherwise as a text field
/// ([`csv_field`]).
pub fn csv_value(s: &str) -> Cow<'_, str> {
    if s.parse::<f64>().is_ok() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(csv_field(s))
    }
}

/// Whether `c` is a Unicode noncharacter (U+FDD0..U+FDEF, and the last two code points of every
/// plane: U+FFFE, U+FFFF, U+1FFFE, ...).
fn is_noncharacter(c: char) -> bool {
    let u = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&u) || u & 0xFFFE == 0xFFFE
}

/// Text to draw into an SVG chart through plotters: tab, line feed and carriage return become a
/// space (a chart label is one line); every other control character (C0, which XML 1.0 forbids,
/// and DEL and C1, which it discourages) and every Unicode noncharacter (U+FFFE and U+FFFF,
/// which XML 1.0 forbids, and the others, which it discourages) is removed. Lone surrogates
/// cannot occur in a `&str`. `& < > " '` are left for plotters to escape (see the module docs).
pub fn xml_text(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() || is_noncharacter(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Whether a terminal could act on `c` instead of showing it: control characters (C0 such as
/// ESC, BEL, CR and LF, DEL, C1 such as CSI U+009B), the bidirectional embedding, override and
/// isolate controls (which reorder what is shown) and the line and paragraph separators.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// Text to print on a terminal (a table, an error message, `check` output): every character a
/// terminal could act on (see above) is shown as a visible escape instead: `\n`, `\r`, `\t`,
/// `\x1b` for the other ASCII controls, `\u{9b}` for the others. Text without them is returned
/// as it is.
pub fn terminal_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii() && acts_on_terminal(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if acts_on_terminal(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields() {
        assert_eq!(csv_field("us_rok_sma"), "us_rok_sma");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("a\rb"), "\"a\rb\"");
        assert_eq!(csv_field("a\u{1b}b"), "\"a\u{1b}b\"");
        assert_eq!(csv_field("a\u{85}b"), "\"a\u{85}b\"");
        assert_eq!(csv_field("=1+2"), "\"'=1+2\"");
        assert_eq!(csv_field("-x"), "\"'-x\"");
        assert_eq!(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_field("\tx"), "\"'\tx\"");
        assert_eq!(csv_field("x=1"), "x=1");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_value("-0.5"), "-0.5");
        assert_eq!(csv_value("1e3"), "1e3");
        assert_eq!(csv_value("-x"), "\"'-x\"");
        assert_eq!(csv_value("drift"), "drift");
    }

    #[test]
    fn xml_and_terminal_text() {
        assert_eq!(xml_text("a\tb\nc\rd"), "a b c d");
        assert_eq!(
            xml_text("a\u{0}\u{1b}\u{7f}\u{9b}b\u{fffe}\u{ffff}\u{1fffe}"),
            "ab"
        );
        assert_eq!(xml_text("<&>\"'é"), "<&>\"'é");
        assert!(matches!(terminal_text("plain é"), Cow::Borrowed("plain é")));
        assert_eq!(terminal_text("a\u{1b}[2Jb"), "a\\x1b[2Jb");
        assert_eq!(terminal_text("\r\n\t\u{7}"), "\\r\\n\\t\\x07");
        assert_eq!(terminal_text("x\u{9b}y\u{202e}z"), "x\\u{9b}y\\u{202e}z");
    }
}
