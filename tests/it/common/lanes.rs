//! Upstream's fastlane lanes replayed on a branded tree, file operation by file operation,
//! as fastlane/Fastfile (v2.40.0 to v2.42.3) and the actions it calls perform them:
//! `configure`, iOS `update_settings` and `replace_assets`, Android `update_identifiers` and
//! `replace_assets`. Shell steps (`sh "echo …"`, `sh "mv …"`, `cp -R`) run in a real shell
//! from the tree's fastlane/ folder, so they fail the way the lane fails. Files are rewritten
//! the way the actions rewrite them (property lists and XML re-serialised, JSON
//! pretty-printed), which is why `verify` must compare them by content.
//!
//! This is an independent model of the lanes: nothing here calls mmbrand's code.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment as fastlane builds it from `--env a,b`: each `fastlane/.env.<name>` in order,
/// later files overriding earlier ones (dotenv `overload`).
pub struct Env(pub BTreeMap<String, String>);

impl Env {
    pub fn load(fastlane_dir: &Path, names: &[&str]) -> Env {
        let mut vars = BTreeMap::new();
        for name in names {
            let path = fastlane_dir.join(format!(".env.{name}"));
            let text =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            vars.extend(parse_dotenv(&text));
        }
        Env(vars)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn or(&self, key: &str, default: &str) -> String {
        self.get(key).unwrap_or(default).to_string()
    }

    fn is_true(&self, key: &str) -> bool {
        self.get(key) == Some("true")
    }
}

/// dotenv 2.8: `KEY=value`, single quotes literal, double quotes with `\"`, `#` comments.
pub fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(v) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            v.to_string()
        } else if let Some(v) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            v.replace("\\\"", "\"").replace("\\n", "\n")
        } else {
            value.split('#').next().unwrap_or("").trim().to_string()
        };
        out.push((key.trim().to_string(), value));
    }
    out
}

pub struct Lanes {
    /// The app root; the lanes run from `<app>/fastlane`.
    pub app: PathBuf,
    pub env: Env,
}

type Outcome = Result<(), String>;

