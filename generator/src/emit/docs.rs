//! Doc attributes for generated items. Every piece of text goes through
//! [`markdown::inert`](crate::markdown), which parses it as rustdoc will and writes it back
//! without anything rustdoc could run or misread.

use proc_macro2::TokenStream;
use quote::quote;

use crate::{ir, markdown};

/// `#[doc]` attributes for an item's docs, followed by `extra` paragraphs.
pub(crate) fn doc_attrs(docs: &ir::Docs, extra: &[String]) -> TokenStream {
    let mut paragraphs: Vec<String> = Vec::new();
    paragraphs.extend(docs.summary.iter().map(|it| ensure_period(it)));
    if let Some(description) = &docs.description {
        // HubSpot often repeats the summary as the description.
        if docs.summary.as_deref() != Some(description.as_str()) {
            paragraphs.push(description.clone());
        }
    }
    if !docs.notes.is_empty() {
        paragraphs.push(docs.notes.join(" "));
    }
    paragraphs.extend(extra.iter().cloned());
    let text: Vec<_> =
        paragraphs.iter().map(|it| markdown::inert(it)).filter(|it| !it.is_empty()).collect();
    doc_lines(&text.join("\n\n"))
}

/// `#[doc]` attributes for Markdown built by the generator around spec text (made safe with
/// [`markdown::code_span`] or [`markdown::inline`]), checked once more by the same parser.
pub(crate) fn doc(text: &str) -> TokenStream {
    doc_lines(&markdown::inert(text))
}

/// `#[doc]` attributes for Markdown the generator wrote itself, links included, where spec
/// text appears only as [`markdown::inline`] or [`markdown::code_span`] made it.
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    let lines =
        text.lines().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote!(#(#[doc = #lines])*)
}

fn ensure_period(summary: &str) -> String {
    let summary = summary.trim();
    if summary.ends_with(['.', '!', '?', ':']) { summary.to_owned() } else { format!("{summary}.") }
}
