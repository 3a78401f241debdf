//! Stage 5: token streams to formatted source, headed by the line that marks it generated.
//!
//! Large files are emitted and formatted in parts, on every core: parsing the tokens back
//! (`syn`) and printing them (`prettyplease`) is most of the generator's time, and the tokens,
//! the syntax tree and the text of a whole 20 MB file at once would take gigabytes. The parts
//! are fixed by the IR alone, so the output does not depend on the number of threads.

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    thread,
};

use proc_macro2::TokenStream;

/// Formats `tokens` as a Rust file whose first line names how to regenerate it.
///
/// `origin` is the spec's path as the header shows it.
pub(crate) fn format(tokens: TokenStream, origin: &str) -> String {
    finish(origin, [unparse(tokens)])
}

/// The file of these formatted parts: the header, then the parts with blank lines between
/// items ([`Spacer`]), each part dropped once copied.
fn finish(origin: &str, parts: impl IntoIterator<Item = String>) -> String {
    let header = header(origin);
    let mut spacer = Spacer::default();
    let mut res = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i == 0 {
            res.reserve(header.len() + 2 + part.len() + part.len() / 16);
            res.push_str(&header);
            res.push_str("\n\n");
        }
        spacer.push(&mut res, &part);
    }
    res
}

/// A part of a generated file, to be formatted on its own.
#[derive(Debug)]
pub(crate) enum Fragment {
    /// Whole items (and inner attributes, for the first part).
    Items(TokenStream),
    /// One block, `impl X { … }`, of which only the inside is kept: the items of a block too
    /// long to format at once, written between [`Fragment::Line`]s that open and close it.
    Inside(TokenStream),
    /// A line, as is.
    Line(&'static str),
}

/// Whether formatting may start threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Threads {
    /// A thread per core.
    PerCore,
    /// None: all on the caller's.
    None,
}

/// Formats a file made of `parts`, each emitted by `emit` and formatted on whichever thread is
/// free (with [`Threads::PerCore`]), joined in order.
pub(crate) fn format_parts<P: Sync>(
    origin: &str,
    parts: &[P],
    threads: Threads,
    emit: impl Fn(&P) -> Fragment + Sync,
) -> String {
    let one = |part: &P| match emit(part) {
        Fragment::Items(tokens) => unparse(tokens),
        Fragment::Inside(tokens) => {
            let text = unparse(tokens);
            let inside = text.split_once('\n').and_then(|(_, rest)| rest.strip_suffix("}\n"));
            match inside {
                Some(inside) => inside.to_owned(),
                None => panic!("generator bug: a block formatted as {text:?}"),
            }
        }
        Fragment::Line(line) => format!("{line}\n"),
    };
    let threads = match threads {
        Threads::PerCore => thread::available_parallelism().map_or(1, |it| it.get()),
        Threads::None => 1,
    };
    let threads = threads.min(parts.len());
    if threads <= 1 {
        finish(origin, parts.iter().map(one))
    } else {
        // Each thread takes the next part not yet taken, so that a slow part delays no other.
        let next = AtomicUsize::new(0);
        let mut done: Vec<(usize, String)> = thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut res = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(part) = parts.get(i) else { return res };
                            res.push((i, one(part)));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|it| match it.join() {
                    Ok(it) => it,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        done.sort_unstable_by_key(|(i, _)| *i);
        finish(origin, done.into_iter().map(|(_, text)| text))
    }
}

/// `tokens`, parsed as a file and printed.
fn unparse(tokens: TokenStream) -> String {
    let file: syn::File = match syn::parse2(tokens) {
        Ok(it) => it,
        Err(err) => panic!("generator bug: emitted tokens do not parse as a Rust file: {err}"),
    };
    prettyplease::unparse(&file)
}

/// Puts a blank line between items (at any depth: methods of an `impl` too), which
/// `prettyplease` writes back to back; text is pushed a part at a time, each of whole lines.
#[derive(Default)]
struct Spacer {
    /// The last line pushed, if any.
    prev: String,
}

impl Spacer {
    fn push(&mut self, res: &mut String, source: &str) {
        const ITEM_STARTS: &[&str] = &[
            "///", "//!", "#[", "pub ", "impl", "fn ", "const ", "use ", "mod ", "type ", "enum ",
            "struct ",
        ];
        let indent = |line: &str| line.len() - line.trim_start().len();
        let mut prev: Option<&str> = (!self.prev.is_empty()).then_some(self.prev.as_str());
        let mut last = None;
        for line in source.lines() {
            let body = line.trim_start();
            // A macro called as an item (`crate::runtime::enums::string_enum!(…);`) only at the
            // top: inside a function, a line so begun is a statement.
            let starts_item =
                ITEM_STARTS.iter().any(|it| body.starts_with(it)) || line.starts_with("crate::");
            let spaced = prev.is_some_and(|prev| {
                let is_comment = prev.trim_start().starts_with("//");
                let ends_item = !is_comment && (prev.ends_with('}') || prev.ends_with(';'));
                let after_inner_docs = prev.starts_with("//!") && !body.starts_with("//!");
                starts_item && indent(prev) == indent(line) && (ends_item || after_inner_docs)
            });
            if spaced {
                res.push('\n');
            }
            res.push_str(line);
            res.push('\n');
            prev = Some(line);
            last = Some(line);
        }
        if let Some(last) = last {
            self.prev = last.to_owned();
        }
    }
}

/// The first line of every generated file.
///
/// `origin` is shown with control characters escaped: a line break in a file name must not end
/// the comment.
pub fn header(origin: &str) -> String {
    let origin = crate::markdown::visible(origin);
    format!("// @generated by `cargo xtask codegen` from {origin}. Do not edit by hand.")
}

#[cfg(test)]
mod tests {
    use super::Spacer;

    fn space_items(source: &str) -> String {
        let mut res = String::new();
        Spacer::default().push(&mut res, source);
        res
    }

    #[test]
    fn spaces_items_across_parts() {
        let mut res = String::new();
        let mut spacer = Spacer::default();
        for part in ["impl B {\n", "    fn a() {}\n", "    fn b() {}\n", "}\n", "struct C;\n"] {
            spacer.push(&mut res, part);
        }
        assert_eq!(res, "impl B {\n    fn a() {}\n\n    fn b() {}\n}\n\nstruct C;\n");
    }

    #[test]
    fn spaces_items_but_not_comments() {
        let source = "struct A;\nstruct B {}\nimpl B {\n    fn a() {}\n    fn b() {}\n}\n/// x;\n/// y\nstruct C;\n";
        let expected = "struct A;\n\nstruct B {}\n\nimpl B {\n    fn a() {}\n\n    fn b() {}\n}\n\n/// x;\n/// y\nstruct C;\n";
        assert_eq!(space_items(source), expected);
    }

    /// A macro called at the top is an item; a path called in a function is a statement.
    #[test]
    fn spaces_item_macros_but_not_statements() {
        let source = "impl A {}\ncrate::m!(A);\nfn f() {\n    g();\n    crate::h();\n}\n";
        let expected = "impl A {}\n\ncrate::m!(A);\n\nfn f() {\n    g();\n    crate::h();\n}\n";
        assert_eq!(space_items(source), expected);
    }
}
