//! Spec text made inert: the one path by which text from a spec reaches generated docs.
//!
//! A spec's descriptions are Markdown written for web pages, by anyone. Left as they are, rustdoc
//! would run their code blocks as doctests (so `cargo test` on a generated crate would execute
//! what the spec's author wrote), resolve `[brackets]` as intra-doc links, and reject bare URLs,
//! stray HTML, tabs and bidi controls. So the text is parsed with `pulldown-cmark`, the parser
//! rustdoc itself uses, with the options rustdoc uses, and written again as Markdown that can
//! only mean what it meant, minus anything executable:
//!
//! - every code block, fenced (```` ``` ````, `~~~`) or indented, becomes a ```` ```text ````
//!   block, with a fence longer than any run of backticks inside it;
//! - text is escaped wherever Markdown would read it as syntax (brackets, angle brackets,
//!   backticks, tildes, pipes, list and heading markers at the start of a line), and runs of
//!   spaces are collapsed, so no line can start an indented code block;
//! - HTML is shown as text, links keep only `http`, `https` and `mailto` targets (anything else
//!   could be an intra-doc link, so it is shown as code), bare URLs become `<autolinks>`;
//! - control characters, bidi controls and invisible characters are shown as `\u{…}`, tabs
//!   become spaces, and CR line ends become LF: rustc rejects the first two in comments, clippy
//!   the third, and a bare CR is not allowed in a doc comment at all.

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

/// `text`, any Markdown, as Markdown that rustdoc renders the same way and never runs.
pub(crate) fn inert(text: &str) -> String {
    let text = clean(text);
    let mut renderer = Renderer::default();
    // Without smart punctuation, which only changes quotes and dashes: the source keeps the
    // spec's own, and rustdoc curls them when it renders.
    let options = rustdoc_options() - Options::ENABLE_SMART_PUNCTUATION;
    for event in Parser::new_ext(&text, options) {
        renderer.event(event);
    }
    renderer.finish()
}

/// `text` made inert on one line: for a title inside a sentence of our own.
pub(crate) fn inline(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    inert(&one_line).lines().collect::<Vec<_>>().join(" ")
}

/// `text` as a code span, whatever backticks it holds; as escaped text when no span can hold
/// it on one line.
pub(crate) fn code_span(text: &str) -> String {
    let text = clean(text).replace('\n', " ");
    if text.is_empty() {
        return String::new();
    }
    let runs = backtick_runs(&text);
    let Some(fence) = [1, 2].into_iter().find(|n| !runs.contains(n)) else {
        return escape_with_autolinks(&text);
    };
    let fence = "`".repeat(fence);
    // A span that starts or ends with a backtick, or with spaces on both sides, needs padding
    // (one space each side is stripped when it is read).
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The extensions rustdoc enables, so that the text is read as rustdoc will read it.
fn rustdoc_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// `text` with control, bidi and invisible characters shown as `\u{…}`, line ends included:
/// for spec text in terminal output and in comments that are not Markdown.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return text.into();
    }
    text.chars()
        .map(|c| if is_hidden(c) { format!("\\u{{{:x}}}", u32::from(c)) } else { c.to_string() })
        .collect::<String>()
        .into()
}

/// Line ends as LF, tabs as spaces, and control, bidi and invisible characters as `\u{…}`.
fn clean(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut res = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => res.push('\n'),
            '\t' => res.push_str("    "),
            c if is_hidden(c) => res.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => res.push(c),
        }
    }
    res
}

/// Characters that are invisible, reorder text, or are not text at all: controls, bidi
/// controls, zero-width characters, line and paragraph separators, the soft hyphen and BOM.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// The lengths of the runs of backticks in `text`.
fn backtick_runs(text: &str) -> Vec<usize> {
    let mut res = Vec::new();
    let mut run = 0;
    for c in text.chars().chain(std::iter::once(' ')) {
        if c == '`' {
            run += 1;
        } else if run > 0 {
            res.push(run);
            run = 0;
        }
    }
    res
}

