//! Upstream's `fastlane/Fastfile`, made idempotent where it assumes an unbranded tree.
//!
//! Every Android lane runs `update_identifiers`, which moves `com/mattermost/rnbeta/*` into
//! the brand's package folder with a plain `mv`. `apply` has already moved those sources, so
//! the `mv` fails ("cannot stat") and the lane aborts. The one-line edit below skips the move
//! when nothing is left to move; the package-line rewrites after it are already no-ops.
use anyhow::Result;

use super::{Doc, Edit, EditCtx, Presence, When};
use crate::native::text_edit::replace_counted;

pub const FASTFILE: &str = "fastlane/Fastfile";

const MOVE_LINE: &str = "sh \"mv .#{beta_dir}* .#{release_dir}\"";
const GUARDED_MOVE: &str = "sh \"mv .#{beta_dir}* .#{release_dir}\" unless Dir.glob(\".#{beta_dir}*\").empty? # mmbrand: sources already moved";

pub fn edits() -> Vec<Edit> {
    vec![
        Edit::required(FASTFILE, "guarded source move", guard_source_move)
            // A plain directory source may have no Fastfile: nothing to guard.
            .presence(Presence::IfPresent)
            // Only a package move leaves the lane's `mv` nothing to move.
            .when(When::PackageMoved),
    ]
}

fn guard_source_move(text: &str, doc: &Doc, _: &EditCtx) -> Result<String> {
    if text.contains(GUARDED_MOVE) {
        return Ok(text.to_string());
    }
    replace_counted(text, MOVE_LINE, GUARDED_MOVE, 1, 1, doc.shown)
}
