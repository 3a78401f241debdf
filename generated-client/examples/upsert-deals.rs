//! Upserts deals from a CSV or JSON Lines file into HubSpot, every record accounted for.
//!
//! ```text
//! HUBSPOT_TOKEN=pat-… cargo run --release --example upsert-deals -- \
//!     --input deals.csv --id-property external_deal_id \
//!     [--blank keep|clear] [--base-url URL] [--concurrency N] [--rate-limit N] [--timeout S] \
//!     [--max-attempts N] \
//!     [--daily-reserve 5%|N] [--error-budget 5%|off] [--checkpoint FILE] [--report FILE] [--dry-run]
//! ```
//!
//! A CSV file has a header row of property names; a JSON Lines file has one object of property
//! names and values per line. The column (or key) named by `--id-property` gives each deal's
//! `id`. A blank cell, a JSON `null` and a missing key leave the deal's value in HubSpot as it
//! is; `--blank clear` clears it instead (HubSpot clears a property sent as `""`). Rows that
//! cannot be read are reported with their line numbers and the others go on. The report
//! (`--report`) is JSON Lines: one line per input with its line number and fate.
//!
//! Credentials: `HUBSPOT_TOKEN` (a private app's token, or an OAuth access token), or
//! `HUBSPOT_CLIENT_ID`, `HUBSPOT_CLIENT_SECRET` and `HUBSPOT_REFRESH_TOKEN` for OAuth access
//! tokens refreshed as they expire (`--token-url` names the token endpoint).
//!
//! Exit status: 0 when every record was written; 1 when a record failed or its fate is unknown;
//! 2 on bad arguments; 3 when the run stopped at HubSpot's daily limit or the daily reserve
//! (run it again with the same `--checkpoint` after the limit resets); 4 when it stopped for
//! another reason (a refused token, the error budget, a batch refused whole, Ctrl-C).

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
    bulk::{BulkUpsert, DailyReserve, ErrorBudget, Fate, Outcome, StopCause, Totals},
    models::SimplePublicObjectBatchInputUpsert as Input,
    runtime::{OAuthRefresh, Validate as _},
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
    /// What a blank cell (or a JSON `null`) does: `keep` leaves the deal's value in HubSpot as
    /// it is, `clear` clears it (sends `""`).
    #[arg(long, value_enum, default_value_t = Blank::Keep)]
    blank: Blank,
    /// Another server than HubSpot's (a proxy, a test server).
    #[arg(long)]
    base_url: Option<String>,
    /// The OAuth token endpoint, with `HUBSPOT_REFRESH_TOKEN` (default: the server's
    /// `/oauth/v1/token`, which HubSpot retires on 2027-02-16 for `/oauth/2026-03/token`).
    #[arg(long)]
    token_url: Option<String>,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Seconds one attempt may take before it is abandoned (and, since HubSpot may have applied
    /// it, retried; its records are reported unknown if no later attempt answers).
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// Attempts per request, the first included: retries follow HubSpot's rules (429, 5xx,
    /// timeouts), within two minutes a request.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..))]
    max_attempts: u32,
    /// Requests per 10 seconds never to exceed. Without it the client starts at HubSpot's
    /// lowest limit (100) and follows the limit HubSpot's headers state.
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Requests of the day to leave to the account's other integrations: a share of the daily
    /// limit (`5%`) or a number of requests. The run stops when HubSpot's daily remaining
    /// requests fall to it (resume the next day with the same `--checkpoint`).
    #[arg(long, default_value = "5%", value_parser = parse_reserve)]
    daily_reserve: DailyReserve,
    /// Stop when more than this share of the latest 200 requests fail (`off`: never).
    #[arg(long, default_value = "5%", value_parser = parse_budget)]
    error_budget: Budget,
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

/// What a blank cell does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Blank {
    /// Sends nothing for it: HubSpot keeps the value it has.
    Keep,
    /// Sends `""`: HubSpot clears the value.
    Clear,
}

/// `--error-budget`: a share, or none.
#[derive(Clone, Copy, Debug)]
struct Budget(Option<ErrorBudget>);

/// A share written as `5%` (or `0.05`).
fn parse_share(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix('%') {
        Some(it) => (it, 100.0),
        None => (text, 1.0),
    };
    let share = number.trim().parse::<f64>().map_err(|err| format!("`{text}`: {err}"))? / scale;
    if (0.0..=1.0).contains(&share) {
        Ok(share)
    } else {
        Err(format!("`{text}` is not a share between 0% and 100%"))
    }
}

fn parse_reserve(text: &str) -> Result<DailyReserve, String> {
    if text.ends_with('%') {
        return parse_share(text).map(DailyReserve::Share);
    }
    text.trim().parse().map(DailyReserve::Requests).map_err(|err| format!("`{text}`: {err}"))
}

