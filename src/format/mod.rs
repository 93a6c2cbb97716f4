//! One writer per output format: every brand value reaches a generated file through the
//! writer for that file's format, which quotes or escapes it, or refuses a value the format
//! cannot hold (the caller names the brand key).
pub mod dotenv;
pub mod hex;
pub mod shell;
pub mod systemd;
pub mod xml;
pub mod yaml;
