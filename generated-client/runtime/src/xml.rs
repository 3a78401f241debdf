//! XML bodies (`application/xml`, `text/xml`, `…+xml`), written and read through the JSON form
//! of a value, by the [`Shape`] that generated code declares for its type: the element and
//! attribute names of the schema's `xml` objects, which arrays are wrapped, and what each text
//! holds (a string, a number, a boolean). One set of serde impls serves JSON and XML alike.
//!
//! Reading is lenient where XML is loose (unknown elements and attributes are skipped,
//! namespace prefixes ignored, an element where an array was expected is an array of one) and
//! bounded: nesting deeper than [`MAX_DEPTH`] is an error, not a crash.

use std::fmt::Write as _;

use quick_xml::{
    escape::escape,
    events::{BytesStart, Event},
};
use serde_json::{Map, Value};

/// How deeply elements may nest in a body read.
pub const MAX_DEPTH: usize = 128;

/// What an element (or an attribute) of a type holds.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Text, read as a JSON string.
    String,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A value of no fixed shape (any JSON value, a map): an element with neither attributes
    /// nor children is read as its text; one with them as an object of its attributes and
    /// children (a name given more than once, an array). Written the same way back: an
    /// object's keys as child elements, an array's items as repeated elements.
    Any,
    /// Child elements and attributes.
    Object(&'static Object),
    /// Repeated elements.
    Array(&'static Array),
    /// A map: child elements by name, each value of the shape.
    Map(&'static Shape),
}

/// The properties of an object type, in the order they are written.
#[derive(Debug)]
pub struct Object {
    /// Its properties.
    pub fields: &'static [Field],
    /// What the properties it does not name hold, when it has a map of them beside
    /// (`additionalProperties`); any value when `None`.
    pub rest: Option<Shape>,
}

/// One property of an object type.
#[derive(Debug)]
pub struct Field {
    /// Its name in the JSON form (the spec's property name).
    pub json: &'static str,
    /// Its element or attribute name (the `xml.name`, else the property name).
    pub xml: &'static str,
    /// Whether it is an attribute (`xml.attribute`).
    pub attribute: bool,
    /// What it holds.
    pub shape: Shape,
}

/// An array: its items, and whether they are wrapped in an element of the array's own.
#[derive(Debug)]
pub struct Array {
    /// The name of each item's element.
    pub item_name: &'static str,
    /// Whether the items are inside an element named as the array (`xml.wrapped`).
    pub wrapped: bool,
    /// What each item holds.
    pub item: Shape,
}

/// `value` (a JSON form) as an XML document whose root element is `root`; `Err` when a name
/// it would write (a map's key, say) cannot be an element or attribute name.
pub fn write(root: &str, shape: Shape, value: &Value) -> Result<String, String> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    match shape {
        // An array at the root: its items inside the root element.
        Shape::Array(array) => {
            let root = checked(root)?;
            let _ = write!(out, "<{root}>");
            for item in value.as_array().into_iter().flatten() {
                element(&mut out, array.item_name, array.item, item)?;
            }
            let _ = write!(out, "</{root}>");
        }
        _ => element(&mut out, root, shape, value)?,
    }
    Ok(out)
}

/// `name`, when it can be an element or attribute name as it is: letters, digits, `_`, `-`,
/// `.` and `:`, not starting with a digit, `-`, `.` or `:`. Any other (from a map's key, or a
/// spec's property name) would change the document or break it.
fn checked(name: &str) -> Result<&str, String> {
    let mut chars = name.chars();
    let first = chars.next().is_some_and(|it| it.is_alphabetic() || it == '_');
    if first && chars.all(|it| it.is_alphanumeric() || matches!(it, '_' | '-' | '.' | ':')) {
        Ok(name)
    } else {
        Err(format!("`{}` cannot be an XML name", name.escape_debug()))
    }
}

/// One element named `name` for `value`; nothing for `null`.
fn element(out: &mut String, name: &str, shape: Shape, value: &Value) -> Result<(), String> {
    if value.is_null() {
        return Ok(());
    }
    let name = checked(name)?;
    match (shape, value) {
        (Shape::Object(object), Value::Object(map)) => {
            let _ = write!(out, "<{name}");
            for field in object.fields.iter().filter(|it| it.attribute) {
                if let Some(text) = map.get(field.json).and_then(scalar_text) {
                    let _ = write!(out, " {}=\"{}\"", checked(field.xml)?, escape(text.as_str()));
                }
            }
            out.push('>');
            // Properties the shape does not name: a map beside the named ones.
            let rest = object.rest.unwrap_or(Shape::Any);
            for (key, value) in map {
                if !object.fields.iter().any(|it| it.json == key) {
                    element(out, key, rest, value)?;
                }
            }
            for field in object.fields.iter().filter(|it| !it.attribute) {
                let Some(value) = map.get(field.json) else { continue };
                match field.shape {
                    Shape::Array(array) if array.wrapped => {
                        element(out, field.xml, field.shape, value)?;
                    }
                    Shape::Array(array) => {
                        for item in value.as_array().into_iter().flatten() {
                            element(out, array.item_name, array.item, item)?;
                        }
                    }
                    shape => element(out, field.xml, shape, value)?,
                }
            }
            let _ = write!(out, "</{name}>");
        }
        (Shape::Array(array), Value::Array(items)) => {
            let _ = write!(out, "<{name}>");
            for item in items {
                element(out, array.item_name, array.item, item)?;
            }
            let _ = write!(out, "</{name}>");
        }
        (Shape::Map(values), Value::Object(map)) => {
            let _ = write!(out, "<{name}>");
            for (key, value) in map {
                element(out, key, *values, value)?;
            }
            let _ = write!(out, "</{name}>");
        }
        (Shape::Any, Value::Object(map)) => {
            let _ = write!(out, "<{name}>");
            for (key, value) in map {
                element(out, key, Shape::Any, value)?;
            }
            let _ = write!(out, "</{name}>");
        }
        (Shape::Any, Value::Array(items)) => {
            for item in items {
                element(out, name, Shape::Any, item)?;
            }
        }
        (_, value) => {
            let text = scalar_text(value).unwrap_or_else(|| value.to_string());
            let _ = write!(out, "<{name}>{}</{name}>", escape(text.as_str()));
        }
    }
    Ok(())
}

/// The text of a scalar: a string as it is, a number or a boolean as JSON writes it.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(it) => Some(it.clone()),
        Value::Number(it) => Some(it.to_string()),
        Value::Bool(it) => Some(it.to_string()),
        _ => None,
    }
}

