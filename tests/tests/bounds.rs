//! Specs built to exhaust the generator: diamonds and repetitions of `allOf`, nesting past any
//! sensible depth, YAML alias bombs. Each finishes, with code or with a diagnostic, within
//! [`BOUND`] (it prints how long it took: milliseconds in a debug build). Without the bounds
//! these tests name (each schema merged once, each level counted) they would take 2^40 or
//! 64^30 steps: years, not a generous multiple of milliseconds. A watchdog fails a run that has
//! not finished after two minutes, to tell a hang from a failure.

use std::{sync::mpsc, thread, time::Duration};

use generator::{Diagnostics, Generated, Severity};

/// How long any of these runs may take: 40 times the slowest of them (233 ms in a debug build
/// on the 2-core CI machine), so that a slow machine never fails them, and no unbounded work
/// (2^40 or 64^30 steps) passes.
const BOUND: Duration = Duration::from_secs(10);

#[track_caller]
fn generate(text: String) -> Result<Generated, Diagnostics> {
    let (send, receive) = mpsc::channel();
    let started = std::time::Instant::now();
    thread::spawn(move || {
        let _ = send.send(generator::generate(&text, "spec", generator::Options::default()));
    });
    let res = receive.recv_timeout(Duration::from_secs(120)).expect("the generator did not finish");
    let took = started.elapsed();
    #[allow(clippy::print_stdout, reason = "the figure, shown with `--nocapture`")]
    {
        println!("{}: {took:?}", std::panic::Location::caller());
    }
    assert!(took <= BOUND, "took {took:?}, more than {BOUND:?}: the work is not bounded");
    res
}

fn errors(res: Result<Generated, Diagnostics>) -> Vec<String> {
    match res {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .filter(|it| it.severity == Severity::Error)
            .map(|it| it.message.clone())
            .collect(),
    }
}

fn spec(schemas: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
    )
}

/// `L{n}` includes `A{n}` and `B{n}`, which both include `L{n-1}`: expanded path by path, that
/// is 2^40 copies of `L0`.
#[test]
fn an_all_of_diamond_forty_levels_deep_is_merged_once() {
    let mut schemas = String::from("    L0: {type: object, properties: {p0: {type: string}}}\n");
    for n in 1..=40 {
        let prev = n - 1;
        schemas.push_str(&format!(
            "    A{n}: {{allOf: [{{$ref: '#/components/schemas/L{prev}'}}, {{type: object, properties: {{a{n}: {{type: string}}}}}}]}}\n\
             \x20   B{n}: {{allOf: [{{$ref: '#/components/schemas/L{prev}'}}, {{type: object, properties: {{b{n}: {{type: string}}}}}}]}}\n\
             \x20   L{n}: {{allOf: [{{$ref: '#/components/schemas/A{n}'}}, {{$ref: '#/components/schemas/B{n}'}}]}}\n"
        ));
    }
    let generated = generate(spec(&schemas)).unwrap();
    // L40 holds every property once: p0, and a1…a40, b1…b40.
    let l40 = generated.api.models.iter().find(|it| it.rust_name == "L40").unwrap();
    let generator::ir::ModelKind::Struct(strukt) = &l40.kind else { panic!("{l40:?}") };
    assert_eq!(strukt.fields.len(), 81);
}

#[test]
fn the_same_schema_included_many_times_is_merged_once() {
    let refs = vec!["{$ref: '#/components/schemas/A0'}"; 64].join(", ");
    let mut schemas = String::from("    A0: {type: object, properties: {p: {type: string}}}\n");
    for n in 1..=30 {
        let prev = n - 1;
        schemas.push_str(&format!(
            "    A{n}: {{allOf: [{}]}}\n",
            refs.replace("A0", &format!("A{prev}"))
        ));
    }
    assert_eq!(errors(generate(spec(&schemas))), Vec::<String>::new());
}

