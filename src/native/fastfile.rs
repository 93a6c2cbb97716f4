//! Upstream's `fastlane/Fastfile`, made idempotent where it assumes an unbranded tree.
//!
//! Every Android lane runs `update_identifiers`, which moves `com/mattermost/rnbeta/*` into
//! the brand's package folder with a plain `mv`. `apply` has already moved those sources, so
//! the `mv` fails ("cannot stat") and the lane aborts. The one-line edit below skips the move
//! when nothing is left to move; the package-line rewrites after it are already no-ops.
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::text_edit::{edit_file, replace_counted};

pub const FASTFILE: &str = "fastlane/Fastfile";

const MOVE_LINE: &str = "sh \"mv .#{beta_dir}* .#{release_dir}\"";
const GUARDED_MOVE: &str = "sh \"mv .#{beta_dir}* .#{release_dir}\" unless Dir.glob(\".#{beta_dir}*\").empty? # mmbrand: sources already moved";

/// Guards the source move; returns the Fastfile when it changed. A tree without a Fastfile
/// (a plain directory source) has nothing to guard.
pub fn guard_source_move(app: &Path) -> Result<Option<PathBuf>> {
    let path = app.join(FASTFILE);
    if !path.is_file() {
        return Ok(None);
    }
    let shown = path.display().to_string();
    let changed = edit_file(&path, |text| {
        if text.contains(GUARDED_MOVE) {
            return Ok(text.to_string());
        }
        replace_counted(text, MOVE_LINE, GUARDED_MOVE, 1, 1, &shown)
    })?;
    Ok(changed.then(|| PathBuf::from(FASTFILE)))
}
