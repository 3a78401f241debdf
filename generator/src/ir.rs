//! The intermediate representation: what the generated code will contain, with every name
//! decided and every reference resolved.
//!
//! `lower` builds it from the spec and nothing changes it afterwards. It holds no token types,
//! so `{:#?}` of an [`Api`] is a readable snapshot, and `emit` needs nothing else.

pub use crate::names::RustName;

/// An API: the models and the operations of one spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `info.version`.
    pub version: String,
    /// The first server's URL, which the generated client uses unless told otherwise.
    pub base_url: Option<String>,
    /// The rate limit the first server's `x-rate-limit` states: where the generated client's
    /// limiter starts, before the server's own headers say more.
    pub rate_limit: Option<RateLimit>,
    /// The types of the `models` module, sorted by Rust name.
    pub models: Vec<Model>,
    /// The methods of the client, sorted by Rust name.
    pub operations: Vec<Operation>,
    /// The cargo features of a standalone crate, one per tag (`Options::features`), sorted:
    /// empty when everything is always compiled.
    pub features: Vec<Feature>,
    /// How deeply the types of the largest cycle of models nest, in all (`lower::cycles`): what
    /// rustc's recursion limit must allow in the crate, for it to check how values drop.
    pub cycle_nesting: usize,
    /// Whether any model checks a `pattern`: its crate then needs the `regex` crate.
    pub uses_patterns: bool,
    /// The security schemes the client takes credentials for, sorted by name.
    pub security_schemes: Vec<SecurityScheme>,
}

/// A security scheme: a credential the client's builder takes, and sends where an
/// operation's requirement names it.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityScheme {
    /// Its name in `components.securitySchemes`.
    pub wire_name: String,
    /// The builder's setter for it.
    pub setter: RustName,
    /// What it takes.
    pub kind: SchemeKind,
    /// What it takes, in a sentence, and the spec's description.
    pub docs: Docs,
}

/// What a security scheme takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// An API key, sent in the parameter `name`.
    ApiKey {
        /// Header, query or cookie.
        location: KeyLocation,
        /// The parameter's name.
        name: String,
    },
    /// A username and a password (HTTP basic).
    Basic,
    /// Bearer tokens (`http` `bearer`, `oauth2`, `openIdConnect`).
    Bearer,
}

/// Where an API key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLocation {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// A number of requests per interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per interval, at least 1.
    pub max: u32,
    /// The interval in milliseconds, at least 1.
    pub interval_ms: u64,
}

/// A cargo feature of a standalone crate.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// Its name in `Cargo.toml` and `#[cfg(feature = …)]`.
    pub name: String,
    /// The features it turns on too.
    pub enables: Vec<String>,
    /// Whether users name it: a tag's feature or `other-schemas`. The others (`_shared-N`) stand
    /// for a long list of those in the `#[cfg]` of the items many tags reach, so that an
    /// item's attribute does not grow with the number of tags; the features of the list turn
    /// it on.
    pub public: bool,
}

/// The documentation of an item: the spec's summary and description.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Docs {
    /// A one-line summary.
    pub summary: Option<String>,
    /// A longer description, Markdown.
    pub description: Option<String>,
    /// Facts the spec states outside the description (`default`, `readOnly`, `maxItems`…), one
    /// sentence each.
    pub notes: Vec<String>,
}

/// A named type that will become a struct or an enum in the `models` module.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The schema's name in the spec, or a name made from its position for inline schemas.
    pub wire_name: String,
    /// The Rust type name.
    pub rust_name: RustName,
    /// Where the schema is, as a JSON pointer.
    pub pointer: String,
    /// Its documentation.
    pub docs: Docs,
    /// What kind of type it becomes.
    pub kind: ModelKind,
    /// The schema's `example`, which standalone crates test.
    pub example: Option<Example>,
    /// The cargo features any of which compiles it; empty when it is always compiled.
    pub features: Vec<String>,
}

/// A schema's example, and the test that checks it decodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// The example, as compact JSON.
    pub json: String,
    /// The name of its test function.
    pub test_name: RustName,
    /// A property the example leaves out that its schema requires, as a path: the example
    /// contradicts the schema, and its test is ignored.
    pub contradiction: Option<String>,
}

