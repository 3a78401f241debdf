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

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

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
    list_entries(prettyplease::unparse(&file))
}

/// The runtime's macros whose calls are lists, an entry per field or variant and `;` after
/// each: `prettyplease` fills lines with the tokens of a macro's body, spaced as it can
/// without knowing their grammar (`id : i64`, `Vec < String >`).
const LIST_MACROS: &[&str] = &[
    "crate::runtime::constructors! {",
    "crate::runtime::enums::int_enum! {",
    "crate::runtime::enums::string_enum! {",
];

/// The widest line `prettyplease` writes, which lists keep to where they can.
const MARGIN: usize = 89;

/// `text` with the body of each call of a [`LIST_MACROS`] written an entry per line, spaced as
/// Rust is: `with_id(id): i64;`. An entry too wide for [`MARGIN`] has its parenthesised list
/// written an item per line. The tokens are the same; only the spaces and line breaks move.
fn list_entries(text: String) -> String {
    if !LIST_MACROS.iter().any(|it| text.contains(it)) {
        return text;
    }
    let mut res = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        res.push_str(line);
        let body = line.trim_start();
        if !LIST_MACROS.contains(&body.trim_end()) {
            continue;
        }
        let indent = &line[..line.len() - body.len()];
        let mut inside = String::new();
        let mut close = None;
        for next in lines.by_ref() {
            if next.strip_prefix(indent).is_some_and(|it| it.trim_end() == "}") {
                close = Some(next);
                break;
            }
            inside.push_str(next);
        }
        match (close, inside.parse::<TokenStream>()) {
            (Some(close), Ok(tokens)) => {
                write_entries(&mut res, indent, tokens);
                res.push_str(close);
            }
            // Not a list after all: as `prettyplease` wrote it.
            (close, _) => {
                res.push_str(&inside);
                res.push_str(close.unwrap_or_default());
            }
        }
    }
    res
}

/// The entries of `tokens` (each ended by a `;`), a line each, indented one step past
/// `indent`.
fn write_entries(res: &mut String, indent: &str, tokens: TokenStream) {
    let mut entry = Vec::new();
    for token in tokens {
        let ends = matches!(&token, TokenTree::Punct(it) if it.as_char() == ';');
        entry.push(token);
        if ends {
            write_entry(res, indent, std::mem::take(&mut entry));
        }
    }
    if !entry.is_empty() {
        write_entry(res, indent, entry);
    }
}

/// One entry, on one line if it fits, else with its first parenthesised list an item a line.
fn write_entry(res: &mut String, indent: &str, entry: Vec<TokenTree>) {
    let mut line = String::new();
    write_tokens(&mut line, entry.iter().cloned());
    // A list of one item stays on the line, however wide.
    let split = entry.iter().position(|it| {
        matches!(it, TokenTree::Group(group) if group.delimiter() == Delimiter::Parenthesis
            && list_items(group.stream()).len() > 1)
    });
    let fits = indent.len() + 4 + line.len() <= MARGIN;
    let Some(split) = split.filter(|_| !fits) else {
        res.push_str(&format!("{indent}    {line}\n"));
        return;
    };
    let TokenTree::Group(list) = &entry[split] else { unreachable!("found as a group above") };
    let mut head = String::new();
    write_tokens(&mut head, entry[..split].iter().cloned());
    res.push_str(&format!("{indent}    {head}(\n"));
    for item in list_items(list.stream()) {
        let mut text = String::new();
        write_tokens(&mut text, item);
        res.push_str(&format!("{indent}        {text},\n"));
    }
    let mut tail = String::new();
    write_tokens(&mut tail, entry[split + 1..].iter().cloned());
    res.push_str(&format!("{indent}    ){tail}\n"));
}

