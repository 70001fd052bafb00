//! Small text helpers shared by every floor that reads what a user typed: "did you mean"
//! suggestions for the scenario language, `server.properties` keys and teaching switches.

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
}
