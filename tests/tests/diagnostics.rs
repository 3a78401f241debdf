//! What the generator says about specs it cannot (fully) handle: one snapshot per fixture in
//! `tests/fixtures/err/`, by default (what it generates loosely, and what it cannot generate at
//! all) and under `--strict`. Diagnostics are rendered exactly as `cargo xtask codegen` prints
//! them.

use std::path::Path;

use generator::{Options, Severity};

/// Renders what generating `path` reports: every diagnostic, or the warnings and the summary of
/// a success.
fn render_with(path: &Path, options: Options) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let origin = format!("tests/fixtures/err/{}", path.file_name().unwrap().to_string_lossy());
    match generator::generate(&text, &origin, options) {
        Ok(generated) => format!(
            "generated, with warnings:\n{}{}\n",
            generated.warnings.render(&origin),
            generated.summary
        ),
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(|it| it.severity == Severity::Error));
            format!("failed:\n{}", diagnostics.render(&origin))
        }
    }
}

fn render(path: &Path) -> String {
    format!(
        "# by default\n{}\n# with --strict\n{}",
        render_with(path, Options::default()),
        render_with(path, Options { strict: true, features: false })
    )
}

#[test]
fn diagnostics() {
    insta::glob!("../fixtures/err", "*.{yaml,json}", |path| {
        insta::assert_snapshot!(render(path));
    });
}

#[test]
fn every_error_points_into_the_spec() {
    insta::glob!("../fixtures/err", "*.{yaml,json}", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        if let Err(diagnostics) =
            generator::generate(&text, "spec", Options { strict: true, features: false })
        {
            for it in diagnostics.iter() {
                assert!(
                    it.location.is_some(),
                    "{} has no line: {}",
                    path.display(),
                    it.render("spec")
                );
            }
        }
    });
}

/// Diagnostics quote the spec, and the spec is anyone's: control, bidi and invisible
/// characters in what they quote, and in the origin, are shown escaped, so that printing them
/// cannot write escape sequences to a terminal or reorder what it shows.
#[test]
fn diagnostics_show_control_characters_escaped() {
    let hidden = "\u{1b}[31mred\u{7}\r\u{202e}evil\u{200b}";
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: {}}}\n",
        serde_json::to_string(&format!("#/components/schemas/{hidden}")).unwrap()
    );
    let origin = format!("specs/{hidden}.yaml");
    let Err(diagnostics) = generator::generate(&text, &origin, Options::default()) else {
        panic!("a dangling reference is an error")
    };
    let rendered = diagnostics.render(&origin);
    assert!(rendered.contains(r"\u{1b}[31mred"), "{rendered}");
    let raw: Vec<char> = rendered
        .chars()
        .filter(|it| *it != '\n' && (it.is_control() || matches!(it, '\u{200b}' | '\u{202e}')))
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in:\n{rendered}");
}
