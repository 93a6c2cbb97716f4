//! A failure made of several independent problems, so one run reports every mistake in the
//! inputs instead of making the user fix them one at a time.
use std::fmt;

#[derive(Debug, Default)]
pub struct Problems {
    items: Vec<String>,
    /// Extra fields for the `--json` failure document (e.g. verify's table of checks).
    details: serde_json::Map<String, serde_json::Value>,
}

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, message: impl Into<String>) {
        self.items.push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// Adds a field to the JSON document printed on failure.
    pub fn detail(mut self, key: &str, value: serde_json::Value) -> Self {
        self.details.insert(key.to_string(), value);
        self
    }

    pub fn details(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.details
    }

    /// `Ok(())` when nothing was found, otherwise the whole list as one error.
    pub fn into_result(self) -> anyhow::Result<()> {
        if self.items.is_empty() {
            Ok(())
        } else {
            Err(self.into())
        }
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.items.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems:", many.len())?;
                for item in many {
                    write!(f, "\n  - {item}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Problems {}

/// The extra JSON fields a failure carries, if any.
pub fn details(err: &anyhow::Error) -> serde_json::Map<String, serde_json::Value> {
    err.chain()
        .find_map(|c| c.downcast_ref::<Problems>())
        .map(|p| p.details().clone())
        .unwrap_or_default()
}

/// The individual messages of an error: each problem of a `Problems`, or the whole context
/// chain of any other error on one line.
pub fn messages(err: &anyhow::Error) -> Vec<String> {
    for cause in err.chain() {
        if let Some(problems) = cause.downcast_ref::<Problems>() {
            let context: Vec<String> = err
                .chain()
                .take_while(|c| c.downcast_ref::<Problems>().is_none())
                .map(ToString::to_string)
                .collect();
            let prefix = if context.is_empty() {
                String::new()
            } else {
                format!("{}: ", context.join(": "))
            };
            return problems
                .items()
                .iter()
                .map(|p| format!("{prefix}{p}"))
                .collect();
        }
    }
    vec![format!("{err:#}")]
}

/// The same failure with paths renamed in every message (`(from, to)` pairs, the first that
/// matches wins), e.g. a staging directory, gone when the user reads the message, named as
/// the upstream file or output path it stands for. JSON details are kept.
pub fn rename_paths(err: anyhow::Error, renames: &[(String, String)]) -> anyhow::Error {
    let rename = |m: &str| -> String {
        let mut out = m.to_string();
        for (from, to) in renames {
            out = out.replace(from.as_str(), to);
        }
        out
    };
    let mut problems = Problems::new();
    for m in messages(&err) {
        problems.push(rename(&m));
    }
    problems.details = details(&err);
    problems.into()
}

/// The same failure with one more field in its JSON document.
pub fn with_detail(err: anyhow::Error, key: &str, value: serde_json::Value) -> anyhow::Error {
    let mut problems = Problems::new();
    for m in messages(&err) {
        problems.push(m);
    }
    problems.details = details(&err);
    problems.detail(key, value).into()
}
