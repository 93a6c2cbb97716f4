//! The config.json keys that `[server]` and `[schemes]` own. Those sections are validated
//! and normalised, and the same values go to the EMM files and the server's patch, so
//! `[config]` or the override's config.json may not set them to anything else: a different
//! value would silently replace the validated one in the app alone.
use serde_json::{Map, Value};

/// (config.json key, the brand key that sets it).
pub const OWNED_KEYS: &[(&str, &str)] = &[
    ("DefaultServerUrl", "server.url"),
    ("DefaultServerName", "server.name"),
    ("AutoSelectServerUrl", "server.auto_select"),
    // The app reads AuthUrlSchemeDev instead when its id contains "rnbeta" (isBetaApp).
    ("AuthUrlScheme", "schemes.auth"),
    ("AuthUrlSchemeDev", "schemes.auth"),
];

/// A top-level key of `patch` that sets an owned key to a value other than `owned`'s (the
/// brand's own values, by config.json key; an absent one means the brand sets none), as
/// "`Key` … set <brand key> instead" for a message that names the file or section first.
/// A value of another JSON type is left to config.json's type check, whose message says how
/// to write it (`"yes"` for a boolean).
pub fn conflicts(patch: &Map<String, Value>, owned: &Map<String, Value>) -> Vec<String> {
    OWNED_KEYS
        .iter()
        .filter_map(|(json_key, brand_key)| {
            let value = patch.get(*json_key)?;
            let ours = owned.get(*json_key);
            let same_type = match ours {
                Some(v) => std::mem::discriminant(v) == std::mem::discriminant(value),
                None => value.is_string(),
            };
            if ours == Some(value) || !same_type {
                return None;
            }
            let brand = match owned.get(*json_key) {
                Some(v) => format!("the brand's value is {v}"),
                None => "the brand sets none".to_string(),
            };
            Some(format!(
                "`{json_key}` = {value} is set by the brand key {brand_key} ({brand}): set {brand_key} instead, where it is validated and also reaches the EMM files and the server's config patch"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_different_value_is_refused_and_the_same_allowed() {
        let owned = map(json!({"DefaultServerUrl": "https://a.example", "AuthUrlScheme": "a://"}));
        let same = map(json!({"DefaultServerUrl": "https://a.example", "Other": 1}));
        assert!(conflicts(&same, &owned).is_empty());
        let found = conflicts(
            &map(
                json!({"DefaultServerUrl": "javascript:alert(1)", "AuthUrlSchemeDev": "evil://", "DefaultServerName": "X"}),
            ),
            &owned,
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("set server.url instead"), "{}", found[0]);
        assert!(found[1].contains("the brand sets none"), "{}", found[1]);
        assert!(
            found[2].contains("set schemes.auth instead"),
            "{}",
            found[2]
        );
    }
}
