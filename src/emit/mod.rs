//! Generated files rendered from the tera templates in `templates/` (compiled into the binary
//! so it works from any directory).
pub mod emm;
pub mod fastlane;
pub mod well_known;

use anyhow::{Context, Result};

/// Renders one embedded template with a context.
pub fn render(name: &str, template: &str, context: &tera::Context) -> Result<String> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template(name, template)
        .with_context(|| format!("template {name} is invalid"))?;
    tera.render(name, context)
        .with_context(|| format!("cannot render template {name}"))
}
