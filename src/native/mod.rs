//! Upstream's native projects: the anchored text, plist and XML span editors the registry's
//! edits are built from (`text_edit`, `plist_edit`, `xml_spans`), the Android anchored text
//! functions, what the branded app says about itself (read back for `verify`), and the
//! file-set steps (the Java package move, iOS .strings, release assets). Which upstream file
//! is edited how is declared in `crate::edits`.
pub mod android;
pub mod ios;
pub mod ios_strings;
pub mod plist_edit;
pub mod release_assets;
pub mod text_edit;
pub mod xml_spans;
