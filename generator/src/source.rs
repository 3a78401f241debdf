//! Where each node of the spec sits in its text, so that diagnostics can name a line.
//!
//! `openapiv3` deserializes through serde and forgets positions, so the text is read a second
//! time with an event parser, only when there is a diagnostic to place. JSON is YAML 1.2, so
//! one reader serves both.

use std::collections::{BTreeMap, BTreeSet};

use saphyr_parser::{Event, Parser, Span};

use crate::pointer::JsonPointer;

/// A line and column in the spec's text, both counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

/// The line and column of the nodes of a document that diagnostics point to, and of their
/// ancestors, by pointer.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    locations: BTreeMap<JsonPointer, Location>,
}

/// A mapping or sequence being read; `ptr` is `None` below the nodes anyone asked about, whose
/// pointers are not built, so a deep document costs no more than a shallow one.
enum Frame {
    Mapping { ptr: Option<JsonPointer>, key: Option<Option<String>> },
    Sequence { ptr: Option<JsonPointer>, next_idx: usize },
}

impl SourceMap {
    /// Reads `text` for the nodes at `wanted` (and their ancestors, where a node is missing); a
    /// syntax error ends the reading and keeps what was found before it.
    pub(crate) fn new<'p>(
        text: &str,
        wanted: impl IntoIterator<Item = &'p JsonPointer>,
    ) -> SourceMap {
        let mut prefixes = BTreeSet::new();
        for ptr in wanted {
            let mut it = JsonPointer::root();
            prefixes.insert(it.clone());
            for segment in ptr.segments() {
                it = it.join(segment);
                prefixes.insert(it.clone());
            }
        }
        let mut res = SourceMap::default();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else { break };
            res.on_event(&mut stack, &prefixes, event, span);
        }
        res
    }

    fn on_event(
        &mut self,
        stack: &mut Vec<Frame>,
        prefixes: &BTreeSet<JsonPointer>,
        event: Event<'_>,
        span: Span,
    ) {
        let location = Location { line: span.start.line(), column: span.start.col() + 1 };
        let wanted = |ptr: JsonPointer| prefixes.contains(&ptr).then_some(ptr);
        // Where a new node goes (`Some(None)` for a node nobody asked about), or `None` when the
        // event is a key or ends a container.
        let node_ptr: Option<Option<JsonPointer>> = match stack.last_mut() {
            None => Some(wanted(JsonPointer::root())),
            Some(Frame::Mapping { ptr, key }) => match (key.take(), &event) {
                (_, Event::MappingEnd) => {
                    stack.pop();
                    None
                }
                (None, Event::Scalar(text, ..)) => {
                    if let Some(child) = ptr.as_ref().and_then(|it| wanted(it.join(text))) {
                        self.locations.entry(child).or_insert(location);
                    }
                    *key = Some(ptr.as_ref().map(|_| text.to_string()));
                    None
                }
                // A complex key (a mapping or a sequence as a key) has no pointer.
                (None, _) => Some(None),
                (Some(k), _) => Some(ptr.as_ref().zip(k).and_then(|(ptr, k)| wanted(ptr.join(k)))),
            },
            Some(Frame::Sequence { ptr, next_idx }) => {
                if let Event::SequenceEnd = event {
                    stack.pop();
                    None
                } else {
                    *next_idx += 1;
                    Some(ptr.as_ref().and_then(|it| wanted(it.join(*next_idx - 1))))
                }
            }
        };
        let Some(node_ptr) = node_ptr else { return };
        if let Some(ptr) = &node_ptr {
            if matches!(
                event,
                Event::MappingStart(..)
                    | Event::SequenceStart(..)
                    | Event::Scalar(..)
                    | Event::Alias(..)
            ) {
                self.locations.entry(ptr.clone()).or_insert(location);
            }
        }
        match event {
            Event::MappingStart(..) => stack.push(Frame::Mapping { ptr: node_ptr, key: None }),
            Event::SequenceStart(..) => stack.push(Frame::Sequence { ptr: node_ptr, next_idx: 0 }),
            _ => {}
        }
    }

    /// The location of the node at `pointer`, or of its nearest ancestor that has one.
    pub(crate) fn locate(&self, pointer: &JsonPointer) -> Option<Location> {
        let segments = pointer.segments();
        (0..=segments.len()).rev().find_map(|n| {
            let ancestor = segments[..n].iter().fold(JsonPointer::root(), |acc, it| acc.join(it));
            self.locations.get(&ancestor).copied()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Location;
    use super::SourceMap;
    use crate::pointer::JsonPointer;

    fn ptr(text: &str) -> JsonPointer {
        JsonPointer::parse_ref(text).unwrap()
    }

    #[test]
    fn locates_yaml_keys_and_items() {
        let text = "a:\n  b:\n    - x\n    - y: 1\nc: 2\n";
        let wanted = [ptr("#/a/b"), ptr("#/a/b/1/y"), ptr("#/c/nothing")];
        let map = SourceMap::new(text, &wanted);
        assert_eq!(map.locate(&ptr("#/a/b")), Some(Location { line: 2, column: 3 }));
        assert_eq!(map.locate(&ptr("#/a/b/1/y")), Some(Location { line: 4, column: 7 }));
        assert_eq!(map.locate(&ptr("#/c")), Some(Location { line: 5, column: 1 }));
        // A pointer below a leaf falls back to the nearest ancestor.
        assert_eq!(map.locate(&ptr("#/c/nothing")), Some(Location { line: 5, column: 1 }));
    }

    #[test]
    fn locates_json_and_escaped_keys() {
        let text = "{\n  \"paths\": {\n    \"/a/b\": {\"get\": {}}\n  }\n}\n";
        let wanted = [ptr("#/paths/~1a~1b/get")];
        let map = SourceMap::new(text, &wanted);
        assert_eq!(map.locate(&ptr("#/paths/~1a~1b/get")), Some(Location { line: 3, column: 14 }));
    }
}
