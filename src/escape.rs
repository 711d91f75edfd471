//! Curated text made safe to show: control characters, line separators and bidirectional controls
//! written as Rust escapes (`\n`, `\u{1b}`), so that no byte a curator wrote can end a line, start a
//! workflow command or drive a terminal; file names shown byte for byte (`\xff`), so that two names
//! never print alike; invisible characters named; code points spelled out, to tell look-alikes apart.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;
use unicode_general_category::{GeneralCategory, get_general_category};

/// Whether `c` is shown as an escape: a control character (C0 with tab, line feed and carriage
/// return, DEL, C1 with U+0085), the line and paragraph separators U+2028 and U+2029 (line ends to
/// some readers), and the bidirectional controls that reorder the text after them on screen.
pub fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Whether `c` shows as nothing: a format character (general category Cf: zero-width spaces and
/// joiners, the byte order mark, the soft hyphen, bidirectional controls, tags) or another default
/// ignorable code point (variation selectors, the combining grapheme joiner, the Hangul fillers).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{034f}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{ffa0}'
            | '\u{e0100}'..='\u{e01ef}'
    ) || get_general_category(c) == GeneralCategory::Format
}

/// Text as shown in every report: each character of `is_escaped` written as Rust's `escape_debug`
/// writes it (`\n`, `\r`, `\t`, `\0`, `\u{1b}`, `\u{2028}`), everything else as it is. A backslash is
/// left alone, so escaping twice changes nothing. Borrowed when there is nothing to escape.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// `text` escaped and cut to at most `max_chars` characters as shown, with `…` after the cut. An
/// escape is never cut in two.
pub fn text_within(text: &str, max_chars: usize) -> Cow<'_, str> {
    let plain = !text.chars().any(is_escaped);
    if plain && (text.len() <= max_chars || text.chars().count() <= max_chars) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(max_chars * 4) + 8);
    let mut shown = 0;
    for c in text.chars() {
        let width = if is_escaped(c) { c.escape_debug().count() } else { 1 };
        if shown + width > max_chars {
            out.push('…');
            break;
        }
        shown += width;
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// A file name as shown in every report and format: its UTF-8 text with each byte that is not part
/// of valid UTF-8 written `\xNN`, a backslash written `\\` (so that `\xff` written in a name cannot
/// pass for the byte), and the characters of `is_escaped` escaped as in `text`. Two different names
/// are always shown differently.
pub fn path(path: &Path) -> Cow<'_, str> {
    let bytes = path.as_os_str().as_encoded_bytes();
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.chars().any(|c| c == '\\' || is_escaped(c))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                push(&mut out, c);
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    Cow::Owned(out)
}

/// The code points of `chars`, as `U+00E9 U+0301`; past `max` of them, `…`.
pub fn code_points(chars: &[char], max: usize) -> String {
    let mut out: Vec<String> = chars.iter().take(max).map(|&c| format!("U+{:04X}", c as u32)).collect();
    if chars.len() > max {
        out.push("…".into());
    }
    out.join(" ")
}

/// Appends `c`, escaped if it must be.
fn push(out: &mut String, c: char) {
    if is_escaped(c) {
        out.extend(c.escape_debug());
    } else {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn controls_and_line_separators_are_escaped_as_rust_does() {
        assert_eq!(text("a\n::add-mask::x"), "a\\n::add-mask::x");
        assert_eq!(
            text("\r\t\0\x1b[31m\x07\x7f\u{85}\u{9b}\u{2028}\u{2029}"),
            "\\r\\t\\0\\u{1b}[31m\\u{7}\\u{7f}\\u{85}\\u{9b}\\u{2028}\\u{2029}"
        );
        assert_eq!(text("abc\u{202e}cba"), "abc\\u{202e}cba");
        // Everything else is shown as written, a backslash and quotes included.
        assert!(matches!(
            text("Café \\n “x” \u{a0}"),
            Cow::Borrowed("Café \\n “x” \u{a0}")
        ));
    }

    #[test]
    fn escaping_twice_changes_nothing() {
        let once = text("a\nb\u{1b}").into_owned();
        assert_eq!(text(&once), once);
    }

    #[test]
    fn cut_text_never_splits_an_escape() {
        assert_eq!(text_within("abc", 3), "abc");
        assert_eq!(text_within("abcd", 3), "abc…");
        assert_eq!(text_within("ab\x1bcd", 8), "ab\\u{1b}…");
        assert_eq!(text_within("ab\x1bcd", 7), "ab…");
        assert_eq!(text_within("ééé", 2), "éé…");
    }

    #[test]
    fn file_names_are_shown_byte_for_byte() {
        let shown = |bytes: &[u8]| path(Path::new(OsStr::from_bytes(bytes))).into_owned();
        assert_eq!(shown(b"input/\xff.yaml"), "input/\\xff.yaml");
        assert_eq!(shown(b"input/\xfe.yaml"), "input/\\xfe.yaml");
        // A name holding the four characters `\xff` is not the byte 0xFF.
        assert_eq!(shown(b"input/\\xff.yaml"), "input/\\\\xff.yaml");
        assert_eq!(shown(b"a\n::add-mask::b\x1b/c.yaml"), "a\\n::add-mask::b\\u{1b}/c.yaml");
        assert_eq!(shown("é/\u{2028}".as_bytes()), "é/\\u{2028}");
        assert_eq!(shown(b"caf\xc3"), "caf\\xc3");
        assert!(matches!(path(Path::new("input/a b.yaml")), Cow::Borrowed(_)));
    }

    #[test]
    fn invisible_characters_are_known() {
        for c in [
            '\u{200b}', '\u{200d}', '\u{feff}', '\u{ad}', '\u{2060}', '\u{202e}', '\u{fe0f}', '\u{3164}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', ' ', '\u{a0}', '-', 'é'] {
            assert!(!is_invisible(c), "{c:?}");
        }
    }

    #[test]
    fn code_points_are_spelled_out() {
        assert_eq!(code_points(&['e', '\u{301}'], 8), "U+0065 U+0301");
        assert_eq!(code_points(&['\u{1f600}'], 8), "U+1F600");
        assert_eq!(code_points(&['a', 'b', 'c'], 2), "U+0061 U+0062 …");
        assert_eq!(code_points(&[], 2), "");
    }
}
