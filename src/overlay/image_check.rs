//! Image dimension checks: an app icon or splash of the wrong size is rejected by the stores
//! or rendered blurred, long after the build succeeded.
use std::path::Path;

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp"];

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// A message when `override_file` does not have the width and height of `base_file`, or is
/// not a readable image although the base is one.
pub fn check(base_file: &Path, override_file: &Path, shown: &str) -> Option<String> {
    if !is_image(base_file) {
        return None;
    }
    // A base file we cannot read as an image gives no size to compare against.
    let base = imagesize::size(base_file).ok()?;
    let over = match imagesize::size(override_file) {
        Ok(size) => size,
        Err(e) => {
            return Some(format!(
                "{}: not a readable image ({e}); replace it with a {}x{} image like the base file",
                override_file.display(),
                base.width,
                base.height
            ))
        }
    };
    if (base.width, base.height) == (over.width, over.height) {
        return None;
    }
    Some(format!(
        "{shown}: image is {}x{} but the base image is {}x{}; resize it to {}x{}",
        over.width, over.height, base.width, base.height, base.width, base.height
    ))
}
