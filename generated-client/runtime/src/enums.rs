//! The trait impls that every generated enum of values has, written once.
//!
//! Generated code writes what depends on the spec: the enum, its variants and the two
//! conversions that name them (`as_str` and `From<&str>` for an enum of strings, `value` and
//! `From<i64>` for one of integers). One line, [`string_enum!`] or [`int_enum!`], then adds
//! `Display`, `Serialize`, `Deserialize` and [`ToParam`](crate::ToParam), which only
//! call those conversions. Written out, they were a sixth of a large spec's models, read by
//! nobody and parsed again by the generator and by rustc for every enum.

/// Implements `Display`, `serde::Serialize`, `serde::Deserialize` and
/// [`ToParam`](crate::ToParam) for a generated enum of strings.
///
/// The enum must have `fn as_str(&self) -> &str`, `From<&str>` and a variant `Unknown(String)`
/// for values it does not name. Each impl goes through `as_str` or `From<&str>`, so the text on
/// the wire is the text that was read; decoding a value held as `Unknown` is noted for the
/// unions that may hold the enum ([`union::note_unknown`](crate::union::note_unknown)).
#[doc(hidden)]
#[macro_export]
macro_rules! __runtime_string_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value =
                    <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                let res = <Self as ::std::convert::From<&str>>::from(value.as_str());
                if let Self::Unknown(_) = res {
                    $crate::union::note_unknown();
                }
                ::std::result::Result::Ok(res)
            }
        }

        impl $crate::ToParam for $name {
            fn to_param(&self) -> ::std::string::String {
                ::std::borrow::ToOwned::to_owned(self.as_str())
            }
        }
    };
}

/// Implements `Display`, `serde::Serialize`, `serde::Deserialize` and
/// [`ToParam`](crate::ToParam) for a generated enum of integers.
///
/// The enum must be `Copy` and have `fn value(self) -> i64`, `From<i64>` and a variant
/// `Unknown(i64)` for values it does not name. Each impl goes through `value` or `From<i64>`;
/// decoding a value held as `Unknown` is noted for the unions that may hold the enum
/// ([`union::note_unknown`](crate::union::note_unknown)).
#[doc(hidden)]
#[macro_export]
macro_rules! __runtime_int_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value = <i64 as ::serde::Deserialize>::deserialize(deserializer)?;
                let res = <Self as ::std::convert::From<i64>>::from(value);
                if let Self::Unknown(_) = res {
                    $crate::union::note_unknown();
                }
                ::std::result::Result::Ok(res)
            }
        }

        impl $crate::ToParam for $name {
            fn to_param(&self) -> ::std::string::String {
                ::std::string::ToString::to_string(&self.value())
            }
        }
    };
}

#[doc(inline)]
pub use crate::__runtime_int_enum as int_enum;
#[doc(inline)]
pub use crate::__runtime_string_enum as string_enum;

#[cfg(test)]
mod tests {
    use crate::{ToParam, union};

    /// An enum of strings as the generator writes it.
    #[derive(Clone, Debug, PartialEq)]
    enum Colour {
        Red,
        Unknown(String),
    }

    impl Colour {
        fn as_str(&self) -> &str {
            match self {
                Self::Red => "red",
                Self::Unknown(value) => value,
            }
        }
    }

    impl From<&str> for Colour {
        fn from(value: &str) -> Self {
            match value {
                "red" => Self::Red,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }

    super::string_enum!(Colour);

    /// An enum of integers as the generator writes it.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Level {
        One,
        Unknown(i64),
    }

    impl Level {
        fn value(self) -> i64 {
            match self {
                Self::One => 1,
                Self::Unknown(value) => value,
            }
        }
    }

    impl From<i64> for Level {
        fn from(value: i64) -> Self {
            match value {
                1 => Self::One,
                other => Self::Unknown(other),
            }
        }
    }

    super::int_enum!(Level);