impl Lanes {
    pub fn new(app: &Path, envs: &[&str]) -> Lanes {
        Lanes {
            app: app.to_path_buf(),
            env: Env::load(&app.join("fastlane"), envs),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.app.join(rel)
    }

    /// `sh "<command>"` from fastlane/, failing like the lane on a non-zero exit.
    fn sh(&self, command: &str) -> Outcome {
        let out = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(self.app.join("fastlane"))
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`{command}` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// `configure`: AuthUrlScheme(Dev) from the env, optional flags, saved with
    /// `JSON.pretty_generate` and a newline.
    pub fn configure(&self) -> Outcome {
        let path = self.path("dist/assets/config.json");
        let text = fs::read_to_string(&path).map_err(|e| format!("configure: {e}"))?;
        let mut json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        for (env, key) in [
            ("SHOW_REVIEW", "ShowReview"),
            ("SHOW_ONBOARDING", "ShowOnboarding"),
            ("COLLECT_NETWORK_METRICS", "CollectNetworkMetrics"),
        ] {
            if self.env.is_true(env) {
                json[key] = true.into();
            }
        }
        let with_suffix = |s: String| {
            if s.ends_with("://") {
                s
            } else {
                format!("{s}://")
            }
        };
        json["AuthUrlScheme"] = with_suffix(self.env.or("APP_AUTH_SCHEME", "mmauth")).into();
        json["AuthUrlSchemeDev"] =
            with_suffix(self.env.or("APP_AUTH_SCHEME_BETA", "mmauthbeta")).into();
        let mut out = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        out.push('\n');
        fs::write(&path, out).map_err(|e| e.to_string())
    }

    fn auth_scheme(&self) -> String {
        if self.env.is_true("BETA_BUILD") {
            self.env.or("APP_AUTH_SCHEME_BETA", "mmauthbeta")
        } else {
            self.env.or("APP_AUTH_SCHEME", "mmauth")
        }
    }

    /// iOS `update_settings`, steps 1-14 (no Intune, no match).
    pub fn ios_update_settings(&self) -> Outcome {
        let app_name = self.env.or("APP_NAME", "Mattermost Beta");
        let bundle = self.env.or("MAIN_APP_IDENTIFIER", "com.mattermost.rnbeta");
        let group = self.env.or("IOS_APP_GROUP", "group.com.mattermost.rnbeta");
        let icloud = self
            .env
            .or("IOS_ICLOUD_CONTAINER", "iCloud.com.mattermost.rnbeta");
        let scheme = self.env.or("APP_SCHEME", "mattermost");
        let keychain = format!(
            "$(AppIdentifierPrefix){}",
            self.env.or("IOS_KEYCHAIN_GROUP", &bundle)
        );
        let ext = self.env.or(
            "EXTENSION_APP_IDENTIFIER",
            "com.mattermost.rnbeta.MattermostShare",
        );
        let notif = self.env.or(
            "NOTIFICATION_SERVICE_IDENTIFIER",
            "com.mattermost.rnbeta.NotificationService",
        );
        let pbx = "ios/Mattermost.xcodeproj/project.pbxproj";
        let main_ent = "ios/Mattermost/Mattermost.entitlements";
        self.plist("ios/Mattermost/Info.plist", |d| {
            set(d, "CFBundleDisplayName", &app_name);
            set(d, "CFBundleIdentifier", &bundle);
            set(d, "AppGroupIdentifier", &group);
            Ok(())
        })?;
        self.find_replace(pbx, "com.mattermost.rnbeta", &bundle)?;
        self.plist(main_ent, |d| {
            set_list(
                d,
                "com.apple.developer.icloud-container-identifiers",
                &[&icloud],
            );
            set_list(
                d,
                "com.apple.developer.ubiquity-container-identifiers",
                &[&icloud],
            );
            Ok(())
        })?;
        self.plist(main_ent, |d| {
            set_existing_list(d, "com.apple.security.application-groups", &[&group])
        })?;
        self.plist("ios/Mattermost/Info.plist", |d| {
            // update_url_schemes: the first URL type only.
            let types = d
                .get_mut("CFBundleURLTypes")
                .and_then(plist::Value::as_array_mut)
                .ok_or("no CFBundleURLTypes")?;
            let first = types
                .first_mut()
                .and_then(plist::Value::as_dictionary_mut)
                .ok_or("no URL type")?;
            set_list(first, "CFBundleURLSchemes", &[&scheme, &self.auth_scheme()]);
            Ok(())
        })?;
        self.plist(main_ent, |d| {
            set_existing_list(d, "keychain-access-groups", &[&keychain])
        })?;
        self.plist("ios/MattermostShare/Info.plist", |d| {
            set(d, "CFBundleDisplayName", &app_name);
            set(d, "CFBundleIdentifier", &ext);
            set(d, "AppGroupIdentifier", &group);
            Ok(())
        })?;
        self.find_replace(pbx, "com.mattermost.rnbeta.MattermostShare", &ext)?;
        self.plist("ios/MattermostShare/MattermostShare.entitlements", |d| {
            set_existing_list(d, "com.apple.security.application-groups", &[&group])
        })?;
        self.plist("ios/NotificationService/Info.plist", |d| {
            set(d, "CFBundleIdentifier", &notif);
            set(d, "AppGroupIdentifier", &group);
            Ok(())
        })?;
        // update_app_identifier takes its plist branch: CFBundleIdentifier is now literal.
        self.plist("ios/NotificationService/Info.plist", |d| {
            set(d, "CFBundleIdentifier", &notif);
            Ok(())
        })?;
        self.find_replace(pbx, "com.mattermost.rnbeta.NotificationService", &notif)?;
        self.plist(
            "ios/NotificationService/NotificationService.entitlements",
            |d| set_existing_list(d, "com.apple.security.application-groups", &[&group]),
        )?;
        if let Some(team) = self.env.get("FASTLANE_TEAM_ID") {
            self.edit_lines(pbx, |line| {
                let trimmed = line.trim_start();
                trimmed.starts_with("DEVELOPMENT_TEAM = ").then(|| {
                    let indent = &line[..line.len() - trimmed.len()];
                    format!("{indent}DEVELOPMENT_TEAM = {team};")
                })
            })?;
        }
        Ok(())
    }

    /// iOS `replace_assets`: the `cp -R` commands when REPLACE_ASSETS is true, and always the
    /// i18n `.strings` files.
    pub fn ios_replace_assets(&self) -> Outcome {
        if self.env.is_true("REPLACE_ASSETS") {
            self.sh("cp -R ../dist/assets/release/icons/ios/* ../ios/Mattermost/Images.xcassets/AppIcon.appiconset/")?;
            self.sh("cp -R ../dist/assets/release/splash_screen/ios/LaunchScreen.storyboard ../ios/SplashScreenResource/LaunchScreen.storyboard")?;
            self.sh("cp -R ../dist/assets/release/splash_screen/ios/SplashBackground.imageset ../ios/Mattermost/Images.xcassets/")?;
            self.sh("cp -R ../dist/assets/release/splash_screen/ios/SplashIcon.imageset ../ios/Mattermost/Images.xcassets/")?;
        }
        let app_name = self.env.or("APP_NAME", "Mattermost Beta");
        let dir = self.path("dist/assets/i18n");
        let Ok(entries) = fs::read_dir(&dir) else {
            return Ok(());
        };
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".json") {
                continue;
            }
            let text = fs::read_to_string(&path).map_err(|e| e.to_string())?;
            let json: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).map_err(|e| e.to_string())?;
            let (mut plist_strings, mut localized) = (String::new(), String::new());
            for (key, value) in &json {
                let Some(value) = value.as_str().filter(|v| !v.is_empty()) else {
                    continue;
                };
                if ruby_regex_match(key, "mobile.ios.plist") {
                    let last = key.split('.').rfind(|s| !s.is_empty()).unwrap_or("");
                    plist_strings.push_str(&format!("{last} = \"{value}\";\n"));
                } else {
                    let v = value.replace('\\', "\\\\").replace('"', "\\\"");
                    localized.push_str(&format!("\"{key}\" = \"{v}\";\n"));
                }
            }
            let language = name.split('.').next().unwrap();
            let out = self.path(&format!("ios/Mattermost/i18n/{language}.lproj"));
            fs::create_dir_all(&out).map_err(|e| e.to_string())?;
            fs::write(
                out.join("InfoPlist.strings"),
                plist_strings.replace("{applicationName}", &app_name),
            )
            .map_err(|e| e.to_string())?;
            fs::write(
                out.join("Localizable.strings"),
                localized.replace("{applicationName}", &app_name),
            )
            .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Android `update_identifiers`.
    pub fn android_update_identifiers(&self) -> Outcome {
        let app_name = self.env.or("APP_NAME", "Mattermost Beta");
        self.sh(&format!(
            "echo '{app_name}' > ../fastlane/metadata/android/en-US/title.txt"
        ))?;
        let strings = "android/app/src/main/res/values/strings.xml";
        self.nokogiri_rewrite(strings, |text| {
            let open = "<string name=\"app_name\">";
            let Some(start) = text.find(open).map(|i| i + open.len()) else {
                return text.to_string();
            };
            let end = start + text[start..].find("</string>").unwrap();
            let escaped = app_name
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("{}{escaped}{}", &text[..start], &text[end..])
        })?;
        let package = self.env.or("MAIN_APP_IDENTIFIER", "com.mattermost.rnbeta");
        let manifest = "android/app/src/main/AndroidManifest.xml";
        self.nokogiri_rewrite(manifest, |text| {
            let start = text.find("<manifest").unwrap();
            let end = start + text[start..].find('>').unwrap();
            let tag = &text[start..end];
            let tag = match tag.find(" package=\"") {
                Some(i) => {
                    let v = i + " package=\"".len();
                    let len = tag[v..].find('"').unwrap();
                    format!("{}{package}{}", &tag[..v], &tag[v + len..])
                }
                None => format!("{tag} package=\"{package}\""),
            };
            format!("{}{tag}{}", &text[..start], &text[end..])
        })?;
        for key in ["applicationId ", "namespace "] {
            self.first_line_sub("android/app/build.gradle", key, &package)?;
        }
        let scheme = self.env.or("APP_SCHEME", "mattermost");
        self.find_replace(
            manifest,
            "scheme=\"mattermost\"",
            &format!("scheme='{scheme}'"),
        )?;
        self.find_replace(
            manifest,
            "scheme=\"mmauthbeta\"",
            &format!("scheme=\"{}\"", self.auth_scheme()),
        )?;
        let beta = "./android/app/src/main/java/com/mattermost/rnbeta/";
        let release = format!("./android/app/src/main/java/{}/", package.replace('.', "/"));
        if release != beta {
            fs::create_dir_all(self.app.join(&release[2..])).map_err(|e| e.to_string())?;
            self.move_sources(beta, &release)?;
            let release_dir = self.app.join(&release[2..]);
            self.replace_in_sources(
                &release_dir,
                (
                    "package com.mattermost.rnbeta;",
                    &format!("package {package};"),
                ),
                (
                    "package com.mattermost.rnbeta",
                    &format!("package {package}"),
                ),
            )?;
            let helpers = self.path("android/app/src/main/java/com/mattermost/helpers");
            self.replace_in_sources(
                &helpers,
                (
                    "import com.mattermost.rnbeta.*;",
                    &format!("import {package}.*;"),
                ),
                (
                    "import com.mattermost.rnbeta.*",
                    &format!("import {package}.*"),
                ),
            )?;
        }
        Ok(())
    }

    /// The lane's `Dir.glob("*.java")` / `Dir.glob("*.kt")` find_replace loops over `dir`.
    fn replace_in_sources(&self, dir: &Path, java: (&str, &str), kt: (&str, &str)) -> Outcome {
        for entry in fs::read_dir(dir).into_iter().flatten() {
            let path = entry.map_err(|e| e.to_string())?.path();
            let rel = path
                .strip_prefix(&self.app)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let (old, new) = match path.extension().and_then(|e| e.to_str()) {
                Some("java") => java,
                Some("kt") => kt,
                _ => continue,
            };
            self.find_replace(&rel, old, new)?;
        }
        Ok(())
    }

    /// The `sh "mv .#{beta_dir}* .#{release_dir}"` step exactly as the tree's own Fastfile
    /// has it: unguarded it runs (and fails when nothing is left to move); guarded the way
    /// mmbrand guards it, it runs only when the folder still has files.
    fn move_sources(&self, beta: &str, release: &str) -> Outcome {
        let fastfile =
            fs::read_to_string(self.path("fastlane/Fastfile")).map_err(|e| e.to_string())?;
        let line = fastfile
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("sh \"mv .#{beta_dir}* .#{release_dir}\""))
            .ok_or("the Fastfile has no source move")?;
        let rest = line["sh \"mv .#{beta_dir}* .#{release_dir}\"".len()..].trim();
        let guarded = rest.starts_with("unless Dir.glob(\".#{beta_dir}*\").empty?");
        if !guarded && !rest.is_empty() && !rest.starts_with('#') {
            return Err(format!("unknown form of the move line: {line}"));
        }
        let beta_full = self.app.join(&beta[2..]);
        let has_files = fs::read_dir(&beta_full)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if guarded && !has_files {
            return Ok(());
        }
        self.sh(&format!("mv .{beta}* .{release}"))
    }

