//! The brand keys whose value is one of a fixed list. The brand file holds their text (so
//! validation can name a wrong value and suggest the right one); the validated model holds
//! these enums, and writers spell them with `as_str()`, the only spelling of each value.

/// An enum of brand-file values, each with its one spelling.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every spelling, in the order messages and the reference list them.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value as the brand file, upstream's lanes and the config files spell it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value spelt `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Written as its spelling (templates and JSON documents).
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

choice! {
    /// The app's `aps-environment` entitlement, which the proxy's ApplePushUseDevelopment
    /// must agree with.
    ApsEnvironment {
        Production = "production",
        Development = "development",
    }
}

impl ApsEnvironment {
    /// The environment a proxy entry sends to (`ApplePushUseDevelopment`).
    pub fn from_use_development(development: bool) -> Self {
        if development {
            ApsEnvironment::Development
        } else {
            ApsEnvironment::Production
        }
    }

    /// The proxy's `ApplePushUseDevelopment` for this environment.
    pub fn use_development(self) -> bool {
        self == ApsEnvironment::Development
    }
}

choice! {
    /// gym's export methods that upstream's `build_ios` passes through IOS_BUILD_EXPORT_METHOD.
    ExportMethod {
        AppStore = "app-store",
        Enterprise = "enterprise",
        AdHoc = "ad-hoc",
        Development = "development",
    }
}

impl ExportMethod {
    /// The match type that signs this export method.
    pub fn match_type(self) -> MatchType {
        match self {
            ExportMethod::AppStore => MatchType::Appstore,
            ExportMethod::Enterprise => MatchType::Enterprise,
            ExportMethod::AdHoc => MatchType::Adhoc,
            ExportMethod::Development => MatchType::Development,
        }
    }
}

choice! {
    /// match's profile types; the lanes look profiles up as `sigh_<id>_<MATCH_TYPE>`.
    MatchType {
        Appstore = "appstore",
        Enterprise = "enterprise",
        Adhoc = "adhoc",
        Development = "development",
    }
}

choice! {
    /// The server's `PushNotificationContents`: what of a message goes through Apple and
    /// Google.
    PushContents {
        GenericNoChannel = "generic_no_channel",
        Generic = "generic",
        Full = "full",
        IdLoaded = "id_loaded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_back() {
        for name in ExportMethod::NAMES {
            assert_eq!(
                ExportMethod::parse(name).map(ExportMethod::as_str),
                Some(*name)
            );
        }
        for name in MatchType::NAMES {
            assert_eq!(MatchType::parse(name).map(MatchType::as_str), Some(*name));
        }
        for name in PushContents::NAMES {
            assert_eq!(
                PushContents::parse(name).map(PushContents::as_str),
                Some(*name)
            );
        }
        for name in ApsEnvironment::NAMES {
            assert_eq!(
                ApsEnvironment::parse(name).map(ApsEnvironment::as_str),
                Some(*name)
            );
        }
        assert_eq!(ExportMethod::parse("App-Store"), None);
    }

    #[test]
    fn each_export_method_has_its_match_type() {
        assert_eq!(ExportMethod::AdHoc.match_type(), MatchType::Adhoc);
        assert_eq!(ExportMethod::AppStore.match_type(), MatchType::Appstore);
        assert_eq!(ExportMethod::Enterprise.match_type(), MatchType::Enterprise);
        assert_eq!(
            ExportMethod::Development.match_type(),
            MatchType::Development
        );
    }
}
