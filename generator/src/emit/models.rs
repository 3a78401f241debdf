//! The `models` file: one type per model of the IR.

use proc_macro2::TokenStream;
use quote::quote;

use super::{INLINE_VARIANTS, ModelPath, doc, doc_attrs, doc_lines, ident, type_tokens};
use crate::{ir, markdown};

/// The documentation of the models file.
pub(super) fn emit_header(api: &ir::Api) -> TokenStream {
    let module_doc =
        format!(" The types of {}: one per schema, named after it.", markdown::inline(&api.title));
    quote! {
        #![doc = #module_doc]
        #INLINE_VARIANTS
    }
}

/// `models`, with their `impl`s.
pub(super) fn emit_models(
    api: &ir::Api,
    validated: &super::validate::Validated<'_>,
    xml: &super::xml::XmlModels<'_>,
    models: &[ir::Model],
) -> TokenStream {
    let items = models.iter().map(|model| {
        let item = emit_model(model);
        let validate =
            validated.contains(model).then(|| super::validate::emit_validate(validated, model));
        let xml = match &model.kind {
            ir::ModelKind::Struct(it) if xml.contains(model) => {
                Some(super::xml::emit_static(api, model, it))
            }
            _ => None,
        };
        super::gated(quote!(#item #validate #xml), super::cfg(&model.features).as_ref())
    });
    quote!(#(#items)*)
}

fn emit_model(model: &ir::Model) -> TokenStream {
    match &model.kind {
        ir::ModelKind::Struct(strukt) => emit_struct(model, strukt),
        ir::ModelKind::StringEnum(variants) => emit_string_enum(model, variants),
        ir::ModelKind::IntEnum(variants) => emit_int_enum(model, variants),
        ir::ModelKind::Union(union) => emit_union(model, union),
        ir::ModelKind::Newtype(newtype) => {
            let docs = doc_attrs(&model.docs, &[]);
            let name = ident(&model.rust_name);
            let ty = type_tokens(&newtype.ty, ModelPath::Local);
            let ty = if newtype.boxed { quote!(Box<#ty>) } else { ty };
            quote! {
                #docs
                #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                #[serde(transparent)]
                pub struct #name(pub #ty);
            }
        }
        ir::ModelKind::Alias(ty) => {
            let docs = doc_attrs(&model.docs, &[]);
            let name = ident(&model.rust_name);
            let ty = type_tokens(ty, ModelPath::Local);
            quote! {
                #docs
                pub type #name = #ty;
            }
        }
    }
}

fn emit_struct(model: &ir::Model, strukt: &ir::Struct) -> TokenStream {
    let docs = doc_attrs(&model.docs, &[]);
    let name = ident(&model.rust_name);
    let fields = strukt.fields.iter().map(emit_field);
    let additional = strukt.additional.as_ref().map(|(field, ty)| {
        let field = ident(field);
        let ty = type_tokens(ty, ModelPath::Local);
        quote! {
            /// The properties not listed above, by name.
            #[serde(flatten)]
            pub #field: ::std::collections::BTreeMap<String, #ty>,
        }
    });
    // A struct with nothing required can start empty; one with required fields cannot.
    let default = strukt.fields.iter().all(|it| !it.required).then(|| quote!(Default,));
    let constructors = emit_constructors(model, strukt);
    quote! {
        #docs
        #[derive(Clone, Debug, #default PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }

        #constructors
    }
}

/// `new(…)` with the required fields (when there are any: otherwise `Default` starts a value),
/// and a chainable `with_…` setter per optional field: written by the runtime's
/// `constructors!` from a line per field; and the constants of the fields' `maxItems`.
fn emit_constructors(model: &ir::Model, strukt: &ir::Struct) -> TokenStream {
    let type_name = ident(&model.rust_name);
    let required: Vec<&ir::Field> = strukt.fields.iter().filter(|it| it.required).collect();
    let new = (!required.is_empty()).then(|| {
        let params = required.iter().map(|field| {
            let name = ident(&field.rust_name);
            let ty = type_tokens(&field.ty, ModelPath::Local);
            quote!(#name: #ty)
        });
        quote!(new(#(#params),*);)
    });
    // `new` starts the map of other properties empty; `Default` does without it.
    let map = strukt.additional.as_ref().filter(|_| new.is_some()).map(|(field, _)| {
        let field = ident(field);
        quote!(, #field)
    });
    let setters: Vec<_> = strukt
        .fields
        .iter()
        .filter_map(|field| {
            let name = ident(&field.rust_name);
            let setter = ident(field.setter.as_ref()?);
            // The setter of a nullable field takes the value; `null` is set through the field.
            let ty = match &field.ty {
                ir::TypeRef::Nullable(inner) => inner,
                ty => ty,
            };
            let ty = type_tokens(ty, ModelPath::Local);
            Some(quote!(#setter(#name): #ty;))
        })
        .collect();
    let constructors = (new.is_some() || !setters.is_empty()).then(|| {
        quote! {
            crate::runtime::constructors! {
                #type_name #map;
                #new
                #(#setters)*
            }
        }
    });
    let limits: Vec<_> = strukt
        .fields
        .iter()
        .filter_map(|field| {
            let name = ident(field.max_items_const.as_ref()?);
            let max = field.checks.iter().find_map(|it| match it {
                ir::Check::Items { max: Some(max), .. } => Some(*max),
                _ => None,
            })?;
            let max = proc_macro2::Literal::u64_unsuffixed(max);
            let doc = format!(
                " The most items {} may hold (`maxItems`).",
                markdown::code_span(&field.wire_name)
            );
            Some(quote! {
                #[doc = #doc]
                pub const #name: u64 = #max;
            })
        })
        .collect();
    let limits = (!limits.is_empty()).then(|| {
        quote! {
            impl #type_name {
                #(#limits)*
            }
        }
    });
    quote!(#limits #constructors)
}

fn emit_field(field: &ir::Field) -> TokenStream {
    let docs = doc_attrs(&field.docs, &[]);
    let name = ident(&field.rust_name);
    let bare = field.rust_name.trim_start_matches("r#");
    let rename = (bare != field.wire_name).then(|| {
        let wire = &field.wire_name;
        quote!(rename = #wire,)
    });
    let nullable = matches!(field.ty, ir::TypeRef::Nullable(_));
    let ty = match (&field.ty, field.boxed) {
        (ir::TypeRef::Nullable(inner), true) => {
            let inner = type_tokens(inner, ModelPath::Local);
            quote!(Option<Box<#inner>>)
        }
        (ty, true) => {
            let ty = type_tokens(ty, ModelPath::Local);
            quote!(Box<#ty>)
        }
        (ty, false) => type_tokens(ty, ModelPath::Local),
    };
    let (serde, ty) = match (field.required, nullable) {
        // Required fields are always written; `null` is written as `null`.
        (true, _) => (quote!(#rename), ty),
        (false, false) => {
            (quote!(#rename default, skip_serializing_if = "Option::is_none",), quote!(Option<#ty>))
        }
        // Optional and nullable: `None` is absent, `Some(None)` is `null`.
        (false, true) => (
            quote!(#rename default, skip_serializing_if = "Option::is_none", with = "crate::runtime::nullable",),
            quote!(Option<#ty>),
        ),
    };
    let serde = (!serde.is_empty()).then(|| quote!(#[serde(#serde)]));
    quote! {
        #docs
        #serde
        pub #name: #ty,
    }
}

fn emit_string_enum(model: &ir::Model, variants: &[ir::Variant]) -> TokenStream {
    let unknown_doc =
        " A value this client does not know yet, kept verbatim so that re-encoding is lossless.";
    let docs = doc_attrs(&model.docs, &[]);
    let name = ident(&model.rust_name);
    let variant_names: Vec<_> = variants.iter().map(|it| ident(&it.rust_name)).collect();
    let wire_names: Vec<_> = variants.iter().map(|it| it.wire_name.as_str()).collect();
    let variant_docs = wire_names.iter().map(|it| match it.is_empty() {
        true => doc_lines("The empty string."),
        false => doc(&markdown::code_span(it)),
    });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #variant_docs
                #variant_names,
            )*
            #[doc = #unknown_doc]
            Unknown(String),
        }

        crate::runtime::enums::string_enum! {
            #name;
            #(#variant_names = #wire_names;)*
        }
    }
}

fn emit_int_enum(model: &ir::Model, variants: &[ir::IntVariant]) -> TokenStream {
    let unknown_doc =
        " A value this client does not know yet, kept so that re-encoding is lossless.";
    let docs = doc_attrs(&model.docs, &[]);
    let name = ident(&model.rust_name);
    let variant_names: Vec<_> = variants.iter().map(|it| ident(&it.rust_name)).collect();
    let values: Vec<_> =
        variants.iter().map(|it| proc_macro2::Literal::i64_unsuffixed(it.value)).collect();
    let variant_docs = variants.iter().map(|it| format!(" `{}`", it.value));
    quote! {
        #docs
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #variant_names,
            )*
            #[doc = #unknown_doc]
            Unknown(i64),
        }

        crate::runtime::enums::int_enum! {
            #name;
            #(#variant_names = #values;)*
        }
    }
}

/// The runtime's name for a kind of JSON value.
fn json_kind(kind: ir::JsonKind) -> TokenStream {
    let name = match kind {
        ir::JsonKind::Object => quote!(Object),
        ir::JsonKind::Array => quote!(Array),
        ir::JsonKind::String => quote!(String),
        ir::JsonKind::Number => quote!(Number),
        ir::JsonKind::Bool => quote!(Bool),
        ir::JsonKind::Any => quote!(Any),
    };
    quote!(crate::runtime::union::JsonKind::#name)
}

fn emit_union(model: &ir::Model, union: &ir::Union) -> TokenStream {
    let docs = doc_attrs(&model.docs, &[]);
    let name = ident(&model.rust_name);
    let variants: Vec<_> = union.variants.iter().map(|it| ident(&it.rust_name)).collect();
    let types = union.variants.iter().map(|it| {
        let ty = type_tokens(&it.ty, ModelPath::Local);
        if it.boxed { quote!(Box<#ty>) } else { ty }
    });
    // How a decoded member becomes a value of the union.
    let wraps: Vec<_> = union
        .variants
        .iter()
        .zip(&variants)
        .map(|(it, variant)| {
            if it.boxed {
                quote!(|it| Self::#variant(::std::boxed::Box::new(it)))
            } else {
                quote!(Self::#variant)
            }
        })
        .collect();
    let (unknown_doc, serialize_arms, deserialize_body) = match &union.discriminator {
        Some(property) => {
            let serialize_arms = union.variants.iter().zip(&variants).map(|(it, variant)| {
                let tag = it.tags.first().cloned().unwrap_or_default();
                quote! {
                    Self::#variant(value) => crate::runtime::union::serialize_tagged(value, #property, #tag, serializer),
                }
            });
            let decode_arms = union.variants.iter().zip(&wraps).map(|(it, wrap)| {
                let tags = &it.tags;
                quote!(Some(#(#tags)|*) => crate::runtime::union::decode(value, #wrap),)
            });
            let body = quote! {
                match crate::runtime::union::tag(&value, #property) {
                    #(#decode_arms)*
                    _ => {
                        crate::runtime::union::note_unknown();
                        Ok(Self::Unknown(value))
                    }
                }
            };
            let shown = match property.as_str() {
                "" => "`\"\"`".to_owned(),
                it => markdown::code_span(it),
            };
            let doc = doc(&format!(
                "A value whose {shown} names no member this client knows, kept verbatim."
            ));
            (doc, serialize_arms.collect::<Vec<_>>(), body)
        }
        None => {
            let serialize_arms = variants.iter().map(|variant| {
                quote!(Self::#variant(value) => ::serde::Serialize::serialize(value, serializer),)
            });
            // Catch-alls last, each group in the spec's order.
            let mut order: Vec<usize> = (0..union.variants.len()).collect();
            order.sort_by_key(|idx| union.variants[*idx].catch_all);
            let trials = order.into_iter().map(|idx| {
                let kind = json_kind(union.variants[idx].kind);
                let wrap = &wraps[idx];
                quote!(.member(#kind, #wrap))
            });
            let body = quote! {
                Ok(crate::runtime::union::Untagged::new(value)
                    #(#trials)*
                    .finish(Self::Unknown))
            };
            let doc = quote!(#[doc = " A value that no member decodes, kept verbatim."]);
            (doc, serialize_arms.collect(), body)
        }
    };
    let first_match = union.discriminator.is_none().then(|| {
        quote! {
            ///
            /// A value decodes as the first member, in this order, that keeps all of it when
            /// encoded again and recognises every enum value in it (members that keep every
            /// value of their kind, such as free-form objects and plain strings, come last);
            /// failing that, as the member that keeps most of it; failing that, as `Unknown`.
        }
    });
    quote! {
        #docs
        #first_match
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#variants(#types),)*
            #unknown_doc
            Unknown(::serde_json::Value),
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                #deserialize_body
            }
        }
    }
}