    /// Android `replace_assets`.
    pub fn android_replace_assets(&self) -> Outcome {
        if self.env.is_true("REPLACE_ASSETS") {
            self.sh("cp -R ../dist/assets/release/icons/android/* ../android/app/src/main/res/")?;
            self.sh(
                "cp -R ../dist/assets/release/splash_screen/android/* ../android/app/src/main/res/",
            )?;
        }
        self.sh("mkdir -p ../android/app/src/main/res/raw/")?;
        self.sh("cp -R ../assets/sounds/* ../android/app/src/main/res/raw/")
    }

    /// Every lane that changes the tree, for one platform's env.
    pub fn run_ios(&self) -> Outcome {
        self.configure()?;
        self.ios_update_settings()?;
        self.ios_replace_assets()
    }

    pub fn run_android(&self) -> Outcome {
        self.configure()?;
        self.android_update_identifiers()?;
        self.android_replace_assets()
    }

    fn plist(
        &self,
        rel: &str,
        edit: impl FnOnce(&mut plist::Dictionary) -> Result<(), &'static str>,
    ) -> Outcome {
        let path = self.path(rel);
        let mut value = plist::Value::from_file(&path).map_err(|e| format!("{rel}: {e}"))?;
        let dict = value.as_dictionary_mut().ok_or("not a dict")?;
        edit(dict).map_err(|e| format!("{rel}: {e}"))?;
        // Re-serialised, as the plist gem and Nanaimo do: other bytes, same content.
        value.to_file_xml(&path).map_err(|e| e.to_string())
    }

