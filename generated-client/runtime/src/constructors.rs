//! The constructors of generated structs, written once: `new` and the `with_…` setters.
//!
//! Generated code lists, for each struct, the arguments of `new` and a setter per optional
//! field, one line each, in a call of [`constructors!`](crate::constructors!). Written out, they
//! were the larger part of a large spec's models (eight lines a setter, two a field of `new`),
//! all alike. The macro writes what those lines said; [`Wrap`] puts each value in its field's
//! `Box` or `Option`, so the list does not have to say which.

/// Implements `new` and the `with_…` setters of a generated struct.
///
/// ```text
/// constructors! {
///     Deal, extra;                // the struct, and the field of its other properties if any
///     new(id: String, amount: f64);  // the required fields: `new` takes one argument each
///     with_stage(stage): Stage;   // a setter per optional field
/// }
/// ```
///
/// `new(…)` is left out for a struct without required fields (it derives `Default`). `new`
/// starts every optional field absent (`None`) and the map of other properties empty; each
/// setter takes anything that converts into its type and sets the field to it (`Some`, or
/// `Some(Some(…))` for a nullable one, boxed where the field is).
#[doc(hidden)]
#[macro_export]
macro_rules! __runtime_constructors {
    (
        $name:ident $(, $map:ident)?;
        new($($required:ident: $required_ty:ty),+ $(,)?);
        $($setter:ident($field:ident): $ty:ty;)*
    ) => {
        impl $name {
            /// A value with its required fields; the optional ones start absent (`None`), and
            /// `with_…` sets them.
            #[allow(
                clippy::too_many_arguments,
                reason = "one argument per required property of the schema"
            )]
            #[allow(
                clippy::just_underscores_and_digits,
                reason = "arguments are named after the properties"
            )]
            pub fn new($($required: impl ::std::convert::Into<$required_ty>),+) -> Self {
                Self {
                    $($required: $crate::constructors::Wrap::wrap(
                        ::std::convert::Into::<$required_ty>::into($required),
                    ),)+
                    $($field: ::std::option::Option::None,)*
                    $($map: ::std::default::Default::default(),)?
                }
            }

            $(
                #[doc = ::std::concat!(" Sets `", ::std::stringify!($field), "`.")]
                pub fn $setter(mut self, value: impl ::std::convert::Into<$ty>) -> Self {
                    self.$field = $crate::constructors::Wrap::wrap(
                        ::std::convert::Into::<$ty>::into(value),
                    );
                    self
                }
            )*
        }
    };
    ($name:ident; $($setter:ident($field:ident): $ty:ty;)*) => {
        impl $name {
            $(
                #[doc = ::std::concat!(" Sets `", ::std::stringify!($field), "`.")]
                pub fn $setter(mut self, value: impl ::std::convert::Into<$ty>) -> Self {
                    self.$field = $crate::constructors::Wrap::wrap(
                        ::std::convert::Into::<$ty>::into(value),
                    );
                    self
                }
            )*
        }
    };
}

/// A field's value made from the value it holds: the value itself, boxed, or wrapped in
/// `Some` (twice for a field that is optional and nullable, where `Some(None)` is `null`).
///
/// [`constructors!`](crate::constructors!) calls it, so that a struct's list of fields need not
/// say how each is held. Which impl applies is fixed by the field's type.
#[doc(hidden)]
pub trait Wrap<T> {
    /// `value`, as this field holds it.
    fn wrap(value: T) -> Self;
}

impl<T> Wrap<T> for T {
    fn wrap(value: T) -> T {
        value
    }
}

impl<T> Wrap<T> for Box<T> {
    fn wrap(value: T) -> Box<T> {
        Box::new(value)
    }
}

impl<T> Wrap<T> for Option<T> {
    fn wrap(value: T) -> Option<T> {
        Some(value)
    }
}

impl<T> Wrap<T> for Option<Box<T>> {
    fn wrap(value: T) -> Option<Box<T>> {
        Some(Box::new(value))
    }
}

/// A required, nullable field on a cycle: `null` stays `None`.
impl<T> Wrap<Option<T>> for Option<Box<T>> {
    fn wrap(value: Option<T>) -> Option<Box<T>> {
        value.map(Box::new)
    }
}