/// An element as read: its local name, attributes, children and text.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

/// Reads the XML document `text` into the JSON form of a value of `shape`.
pub fn read(text: &str, shape: Shape) -> Result<Value, String> {
    let root = parse(text)?;
    Ok(match shape {
        Shape::Array(array) => {
            Value::Array(root.children.iter().map(|it| value_of(it, array.item)).collect())
        }
        _ => value_of(&root, shape),
    })
}

/// The root element of `text`.
fn parse(text: &str) -> Result<Element, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    // Text is kept as it is (a string's spaces are its own); numbers are trimmed when read.
    reader.config_mut().expand_empty_elements = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|err| {
            format!("the body is not XML (at byte {}): {err}", reader.buffer_position())
        })?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("the body nests elements more than {MAX_DEPTH} deep"));
                }
                stack.push(open(&start)?);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("the body closes an element it did not open")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None if root.is_none() => root = Some(done),
                    None => return Err("the body has more than one root element".to_owned()),
                }
            }
            Event::Text(it) => {
                let text = it.xml_content().map_err(|err| format!("the body's text: {err}"))?;
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text);
                }
            }
            Event::CData(it) => {
                let text = it.decode().map_err(|err| format!("the body's text: {err}"))?;
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text);
                }
            }
            Event::GeneralRef(it) => {
                let name = it.decode().map_err(|err| format!("the body's text: {err}"))?;
                let resolved = resolve_reference(&name)
                    .ok_or_else(|| format!("the body refers to the unknown entity `&{name};`"))?;
                if let Some(current) = stack.last_mut() {
                    current.text.push(resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("the body ends inside an element".to_owned());
    }
    root.ok_or_else(|| "the body has no element".to_owned())
}

/// The element that `start` opens, without its children.
fn open(start: &BytesStart<'_>) -> Result<Element, String> {
    let local = |raw: &[u8]| -> String {
        let text = String::from_utf8_lossy(raw);
        text.rsplit(':').next().unwrap_or_default().to_owned()
    };
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| format!("the body's attributes: {err}"))?;
        let key = attribute.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let value =
            attribute.unescape_value().map_err(|err| format!("the body's attributes: {err}"))?;
        attributes.push((local(key), value.into_owned()));
    }
    Ok(Element { name: local(start.name().as_ref()), attributes, ..Element::default() })
}