    fn find_replace(&self, rel: &str, old: &str, new: &str) -> Outcome {
        let path = self.path(rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("{rel}: {e}"))?;
        fs::write(&path, text.replace(old, new)).map_err(|e| e.to_string())
    }

    fn edit_lines(&self, rel: &str, edit: impl Fn(&str) -> Option<String>) -> Outcome {
        let path = self.path(rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("{rel}: {e}"))?;
        let out: Vec<String> = text
            .lines()
            .map(|l| edit(l).unwrap_or_else(|| l.to_string()))
            .collect();
        fs::write(&path, out.join("\n") + "\n").map_err(|e| e.to_string())
    }

    /// The local gradle actions: the first line containing `key`, `line.sub(old, new)` where
    /// old is the line's second word without quotes.
    fn first_line_sub(&self, rel: &str, key: &str, new: &str) -> Outcome {
        let path = self.path(rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("{rel}: {e}"))?;
        let mut done = false;
        let out: Vec<String> = text
            .lines()
            .map(|l| {
                if done || !l.contains(key) {
                    return l.to_string();
                }
                done = true;
                let old = l.split_whitespace().nth(1).unwrap_or("").replace('"', "");
                l.replacen(&old, new, 1)
            })
            .collect();
        fs::write(&path, out.join("\n") + "\n").map_err(|e| e.to_string())
    }