    #[test]
    fn a_string_enum_round_trips_known_and_unknown_values() {
        assert_eq!(serde_json::from_str::<Colour>(r#""red""#).unwrap(), Colour::Red);
        let mauve: Colour = serde_json::from_str(r#""mauve""#).unwrap();
        assert_eq!(mauve, Colour::Unknown("mauve".to_owned()));
        assert_eq!(serde_json::to_string(&mauve).unwrap(), r#""mauve""#);
        assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), r#""red""#);
        assert_eq!(Colour::Red.to_string(), "red");
        assert_eq!(mauve.to_param(), "mauve");
        assert!(serde_json::from_str::<Colour>("1").is_err());
    }

    #[test]
    fn an_int_enum_round_trips_known_and_unknown_values() {
        assert_eq!(serde_json::from_str::<Level>("1").unwrap(), Level::One);
        let seven: Level = serde_json::from_str("7").unwrap();
        assert_eq!(seven, Level::Unknown(7));
        assert_eq!(serde_json::to_string(&seven).unwrap(), "7");
        assert_eq!(Level::One.to_string(), "1");
        assert_eq!(seven.to_param(), "7");
        assert!(serde_json::from_str::<Level>(r#""1""#).is_err());
    }

    /// A union holding an enum must learn that the enum did not recognise its value.
    #[test]
    fn decoding_an_unknown_value_is_noted() {
        let noted = |decode: &dyn Fn()| {
            let before = union::unknown_count();
            decode();
            union::unknown_count().wrapping_sub(before)
        };
        assert_eq!(
            noted(&|| assert_eq!(serde_json::from_str::<Colour>(r#""red""#).unwrap(), Colour::Red)),
            0
        );
        assert_eq!(noted(&|| assert!(serde_json::from_str::<Colour>(r#""blue""#).is_ok())), 1);
        assert_eq!(
            noted(&|| assert_eq!(serde_json::from_str::<Level>("1").unwrap(), Level::One)),
            0
        );
        assert_eq!(noted(&|| assert!(serde_json::from_str::<Level>("9").is_ok())), 1);
    }

    /// The macros name every type and function by its whole path, so a spec whose schemas are
    /// called `String`, `Result` or `Ok` cannot break them (the generator renames those, but
    /// the runtime does not count on it).
    mod shadowed {
        #![allow(dead_code, reason = "only the names matter")]

        struct String;
        struct Result;
        struct Ok;
        trait ToString {}
        trait ToOwned {}

        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(super) enum Digit {
            Zero,
            Unknown(i64),
        }

        impl Digit {
            fn value(self) -> i64 {
                match self {
                    Self::Zero => 0,
                    Self::Unknown(value) => value,
                }
            }
        }

        impl From<i64> for Digit {
            fn from(value: i64) -> Self {
                if value == 0 { Self::Zero } else { Self::Unknown(value) }
            }
        }

        crate::enums::int_enum!(Digit);

        #[derive(Clone, Debug, PartialEq)]
        pub(super) enum Shade {
            Dark,
            Unknown(std::string::String),
        }

        impl Shade {
            fn as_str(&self) -> &str {
                match self {
                    Self::Dark => "dark",
                    Self::Unknown(value) => value,
                }
            }
        }

        impl From<&str> for Shade {
            fn from(value: &str) -> Self {
                if value == "dark" { Self::Dark } else { Self::Unknown(value.into()) }
            }
        }

        crate::enums::string_enum!(Shade);
    }

    #[test]
    fn names_in_the_callers_scope_do_not_break_the_impls() {
        use shadowed::{Digit, Shade};
        assert_eq!(serde_json::from_str::<Shade>(r#""dark""#).unwrap(), Shade::Dark);
        assert_eq!(serde_json::to_string(&Shade::Unknown("dim".into())).unwrap(), r#""dim""#);
        assert_eq!(Shade::Dark.to_param(), "dark");
        assert_eq!(serde_json::from_str::<Digit>("0").unwrap(), Digit::Zero);
        assert_eq!(serde_json::to_string(&Digit::Unknown(3)).unwrap(), "3");
        assert_eq!(Digit::Unknown(3).to_param(), "3");
    }
}
