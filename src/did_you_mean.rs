//! "Did you mean": the closest of a list of names to a misspelt one. A leaf, so the brand's
//! validation and the overlay's checks suggest names the same way without importing each
//! other.

/// The option closest to `wanted`: a case-insensitive match first, then an abbreviation
/// ("prod" for "production"), then the smallest edit distance within a third of the length.
pub fn closest<'a>(
    wanted: &str,
    options: impl Iterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    if let Some(same) = options.clone().find(|o| o.eq_ignore_ascii_case(wanted)) {
        return Some(same);
    }
    let lower = wanted.to_lowercase();
    if lower.len() >= 3 {
        if let Some(longer) = options
            .clone()
            .find(|o| o.to_lowercase().starts_with(&lower))
        {
            return Some(longer);
        }
    }
    let limit = (wanted.chars().count() / 3).max(2);
    options
        .map(|o| {
            (
                strsim::levenshtein(&wanted.to_lowercase(), &o.to_lowercase()),
                o,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}
