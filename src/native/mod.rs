//! Edits of upstream's native projects. Each upstream file has one function that edits it;
//! the exact upstream text or key it expects is a named constant next to that function, so a
//! changed upstream fails loudly in one obvious place.
pub mod android;
pub mod ios;
pub mod ios_strings;
pub mod plist_edit;
pub mod release_assets;
pub mod text_edit;
pub mod xml_spans;