/// The shape of a model.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelKind {
    /// An object schema with properties: a struct.
    Struct(Struct),
    /// A string schema with `enum`: an enum that keeps unknown values.
    StringEnum(Vec<Variant>),
    /// An integer schema with `enum`: an enum that keeps unknown values.
    IntEnum(Vec<IntVariant>),
    /// A `oneOf` or `anyOf`: an enum with one variant per member.
    Union(Union),
    /// Any other named schema (an array, a map, a scalar): a type alias.
    Alias(TypeRef),
    /// A named schema that would be an alias, but contains itself through arrays or maps (a
    /// tree of lists, say): Rust has no recursive aliases, so a struct with one field that
    /// encodes as that field alone.
    Newtype(Newtype),
}

/// The one field of a newtype.
#[derive(Clone, Debug, PartialEq)]
pub struct Newtype {
    /// Its type.
    pub ty: TypeRef,
    /// Whether the value is boxed, because it closes a cycle of types that hold each other
    /// directly.
    pub boxed: bool,
}

/// The fields of a struct.
#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    /// The fields, in the spec's order.
    pub fields: Vec<Field>,
    /// From `additionalProperties` beside `properties`: the Rust name of the field that keeps
    /// the other properties, and the type of their values.
    pub additional: Option<(RustName, TypeRef)>,
}

/// A struct field that will hold one property.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The property's name on the wire.
    pub wire_name: String,
    /// The Rust field name.
    pub rust_name: RustName,
    /// Its documentation.
    pub docs: Docs,
    /// The value's type, `Nullable` included when the spec allows `null`.
    pub ty: TypeRef,
    /// Whether the property must be present.
    pub required: bool,
    /// Whether the value is boxed, because the field closes a cycle of types that hold each
    /// other directly (a recursive schema).
    pub boxed: bool,
    /// The constraints its schema puts on the value, checked before a request is sent.
    pub checks: Vec<Check>,
    /// The name of its `with_…` setter: optional fields only have one.
    pub setter: Option<RustName>,
    /// The name of the associated constant that gives its `maxItems`, when it has one
    /// (`INPUTS_MAX_ITEMS`): code that fills the array in chunks reads the limit from it.
    pub max_items_const: Option<RustName>,
    /// What its schema's `xml` object says, for XML bodies.
    pub xml: FieldXml,
}

/// A property's `xml` object, and its items' name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldXml {
    /// `xml.name`: its element or attribute name, when not the property's.
    pub name: Option<String>,
    /// `xml.attribute`.
    pub attribute: bool,
    /// `xml.wrapped`, for an array.
    pub wrapped: bool,
    /// For an array, its items' element name: their `xml.name` (that of the schema they refer to, else their own).
    pub items_element: Option<String>,
}

/// A constraint on a field's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// `minItems` and `maxItems`.
    Items {
        /// `minItems`.
        min: Option<u64>,
        /// `maxItems`.
        max: Option<u64>,
    },
    /// `minLength` and `maxLength`, in characters.
    Length {
        /// `minLength`.
        min: Option<u64>,
        /// `maxLength`.
        max: Option<u64>,
    },
    /// `minimum` and `maximum`, each with whether it is exclusive.
    Range {
        /// `minimum`, and `exclusiveMinimum`.
        min: Option<(f64, bool)>,
        /// `maximum`, and `exclusiveMaximum`.
        max: Option<(f64, bool)>,
    },
    /// `pattern`, as a Rust regular expression (the `regex` crate's syntax, which ECMA-262
    /// patterns mostly share; the generator checks that it parses).
    Pattern(String),
    /// `x-unique-items-by`: the items' properties whose values may not repeat together.
    UniqueBy {
        /// The properties: wire names, and the items' Rust field names (filled in once every
        /// model is lowered).
        fields: Vec<(String, String)>,
        /// Where the extension is, as a JSON pointer.
        pointer: String,
    },
}

/// A variant of a string enum.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The value on the wire.
    pub wire_name: String,
    /// The Rust variant name.
    pub rust_name: RustName,
}

/// A variant of an integer enum.
#[derive(Clone, Debug, PartialEq)]
pub struct IntVariant {
    /// The value on the wire.
    pub value: i64,
    /// The Rust variant name.
    pub rust_name: RustName,
}

/// The members of a `oneOf` or `anyOf`.
#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    /// The property whose value names the member, from `discriminator`. Without one, a value
    /// is the first member it decodes as.
    pub discriminator: Option<String>,
    /// The members, in the spec's order.
    pub variants: Vec<UnionVariant>,
}