/// The character a reference names: the five XML predefines, or a character by number.
fn resolve_reference(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// The JSON form of `element`, read as `shape`.
fn value_of(element: &Element, shape: Shape) -> Value {
    match shape {
        Shape::Object(object) => {
            let mut map = Map::new();
            for field in object.fields {
                if field.attribute {
                    if let Some((_, text)) = element.attributes.iter().find(|it| it.0 == field.xml)
                    {
                        map.insert(field.json.to_owned(), scalar(text, field.shape));
                    }
                    continue;
                }
                let value = match field.shape {
                    Shape::Array(array) => {
                        let items: Vec<&Element> = if array.wrapped {
                            element
                                .children
                                .iter()
                                .filter(|it| it.name == field.xml)
                                .flat_map(|it| &it.children)
                                .filter(|it| it.name == array.item_name)
                                .collect()
                        } else {
                            element
                                .children
                                .iter()
                                .filter(|it| it.name == array.item_name)
                                .collect()
                        };
                        let present = !items.is_empty()
                            || (array.wrapped
                                && element.children.iter().any(|it| it.name == field.xml));
                        if !present {
                            continue;
                        }
                        Value::Array(items.into_iter().map(|it| value_of(it, array.item)).collect())
                    }
                    shape => match element.children.iter().find(|it| it.name == field.xml) {
                        Some(child) => value_of(child, shape),
                        None => continue,
                    },
                };
                map.insert(field.json.to_owned(), value);
            }
            // Children the shape does not name, for a map beside the named properties (a
            // struct without one ignores them).
            let named = |name: &str| {
                object.fields.iter().any(|field| match field.shape {
                    Shape::Array(array) if !array.wrapped => array.item_name == name,
                    _ => field.xml == name,
                })
            };
            let rest = object.rest.unwrap_or(Shape::Any);
            let unnamed = element.children.iter().filter(|it| !named(&it.name));
            for (name, value) in by_name(unnamed, rest) {
                if !map.contains_key(&name) {
                    map.insert(name, value);
                }
            }
            Value::Object(map)
        }
        Shape::Any if element.children.is_empty() && element.attributes.is_empty() => {
            Value::String(element.text.clone())
        }
        Shape::Any => {
            let mut map: Map<String, Value> = element
                .attributes
                .iter()
                .map(|(name, text)| (name.clone(), Value::String(text.clone())))
                .collect();
            map.extend(by_name(element.children.iter(), Shape::Any));
            Value::Object(map)
        }
        Shape::Map(values) => Value::Object(by_name(element.children.iter(), *values).collect()),
        Shape::Array(array) => Value::Array(
            element
                .children
                .iter()
                .filter(|it| it.name == array.item_name)
                .map(|it| value_of(it, array.item))
                .collect(),
        ),
        scalar_shape => scalar(&element.text, scalar_shape),
    }
}

/// `children` as the properties of an object, each value of `shape`: by name, those that share
/// one as an array.
fn by_name<'e>(
    children: impl Iterator<Item = &'e Element>,
    shape: Shape,
) -> impl Iterator<Item = (String, Value)> {
    let mut res: Vec<(String, Value)> = Vec::new();
    let mut index: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for child in children {
        let value = value_of(child, shape);
        match index.get(child.name.as_str()) {
            Some(&at) => match &mut res[at].1 {
                Value::Array(items) => items.push(value),
                first => *first = Value::Array(vec![first.take(), value]),
            },
            None => {
                index.insert(&child.name, res.len());
                res.push((child.name.clone(), value));
            }
        }
    }
    res.into_iter()
}

