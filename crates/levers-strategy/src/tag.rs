//! Normalising free-text objective tags, so "Child  Poverty" and "child poverty" are one objective.

/// The key an objective's title is compared by: trimmed, lower case, runs of white space as one
/// space. Migration 0012 applies the same rule in SQL to the co-production register's old tags.
pub fn normalise_tag(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_spaces_do_not_make_a_new_objective() {
        assert_eq!(normalise_tag("  Child   Poverty\t"), "child poverty");
        assert_eq!(
            normalise_tag("child poverty"),
            normalise_tag("CHILD POVERTY")
        );
        assert_eq!(normalise_tag(""), "");
    }
}
