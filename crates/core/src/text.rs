//! Small text helpers shared by every floor that reads what a user typed: "did you mean"
//! suggestions for the scenario language, `server.properties` keys and teaching switches; and
//! values printed exactly as `{:?}` prints them ([`List`], [`Quoted`]) without the `Debug`
//! machinery, whose derived impls, builders and Unicode escape tables would otherwise all be
//! in the browser bundle for a few runtime messages.

use std::fmt;

/// `[1, 2, 3]`: a list exactly as `{:?}` prints it, for items whose `Debug` is their `Display`
/// (integers).
pub struct List<'a, T>(pub &'a [T]);

impl<T: fmt::Display> fmt::Display for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{item}")?;
        }
        f.write_str("]")
    }
}

/// `"text"`: a string exactly as `{:?}` prints it, for any text without unprintable Unicode
/// (which `Debug` escapes as `\u{…}` and this prints as it is): quotes and backslashes are
/// escaped, and ASCII control characters.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut plain = 0;
        for (i, c) in self.0.char_indices() {
            let escaped = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                c if c.is_ascii_control() => "",
                _ => continue,
            };
            f.write_str(&self.0[plain..i])?;
            if escaped.is_empty() {
                write!(f, "\\u{{{:x}}}", c as u32)?;
            } else {
                f.write_str(escaped)?;
            }
            plain = i + c.len_utf8();
        }
        f.write_str(&self.0[plain..])?;
        f.write_str("\"")
    }
}

/// Levenshtein edit distance between two words, for suggestions.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// "did you mean" for a word among `choices`.
pub fn suggest(word: &str, choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_word_within_two_edits() {
        assert_eq!(distance("crash", "crahs"), 2);
        assert_eq!(
            suggest("crahs", &["crash", "restart"]),
            "; did you mean `crash`?"
        );
        assert_eq!(suggest("zzzzzz", &["crash", "restart"]), "");
    }

    #[test]
    fn list_and_quoted_print_as_debug_does() {
        for items in [vec![], vec![1], vec![3, -1, 20]] {
            assert_eq!(List(&items).to_string(), format!("{items:?}"));
        }
        for text in [
            "",
            "/brokers/ids/1",
            r#"{"version":2,"brokerid":1}"#,
            "a\\b\n\r\t\0\u{1}\u{1f}\u{7f} é ü 日本 'x'",
        ] {
            assert_eq!(Quoted(text).to_string(), format!("{text:?}"));
        }
    }
}
