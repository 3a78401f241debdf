//! Where each node of the spec sits in its text, so that diagnostics can name a line.
//!
//! `openapiv3` deserializes through serde and forgets positions, so the text is read a second
//! time with an event parser, only when there is a diagnostic to place. JSON is YAML 1.2, so
//! one reader serves both.

use std::collections::BTreeMap;

use saphyr_parser::{Event, Parser, Span};

use crate::{diagnostic::Location, pointer::JsonPointer};

/// The line and column of every key and item of a document, by pointer.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    locations: BTreeMap<JsonPointer, Location>,
}

enum Frame {
    Mapping { ptr: JsonPointer, key: Option<String> },
    Sequence { ptr: JsonPointer, next_idx: usize },
}

impl SourceMap {
    /// Reads `text`; a syntax error ends the reading and keeps what was found before it.
    pub(crate) fn new(text: &str) -> SourceMap {
        let mut res = SourceMap::default();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else { break };
            res.on_event(&mut stack, event, span);
        }
        res
    }

    fn on_event(&mut self, stack: &mut Vec<Frame>, event: Event<'_>, span: Span) {
        let location = Location { line: span.start.line(), column: span.start.col() + 1 };
        // Where a new node goes, or `None` when the event is a key or ends a container.
        let node_ptr = match stack.last_mut() {
            None => Some(JsonPointer::root()),
            Some(Frame::Mapping { ptr, key }) => match (key.take(), &event) {
                (_, Event::MappingEnd) => {
                    stack.pop();
                    None
                }
                (None, Event::Scalar(text, ..)) => {
                    let child = ptr.join(text);
                    self.locations.entry(child).or_insert(location);
                    *key = Some(text.to_string());
                    None
                }
                // A complex key (a mapping or a sequence as a key) has no pointer.
                (None, _) => Some(ptr.join("?")),
                (Some(k), _) => Some(ptr.join(k)),
            },
            Some(Frame::Sequence { ptr, next_idx }) => {
                if let Event::SequenceEnd = event {
                    stack.pop();
                    None
                } else {
                    *next_idx += 1;
                    Some(ptr.join(*next_idx - 1))
                }
            }
        };
        let Some(node_ptr) = node_ptr else { return };
        match event {
            Event::MappingStart(..) => {
                self.locations.entry(node_ptr.clone()).or_insert(location);
                stack.push(Frame::Mapping { ptr: node_ptr, key: None });
            }
            Event::SequenceStart(..) => {
                self.locations.entry(node_ptr.clone()).or_insert(location);
                stack.push(Frame::Sequence { ptr: node_ptr, next_idx: 0 });
            }
            Event::Scalar(..) | Event::Alias(..) => {
                self.locations.entry(node_ptr).or_insert(location);
            }
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
    use super::SourceMap;
    use crate::{diagnostic::Location, pointer::JsonPointer};

    fn ptr(text: &str) -> JsonPointer {
        JsonPointer::parse_ref(text).unwrap()
    }

    #[test]
    fn locates_yaml_keys_and_items() {
        let text = "a:\n  b:\n    - x\n    - y: 1\nc: 2\n";
        let map = SourceMap::new(text);
        assert_eq!(map.locate(&ptr("#/a/b")), Some(Location { line: 2, column: 3 }));
        assert_eq!(map.locate(&ptr("#/a/b/1/y")), Some(Location { line: 4, column: 7 }));
        assert_eq!(map.locate(&ptr("#/c")), Some(Location { line: 5, column: 1 }));
        // A pointer below a leaf falls back to the nearest ancestor.
        assert_eq!(map.locate(&ptr("#/c/nothing")), Some(Location { line: 5, column: 1 }));
    }

    #[test]
    fn locates_json_and_escaped_keys() {
        let text = "{\n  \"paths\": {\n    \"/a/b\": {\"get\": {}}\n  }\n}\n";
        let map = SourceMap::new(text);
        assert_eq!(map.locate(&ptr("#/paths/~1a~1b/get")), Some(Location { line: 3, column: 14 }));
    }
}
