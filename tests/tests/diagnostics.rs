//! What the generator says about specs it cannot (fully) handle: one snapshot per fixture in
//! `tests/fixtures/err/`. Each fixture's diagnostics are rendered exactly as `cargo xtask codegen`
//! prints them.

use std::path::Path;

use generator::Severity;

/// Renders what generating `path` reports: every diagnostic, or the warnings of a success.
fn render(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let origin = format!("tests/fixtures/err/{}", path.file_name().unwrap().to_string_lossy());
    match generator::generate(&text, &origin) {
        Ok(generated) => {
            format!("generated, with warnings:\n{}", generated.warnings.render(&origin))
        }
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(|it| it.severity == Severity::Error));
            format!("failed:\n{}", diagnostics.render(&origin))
        }
    }
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
        if let Err(diagnostics) = generator::generate(&text, "spec") {
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
