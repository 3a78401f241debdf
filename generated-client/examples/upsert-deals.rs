//! Upserts deals from a CSV or JSON Lines file into HubSpot, every record accounted for.
//!
//! ```text
//! HUBSPOT_TOKEN=pat-… cargo run --release --example upsert-deals -- \
//!     --input deals.csv --id-property external_deal_id \
//!     [--base-url URL] [--concurrency N] [--rate-limit N] [--checkpoint FILE] [--report FILE] [--dry-run]
//! ```
//!
//! A CSV file has a header row of property names; a JSON Lines file has one object of property
//! names and values per line. The column (or key) named by `--id-property` gives each deal's
//! `id`. Rows that cannot be read are reported with their line numbers and the others go on.
//! The report (`--report`) is JSON Lines: one line per input with its line number and fate.
//! The exit status is 1 when any record failed or its fate is unknown, 2 on bad arguments.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line program reports on the terminal"
)]

use std::{
    fs::File,
    io::{BufRead as _, BufReader, BufWriter, Write as _},
    path::PathBuf,
    process::ExitCode,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use clap::Parser;
use hubspot_deals::{
    Client, RetryPolicy,
    bulk::{BulkUpsert, Fate, Outcome, Totals},
    models::SimplePublicObjectBatchInputUpsert as Input,
    runtime::Validate as _,
};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Parser)]
#[command(about = "Upsert deals from a CSV or JSON Lines file into HubSpot")]
struct Args {
    /// The records: `.csv` (a header row of property names) or `.jsonl` (an object per line).
    #[arg(long)]
    input: PathBuf,
    /// The unique property that identifies each deal; its column gives the `id`.
    #[arg(long)]
    id_property: String,
    /// Another server than HubSpot's (a proxy, a test server).
    #[arg(long)]
    base_url: Option<String>,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Requests per 10 seconds the client keeps to (your HubSpot plan's limit).
    #[arg(long, default_value_t = 100)]
    rate_limit: u32,
    /// A checkpoint file: a run killed at any point resumes from it.
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Where to write the report, one JSON line per record.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Read and check the records, send nothing.
    #[arg(long)]
    dry_run: bool,
}

/// A record read from the file, or why its line could not be read.
type Row = Result<Input, String>;

/// The rows of `path`, with their line numbers, read lazily.
fn rows(path: &PathBuf, id_property: &str) -> Result<Box<dyn Iterator<Item = (u64, Row)>>, String> {
    let file = File::open(path).map_err(|err| format!("{}: {err}", path.display()))?;
    let id_property = id_property.to_owned();
    let is_jsonl = path.extension().is_some_and(|it| it == "jsonl" || it == "ndjson");
    if is_jsonl {
        let lines = BufReader::new(file).lines().enumerate().filter_map(move |(idx, line)| {
            let number = idx as u64 + 1;
            let line = match line {
                Ok(it) if it.trim().is_empty() => return None,
                Ok(it) => it,
                Err(err) => return Some((number, Err(err.to_string()))),
            };
            let row =
                match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&line) {
                    Ok(object) => {
                        let properties = object
                            .into_iter()
                            .map(|(name, value)| match value {
                                serde_json::Value::String(it) => (name, it),
                                serde_json::Value::Null => (name, String::new()),
                                other => (name, other.to_string()),
                            })
                            .collect();
                        record(properties, &id_property)
                    }
                    Err(err) => Err(format!("not a JSON object: {err}")),
                };
            Some((number, row))
        });
        return Ok(Box::new(lines));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
    let headers = reader.headers().map_err(|err| format!("{}: {err}", path.display()))?.clone();
    let records = reader.into_records().map(move |row| match row {
        Ok(row) => {
            let number = row.position().map_or(0, |it| it.line());
            let properties =
                headers.iter().zip(row.iter()).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            (number, record(properties, &id_property))
        }
        Err(err) => {
            let number = err.position().map_or(0, |it| it.line());
            (number, Err(err.to_string()))
        }
    });
    Ok(Box::new(records))
}

fn record(mut properties: std::collections::BTreeMap<String, String>, id_property: &str) -> Row {
    let id = properties
        .remove(id_property)
        .filter(|it| !it.is_empty())
        .ok_or_else(|| format!("no value for `{id_property}`"))?;
    Ok(Input::new(id, properties).with_id_property(id_property))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("upsert-deals: {err}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<ExitCode, String> {
    let total = rows(&args.input, &args.id_property)?.count() as u64;
    let mut report = match &args.report {
        Some(path) => Some(BufWriter::new(
            File::create(path).map_err(|err| format!("{}: {err}", path.display()))?,
        )),
        None => None,
    };
    // The line of each input, by its index, and the rows that could not be read (reported as
    // they are met; the others go on).
    let lines: Arc<Mutex<Vec<u64>>> = Arc::default();
    let bad_rows: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let inputs = {
        let (lines, bad_rows) = (lines.clone(), bad_rows.clone());
        rows(&args.input, &args.id_property)?.filter_map(move |(line, row)| match row {
            Ok(input) => {
                lines.lock().unwrap_or_else(PoisonError::into_inner).push(line);
                Some(input)
            }
            Err(err) => {
                eprintln!("line {line}: {err}");
                bad_rows.lock().unwrap_or_else(PoisonError::into_inner).push((line, err));
                None
            }
        })
    };
    if args.dry_run {
        let mut invalid = 0;
        let mut count = 0;
        for input in inputs {
            count += 1;
            if let Err(violations) = input.validate() {
                invalid += 1;
                eprintln!("record {}: {violations}", input.id);
            }
        }
        println!("{count} records read, {invalid} invalid; nothing was sent (--dry-run)");
        return Ok(if invalid == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let token = std::env::var("HUBSPOT_TOKEN")
        .map_err(|_| "set HUBSPOT_TOKEN to a private-app or OAuth token".to_owned())?;
    let mut builder = Client::builder()
        .bearer_token(token)
        .rate_limit(args.rate_limit, Duration::from_secs(10))
        .retry_policy(RetryPolicy::default());
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    let client = builder.build().map_err(|err| err.to_string())?;
    let mut bulk = BulkUpsert::new(client).concurrency(args.concurrency);
    if let Some(path) = &args.checkpoint {
        bulk = bulk.checkpoint(path);
    }

    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} records, {per_sec}, ETA {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let mut write_error = None;
    let totals = bulk
        .run_with_progress(
            inputs,
            |outcome: Outcome| {
                bar.inc(1);
                let line = lines
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(outcome.index)
                    .copied();
                if let Fate::Failed { error } = &outcome.fate {
                    bar.suspend(|| {
                        eprintln!("line {}: {}: {error}", line.unwrap_or(0), outcome.id)
                    });
                }
                if let Some(report) = &mut report {
                    let mut value = serde_json::to_value(&outcome).unwrap_or_default();
                    value["line"] = serde_json::json!(line);
                    if let Err(err) = writeln!(report, "{value}") {
                        write_error.get_or_insert(err);
                    }
                }
            },
            |totals: &Totals| {
                bar.set_message(format!(
                    "{} retries, {} rate-limited",
                    totals.retries, totals.rate_limited
                ))
            },
        )
        .await
        .map_err(|err| err.to_string())?;
    bar.finish_and_clear();
    let bad_rows = std::mem::take(&mut *bad_rows.lock().unwrap_or_else(PoisonError::into_inner));
    if let Some(report) = &mut report {
        for (line, err) in &bad_rows {
            let value = serde_json::json!({"line": line, "state": "failed", "error": err});
            if let Err(err) = writeln!(report, "{value}") {
                write_error.get_or_insert(err);
            }
        }
        if let Err(err) = report.flush() {
            write_error.get_or_insert(err);
        }
    }
    if let Some(err) = write_error {
        return Err(format!("writing the report: {err}"));
    }
    print_summary(&totals, bad_rows.len(), started.elapsed());
    let clean = totals.failed == 0 && totals.unknown == 0 && bad_rows.is_empty();
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn print_summary(totals: &Totals, unreadable: usize, elapsed: Duration) {
    let rows = [
        ("created", totals.created),
        ("updated", totals.updated),
        ("failed", totals.failed),
        ("duplicates (superseded)", totals.duplicates),
        ("unknown (sent, no answer)", totals.unknown),
        ("unreadable rows", unreadable),
        ("from the checkpoint", totals.resumed),
        ("requests", totals.requests),
        ("retries", totals.retries),
        ("rate-limited answers", totals.rate_limited),
    ];
    println!("{:<28}{:>10}", "records", totals.inputs() + unreadable);
    for (name, count) in rows {
        println!("{name:<28}{count:>10}");
    }
    println!("{:<28}{:>9.1}s", "elapsed", elapsed.as_secs_f64());
}