impl<T> Wrap<T> for Option<Option<T>> {
    fn wrap(value: T) -> Option<Option<T>> {
        Some(Some(value))
    }
}

impl<T> Wrap<T> for Option<Option<Box<T>>> {
    fn wrap(value: T) -> Option<Option<Box<T>>> {
        Some(Some(Box::new(value)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(unreachable_pub, reason = "the macro writes `pub` methods, as generated crates need")]

    use std::collections::BTreeMap;

    /// A struct as the generator writes it, with a field of each kind.
    #[derive(Clone, Debug, PartialEq)]
    struct Deal {
        id: String,
        stage: Box<Stage>,
        owner: Option<Box<Stage>>,
        note: Option<String>,
        parent: Option<Box<Stage>>,
        closed: Option<Option<bool>>,
        previous: Option<Option<Box<Stage>>>,
        r#ref: Option<i64>,
        extra: BTreeMap<String, i64>,
    }

    crate::constructors! {
        Deal, extra;
        new(id: String, stage: Stage, owner: Option<Stage>);
        with_note(note): String;
        with_parent(parent): Stage;
        with_closed(closed): bool;
        with_previous(previous): Stage;
        with_ref(r#ref): i64;
    }

    /// A struct without required fields: setters only, `Default` starts it.
    #[derive(Clone, Debug, Default, PartialEq)]
    struct Stage {
        label: Option<String>,
    }

    crate::constructors! {
        Stage;
        with_label(label): String;
    }

    fn stage(label: &str) -> Stage {
        Stage::default().with_label(label)
    }

    #[test]
    fn new_takes_the_required_fields_and_starts_the_others_absent() {
        let deal = Deal::new("7", stage("won"), None);
        let expected = Deal {
            id: "7".to_owned(),
            stage: Box::new(stage("won")),
            owner: None,
            note: None,
            parent: None,
            closed: None,
            previous: None,
            r#ref: None,
            extra: BTreeMap::new(),
        };
        assert_eq!(deal, expected);
        assert_eq!(Deal::new("7", stage("won"), stage("me")).owner, Some(Box::new(stage("me"))));
        assert_eq!(
            Deal::new("7", stage("won"), Some(stage("me"))).owner.as_deref(),
            Some(&stage("me"))
        );
    }

    #[test]
    fn setters_wrap_each_value_as_its_field_holds_it() {
        let deal = Deal::new(String::from("7"), stage("won"), None)
            .with_note("n")
            .with_parent(stage("p"))
            .with_closed(false)
            .with_previous(stage("q"))
            .with_ref(3);
        assert_eq!(deal.note.as_deref(), Some("n"));
        assert_eq!(deal.parent, Some(Box::new(stage("p"))));
        // `Some(Some(false))`: set, and not `null`.
        assert_eq!(deal.closed, Some(Some(false)));
        assert_eq!(deal.previous, Some(Some(Box::new(stage("q")))));
        assert_eq!(deal.r#ref, Some(3));
        assert_eq!(Stage::default().with_label("a"), Stage { label: Some("a".to_owned()) });
    }

    /// The macro names every type and function by its whole path, so a spec whose schemas are
    /// called `Option`, `Box` or `Into` cannot break it.
    mod shadowed {
        #![allow(dead_code, reason = "only the names matter")]

        struct Option;
        struct Box;
        struct Some;
        trait Into {}
        trait Default {}

        #[derive(Debug, PartialEq)]
        pub(super) struct Shadowed {
            pub(super) into: std::option::Option<i64>,
            pub(super) value: i64,
            pub(super) map: std::collections::BTreeMap<std::string::String, i64>,
        }

        crate::constructors! {
            Shadowed, map;
            new(value: i64);
            with_into(into): i64;
        }
    }

    #[test]
    fn names_in_the_callers_scope_do_not_break_the_constructors() {
        let it = shadowed::Shadowed::new(1).with_into(2);
        assert_eq!((it.value, it.into, it.map.len()), (1, Some(2), 0));
    }
}
