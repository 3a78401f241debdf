//! Prints a synthetic spec (`codegen_tests::synthetic`) of the size asked for, for measuring the
//! generator by hand:
//!
//! ```text
//! cargo run -p codegen-tests --example synthetic_spec -- 5000 [--chain] > /tmp/synthetic.json
//! cargo run --release -p xtask -- codegen --spec /tmp/synthetic.json --out /tmp/synthetic
//! ```

#![allow(clippy::print_stderr, reason = "a command-line tool reports its usage")]

use std::io::Write as _;

use codegen_tests::synthetic::{Shape, spec};

fn main() {
    let mut schemas = None;
    let mut cycle = true;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--chain" => cycle = false,
            it => match it.parse::<usize>() {
                Ok(n) if schemas.is_none() => schemas = Some(n),
                _ => {
                    eprintln!("usage: synthetic_spec SCHEMAS [--chain]");
                    std::process::exit(2);
                }
            },
        }
    }
    let Some(schemas) = schemas else {
        eprintln!("usage: synthetic_spec SCHEMAS [--chain]");
        std::process::exit(2);
    };
    let text = spec(Shape { schemas, cycle });
    std::io::stdout().write_all(text.as_bytes()).expect("writing to stdout");
}
