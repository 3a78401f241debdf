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

/// How a parameter that is an array or an object is written: OpenAPI's `style`, with its
/// `explode`, as RFC 6570 defines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `blue,black` (paths and headers).
    Simple,
    /// `.blue,black`; exploded `.blue.black` (paths).
    Label,
    /// `;color=blue,black`; exploded `;color=blue;color=black` (paths).
    Matrix,
    /// `color=blue,black`; exploded `color=blue&color=black` (queries and cookies).
    Form,
    /// `color=blue black` (queries).
    SpaceDelimited,
    /// `color=blue|black` (queries).
    PipeDelimited,
    /// `color[R]=100&color[G]=200` (objects in queries).
    DeepObject,
}

/// A value's parts: a scalar's text, an array's items, an object's properties.
enum Parts {
    Scalar(String),
    List(Vec<String>),
    Pairs(Vec<(String, String)>),
}

/// A scalar as parameter text: numbers as Rust writes them (`5`, not `5.0`), `null` as
/// nothing, and anything nested as JSON.
fn text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(it) => it.clone(),
        Value::Number(it) => match (it.as_i64(), it.as_u64(), it.as_f64()) {
            (Some(it), ..) => it.to_string(),
            (_, Some(it), _) => it.to_string(),
            (_, _, Some(it)) => it.to_string(),
            _ => it.to_string(),
        },
        Value::Bool(it) => it.to_string(),
        Value::Null => String::new(),
        nested => nested.to_string(),
    }
}

fn parts<T: serde::Serialize + ?Sized>(value: &T) -> Result<Parts, String> {
    use serde_json::Value;
    let value = serde_json::to_value(value).map_err(|err| format!("cannot be written: {err}"))?;
    Ok(match value {
        Value::Array(items) => Parts::List(items.iter().map(text).collect()),
        // Absent properties (`None`) are left out.
        Value::Object(map) => Parts::Pairs(
            map.iter().filter(|(_, it)| !it.is_null()).map(|(k, v)| (k.clone(), text(v))).collect(),
        ),
        scalar => Parts::Scalar(text(&scalar)),
    })
}

/// What a path segment keeps as it is: letters, digits and `-._~` (RFC 3986's unreserved
/// characters). Everything else is percent-encoded, `/`, `%`, `?`, `#` and controls included,
/// so a value stays one segment and means what it says.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `text` percent-encoded for a path segment.
pub fn encode_segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}

/// A path parameter, percent-encoded, with the style's delimiters (`.`, `;`, `=`, `,`) as
/// they are.
pub fn path<T: serde::Serialize + ?Sized>(
    name: &str,
    value: &T,
    style: Style,
    explode: bool,
) -> Result<String, String> {
    let e = |it: &str| encode_segment(it);
    let pairs = |items: &[(String, String)], sep: &str, kv: &str| {
        items.iter().map(|(k, v)| format!("{}{kv}{}", e(k), e(v))).collect::<Vec<_>>().join(sep)
    };
    let flat = |items: &[(String, String)]| {
        items.iter().flat_map(|(k, v)| [e(k), e(v)]).collect::<Vec<_>>().join(",")
    };
    let list =
        |items: &[String], sep: &str| items.iter().map(|it| e(it)).collect::<Vec<_>>().join(sep);
    let name = e(name);
    Ok(match (style, parts(value)?, explode) {
        (Style::Label, Parts::Scalar(it), _) => format!(".{}", e(&it)),
        (Style::Label, Parts::List(items), false) => format!(".{}", list(&items, ",")),
        (Style::Label, Parts::List(items), true) => format!(".{}", list(&items, ".")),
        (Style::Label, Parts::Pairs(items), false) => format!(".{}", flat(&items)),
        (Style::Label, Parts::Pairs(items), true) => format!(".{}", pairs(&items, ".", "=")),
        (Style::Matrix, Parts::Scalar(it), _) if it.is_empty() => format!(";{name}"),
        (Style::Matrix, Parts::Scalar(it), _) => format!(";{name}={}", e(&it)),
        (Style::Matrix, Parts::List(items), false) => format!(";{name}={}", list(&items, ",")),
        (Style::Matrix, Parts::List(items), true) => {
            items.iter().map(|it| format!(";{name}={}", e(it))).collect()
        }
        (Style::Matrix, Parts::Pairs(items), false) => format!(";{name}={}", flat(&items)),
        (Style::Matrix, Parts::Pairs(items), true) => format!(";{}", pairs(&items, ";", "=")),
        (_, Parts::Scalar(it), _) => e(&it),
        (_, Parts::List(items), _) => list(&items, ","),
        (_, Parts::Pairs(items), false) => flat(&items),
        (_, Parts::Pairs(items), true) => pairs(&items, ",", "="),
    })
}

