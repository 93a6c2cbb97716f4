//! YAML scalars: a brand value as a double-quoted scalar. JSON's string syntax is valid YAML
//! double-quoted syntax, and it escapes every character YAML would otherwise read specially
//! (quotes, backslashes, control characters) while `#`, `:` and leading `-`/`*`/`&` lose
//! their meaning inside the quotes.

/// `value` as a double-quoted YAML scalar.
pub fn scalar(value: &str) -> String {
    serde_json::Value::String(value.to_string()).to_string()
}

/// `value` as a scalar of a Docker Compose file, which interpolates `$VAR` and `${VAR}` in
/// every value before YAML is read: `$` is written `$$`.
pub fn compose_scalar(value: &str) -> String {
    scalar(&value.replace('$', "$$"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_values_read_back_literally() {
        for v in [
            "$(id) `id` -- # not a comment",
            "key: value",
            "- item",
            "*alias &anchor !tag",
            "'single' \"double\" \\ back",
            "tab\tnewline\ncr\rbell\u{7}",
            "Ünïcödé 😀 ’",
            "100%",
            "",
            "yes",
            "0123",
        ] {
            let doc = format!("k: {}\n", scalar(v));
            let parsed = yaml_rust2::YamlLoader::load_from_str(&doc).unwrap();
            assert_eq!(parsed[0]["k"].as_str(), Some(v), "{doc}");
        }
    }

    #[test]
    fn compose_scalars_escape_interpolation() {
        assert_eq!(compose_scalar("a $(id) ${HOME}"), r#""a $$(id) $${HOME}""#);
    }
}