/// The items of a comma-separated list, split at the commas outside generics
/// (`a: BTreeMap<String, i64>` is one item).
fn list_items(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut items = Vec::new();
    let mut item = Vec::new();
    let mut depth = 0_usize;
    for token in tokens {
        if let TokenTree::Punct(it) = &token {
            match it.as_char() {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut item));
                    continue;
                }
                _ => {}
            }
        }
        item.push(token);
    }
    if !item.is_empty() {
        items.push(item);
    }
    items
}

/// `tokens` as Rust is written: a space between words, after `,` and a lone `:`, and around
/// `=`; none inside paths (`::`), generics or groups.
fn write_tokens(res: &mut String, tokens: impl IntoIterator<Item = TokenTree>) {
    let mut word = false;
    let mut joint_colon = false;
    for token in tokens {
        let after_joint_colon = std::mem::take(&mut joint_colon);
        match token {
            TokenTree::Ident(it) => {
                if word {
                    res.push(' ');
                }
                res.push_str(&it.to_string());
                word = true;
            }
            TokenTree::Literal(it) => {
                if word {
                    res.push(' ');
                }
                res.push_str(&it.to_string());
                word = true;
            }
            TokenTree::Punct(it) => {
                word = false;
                match (it.as_char(), it.spacing()) {
                    (':', Spacing::Joint) => {
                        res.push(':');
                        joint_colon = true;
                    }
                    (':', Spacing::Alone) if after_joint_colon => res.push(':'),
                    (':' | ',' | ';', _) => {
                        res.push(it.as_char());
                        res.push(' ');
                    }
                    ('=', Spacing::Alone) => res.push_str(" = "),
                    (other, _) => res.push(other),
                }
            }
            TokenTree::Group(it) => {
                let (open, close) = match it.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                if word && it.delimiter() == Delimiter::Brace {
                    res.push(' ');
                }
                res.push_str(open);
                write_tokens(res, it.stream());
                let trimmed = res.trim_end().len();
                res.truncate(trimmed);
                res.push_str(close);
                word = false;
            }
        }
    }
    let trimmed = res.trim_end().len();
    res.truncate(trimmed);
}

/// Puts a blank line between items (at any depth: methods of an `impl` too), which
/// `prettyplease` writes back to back; text is pushed a part at a time, each of whole lines.
#[derive(Default)]
struct Spacer {
    /// The last line pushed, if any.
    prev: String,
    /// Whether the lines pushed since the last item are inner attributes (`#![…]`) and docs.
    in_header: bool,
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
            // A macro called as an item (`crate::runtime::constructors! {`) only at the top:
            // inside a function, a line so begun is a statement.
            let starts_item =
                ITEM_STARTS.iter().any(|it| body.starts_with(it)) || line.starts_with("crate::");
            // The file's inner attributes and docs are a block of their own, spaced from the
            // first item; inside it, an attribute's lines are not items.
            let in_header = line.starts_with("#![") || line.starts_with("//!");
            let header_ends = self.in_header && !in_header && starts_item && indent(line) == 0;
            if in_header {
                self.in_header = true;
            } else if header_ends {
                self.in_header = false;
            }
            let spaced = prev.is_some_and(|prev| {
                // Imports in a row stay together.
                if body.starts_with("use ") && prev.trim_start().starts_with("use ") {
                    return false;
                }
                let is_comment = prev.trim_start().starts_with("//");
                let ends_item = !is_comment && (prev.ends_with('}') || prev.ends_with(';'));
                let after_inner_docs = prev.starts_with("//!") && !body.starts_with("//!");
                starts_item && indent(prev) == indent(line) && (ends_item || after_inner_docs)
            }) || header_ends;
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
    use proc_macro2::TokenStream;

    use super::{Spacer, list_entries, unparse};

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

    /// The file's docs and inner attributes stay together, apart from the first item.
    #[test]
    fn spaces_the_header_from_the_first_item() {
        let source = "//! A\n//! b.\n#![allow(\n    x,\n    reason = \"y\"\n)]\n#[allow(z)]\nuse a;\nuse b;\n";
        let expected = "//! A\n//! b.\n#![allow(\n    x,\n    reason = \"y\"\n)]\n\n#[allow(z)]\nuse a;\nuse b;\n";
        assert_eq!(space_items(source), expected);
    }