/// A member of a union.
#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    /// The Rust variant name.
    pub rust_name: RustName,
    /// Where the member is, as a JSON pointer.
    pub pointer: String,
    /// The member's type.
    pub ty: TypeRef,
    /// With a discriminator: the property values that select this member, the first of which
    /// is written when encoding.
    pub tags: Vec<String>,
    /// Whether the value is boxed, because the member closes a cycle of types that hold each
    /// other directly (a union that is one of its own members' fields, say).
    pub boxed: bool,
    /// The kind of JSON value the member is tried on when there is no discriminator.
    pub kind: JsonKind,
    /// Whether the member keeps every value of its kind whole (a free-form object, a plain
    /// string): without a discriminator it is tried after the others, so that it does not
    /// hide them.
    pub catch_all: bool,
}

/// The kinds of JSON values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    /// An object.
    Object,
    /// An array.
    Array,
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// Any value.
    Any,
}

/// A use of a type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// `string`.
    String,
    /// `boolean`.
    Bool,
    /// `integer`, `format: int32`.
    I32,
    /// `integer`, `format: int64` or no format.
    I64,
    /// `number`, whatever its format: `double`, `float` (which a 64-bit float holds exactly)
    /// or none.
    F64,
    /// `string`, `format: date-time`.
    DateTime,
    /// `string`, `format: date`.
    Date,
    /// `string`, `format: uuid`.
    Uuid,
    /// `string`, `format: byte`: base64 on the wire, bytes in Rust.
    Bytes,
    /// `string`, `format: binary`: raw bytes (a file in a multipart body, a binary body).
    Binary,
    /// Any JSON value: a free-form object or an unconstrained schema.
    Json,
    /// A model, by its Rust name.
    Named(RustName),
    /// `array`.
    Vec(Box<TypeRef>),
    /// `object` with `additionalProperties`: string keys, sorted.
    Map(Box<TypeRef>),
    /// A value that may be `null`.
    Nullable(Box<TypeRef>),
}

/// An operation that will become a method of the client.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// `operationId`, when the spec gives one.
    pub operation_id: Option<String>,
    /// The method name.
    pub rust_name: RustName,
    /// Where the operation is, as a JSON pointer.
    pub pointer: String,
    /// The HTTP method, uppercase.
    pub method: String,
    /// The path template, `/crm/v3/objects/0-3/{dealId}`.
    pub path: String,
    /// The path's segments, each made of literal text and parameters.
    pub segments: Vec<Vec<PathPart>>,
    /// Its documentation.
    pub docs: Docs,
    /// Whether the spec marks it `deprecated`.
    pub deprecated: bool,
    /// Its path, query and header parameters, in the spec's order.
    pub params: Vec<Param>,
    /// Its JSON request body.
    pub body: Option<Body>,
    /// The documented success responses, by status code.
    pub successes: Vec<Success>,
    /// The documented error responses (non-2xx codes, ranges and `default`), in the order
    /// they are matched: codes, then ranges, then `default`.
    pub errors: Vec<ErrorResponse>,
    /// The name of the enum of error bodies, when error responses have different schemas.
    pub error_name: Option<RustName>,
    /// The name of the enum of outcomes, when there is more than one documented success.
    pub outcome_name: Option<RustName>,
    /// The name of the parameters struct, when the operation has query or header parameters.
    pub params_name: Option<RustName>,
    /// Whether it may be sent again after a failure, when the spec says (`x-retryable`);
    /// by its method otherwise.
    pub retryable: Option<bool>,
    /// Its security requirements, by scheme name: alternatives, each the schemes that go
    /// together; `None` when the spec states none (the client sends its bearer token, if any).
    pub security: Option<Vec<Vec<String>>>,
    /// The cargo features any of which compiles it; empty when it is always compiled. While
    /// lowering, its tags.
    pub features: Vec<String>,
    /// The method that reads a success as server-sent events, when one declares
    /// `text/event-stream`.
    pub events: Option<Events>,
}

/// A piece of a path segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPart {
    /// Text written as it is (percent-encoded by the runtime).
    Literal(String),
    /// A path parameter, by its Rust name.
    Param(RustName),
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// The `Cookie` header.
    Cookie,
}

