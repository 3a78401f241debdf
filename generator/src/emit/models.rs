//! The `models` file: one type per model of the IR.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ModelPath, doc_attrs, ident, type_tokens};
use crate::ir;

pub(super) fn emit_models(api: &ir::Api) -> TokenStream {
    let module_doc = format!(" The types of {}: one per schema, named after it.", api.title);
    let items = api.models.iter().map(emit_model);
    quote! {
        #![doc = #module_doc]
        #(#items)*
    }
}

fn emit_model(model: &ir::Model) -> TokenStream {
    match &model.kind {
        ir::ModelKind::Struct(strukt) => emit_struct(model, strukt),
        ir::ModelKind::StringEnum(variants) => emit_string_enum(model, variants),
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
    quote! {
        #docs
        #[derive(Clone, Debug, #default PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }
    }
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
    let variant_docs = wire_names.iter().map(|it| format!(" `{}`", it.replace('`', "'")));
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #[doc = #variant_docs]
                #variant_names,
            )*
            #[doc = #unknown_doc]
            Unknown(String),
        }

        impl #name {
            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variant_names => #wire_names,)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wire_names => Self::#variant_names,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }

        impl crate::runtime::ToParam for #name {
            fn to_param(&self) -> String {
                self.as_str().to_owned()
            }
        }
    }
}
