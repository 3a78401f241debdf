//! The XML shapes of the types that XML bodies hold (`runtime::xml::Shape`): a static
//! `XML_<Type>` per struct, next to it in the models file, and the shape of any use of a type.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::ModelPath;
use crate::ir;

/// The structs that XML bodies hold, directly or through others.
pub(super) struct XmlModels<'a> {
    names: BTreeSet<&'a str>,
}

impl<'a> XmlModels<'a> {
    pub(super) fn new(api: &'a ir::Api) -> XmlModels<'a> {
        let mut queue: Vec<&ir::TypeRef> = Vec::new();
        for op in &api.operations {
            let bodies = op.body.iter().flat_map(|it| &it.media);
            queue.extend(bodies.filter(|it| it.encoding == ir::Encoding::Xml).map(|it| &it.ty));
            let successes = op.successes.iter().filter(|it| it.encoding == ir::Encoding::Xml);
            queue.extend(successes.filter_map(|it| it.ty.as_ref()));
        }
        let mut names = BTreeSet::new();
        while let Some(ty) = queue.pop() {
            let Some(model) = named(api, ty) else { continue };
            if !names.insert(model.rust_name.as_str()) {
                continue;
            }
            match &model.kind {
                ir::ModelKind::Struct(it) => queue.extend(it.fields.iter().map(|it| &it.ty)),
                ir::ModelKind::Alias(ty) => queue.push(ty),
                ir::ModelKind::Newtype(it) => queue.push(&it.ty),
                _ => {}
            }
        }
        XmlModels { names }
    }

    /// Whether `model` gets an `XML_…` static.
    pub(super) fn contains(&self, model: &ir::Model) -> bool {
        matches!(model.kind, ir::ModelKind::Struct(_))
            && self.names.contains(model.rust_name.as_str())
    }
}

/// The model a use of `ty` names, through arrays, maps and `null`.
fn named<'a>(api: &'a ir::Api, ty: &ir::TypeRef) -> Option<&'a ir::Model> {
    match ty {
        ir::TypeRef::Vec(inner) | ir::TypeRef::Map(inner) | ir::TypeRef::Nullable(inner) => {
            named(api, inner)
        }
        ir::TypeRef::Named(name) => model(api, name),
        _ => None,
    }
}

fn model<'a>(api: &'a ir::Api, name: &str) -> Option<&'a ir::Model> {
    // The models are sorted by Rust name.
    let idx = api.models.binary_search_by(|it| it.rust_name.as_str().cmp(name)).ok()?;
    api.models.get(idx)
}

/// The name of the static that holds the XML shape of the struct `name`.
pub(super) fn static_name(name: &str) -> Ident {
    Ident::new(&format!("XML_{name}"), Span::call_site())
}

/// The `XML_…` static of the struct `model`.
pub(super) fn emit_static(api: &ir::Api, model: &ir::Model, strukt: &ir::Struct) -> TokenStream {
    let name = static_name(&model.rust_name);
    let x = quote!(crate::runtime::xml);
    let fields = strukt.fields.iter().map(|field| {
        let json = &field.wire_name;
        let xml = field.xml.name.as_deref().unwrap_or(&field.wire_name);
        let attribute = field.xml.attribute;
        let shape = match strip(&field.ty) {
            ir::TypeRef::Vec(item) => {
                let item_name = field.xml.items_element.as_deref().unwrap_or(xml);
                array(api, item, item_name, field.xml.wrapped, ModelPath::Local, 0)
            }
            ty => shape(api, ty, ModelPath::Local, 0),
        };
        quote!(#x::Field { json: #json, xml: #xml, attribute: #attribute, shape: #shape })
    });
    let rest = match &strukt.additional {
        Some((_, ty)) => {
            let shape = shape(api, ty, ModelPath::Local, 0);
            quote!(Some(#shape))
        }
        None => quote!(None),
    };
    let doc = format!(" How [`{}`] is written as XML and read from it.", model.rust_name);
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_upper_case_globals, reason = "named after its type, whose name is unique")]
        pub static #name: #x::Object = #x::Object { fields: &[#(#fields),*], rest: #rest };
    }
}

/// `ty` without its `Nullable`s.
fn strip(ty: &ir::TypeRef) -> &ir::TypeRef {
    match ty {
        ir::TypeRef::Nullable(inner) => strip(inner),
        ty => ty,
    }
}

/// How deep aliases may lead before a shape is given up as any value (they end sooner, unless
/// they loop, which lowering has turned into newtypes).
const MAX_ALIASES: usize = 64;

/// The shape of a use of `ty`, from the models module (`Local`) or the client (`Super`).
pub(super) fn shape(api: &ir::Api, ty: &ir::TypeRef, path: ModelPath, depth: usize) -> TokenStream {
    let x = quote!(crate::runtime::xml);
    match strip(ty) {
        ir::TypeRef::I32 | ir::TypeRef::I64 => quote!(#x::Shape::Integer),
        ir::TypeRef::F64 => quote!(#x::Shape::Number),
        ir::TypeRef::Bool => quote!(#x::Shape::Boolean),
        ir::TypeRef::String
        | ir::TypeRef::DateTime
        | ir::TypeRef::Date
        | ir::TypeRef::Uuid
        | ir::TypeRef::Bytes => quote!(#x::Shape::String),
        ir::TypeRef::Vec(item) => array(api, item, "item", false, path, depth),
        ir::TypeRef::Map(value) => {
            let value = shape(api, value, path, depth + 1);
            quote!(#x::Shape::Map(&#value))
        }
        ir::TypeRef::Named(name) if depth < MAX_ALIASES => {
            match model(api, name).map(|it| &it.kind) {
                Some(ir::ModelKind::Struct(_)) => {
                    let name = static_name(name);
                    match path {
                        ModelPath::Local => quote!(#x::Shape::Object(&#name)),
                        ModelPath::Super => quote!(#x::Shape::Object(&super::models::#name)),
                    }
                }
                Some(ir::ModelKind::StringEnum(_)) => quote!(#x::Shape::String),
                Some(ir::ModelKind::IntEnum(_)) => quote!(#x::Shape::Integer),
                Some(ir::ModelKind::Alias(ty)) => shape(api, ty, path, depth + 1),
                Some(ir::ModelKind::Newtype(it)) => shape(api, &it.ty, path, depth + 1),
                _ => quote!(#x::Shape::Any),
            }
        }
        _ => quote!(#x::Shape::Any),
    }
}

fn array(
    api: &ir::Api,
    item: &ir::TypeRef,
    item_name: &str,
    wrapped: bool,
    path: ModelPath,
    depth: usize,
) -> TokenStream {
    let x = quote!(crate::runtime::xml);
    let item = shape(api, item, path, depth + 1);
    quote!(#x::Shape::Array(&#x::Array { item_name: #item_name, wrapped: #wrapped, item: #item }))
}
