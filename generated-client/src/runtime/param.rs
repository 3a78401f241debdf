//! Values as they are written in paths, queries and headers.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// A value that can be written in a path segment, a query or a header.
///
/// Generated string enums implement it with their wire value.
pub trait ToParam {
    /// The value as text, before any percent-encoding.
    fn to_param(&self) -> String;
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> String {
        (**self).to_param()
    }
}

impl ToParam for str {
    fn to_param(&self) -> String {
        self.to_owned()
    }
}

impl ToParam for String {
    fn to_param(&self) -> String {
        self.clone()
    }
}

macro_rules! display_params {
    ($($ty:ty),*) => {
        $(impl ToParam for $ty {
            fn to_param(&self) -> String {
                self.to_string()
            }
        })*
    };
}

display_params!(bool, i32, i64, f32, f64, uuid::Uuid);

impl ToParam for DateTime<Utc> {
    /// RFC 3339 in UTC with as many fraction digits as needed: `2024-08-15T17:09:13.648Z`.
    fn to_param(&self) -> String {
        self.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

impl ToParam for NaiveDate {
    /// `2024-08-15`.
    fn to_param(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}
