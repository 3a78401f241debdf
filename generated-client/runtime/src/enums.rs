//! The impls that every generated enum of values has, written once.
//!
//! Generated code writes the enum, with its variants and their docs, and then a call of
//! [`string_enum!`] or [`int_enum!`] that pairs each variant with its value, one line each.
//! The macro writes the two conversions that name them (`as_str` and `From<&str>` for an enum
//! of strings, `value` and `From<i64>` for one of integers), and `Display`, `Serialize`,
//! `Deserialize` and [`ToParam`](crate::ToParam), which only call those conversions. Written
//! out, they were a sixth of a large spec's models, read by nobody and parsed again by the
//! generator and by rustc for every enum.

/// Implements `as_str`, `From<&str>`, `Display`, `serde::Serialize`, `serde::Deserialize` and
/// [`ToParam`](crate::ToParam) for a generated enum of strings.
///
/// ```text
/// string_enum! {
///     Stage;
///     Won = "closedwon";
///     Lost = "closedlost";
/// }
/// ```
///
/// The enum must have a variant `Unknown(String)` for values it does not name. Each impl goes
/// through `as_str` or `From<&str>`, so the text on the wire is the text that was read;
/// decoding a value held as `Unknown` is noted for the unions that may hold the enum
/// ([`union::note_unknown`](crate::union::note_unknown)).
#[doc(hidden)]
#[macro_export]
macro_rules! __runtime_string_enum {
    ($name:ident; $($variant:ident = $wire:literal;)*) => {
        impl $name {
            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

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

/// Implements `value`, `From<i64>`, `Display`, `serde::Serialize`, `serde::Deserialize` and
/// [`ToParam`](crate::ToParam) for a generated enum of integers.
///
/// ```text
/// int_enum! {
///     Priority;
///     Low = 1;
///     Below = -1;
/// }
/// ```
///
/// The enum must be `Copy` and have a variant `Unknown(i64)` for values it does not name. Each
/// impl goes through `value` or `From<i64>`; decoding a value held as `Unknown` is noted for
/// the unions that may hold the enum ([`union::note_unknown`](crate::union::note_unknown)).
#[doc(hidden)]
#[macro_export]
macro_rules! __runtime_int_enum {
    ($name:ident; $($variant:ident = $value:literal;)*) => {
        impl $name {
            /// The value as it is written on the wire.
            pub fn value(self) -> i64 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }
        }

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
    #![allow(unreachable_pub, reason = "the macros write `pub` methods, as generated crates need")]

    use crate::{ToParam, union};

    /// An enum of strings as the generator writes it.
    #[derive(Clone, Debug, PartialEq)]
    enum Colour {
        Red,
        Empty,
        Unknown(String),
    }

    super::string_enum! {
        Colour;
        Red = "red";
        Empty = "";
    }

    /// An enum of integers as the generator writes it.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Level {
        One,
        Below,
        Least,
        Unknown(i64),
    }

    super::int_enum! {
        Level;
        One = 1;
        Below = -1;
        Least = -9223372036854775808;
    }

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
        assert_eq!(serde_json::from_str::<Colour>(r#""""#).unwrap(), Colour::Empty);
        assert_eq!(Colour::Empty.as_str(), "");
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
        assert_eq!(serde_json::from_str::<Level>("-1").unwrap(), Level::Below);
        assert_eq!(Level::from(i64::MIN), Level::Least);
        assert_eq!(Level::Least.value(), i64::MIN);
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

        crate::enums::int_enum! {
            Digit;
            Zero = 0;
        }

        #[derive(Clone, Debug, PartialEq)]
        pub(super) enum Shade {
            Dark,
            Unknown(std::string::String),
        }

        crate::enums::string_enum! {
            Shade;
            Dark = "dark";
        }
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