/// Text with every character Markdown could read as syntax escaped, and runs of spaces
/// collapsed. (Characters that matter only at the start of a line are escaped when the line is
/// finished.)
fn escape(text: &str) -> String {
    let mut res = String::with_capacity(text.len() + text.len() / 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' if res.ends_with(' ') => {}
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '~' | '|' => {
                res.push('\\');
                res.push(c);
            }
            // `&amp;`, `&#123;`: an entity would be decoded.
            '&' if chars.peek().is_some_and(|it| it.is_ascii_alphanumeric() || *it == '#') => {
                res.push_str("\\&");
            }
            c => res.push(c),
        }
    }
    res
}

/// A link target rustdoc reads as a URL, not as an intra-doc link.
fn is_url(dest: &str) -> bool {
    let lower = dest.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|it| lower.starts_with(it) && lower.len() > it.len())
}

/// A URL as a link target in `<…>`: the characters that would end it or be read as escapes
/// percent-encoded.
fn destination(url: &str) -> String {
    let mut res = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '<' | '>' | '\\' | '\n' => res.push_str(&format!("%{:02X}", u32::from(c))),
            c => res.push(c),
        }
    }
    res
}

/// Text with bare `http(s)://` URLs as autolinks (rustdoc warns about bare URLs), the rest
/// escaped.
fn escape_with_autolinks(text: &str) -> String {
    let mut res = String::new();
    let mut rest = text;
    while let Some(start) = ["http://", "https://"].iter().filter_map(|it| rest.find(it)).min() {
        res.push_str(&escape(&rest[..start]));
        let url = &rest[start..];
        let end = url
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(url.len());
        let url = url[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"', ')', ']']);
        if url.ends_with("//") {
            res.push_str(&escape(url));
        } else {
            res.push('<');
            res.push_str(url);
            res.push('>');
        }
        rest = &rest[start + url.len()..];
    }
    res.push_str(&escape(rest));
    res
}

/// What an open link or image writes when it closes.
enum Closing {
    /// `](<url>)`.
    Url(String),
    /// ` (`target`)`: a target rustdoc must not resolve.
    Text(String),
    /// Nothing: the autolink is written whole when it opens.
    Autolink,
}

/// Writes pulldown-cmark's events back as inert Markdown; see the module's documentation.
#[derive(Default)]
struct Renderer {
    /// Finished lines.
    out: Vec<String>,
    /// The prefix of the line being written: indentation, and list or heading markers.
    prefix: String,
    /// The text of the line being written.
    content: String,
    /// Whether a line is being written.
    open: bool,
    /// The content column of each open list item.
    items: Vec<usize>,
    /// The next number of each open list; `None` for bullet lists.
    lists: Vec<Option<u64>>,
    /// The marker of a list item whose first block has not started yet.
    marker: Option<String>,
    /// Inside headings and table cells, where line breaks become spaces.
    one_line: usize,
    /// The text of the code block being read.
    code: Option<String>,
    /// The rows of the table being read, and the cells of the current row.
    table: Option<(Vec<Vec<String>>, Vec<String>)>,
    /// Open links and images.
    links: Vec<Closing>,
}

impl Renderer {
    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.code_block(),
                _ => {}
            }
            return;
        }
        // In tight lists, items hold inline content without a paragraph around it.
        let inline = matches!(
            event,
            Event::Text(_)
                | Event::Code(_)
                | Event::InlineMath(_)
                | Event::InlineHtml(_)
                | Event::FootnoteReference(_)
                | Event::TaskListMarker(_)
                | Event::Start(
                    Tag::Emphasis
                        | Tag::Strong
                        | Tag::Strikethrough
                        | Tag::Link { .. }
                        | Tag::Image { .. }
                )
        );
        if inline && !self.open && self.table.is_none() {
            self.start_block();
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.text(&text)
            }
            Event::Code(text) => self.content.push_str(&code_span(&text)),
            // HTML is shown, never interpreted.
            Event::Html(text) | Event::InlineHtml(text) => {
                let mut lines = text.lines().peekable();
                while let Some(line) = lines.next() {
                    self.text(line.trim());
                    if lines.peek().is_some() {
                        self.line_break();
                    }
                }
            }
            Event::FootnoteReference(label) => self.text(&format!("[^{label}]")),
            Event::SoftBreak | Event::HardBreak => self.line_break(),
            Event::Rule => {
                self.start_block();
                self.content.push_str("***");
                self.end_line();
            }
            Event::TaskListMarker(done) => {
                self.content.push_str(if done { "\\[x\\] " } else { "\\[ \\] " });
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock | Tag::MetadataBlock(_) => self.start_block(),
            Tag::Heading { level, .. } => {
                self.start_block();
                self.prefix.push_str(&"#".repeat(level as usize));
                self.prefix.push(' ');
                self.one_line += 1;
            }
            // A quote's blocks are shown as they are, without the quote.
            Tag::BlockQuote(_) => {}
            Tag::CodeBlock(kind) => {
                // What the block said it was is kept as text before it, never as its language.
                if let CodeBlockKind::Fenced(info) = kind {
                    let info = info.trim();
                    if !info.is_empty() && info != "text" {
                        self.start_block();
                        self.content.push_str(&code_span(info));
                        self.content.push(':');
                        self.end_line();
                    }
                }
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                if self.marker.is_none() {
                    self.end_line();
                    self.blank_line();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                let number = self.lists.last_mut().and_then(Option::as_mut);
                let marker = match number {
                    Some(n) => {
                        let it = format!("{n}. ");
                        *n = n.saturating_add(1);
                        it
                    }
                    None => "- ".to_owned(),
                };
                self.end_line();
                let prefix = match self.marker.take() {
                    Some(outer) => outer + &marker,
                    None => self.indent() + &marker,
                };
                self.items.push(prefix.len());
                self.marker = Some(prefix);
            }
            Tag::FootnoteDefinition(label) => {
                self.start_block();
                self.text(&format!("[^{label}]: "));
            }
            Tag::Table(_) => {
                self.end_line();
                self.table = Some((Vec::new(), Vec::new()));
            }
            Tag::TableHead | Tag::TableRow => {}
            Tag::TableCell => {
                self.one_line += 1;
                self.content.clear();
            }
            Tag::Emphasis => self.content.push('*'),
            Tag::Strong => self.content.push_str("**"),
            Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => {}
            Tag::Link { link_type, dest_url, .. } => match link_type {
                // Written whole here; its text, the target again, is skipped.
                LinkType::Autolink | LinkType::Email if is_autolink(&dest_url, link_type) => {
                    self.content.push('<');
                    self.content.push_str(&dest_url);
                    self.content.push('>');
                    self.links.push(Closing::Autolink);
                }
                _ if is_url(&dest_url) => {
                    self.content.push('[');
                    self.links.push(Closing::Url(destination(&dest_url)));
                }
                _ => self.links.push(Closing::Text(dest_url.to_string())),
            },
            Tag::Image { dest_url, .. } => {
                if is_url(&dest_url) {
                    self.content.push('[');
                    self.links.push(Closing::Url(destination(&dest_url)));
                } else {
                    self.links.push(Closing::Text(dest_url.to_string()));
                }
            }
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) => self.end_line(),
            TagEnd::Heading(_) => {
                self.end_line();
                self.one_line -= 1;
            }
            TagEnd::BlockQuote(_) | TagEnd::CodeBlock => {}
            TagEnd::List(_) => {
                self.end_line();
                self.lists.pop();
            }
            TagEnd::Item => {
                // An empty item still shows its marker.
                if let Some(marker) = self.marker.take() {
                    self.out.push(marker.trim_end().to_owned());
                }
                self.end_line();
                self.items.pop();
            }
            TagEnd::FootnoteDefinition => self.end_line(),
            TagEnd::Table => self.table_block(),
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some((rows, row)) = &mut self.table {
                    rows.push(std::mem::take(row));
                }
            }
            TagEnd::TableCell => {
                self.one_line -= 1;
                let cell = std::mem::take(&mut self.content);
                if let Some((_, row)) = &mut self.table {
                    row.push(cell.trim().to_owned());
                }
            }
            TagEnd::Emphasis => self.content.push('*'),
            TagEnd::Strong => self.content.push_str("**"),
            TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => {}
            TagEnd::Link | TagEnd::Image => match self.links.pop() {
                Some(Closing::Url(url)) => {
                    self.content.push_str("](<");
                    self.content.push_str(&url);
                    self.content.push_str(">)");
                }
                Some(Closing::Text(target)) if !target.trim().is_empty() => {
                    self.content.push_str(" (");
                    self.content.push_str(&code_span(&target));
                    self.content.push(')');
                }
                Some(Closing::Text(_) | Closing::Autolink) | None => {}
            },
        }
    }

    fn text(&mut self, text: &str) {
        let text = text.replace('\n', " ");
        if let Some(Closing::Autolink) = self.links.last() {
            return;
        }
        // Inside a link that is written as one, a URL is the link's text; anywhere else it would
        // be a bare URL.
        if !self.links.iter().any(|it| matches!(it, Closing::Url(_))) {
            self.content.push_str(&escape_with_autolinks(&text));
        } else {
            self.content.push_str(&escape(&text));
        }
    }

    /// The indentation of a block inside the innermost list item.
    fn indent(&self) -> String {
        " ".repeat(self.items.last().copied().unwrap_or(0))
    }

    fn blank_line(&mut self) {
        if self.out.last().is_some_and(|it| !it.is_empty()) {
            self.out.push(String::new());
        }
    }

    /// Starts a block: on its list item's marker line when it is the item's first, else after
    /// a blank line, indented to its item's content.
    fn start_block(&mut self) {
        self.end_line();
        self.prefix = match self.marker.take() {
            Some(marker) => marker,
            None => {
                self.blank_line();
                self.indent()
            }
        };
        self.open = true;
    }

    fn line_break(&mut self) {
        if self.one_line > 0 || self.table.is_some() {
            self.content.push(' ');
        } else if self.open {
            self.end_line();
            self.prefix = self.indent();
            self.open = true;
        }
    }

    /// Finishes the line being written. Text at the start of a line that Markdown would read
    /// as a heading, a list item, or a setext underline is escaped here.
    fn end_line(&mut self) {
        if !self.open && self.content.is_empty() {
            return;
        }
        let content = std::mem::take(&mut self.content);
        let content = content.trim();
        let digits = content.find(|c: char| !c.is_ascii_digit()).unwrap_or(content.len());
        let escaped = if content.starts_with(['#', '-', '+', '=']) {
            format!("\\{content}")
        } else if digits > 0 && content[digits..].starts_with(['.', ')']) {
            format!("{}\\{}", &content[..digits], &content[digits..])
        } else {
            content.to_owned()
        };
        let line = format!("{}{escaped}", std::mem::take(&mut self.prefix));
        if !line.trim().is_empty() {
            self.out.push(line.trim_end().to_owned());
        }
        self.open = false;
    }

    /// Writes the code block just read as a `text` block.
    fn code_block(&mut self) {
        let code = self.code.take().unwrap_or_default();
        let fence = "`".repeat(backtick_runs(&code).into_iter().max().unwrap_or(0).max(2) + 1);
        self.start_block();
        self.content.push_str(&fence);
        self.content.push_str("text");
        let first =
            format!("{}{}", std::mem::take(&mut self.prefix), std::mem::take(&mut self.content));
        self.out.push(first);
        self.open = false;
        let indent = self.indent();
        for line in code.trim_end_matches('\n').split('\n') {
            self.out.push(format!("{indent}{line}").trim_end().to_owned());
        }
        self.out.push(format!("{indent}{fence}"));
    }

    /// Writes the table just read: header, delimiter, rows.
    fn table_block(&mut self) {
        let Some((rows, _)) = self.table.take() else { return };
        let Some(header) = rows.first() else { return };
        self.start_block();
        let indent = std::mem::take(&mut self.prefix);
        self.open = false;
        let row = |cells: &[String]| format!("{indent}| {} |", cells.join(" | "));
        self.out.push(row(header));
        self.out.push(row(&vec!["---".to_owned(); header.len()]));
        // Every row after the first continues the table, indented like the first.
        let indent = self.indent();
        for cells in &rows[1..] {
            self.out.push(format!("{indent}| {} |", cells.join(" | ")));
        }
    }

    fn finish(mut self) -> String {
        self.end_line();
        while self.out.last().is_some_and(String::is_empty) {
            self.out.pop();
        }
        self.out.join("\n")
    }
}

