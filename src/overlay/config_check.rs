//! Strict checks on an override of `config.json`: the app reads its keys by exact name and
//! tests values for truthiness, so a misspelt key or a quoted boolean is silently wrong.
use serde_json::{Map, Value};

use super::json_merge::type_name;
use super::suggest;

/// How messages name the app's base config.json.
pub const APP_CONFIG: &str = "the base config.json";

/// Every unknown key or type mismatch in `patch` relative to the app's base config.json, as
/// messages. `file` names the override file in messages.
pub fn check(base: &Value, patch: &Value, file: &str) -> Vec<String> {
    check_against(base, patch, file, APP_CONFIG)
}

/// [`check`] against another base, which messages call `base_name` (e.g. "the push proxy's
/// config").
pub fn check_against(base: &Value, patch: &Value, file: &str, base_name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let ctx = Ctx { file, base_name };
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => check_object(b, p, "", &ctx, &mut found),
        (Value::Object(_), _) => found.push(format!(
            "{file}: the override must be a JSON object like the base file, not {}",
            type_name(patch)
        )),
        _ => found.push(format!(
            "{file}: {base_name} is {}, not a JSON object, so its keys cannot be checked; check the upstream checkout",
            type_name(base)
        )),
    }
    found
}

/// Which override is checked against which base, as messages name them.
struct Ctx<'a> {
    file: &'a str,
    base_name: &'a str,
}

fn check_object(
    base: &Map<String, Value>,
    patch: &Map<String, Value>,
    prefix: &str,
    ctx: &Ctx,
    found: &mut Vec<String>,
) {
    for (key, value) in patch {
        let path = format!("{prefix}{key}");
        match base.get(key) {
            None => found.push(unknown_key(ctx, &path, key, base)),
            Some(_) if value.is_null() => {}
            Some(Value::Object(b)) if b.is_empty() => {
                // An empty object in base (CustomRequestHeaders) is a free-form map.
                if !value.is_object() {
                    found.push(type_mismatch(ctx, &path, &Value::Object(Map::new()), value));
                }
            }
            Some(Value::Object(b)) => match value {
                Value::Object(p) => check_object(b, p, &format!("{path}."), ctx, found),
                _ => found.push(type_mismatch(ctx, &path, &Value::Object(b.clone()), value)),
            },
            Some(b) if type_name(b) != type_name(value) => {
                found.push(type_mismatch(ctx, &path, b, value))
            }
            Some(_) => {}
        }
    }
}

/// Message for a key that the base config.json does not have.
fn unknown_key(ctx: &Ctx, path: &str, key: &str, base: &Map<String, Value>) -> String {
    let hint = suggest::closest(key, base.keys().map(String::as_str))
        .map(|s| format!("; did you mean `{}`?", replace_last(path, key, s)))
        .unwrap_or_else(|| "; the app ignores keys it does not know".to_string());
    format!(
        "{}: unknown key `{path}` (not in {}){hint}",
        ctx.file, ctx.base_name
    )
}

/// Message for a value whose JSON type differs from the base value.
fn type_mismatch(ctx: &Ctx, path: &str, base: &Value, value: &Value) -> String {
    let hint = match (base, value) {
        (Value::Bool(_), Value::String(s)) if s == "true" || s == "false" => {
            format!("; write {s} without quotes")
        }
        (Value::Number(_), Value::String(s)) if s.parse::<f64>().is_ok() => {
            format!("; write {s} without quotes")
        }
        _ => String::new(),
    };
    format!(
        "{}: `{path}` must be a {} as in {}, not {} {}{hint}",
        ctx.file,
        type_name(base),
        ctx.base_name,
        type_name(value),
        value
    )
}

fn replace_last(path: &str, key: &str, replacement: &str) -> String {
    format!("{}{replacement}", &path[..path.len() - key.len()])
}

/// Top-level keys the override deletes with `null`: legal, but worth a warning.
pub fn deletions(patch: &Value, file: &str) -> Vec<String> {
    patch
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| format!("{file}: `{k}` is deleted by null in the override"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "DefaultServerUrl": "",
            "AutoSelectServerUrl": false,
            "SentryOptions": {"autoBreadcrumbs": {"xhr": false}, "severityLevelFilter": ["fatal"]},
            "CustomRequestHeaders": {}
        })
    }

    #[test]
    fn misspelt_key_gets_a_suggestion() {
        let found = check(
            &base(),
            &json!({"DefaultServerURL": "https://x"}),
            "config.json",
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("unknown key `DefaultServerURL`"),
            "{}",
            found[0]
        );
        assert!(
            found[0].contains("did you mean `DefaultServerUrl`?"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn nested_keys_and_types_are_checked() {
        let found = check(
            &base(),
            &json!({"SentryOptions": {"autoBreadcrumbs": {"xhrr": true}, "severityLevelFilter": "fatal"}}),
            "config.json",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("did you mean `SentryOptions.autoBreadcrumbs.xhr`?"));
        assert!(found[1].contains("`SentryOptions.severityLevelFilter` must be a array"));
    }

    #[test]
    fn quoted_boolean_is_rejected_with_a_hint() {
        let found = check(
            &base(),
            &json!({"AutoSelectServerUrl": "true"}),
            "config.json",
        );
        assert!(found[0].contains("must be a boolean"), "{}", found[0]);
        assert!(found[0].contains("write true without quotes"));
    }

    #[test]
    fn free_form_maps_null_and_right_types_pass() {
        let patch = json!({"CustomRequestHeaders": {"X-Any": "1"}, "DefaultServerUrl": null, "AutoSelectServerUrl": true});
        assert!(check(&base(), &patch, "config.json").is_empty());
        assert_eq!(deletions(&patch, "config.json").len(), 1);
    }
}
