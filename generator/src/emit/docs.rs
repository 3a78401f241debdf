//! Spec descriptions as doc comments that rustdoc renders and never misreads.
//!
//! Descriptions are Markdown written for web pages. Left as they are, rustdoc would compile
//! indented or unlabelled code blocks as doctests, resolve `[brackets]` as links, and warn about
//! bare URLs and unclosed HTML; so each of those is neutralised here.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir;

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
    let text = paragraphs.iter().map(|it| sanitize(it)).collect::<Vec<_>>().join("\n\n");
    let lines =
        text.lines().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote!(#(#[doc = #lines])*)
}

fn ensure_period(summary: &str) -> String {
    let summary = summary.trim();
    if summary.ends_with(['.', '!', '?', ':']) { summary.to_owned() } else { format!("{summary}.") }
}

/// Makes Markdown from a spec safe for rustdoc.
pub(crate) fn sanitize(text: &str) -> String {
    let mut res = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            // Every fenced block is text, whatever its language: a spec's examples are not doctests.
            res.push(if in_fence { "```" } else { "```text" }.to_owned());
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            res.push(line.to_owned());
        } else {
            // Leading spaces would make an indented code block, which rustdoc runs as a doctest.
            res.push(escape_inline(trimmed.trim_end()));
        }
    }
    if in_fence {
        res.push("```".to_owned());
    }
    res.join("\n")
}

/// Escapes brackets and angle brackets, and wraps bare URLs in `<>`; code spans stay as they
/// are, since rustdoc reads nothing inside them.
fn escape_inline(line: &str) -> String {
    let mut res = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(code) = rest.strip_prefix('`') {
            if let Some(end) = code.find('`') {
                res.push_str(&rest[..end + 2]);
                rest = &code[end + 1..];
                continue;
            }
        }
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | ']' | '<')
                })
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            res.push('<');
            res.push_str(url);
            res.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        let c = rest.chars().next().expect("generator bug: `rest` is not empty");
        match c {
            '[' => res.push_str("\\["),
            ']' => res.push_str("\\]"),
            '<' => res.push_str("&lt;"),
            '>' => res.push_str("&gt;"),
            other => res.push(other),
        }
        rest = &rest[c.len_utf8()..];
    }
    res
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn neutralises_what_rustdoc_would_misread() {
        assert_eq!(
            sanitize("see https://developers.hubspot.com."),
            "see <https://developers.hubspot.com>."
        );
        assert_eq!(sanitize("a [link] and List<String>"), "a \\[link\\] and List&lt;String&gt;");
        assert_eq!(sanitize("    indented"), "indented");
        assert_eq!(sanitize("```\nlet x = [1];\n```"), "```text\nlet x = [1];\n```");
        assert_eq!(sanitize("```json\n{}"), "```text\n{}\n```");
        assert_eq!(sanitize("matches `[a-z]<b>` or [c]"), "matches `[a-z]<b>` or \\[c\\]");
    }
}
