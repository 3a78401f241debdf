//! The generator in process, from spec text to formatted files (`generator::generate`): the
//! deals fragment of `spec/`, HubSpot's objects spec, and synthetic specs of 10 to 5,000
//! schemas (`codegen_tests::synthetic`, with twice as many operations, in one cycle of
//! references), whose times show how the generator scales.
//!
//! `cargo bench -p codegen-tests --bench codegen`; figures in BENCHMARKS.md.

use std::time::Duration;

use codegen_tests::{
    project_root,
    synthetic::{Shape, spec},
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use generator::Options;

fn read(path: &str) -> String {
    let full = project_root().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|err| panic!("reading {}: {err}", full.display()))
}

fn generate(text: &str) {
    let generated = generator::generate(text, "spec", Options::default())
        .unwrap_or_else(|err| panic!("the spec does not generate: {err:?}"));
    std::hint::black_box(generated);
}

fn real_specs(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen");
    for (name, path) in [
        ("deals fragment", "spec/deals-batch-upsert.yaml"),
        ("HubSpot objects v3", "tests/fixtures/specs/hubspot/objects.v3.json"),
    ] {
        let text = read(path);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, text| {
            b.iter(|| generate(text));
        });
    }
    group.finish();
}

fn synthetic_specs(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen synthetic");
    for schemas in [10, 100, 1_000, 5_000] {
        let text = spec(Shape::cyclic(schemas));
        if schemas >= 1_000 {
            // Seconds an iteration: ten samples of one iteration each.
            group.sample_size(10).sampling_mode(criterion::SamplingMode::Flat);
            group.measurement_time(Duration::from_secs(1));
        }
        group.throughput(Throughput::Elements(schemas as u64));
        group.bench_with_input(BenchmarkId::new("schemas", schemas), &text, |b, text| {
            b.iter(|| generate(text));
        });
    }
    group.finish();
}

criterion_group!(benches, real_specs, synthetic_specs);
criterion_main!(benches);