fn parse_budget(text: &str) -> Result<Budget, String> {
    if text == "off" {
        return Ok(Budget(None));
    }
    let share = parse_share(text)?;
    Ok(Budget(Some(ErrorBudget { share, ..ErrorBudget::default() })))
}

/// A record read from the file, or why its line could not be read.
type Row = Result<Input, String>;

/// The rows of `path`, with their line numbers, read lazily. A blank value (an empty cell, a
/// JSON `null`) is left out of the record, unless `blank` is [`Blank::Clear`].
fn rows(
    path: &PathBuf,
    id_property: &str,
    blank: Blank,
) -> Result<Box<dyn Iterator<Item = (u64, Row)>>, String> {
    let keep = move |value: &str| blank == Blank::Clear || !value.is_empty();
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
                            .filter(|(_, value)| keep(value))
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
            let properties = headers
                .iter()
                .zip(row.iter())
                .filter(|(_, value)| keep(value))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
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
    let total = rows(&args.input, &args.id_property, args.blank)?.count() as u64;
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
        rows(&args.input, &args.id_property, args.blank)?.filter_map(move |(line, row)| match row {
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
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .map_err(|err| format!("--timeout {}: {err}", args.timeout))?;
    let retry = RetryPolicy::default().max_attempts(args.max_attempts);
    let mut builder = Client::builder().retry_policy(retry).timeout(timeout);
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    let base_url = args.base_url.as_deref().unwrap_or(hubspot_deals::DEFAULT_BASE_URL);
    builder = match credentials(base_url, args.token_url.as_deref())? {
        Credentials::Token(token) => builder.bearer_token(token),
        Credentials::OAuth(grant) => builder.oauth_refresh(grant),
    };
    let ten_seconds = Duration::from_secs(10);
    builder = match args.rate_limit {
        Some(max) => builder.rate_limit((max, ten_seconds)),
        None => builder.starting_rate_limit(100, ten_seconds),
    };
    let client = builder.build().map_err(|err| err.to_string())?;
    let mut bulk = BulkUpsert::new(client)
        .concurrency(args.concurrency)
        .daily_reserve(args.daily_reserve)
        .error_budget(args.error_budget.0);
    if let Some(path) = &args.checkpoint {
        bulk = bulk.checkpoint(path);
    }
    // Ctrl-C: nothing more is sent, the batches in flight finish, the rest is reported not
    // sent, and the checkpoint lets the next run go on.
    let stop = bulk.stop_handle();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.stop();
        }
    });

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
                if let Fate::Failed { error, .. } = &outcome.fate {
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
    if let Some(stop) = &totals.stopped {
        eprintln!("upsert-deals: stopped: {stop}");
        if args.checkpoint.is_some() {
            eprintln!("upsert-deals: run again with the same --checkpoint to send the rest");
        }
        let code = match stop.cause {
            StopCause::DailyLimit | StopCause::DailyReserve => 3,
            _ => 4,
        };
        return Ok(ExitCode::from(code));
    }
    let clean = totals.failed == 0 && totals.unknown == 0 && bad_rows.is_empty();
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// How the program signs its requests.
enum Credentials {
    Token(String),
    OAuth(OAuthRefresh),
}

/// The credentials the environment gives: `HUBSPOT_TOKEN`, or the three OAuth variables.
fn credentials(base_url: &str, token_url: Option<&str>) -> Result<Credentials, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|it| !it.is_empty());
    if let Some(token) = var("HUBSPOT_TOKEN") {
        return Ok(Credentials::Token(token));
    }
    match (var("HUBSPOT_CLIENT_ID"), var("HUBSPOT_CLIENT_SECRET"), var("HUBSPOT_REFRESH_TOKEN")) {
        (Some(id), Some(secret), Some(refresh)) => {
            let token_url = token_url.map_or_else(
                || format!("{}/oauth/v1/token", base_url.trim_end_matches('/')),
                str::to_owned,
            );
            Ok(Credentials::OAuth(OAuthRefresh::new(token_url, id, secret, refresh)))
        }
        _ => Err("set HUBSPOT_TOKEN to a private app's (or an OAuth access) token, or HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET and HUBSPOT_REFRESH_TOKEN for OAuth tokens refreshed as they expire".to_owned()),
    }
}

fn print_summary(totals: &Totals, unreadable: usize, elapsed: Duration) {
    let rows = [
        ("created", totals.created),
        ("updated", totals.updated),
        ("failed", totals.failed),
        ("  of which may pass", totals.transient),
        ("merged into a later row", totals.merged),
        ("unknown (sent, no answer)", totals.unknown),
        ("not sent (run stopped)", totals.not_sent),
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