/// A property whose schema includes (through `allOf`) the object it is a property of: each
/// level would otherwise hoist a new type for the next, without end.
#[test]
fn an_inline_schema_that_includes_its_own_owner_is_one_type() {
    let schemas = "    Node:\n      type: object\n      properties:\n        next: {allOf: [{$ref: '#/components/schemas/Node'}, {type: object, properties: {x: {type: string}}}]}\n        other: {allOf: [{$ref: '#/components/schemas/Node'}, {type: object, properties: {y: {type: string}}}]}\n";
    let generated = generate(spec(schemas)).unwrap();
    assert_eq!(generated.api.models.len(), 3, "{:#?}", generated.api.models);
}

/// Deep documents are refused before `openapiv3` reads them, whose reading would need more
/// stack than a test thread has (its frames are large): this one crashed the generator.
#[test]
fn a_document_nested_past_the_bound_is_reported() {
    let mut schema = String::from("{type: string}");
    for _ in 0..60 {
        schema = format!("{{type: object, properties: {{p: {schema}}}}}");
    }
    let errors = errors(generate(spec(&format!("    Deep: {schema}\n"))));
    assert_eq!(errors, ["unsupported: a document nested more than 64 levels deep"]);
}

/// The deepest document accepted, from a thread with a small stack (a test thread has 2 MiB,
/// and reading it through `openapiv3` takes more in a debug build): the generator runs on a
/// stack of its own, so the caller's does not decide whether it finishes.
#[test]
fn the_deepest_document_accepted_needs_no_stack_of_the_callers() {
    let mut schema = String::from("{type: string}");
    for _ in 0..29 {
        schema = format!("{{type: object, properties: {{p: {schema}}}}}");
    }
    let text = spec(&format!("    Deep: {schema}\n"));
    let res = thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || generator::generate(&text, "spec", generator::Options::default()).is_ok())
        .unwrap()
        .join()
        .unwrap();
    assert!(res, "a document within the bound generates");
}

/// Schemas that nest through components rather than in the document: each `allOf` includes
/// the next one.
#[test]
fn schemas_nested_past_the_bound_are_reported() {
    let mut schemas = String::new();
    for n in 0..60 {
        let next = n + 1;
        schemas.push_str(&format!(
            "    C{n:02}: {{allOf: [{{$ref: '#/components/schemas/C{next:02}'}}, {{type: object, properties: {{p{n}: {{type: string}}}}}}]}}\n"
        ));
    }
    schemas.push_str("    C60: {type: object, properties: {last: {type: string}}}\n");
    let errors = errors(generate(spec(&schemas)));
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|it| it == "unsupported: schemas nested more than 48 levels deep"),
        "{errors:?}"
    );
}

#[test]
fn nesting_past_the_parsers_bound_is_a_syntax_error_not_a_crash() {
    for (open, close) in [("[", "]"), ("{\"a\": ", "}")] {
        let deep = format!("{}1{}", open.repeat(100_000), close.repeat(100_000));
        let json = format!("{{\"openapi\": \"3.0.3\", \"x\": {deep}}}");
        let yaml = format!("openapi: 3.0.3\nx: {deep}\n");
        for text in [json, yaml] {
            let errors = errors(generate(text));
            assert_eq!(errors.len(), 1, "{errors:?}");
            let refused = errors[0].contains("recursion limit") // serde_json's own bound
                || errors[0].contains("nested more than 64 levels");
            assert!(refused, "{errors:?}");
        }
    }
}

/// "Billion laughs": nine levels of aliases, each repeating the one before nine times.
#[test]
fn a_yaml_alias_bomb_is_refused() {
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\nx:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for n in 1..10 {
        let prev = n - 1;
        text.push_str(&format!("  a{n}: &a{n} [{}]\n", vec![format!("*a{prev}"); 9].join(", ")));
    }
    let errors = errors(generate(text));
    assert_eq!(errors.len(), 1, "{errors:?}");
}