/// What a parameter's value is, for writing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamShape {
    /// A string, number, boolean, date, enum.
    Scalar,
    /// An array of scalars.
    Array,
    /// An object whose properties are scalars.
    Object,
    /// Any value, written as JSON text (`content: application/json`).
    Json,
    /// A union of the above: written by what the value turns out to be.
    Mixed,
}

/// How an array or object parameter is written (OpenAPI's `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamStyle {
    /// `a,b` (paths and headers).
    Simple,
    /// `.a,b` (paths).
    Label,
    /// `;name=a,b` (paths).
    Matrix,
    /// `name=a,b` (queries and cookies).
    Form,
    /// `name=a b` (queries).
    SpaceDelimited,
    /// `name=a|b` (queries).
    PipeDelimited,
    /// `name[key]=value` (queries).
    DeepObject,
}

/// A parameter of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The name on the wire.
    pub wire_name: String,
    /// The Rust argument or field name.
    pub rust_name: RustName,
    /// Where it goes.
    pub location: ParamLocation,
    /// Its documentation.
    pub docs: Docs,
    /// Its type.
    pub ty: TypeRef,
    /// What its value is, however its type is named.
    pub shape: ParamShape,
    /// Whether it must be given.
    pub required: bool,
    /// How it is written, when it is an array or an object.
    pub style: ParamStyle,
    /// Whether each item or property is written on its own (`name=a&name=b`) or all joined.
    pub explode: bool,
}

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// The media types it may be sent as, in the spec's order: with several, the caller
    /// chooses one, as a variant of the enum `enum_name`.
    pub media: Vec<BodyMedia>,
    /// The name of that enum, when there are several media types.
    pub enum_name: Option<RustName>,
    /// Whether it must be sent.
    pub required: bool,
}

/// The method that reads an operation's success as server-sent events (`text/event-stream`).
#[derive(Clone, Debug, PartialEq)]
pub struct Events {
    /// Its name: the operation's, then `_events`.
    pub rust_name: RustName,
    /// The type of each event's `data`: JSON of the schema, or `String` for text.
    pub ty: TypeRef,
}

/// A body in one media type.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyMedia {
    /// The media type, as the spec writes it.
    pub media_type: String,
    /// How it is written.
    pub encoding: Encoding,
    /// Its type: the schema's for JSON, forms and multipart; `String` for text; `Binary`
    /// for bytes.
    pub ty: TypeRef,
    /// Its variant in the body enum.
    pub variant: RustName,
    /// For XML, the name of the root element: the schema's `xml.name`, else its component
    /// name, else the operation's body type name.
    pub xml_root: Option<String>,
}

/// How a body is written or read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// JSON (`application/json`, `…+json`, `*/*`).
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Text (`text/*`; XML whose schema is a string).
    Text,
    /// XML of a structured schema (`application/xml`, `text/xml`, `…+xml`), written and read
    /// through the value's JSON form by the shape of its type (`runtime::xml`).
    Xml,
    /// Bytes (`application/octet-stream`, images, anything else).
    Binary,
}

/// Which statuses a response covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// One status code.
    Code(u16),
    /// A range such as `4XX`, by its first digit.
    Range(u16),
    /// Every status not otherwise documented.
    Default,
}

/// A documented error response.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorResponse {
    /// The statuses it covers.
    pub status: Status,
    /// Its variant in the error enum, when there is one.
    pub variant: RustName,
    /// The body's type; `Json` when the response declares no body.
    pub ty: TypeRef,
}

impl Status {
    /// Whether the statuses are successes (2xx).
    pub fn is_success(self) -> bool {
        match self {
            Status::Code(it) => (200..300).contains(&it),
            Status::Range(it) => it == 2,
            Status::Default => false,
        }
    }
}

/// A documented success response.
#[derive(Clone, Debug, PartialEq)]
pub struct Success {
    /// The statuses it covers: a code, or the range `2XX` (any success not listed).
    pub status: Status,
    /// The name of its variant in the outcome enum.
    pub variant: RustName,
    /// The response's description.
    pub description: Option<String>,
    /// The body's type, `None` when the response has no body.
    pub ty: Option<TypeRef>,
    /// How the body is read: JSON, text or bytes.
    pub encoding: Encoding,
    /// The body's media type, as the spec writes it, when it has one.
    pub media_type: Option<String>,
}