/// The JSON form of the text of a scalar: a number or a boolean when it reads as one, else the
/// text (which then fails to decode as the type, and says so).
fn scalar(text: &str, shape: Shape) -> Value {
    let trimmed = text.trim();
    match shape {
        Shape::Integer => trimmed
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| trimmed.parse::<u64>().map(Value::from))
            .unwrap_or_else(|_| Value::String(text.to_owned())),
        Shape::Number => trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        Shape::Boolean => match trimmed {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
        _ => Value::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Array, Field, Object, Shape, read, write};

    static TAG: Object = Object {
        fields: &[Field { json: "name", xml: "name", attribute: false, shape: Shape::String }],
        rest: None,
    };
    static PET: Object = Object {
        fields: &[
            Field { json: "id", xml: "id", attribute: true, shape: Shape::Integer },
            Field { json: "name", xml: "pet-name", attribute: false, shape: Shape::String },
            Field { json: "good", xml: "good", attribute: false, shape: Shape::Boolean },
            Field {
                json: "photoUrls",
                xml: "photos",
                attribute: false,
                shape: Shape::Array(&Array {
                    item_name: "url",
                    wrapped: true,
                    item: Shape::String,
                }),
            },
            Field {
                json: "tags",
                xml: "tags",
                attribute: false,
                shape: Shape::Array(&Array {
                    item_name: "tag",
                    wrapped: false,
                    item: Shape::Object(&TAG),
                }),
            },
            Field { json: "parent", xml: "parent", attribute: false, shape: Shape::Object(&PET) },
        ],
        rest: None,
    };

    #[test]
    fn values_go_out_and_come_back() {
        let value = json!({
            "id": 7, "name": "Rex <&> \"the\" dog", "good": true,
            "photoUrls": ["a", "b"], "tags": [{"name": "x"}, {"name": "y"}],
            "parent": {"id": 1, "name": "Old", "photoUrls": []},
        });
        let text = write("Pet", Shape::Object(&PET), &value).unwrap();
        assert_eq!(
            text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Pet id=\"7\"><pet-name>Rex &lt;&amp;&gt; &quot;the&quot; dog</pet-name><good>true</good><photos><url>a</url><url>b</url></photos><tag><name>x</name></tag><tag><name>y</name></tag><parent id=\"1\"><pet-name>Old</pet-name><photos></photos></parent></Pet>"
        );
        assert_eq!(read(&text, Shape::Object(&PET)).unwrap(), value);
    }

    #[test]
    fn reading_is_lenient_where_xml_is_loose() {
        // Children the shape does not name are kept, as a map beside the named properties
        // would hold them (and a struct without one ignores them).
        let text = "<?xml version=\"1.0\"?>\n<p:Pet xmlns:p=\"urn:x\" p:id=\" 3 \" other=\"1\">\n  <unknown><deep/></unknown>\n  <p:pet-name><![CDATA[a<b]]>&#x41;&amp;</p:pet-name>\n  <tag><name>only</name></tag>\n</p:Pet>";
        assert_eq!(
            read(text, Shape::Object(&PET)).unwrap(),
            json!({"id": 3, "name": "a<bA&", "tags": [{"name": "only"}], "unknown": {"deep": ""}})
        );
    }

    #[test]
    fn hostile_bodies_are_errors() {
        let deep = "<a>".repeat(200) + &"</a>".repeat(200);
        for bad in ["", "<a>", "<a></b>", "<a/><b/>", "<a>&unknown;</a>", "not xml", &deep] {
            assert!(read(bad, Shape::Object(&PET)).is_err(), "{bad:.40}");
        }
    }

    #[test]
    fn values_of_no_fixed_shape_keep_their_structure() {
        static FREE: Object = Object {
            fields: &[Field { json: "id", xml: "id", attribute: false, shape: Shape::Integer }],
            rest: None,
        };
        // The named property, then a map's entries and any value, nested.
        let value = json!({"id": 1, "colour": "red", "meta": {"a": "x", "b": ["1", "2"]}});
        let text = write("Thing", Shape::Object(&FREE), &value).unwrap();
        assert!(
            text.contains("<colour>red</colour><meta><a>x</a><b>1</b><b>2</b></meta><id>1</id>"),
            "{text}"
        );
        assert_eq!(read(&text, Shape::Object(&FREE)).unwrap(), value);
        let attributes = "<m k=\"v\"><c>1</c></m>";
        assert_eq!(read(attributes, Shape::Any).unwrap(), json!({"k": "v", "c": "1"}));
    }

    #[test]
    fn names_that_would_change_the_document_are_refused() {
        static INTS: Shape = Shape::Integer;
        static COUNTS: Object = Object { fields: &[], rest: Some(Shape::Integer) };
        for key in ["x></x><admin>true</admin><y", "a b", "1x", ""] {
            let value = json!({ key: 1 });
            assert!(write("Counts", Shape::Object(&COUNTS), &value).is_err(), "{key}");
        }
        // A map of integers reads back as integers.
        let value = json!({"a": 1, "b": 2});
        let text = write("Counts", Shape::Map(&INTS), &value).unwrap();
        assert_eq!(read(&text, Shape::Map(&INTS)).unwrap(), value);
        assert_eq!(read(&text, Shape::Object(&COUNTS)).unwrap(), value);
    }

    #[test]
    fn an_array_at_the_root_holds_its_items() {
        static ITEMS: Array = Array { item_name: "Pet", wrapped: true, item: Shape::Object(&TAG) };
        let value = json!([{"name": "a"}, {"name": "b"}]);
        let text = write("Pets", Shape::Array(&ITEMS), &value).unwrap();
        assert!(text.ends_with("<Pets><Pet><name>a</name></Pet><Pet><name>b</name></Pet></Pets>"));
        assert_eq!(read(&text, Shape::Array(&ITEMS)).unwrap(), value);
    }
}