    /// Nokogiri's `to_xml`: an XML declaration first, non-ASCII as hex character references.
    fn nokogiri_rewrite(&self, rel: &str, edit: impl FnOnce(&str) -> String) -> Outcome {
        let path = self.path(rel);
        let text = fs::read_to_string(&path).map_err(|e| format!("{rel}: {e}"))?;
        let body = match text.strip_prefix("<?xml") {
            Some(rest) => rest[rest.find("?>").unwrap() + 2..]
                .trim_start()
                .to_string(),
            None => text.clone(),
        };
        let edited = edit(&body);
        let encoded: String = edited
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("&#x{:X};", c as u32)
                }
            })
            .collect();
        fs::write(&path, format!("<?xml version=\"1.0\"?>\n{encoded}")).map_err(|e| e.to_string())
    }
}

fn set(d: &mut plist::Dictionary, key: &str, value: &str) {
    d.insert(key.to_string(), plist::Value::String(value.to_string()));
}

fn set_list(d: &mut plist::Dictionary, key: &str, values: &[&str]) {
    d.insert(
        key.to_string(),
        plist::Value::Array(
            values
                .iter()
                .map(|v| plist::Value::String(v.to_string()))
                .collect(),
        ),
    );
}

/// update_app_group_identifiers / update_keychain_access_groups raise on a missing key.
fn set_existing_list(
    d: &mut plist::Dictionary,
    key: &str,
    values: &[&str],
) -> Result<(), &'static str> {
    if !d.contains_key(key) {
        return Err("key missing");
    }
    set_list(d, key, values);
    Ok(())
}

/// Ruby's `key.match?('mobile.ios.plist')`: the dots match any character.
fn ruby_regex_match(key: &str, pattern: &str) -> bool {
    let (k, p) = (key.as_bytes(), pattern.as_bytes());
    k.len() >= p.len()
        && (0..=k.len() - p.len()).any(|i| {
            p.iter()
                .enumerate()
                .all(|(j, c)| *c == b'.' || k[i + j] == *c)
        })
}