    /// A macro called at the top is an item; a path called in a function is a statement.
    #[test]
    fn spaces_item_macros_but_not_statements() {
        let source = "impl A {}\ncrate::m!(A);\nfn f() {\n    g();\n    crate::h();\n}\n";
        let expected = "impl A {}\n\ncrate::m!(A);\n\nfn f() {\n    g();\n    crate::h();\n}\n";
        assert_eq!(space_items(source), expected);
    }

    /// A list macro's body, as `unparse` prints it.
    fn printed(body: &str) -> String {
        let tokens: TokenStream =
            format!("crate::runtime::constructors! {{ {body} }}").parse().unwrap();
        unparse(tokens)
    }

    #[test]
    fn lists_are_written_an_entry_per_line() {
        let text = printed(
            "Deal, extra; new(id: String, amount: Option<f64>); \
             with_stage(stage): ::std::collections::BTreeMap<String, Vec<Option<i64>>>; \
             with_type(r#type): crate::runtime::Base64;",
        );
        let expected = "crate::runtime::constructors! {\n    Deal, extra;\n    new(id: String, amount: Option<f64>);\n    with_stage(stage): ::std::collections::BTreeMap<String, Vec<Option<i64>>>;\n    with_type(r#type): crate::runtime::Base64;\n}\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_wide_list_of_arguments_is_written_an_item_per_line() {
        let mut params: Vec<String> = (0..8).map(|i| format!("field_number_{i}: String")).collect();
        params.push("context: ::std::collections::BTreeMap<String, Vec<String>>".to_owned());
        let text = printed(&format!("Deal; new({}); with_x(x): i64;", params.join(", ")));
        let mut expected = "crate::runtime::constructors! {\n    Deal;\n    new(\n".to_owned();
        for param in &params {
            expected.push_str(&format!("        {param},\n"));
        }
        expected.push_str("    );\n    with_x(x): i64;\n}\n");
        assert_eq!(text, expected);
        assert!(text.lines().all(|it| it.len() <= super::MARGIN), "{text}");
    }

    /// Only the spaces move: each list, read back, is the tokens it was written from, whatever
    /// the strings hold (a `;`, a `}` on its own, escapes) and however negative the numbers.
    #[test]
    fn lists_keep_their_tokens() {
        let bodies = [
            r#"Kind; Semi = ";"; Brace = "}"; Line = "a\n}\n"; Quote = "\"x\""; Empty = "";"#,
            "Level; Low = 1; Below = -1; Least = -9223372036854775808;",
            "Deal; new(r#ref: Box<crate::runtime::Binary>, a: (i64, String)); with_b(b): [u8; 4];",
        ];
        for body in bodies {
            let text = printed(body);
            let inside = text
                .strip_prefix("crate::runtime::constructors! {\n")
                .and_then(|it| it.strip_suffix("}\n"))
                .unwrap_or_else(|| panic!("{text}"));
            let expected: TokenStream = body.parse().unwrap();
            let read: TokenStream = inside.parse().unwrap();
            assert_eq!(read.to_string(), expected.to_string(), "{text}");
            assert!(inside.lines().all(|it| it.starts_with("    ") && it.ends_with(';')), "{text}");
        }
    }

    /// A call that is not a list (or text that is not one call) is left as `prettyplease`
    /// wrote it.
    #[test]
    fn what_is_not_a_list_is_left_alone() {
        for text in [
            "crate::runtime::constructors! {\n    a b\n",
            "crate::runtime::constructors! {\n    ( ]\n}\n",
            "crate::runtime::other! {\n    a : b;\n}\n",
            "fn f() {}\n",
        ] {
            assert_eq!(list_entries(text.to_owned()), text);
        }
    }
}
