//! "Did you mean …?" suggestions for misspelt names in events.

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo.
///
/// A candidate is close enough when at most a third of the name's characters must change, with
/// no change allowed in names of one or two characters (any other short name would do), one in
/// names of three, and two in longer ones; ties go to the candidate listed first.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = name.chars().count();
    let limit = match length {
        0..=2 => 0,
        3 => 1,
        _ => (length / 3).max(2),
    };
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = edit_distance(name, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The Levenshtein distance between two strings, counted in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("colour", "color"), 1);
        assert_eq!(closest("lone", ["loan", "return"]), Some("loan"));
        assert_eq!(closest("xyz", ["loan", "return"]), None);
        assert_eq!(closest("d", ["e", "x"]), None);
        assert_eq!(closest("dat", ["date", "x"]), Some("date"));
    }
}