/// A query parameter as `name=value` pairs, not yet percent-encoded.
pub fn query<T: serde::Serialize + ?Sized>(
    name: &str,
    value: &T,
    style: Style,
    explode: bool,
) -> Result<Vec<(String, String)>, String> {
    let joined = |items: Vec<String>, sep: &str| vec![(name.to_owned(), items.join(sep))];
    let flat = |items: Vec<(String, String)>| items.into_iter().flat_map(|(k, v)| [k, v]).collect();
    Ok(match (style, parts(value)?, explode) {
        (_, Parts::Scalar(it), _) => vec![(name.to_owned(), it)],
        (_, Parts::List(items), _) if items.is_empty() => Vec::new(),
        (Style::SpaceDelimited, Parts::List(items), _) => joined(items, " "),
        (Style::PipeDelimited, Parts::List(items), _) => joined(items, "|"),
        (Style::SpaceDelimited, Parts::Pairs(items), _) => joined(flat(items), " "),
        (Style::PipeDelimited, Parts::Pairs(items), _) => joined(flat(items), "|"),
        (Style::DeepObject, Parts::Pairs(items), _) => {
            items.into_iter().map(|(k, v)| (format!("{name}[{k}]"), v)).collect()
        }
        (_, Parts::List(items), true) => {
            items.into_iter().map(|it| (name.to_owned(), it)).collect()
        }
        (_, Parts::List(items), false) => joined(items, ","),
        (_, Parts::Pairs(items), true) => items,
        (_, Parts::Pairs(items), false) => joined(flat(items), ","),
    })
}

/// A header parameter (`simple` style).
pub fn header<T: serde::Serialize + ?Sized>(value: &T, explode: bool) -> Result<String, String> {
    Ok(match parts(value)? {
        Parts::Scalar(it) => it,
        Parts::List(items) => items.join(","),
        Parts::Pairs(items) if explode => {
            items.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
        }
        Parts::Pairs(items) => {
            items.into_iter().flat_map(|(k, v)| [k, v]).collect::<Vec<_>>().join(",")
        }
    })
}

/// A value as JSON text, for a parameter described with `content: application/json`.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|err| format!("cannot be written as JSON: {err}"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{Style, header, path};

    /// OpenAPI's own examples: `color` as `blue`, as `[blue, black, brown]`, and as
    /// `{R: 100, G: 200, B: 150}` (a map keeps its keys sorted: B, G, R).
    fn examples() -> (&'static str, Vec<&'static str>, BTreeMap<&'static str, i64>) {
        ("blue", vec!["blue", "black", "brown"], [("R", 100), ("G", 200), ("B", 150)].into())
    }

    #[test]
    fn path_styles() {
        let (string, array, object) = examples();
        let all = |style, explode| {
            [
                path("color", string, style, explode).unwrap(),
                path("color", &array, style, explode).unwrap(),
                path("color", &object, style, explode).unwrap(),
            ]
        };
        assert_eq!(all(Style::Simple, false), ["blue", "blue,black,brown", "B,150,G,200,R,100"]);
        assert_eq!(all(Style::Simple, true), ["blue", "blue,black,brown", "B=150,G=200,R=100"]);
        assert_eq!(all(Style::Label, false), [".blue", ".blue,black,brown", ".B,150,G,200,R,100"]);
        assert_eq!(all(Style::Label, true), [".blue", ".blue.black.brown", ".B=150.G=200.R=100"]);
        assert_eq!(
            all(Style::Matrix, false),
            [";color=blue", ";color=blue,black,brown", ";color=B,150,G,200,R,100"]
        );
        assert_eq!(
            all(Style::Matrix, true),
            [";color=blue", ";color=blue;color=black;color=brown", ";B=150;G=200;R=100"]
        );
        // Values are encoded, delimiters are not.
        assert_eq!(path("c", &["a,b", "c/d"], Style::Label, true).unwrap(), ".a%2Cb.c%2Fd");
        assert_eq!(path("c", "", Style::Matrix, false).unwrap(), ";c");
    }

    #[test]
    fn query_styles() {
        let (string, array, object) = examples();
        let pairs = |it: Vec<(String, String)>| {
            it.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
        };
        let q = |value: &dyn erased::Value, style, explode| pairs(value.query(style, explode));
        assert_eq!(q(&string, Style::Form, true), "color=blue");
        assert_eq!(q(&array, Style::Form, true), "color=blue&color=black&color=brown");
        assert_eq!(q(&array, Style::Form, false), "color=blue,black,brown");
        assert_eq!(q(&object, Style::Form, true), "B=150&G=200&R=100");
        assert_eq!(q(&object, Style::Form, false), "color=B,150,G,200,R,100");
        assert_eq!(q(&array, Style::SpaceDelimited, false), "color=blue black brown");
        assert_eq!(q(&array, Style::PipeDelimited, false), "color=blue|black|brown");
        assert_eq!(q(&object, Style::SpaceDelimited, false), "color=B 150 G 200 R 100");
        assert_eq!(q(&object, Style::DeepObject, true), "color[B]=150&color[G]=200&color[R]=100");
        assert_eq!(q(&Vec::<i64>::new(), Style::Form, true), "");
    }

    #[test]
    fn header_style() {
        let (string, array, object) = examples();
        assert_eq!(header(string, false).unwrap(), "blue");
        assert_eq!(header(&array, false).unwrap(), "blue,black,brown");
        assert_eq!(header(&object, false).unwrap(), "B,150,G,200,R,100");
        assert_eq!(header(&object, true).unwrap(), "B=150,G=200,R=100");
        assert_eq!(header(&[1.5, 2.0], false).unwrap(), "1.5,2");
    }

    /// Lets the query test take values of different types alike.
    mod erased {
        use super::super::{Style, query};

        pub(super) trait Value {
            fn query(&self, style: Style, explode: bool) -> Vec<(String, String)>;
        }

        impl<T: serde::Serialize> Value for T {
            fn query(&self, style: Style, explode: bool) -> Vec<(String, String)> {
                query("color", self, style, explode).unwrap()
            }
        }
    }
}