/// Whether an autolink's target may be written back as one: a URL, or an email address of
/// plain characters, neither holding what would end it.
fn is_autolink(dest: &str, link_type: LinkType) -> bool {
    let plain = !dest.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '\\'));
    match link_type {
        LinkType::Email => dest.chars().all(|c| c.is_ascii_alphanumeric() || "@.-_+".contains(c)),
        _ => plain && is_url(dest),
    }
}

#[cfg(test)]
mod tests {
    use proptest::{collection::vec, prelude::*, sample::select};
    use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag};

    use super::{code_span, inert, inline, is_hidden, rustdoc_options};

    /// Pieces of Markdown and characters that rustdoc, rustc or clippy read specially.
    const PIECES: &[&str] = &[
        "```",
        "~~~",
        "````",
        "    ",
        "\n",
        "\n\n",
        "\r",
        "\t",
        "- ",
        "* ",
        "+ ",
        "1. ",
        "1) ",
        "> ",
        "# ",
        "<div>",
        "</div>",
        "<pre>",
        "<!--",
        "-->",
        "[a](b)",
        "[a]: b",
        "[a]",
        "](",
        "![i](j)",
        "<https://x.io>",
        "https://x.io/a",
        "a@b.io",
        "`",
        "``",
        "\\",
        "&amp;",
        "&#60;",
        "|",
        "---",
        "===",
        "\u{202e}",
        "\u{200b}",
        "\u{feff}",
        "\u{85}",
        "\u{2028}",
        "[^1]",
        "[^1]: n",
        "*/",
        "x",
        " ",
        "é",
        "e\u{301}",
        "| a | b |\n|---|---|",
        "\\`",
        "<",
        ">",
    ];

    fn markdown() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => any::<String>(),
            4 => vec(select(PIECES), 0..24).prop_map(|it| it.concat()),
        ]
    }

    /// What rustdoc would see in `text`, that it must never see in a generated doc: a code block
    /// other than `text` (a doctest, or a rustdoc error), HTML, a link it would resolve as an
    /// intra-doc link, a bare URL, a footnote, a character rustc or clippy rejects.
    fn problems(text: &str) -> Vec<String> {
        let mut res = Vec::new();
        if let Some(c) = text.chars().find(|c| *c != '\n' && (is_hidden(*c) || *c == '\t')) {
            res.push(format!("character {c:?}"));
        }
        let (mut in_link, mut in_code) = (0, false);
        for event in Parser::new_ext(text, rustdoc_options()) {
            match event {
                Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code = false,
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "text" => {
                    in_code = true;
                }
                Event::Start(Tag::CodeBlock(kind)) => res.push(format!("code block {kind:?}")),
                Event::Html(it) | Event::InlineHtml(it) => res.push(format!("HTML {it:?}")),
                Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                    in_link += 1;
                    let url = super::is_url(&dest_url) || link_type == LinkType::Email;
                    if !url {
                        res.push(format!("link to {dest_url:?}"));
                    }
                }
                Event::End(pulldown_cmark::TagEnd::Link) => in_link -= 1,
                Event::Start(Tag::Image { .. }) => res.push("image".to_owned()),
                Event::Text(it)
                    if in_link == 0
                        && !in_code
                        && (it.contains("http://") || it.contains("https://")) =>
                {
                    res.push(format!("bare URL in {it:?}"));
                }
                Event::FootnoteReference(_) | Event::Start(Tag::FootnoteDefinition(_)) => {
                    res.push("footnote".to_owned());
                }
                _ => {}
            }
        }
        res
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

        #[test]
        fn inert_text_holds_nothing_rustdoc_would_run_or_reject(text in markdown()) {
            let res = inert(&text);
            prop_assert!(problems(&res).is_empty(), "{:?} in {res:?}", problems(&res));
            let res = inline(&text);
            prop_assert!(!res.contains('\n'), "{res:?}");
            prop_assert!(problems(&res).is_empty(), "{:?} in {res:?}", problems(&res));
        }

        #[test]
        fn code_spans_hold_their_text(text in markdown()) {
            let span = code_span(&text);
            prop_assert!(problems(&span).is_empty(), "{:?} in {span:?}", problems(&span));
        }
    }

    #[test]
    fn code_blocks_of_every_kind_become_text() {
        assert_eq!(inert("```\nlet x = [1];\n```"), "```text\nlet x = [1];\n```");
        assert_eq!(
            inert("~~~rust\nstd::process::exit(1)\n~~~"),
            "`rust`:\n\n```text\nstd::process::exit(1)\n```"
        );
        assert_eq!(inert("a\n\n    indented\n"), "a\n\n```text\nindented\n```");
        assert_eq!(inert("````\n```\n````"), "````text\n```\n````");
        assert_eq!(inert("```json\n{}"), "`json`:\n\n```text\n{}\n```");
    }

    #[test]
    fn text_that_markdown_would_read_as_syntax_is_escaped() {
        assert_eq!(
            inert("see https://developers.hubspot.com."),
            "see <https://developers.hubspot.com>."
        );
        assert_eq!(inert("a [link] and List<String>"), "a \\[link\\] and List\\<String\\>");
        assert_eq!(inert("matches `[a-z]<b>` or [c]"), "matches `[a-z]<b>` or \\[c\\]");
        assert_eq!(inert("<script>alert(1)</script>"), "\\<script\\>alert(1)\\</script\\>");
        assert_eq!(inert("a\n\\# b\n1\\. c\n\\-     d"), "a\n\\# b\n1\\. c\n\\- d");
    }

    #[test]
    fn links_keep_urls_only() {
        // Not a link: a destination with a space must be in `<>`.
        assert_eq!(inert("[docs](https://x.io/a b)"), "\\[docs\\](<https://x.io/a> b)");
        assert_eq!(inert("[docs](<https://x.io/a b>)"), "[docs](<https://x.io/a%20b>)");
        assert_eq!(inert("[Client](crate::Client)"), "Client (`crate::Client`)");
        assert_eq!(inert("<https://x.io>"), "<https://x.io>");
        assert_eq!(inert("<a@b.io>"), "<a@b.io>");
    }

    #[test]
    fn hidden_characters_are_shown() {
        // The backslash is escaped, so rustdoc shows `\u{202e}`.
        assert_eq!(inert("a\u{202e}b\u{200b}c\rd\te"), "a\\\\u{202e}b\\\\u{200b}c\nd e");
    }

    #[test]
    fn lists_nest_without_lazy_lines() {
        assert_eq!(inert("- a\n  - b\n\n  c\n- d"), "- a\n\n  - b\n\n  c\n- d");
        assert_eq!(inert("3. a\n4. b"), "3. a\n4. b");
        assert_eq!(inert("- ```\n  x\n  ```"), "- ```text\n  x\n  ```");
    }

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`a"), "`` `a ``");
        assert_eq!(code_span("a``b`c"), "a\\`\\`b\\`c");
        assert_eq!(code_span(""), "");
    }
}
