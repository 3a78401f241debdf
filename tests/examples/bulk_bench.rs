//! The bulk upsert benchmark: N deals against the HubSpot-like server, whose rate limit is R
//! requests per window, with the client's limiter set to R, with `Client::builder()`'s own
//! (which starts at the spec's 100 per 10 s and adopts the limit the server's headers state),
//! and without a limiter.
//!
//! ```text
//! cargo run --release -p codegen-tests --example bulk_bench -- [--records 100000] [--limit 100] [--window-ms 1000] [--concurrency 8] [--checkpoint] [--resume]
//! ```
//!
//! `--resume` (with `--checkpoint`) runs the same inputs once more from the last run's
//! checkpoint, which settles every one of them: that run sends nothing and reports each outcome
//! again; its wall time and the client's peak memory after it are printed below the table.
//!
//! The server runs in a child process (this program, with `--serve`), so that the CPU time and
//! the peak memory measured are the client's alone. Printed as a Markdown table: the achieved
//! rate of accepted requests as a fraction of R, the 429s received, the client's CPU time per
//! 1,000 records, and its peak resident memory. Linux only (it reads `/proc/self`).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports on the terminal"
)]

use std::{
    io::{BufRead as _, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use codegen_tests::hubspot::{Config, FakeHubSpot};
use hubspot_deals::{
    Client, RetryPolicy, bulk::BulkUpsert, models::SimplePublicObjectBatchInputUpsert as Input,
};

/// The client's rate limiter in a run.
#[derive(Clone, Copy, Debug)]
enum Limiter {
    /// `rate_limit((R, window))`: the server's limit, given.
    Configured,
    /// What `Client::builder()` starts with.
    Default,
    /// `rate_limit(None)`.
    None,
}

impl Limiter {
    fn name(self) -> &'static str {
        match self {
            Limiter::Configured => "R, configured",
            Limiter::Default => "default (learns R)",
            Limiter::None => "none",
        }
    }
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|it| it == name)
        .and_then(|idx| args.get(idx + 1)?.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let limit = arg(&args, "--limit", 100) as usize;
    let window = Duration::from_millis(arg(&args, "--window-ms", 1000));
    if args.iter().any(|it| it == "--serve") {
        let server = FakeHubSpot::start(Config { limit, window, ..Config::default() }).await;
        println!("{}", server.url());
        // Until the parent closes our standard input.
        let _ =
            tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new())).await;
        return;
    }
    let records = arg(&args, "--records", 100_000);
    let concurrency = arg(&args, "--concurrency", 8) as usize;
    println!(
        "{records} records, server limit {limit} requests per {} ms, concurrency {concurrency}\n",
        window.as_millis()
    );
    println!(
        "| client limiter | wall | accepted requests/s ÷ R | 429s | retries | client CPU per 1,000 records | client peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|");
    for limiter in [Limiter::Configured, Limiter::Default, Limiter::None] {
        let mut child = Command::new(std::env::current_exe().expect("the benchmark's own path"))
            .args([
                "--serve",
                "--limit",
                &limit.to_string(),
                "--window-ms",
                &window.as_millis().to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting the server");
        let mut url = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut url)
            .expect("the server's URL");
        let mut builder =
            Client::builder().base_url(url.trim()).bearer_token("pat-bench").retry_policy(
                RetryPolicy::default().max_attempts(20).max_elapsed(Duration::from_secs(600)),
            );
        builder = match limiter {
            Limiter::Configured => builder.rate_limit((limit as u32, window)),
            // `Client::builder()`'s own: the spec's 100 per 10 s, then the server's headers.
            Limiter::Default => builder,
            Limiter::None => builder.rate_limit(None),
        };
        let mut bulk = BulkUpsert::new(builder.build().expect("a client")).concurrency(concurrency);
        // With `--checkpoint`, each run writes a checkpoint of its own (removed after).
        let checkpoint = args.iter().any(|it| it == "--checkpoint").then(|| {
            std::env::temp_dir().join(format!(
                "bulk-bench-{}-{}.jsonl",
                std::process::id(),
                limiter.name().len()
            ))
        });
        if let Some(path) = &checkpoint {
            let _ = std::fs::remove_file(path);
            bulk = bulk.checkpoint(path);
        }
        let inputs = (0..records).map(|it| {
            Input::new(format!("deal-{it}"), [("dealname".to_owned(), format!("Deal {it}"))])
                .with_id_property("external_deal_id")
        });
        let (cpu_before, started) = (cpu_time(), Instant::now());
        let totals = bulk.run(inputs, |_| {}).await.expect("the checkpoint is writable");
        let (elapsed, cpu) = (started.elapsed(), cpu_time().saturating_sub(cpu_before));
        let peak = peak_rss_kb() / 1024;
        let mut resumed = String::new();
        // After the last row only: the peak memory of a process only grows, and the rows after
        // a resume would carry its peak.
        let last = matches!(limiter, Limiter::None);
        if last && checkpoint.is_some() && args.iter().any(|it| it == "--resume") {
            let inputs = (0..records).map(|it| {
                Input::new(format!("deal-{it}"), [("dealname".to_owned(), format!("Deal {it}"))])
                    .with_id_property("external_deal_id")
            });
            let started = Instant::now();
            let mut reported = 0;
            let again = bulk.run(inputs, |_| reported += 1).await.expect("the checkpoint reads");
            assert_eq!((reported, again.requests), (records, 0), "{again:?}");
            resumed = format!(
                "resumed from its checkpoint ({records} outcomes): {:.1} s, client peak RSS {} MB after it",
                started.elapsed().as_secs_f64(),
                peak_rss_kb() / 1024
            );
        }
        if let Some(path) = &checkpoint {
            let _ = std::fs::remove_file(path);
        }
        drop(child.stdin.take());
        let _ = child.wait();
        assert_eq!(totals.created as u64, records, "{totals:?}");
        let accepted = (totals.requests + totals.retries - totals.rate_limited) as f64;
        let rate = accepted / elapsed.as_secs_f64() / (limit as f64 / window.as_secs_f64());
        println!(
            "| {} | {:.1} s | {:.2} | {} | {} | {:.1} ms | {} MB |",
            limiter.name(),
            elapsed.as_secs_f64(),
            rate,
            totals.rate_limited,
            totals.retries,
            cpu.as_secs_f64() * 1000.0 / (records as f64 / 1000.0),
            peak,
        );
        if !resumed.is_empty() {
            eprintln!("{}: {resumed}", limiter.name());
        }
    }
}

/// This process's CPU time, user and system, from `/proc/self/stat` (in clock ticks of 10 ms,
/// Linux's `USER_HZ`).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, it)| it);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |idx: usize| fields.get(idx).and_then(|it| it.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The peak resident memory of this process so far, in KiB (`VmHWM`).
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|it| it.strip_prefix("VmHWM:"))
        .and_then(|it| it.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
