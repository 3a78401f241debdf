//! The `upsert-deals` example program, run as a user runs it, against the HubSpot-like server.

use std::{path::PathBuf, process::Command};

use codegen_tests::{
    hubspot::{Config, FakeHubSpot, Fault, OAuth},
    project_root,
};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("upsert-deals-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the example with `args`; its exit code, standard output and standard error.
async fn upsert_deals(args: Vec<String>) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || {
        let output = Command::new(executable())
            .args(&args)
            .current_dir(project_root())
            .env("HUBSPOT_TOKEN", "pat-cli-test")
            .output()
            .unwrap();
        let text = |it: &[u8]| String::from_utf8_lossy(it).into_owned();
        (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_is_upserted_and_every_row_reported() {
    let server = FakeHubSpot::start(Config::default()).await;
    let dir = scratch("csv");
    let input = dir.join("deals.csv");
    let mut csv = String::from("external_deal_id,dealname,amount\n");
    for it in 0..150 {
        csv.push_str(&format!("d{it},Deal {it},{it}\n"));
    }
    csv.push_str("d151,too,many,columns\n"); // line 152: unreadable
    csv.push_str("d152,INVALID,1\n"); // refused by the server
    csv.push_str("d0,Deal zero again,0\n"); // the same deal as line 2, later
    std::fs::write(&input, csv).unwrap();
    let report = dir.join("report.jsonl");
    let (code, stdout, stderr) = upsert_deals(vec![
        "--input".into(),
        input.display().to_string(),
        "--id-property".into(),
        "external_deal_id".into(),
        "--base-url".into(),
        server.url(),
        "--report".into(),
        report.display().to_string(),
    ])
    .await;
    assert_eq!(code, 1, "a record failed, so the exit status says so\n{stdout}\n{stderr}");
    assert!(stderr.contains("line 152"), "the unreadable row is named by its line:\n{stderr}");
    assert!(stderr.contains("line 153"), "the refused record is named by its line:\n{stderr}");
    for (name, count) in [("created", 150), ("updated", 1), ("failed", 1), ("unreadable rows", 1)] {
        let row = stdout.lines().find(|it| it.starts_with(name)).unwrap_or_default();
        assert!(
            row.trim_end().ends_with(&format!(" {count}")),
            "{name}: {count} expected in\n{stdout}"
        );
    }
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|it| serde_json::from_str(it).unwrap())
        .collect();
    assert_eq!(lines.len(), 153, "one report line per data row");
    assert!(lines.iter().any(|it| it["line"] == 154 && it["state"] == "updated"));
    assert_eq!(
        server.records()[&("external_deal_id".to_owned(), "d0".to_owned())].properties["dealname"],
        "Deal zero again"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_sends_nothing() {
    let server = FakeHubSpot::start(Config::default()).await;
    let dir = scratch("dry");
    let input = dir.join("deals.jsonl");
    std::fs::write(&input, "{\"external_deal_id\": \"a\", \"dealname\": \"A\"}\n{\"external_deal_id\": \"b\", \"amount\": 5}\n").unwrap();
    let (code, stdout, stderr) = upsert_deals(vec![
        "--input".into(),
        input.display().to_string(),
        "--id-property".into(),
        "external_deal_id".into(),
        "--base-url".into(),
        server.url(),
        "--dry-run".into(),
    ])
    .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("2 records read, 0 invalid"), "{stdout}");
    assert_eq!(server.requests(), (0, 0));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The example's executable, as `cargo test --workspace` builds it (it builds the examples of
/// every member); run directly, so that killing it kills it.
///
/// Asked of `cargo test --workspace --no-run`, which builds what is stale and names what it
/// built: after `cargo test --workspace` nothing is, and no second build of the client is
/// made. (`cargo build` would give the example a build of its own, and `-p hubspot-deals`
/// resolve fewer features, compiling tokio, hyper and reqwest again.)
fn executable() -> PathBuf {
    static EXECUTABLE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    EXECUTABLE.get_or_init(build).clone()
}

fn build() -> PathBuf {
    let output = codegen_tests::cargo::cargo()
        .args(["test", "--quiet", "--workspace", "--no-run", "--message-format=json"])
        .current_dir(project_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|it| serde_json::from_str::<serde_json::Value>(it).ok())
        .filter(|it| it["target"]["name"] == "upsert-deals" && it["target"]["kind"][0] == "example")
        .find_map(|it| it["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the example's executable")
}

/// The state of every report line, by line number.
fn states(report: &std::path::Path) -> std::collections::BTreeMap<u64, String> {
    std::fs::read_to_string(report)
        .unwrap()
        .lines()
        .map(|it| serde_json::from_str::<serde_json::Value>(it).unwrap())
        .map(|it| (it["line"].as_u64().unwrap(), it["state"].as_str().unwrap().to_owned()))
        .collect()
}

/// 10,000 rows; a run killed midway, then resumed from its checkpoint, ends with the same
/// report and the same store as a run that was never interrupted.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_run_resumes_to_the_same_report_and_store() {
    let exe = tokio::task::spawn_blocking(executable).await.unwrap();
    let dir = scratch("kill");
    let input = dir.join("deals.csv");
    let mut csv = String::from("external_deal_id,dealname\n");
    for it in 0..10_000 {
        csv.push_str(&format!("d{it},Deal {it}\n"));
    }
    std::fs::write(&input, csv).unwrap();
    let config =
        Config { limit: 25, window: std::time::Duration::from_secs(1), ..Config::default() };
    let run = |url: String, report: PathBuf, checkpoint: Option<PathBuf>| {
        let mut command = Command::new(&exe);
        command
            .args(["--input", &input.display().to_string(), "--id-property", "external_deal_id"])
            .args(["--base-url", &url, "--report", &report.display().to_string()])
            .args(["--rate-limit", "250"])
            .env("HUBSPOT_TOKEN", "pat-cli-test")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Some(checkpoint) = checkpoint {
            command.args(["--checkpoint", &checkpoint.display().to_string()]);
        }
        command
    };

    let interrupted = FakeHubSpot::start(config.clone()).await;
    let checkpoint = dir.join("checkpoint.jsonl");
    let mut first =
        run(interrupted.url(), dir.join("first.jsonl"), Some(checkpoint.clone())).spawn().unwrap();
    // Killed once the checkpoint records 2,000 outcomes, whatever the time the program takes to
    // start: a fixed sleep could kill it before it wrote anything, or after it finished.
    let outcomes = || {
        std::fs::read_to_string(&checkpoint)
            .map(|it| it.lines().filter(|line| line.contains("\"state\"")).count())
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while outcomes() < 2_000 {
        assert!(std::time::Instant::now() < deadline, "no 2,000 outcomes in 2 minutes");
        assert!(first.try_wait().unwrap().is_none(), "the program ended before it was killed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let written = interrupted.records().len();
    assert!(written > 0 && written < 10_000, "killed midway: {written} written");
    let mut resume = run(interrupted.url(), dir.join("resumed.jsonl"), Some(checkpoint));
    let status = tokio::task::spawn_blocking(move || resume.status()).await.unwrap().unwrap();
    assert!(status.success());

    let whole = FakeHubSpot::start(config).await;
    let mut straight = run(whole.url(), dir.join("straight.jsonl"), None);
    let status = tokio::task::spawn_blocking(move || straight.status()).await.unwrap().unwrap();
    assert!(status.success());

    let (resumed, straight) =
        (states(&dir.join("resumed.jsonl")), states(&dir.join("straight.jsonl")));
    assert_eq!(resumed.len(), 10_000);
    assert_eq!(resumed, straight, "the same fate for every line");
    let values = |server: &FakeHubSpot| {
        server
            .records()
            .into_iter()
            .map(|(key, it)| (key, it.properties, it.writes > 0))
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&interrupted), values(&whole), "the same store");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The report's lines, by index: the state and the whole line.
fn report_lines(report: &std::path::Path) -> std::collections::BTreeMap<usize, serde_json::Value> {
    std::fs::read_to_string(report)
        .unwrap()
        .lines()
        .map(|it| serde_json::from_str::<serde_json::Value>(it).unwrap())
        .map(|it| (it["index"].as_u64().unwrap() as usize, it))
        .collect()
}

/// The deals' properties as stored, by id, the id property left out.
fn stored(
    server: &FakeHubSpot,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
    server
        .records()
        .into_iter()
        .map(|((_, id), mut record)| {
            record.properties.remove("external_deal_id");
            (id, record.properties)
        })
        .collect()
}

/// The program's arguments for `input`, deals keyed by `external_deal_id`, against `server`,
/// then `extra`.
fn cli_args(input: &str, server: &FakeHubSpot, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["--input", input, "--id-property", "external_deal_id"]
        .iter()
        .map(|it| (*it).to_owned())
        .collect();
    args.extend(["--base-url".to_owned(), server.url()]);
    args.extend(extra.iter().map(|it| (*it).to_owned()));
    args
}

/// A blank cell leaves the stored value alone; `--blank clear` clears it, on purpose.
#[tokio::test(flavor = "multi_thread")]
async fn a_blank_cell_keeps_the_stored_value_unless_told_to_clear() {
    let server = FakeHubSpot::start(Config::default()).await;
    let dir = scratch("blank");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let full = write("full.csv", "external_deal_id,dealname,amount\na,A,10\nb,B,20\n");
    let blank = write("blank.csv", "external_deal_id,dealname,amount\na,A2,\nb,,21\n");
    let nulls = write("nulls.jsonl", "{\"external_deal_id\":\"b\",\"dealname\":null}\n");
    let args = |input: &str, extra: &[&str]| cli_args(input, &server, extra);
    let props = |server: &FakeHubSpot, id: &str| stored(server)[id].clone();
    let (code, out, err) = upsert_deals(args(&full, &[])).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = upsert_deals(args(&blank, &[])).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(props(&server, "a")["amount"], "10", "a blank amount keeps the stored one");
    assert_eq!(props(&server, "a")["dealname"], "A2");
    assert_eq!(props(&server, "b")["dealname"], "B", "a blank name keeps the stored one");
    assert_eq!(props(&server, "b")["amount"], "21");
    let (code, out, err) = upsert_deals(args(&nulls, &[])).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(props(&server, "b")["dealname"], "B", "a JSON null keeps the stored value");
    let (code, out, err) = upsert_deals(args(&blank, &["--blank", "clear"])).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!props(&server, "a").contains_key("amount"), "cleared on purpose");
    assert!(!props(&server, "b").contains_key("dealname"), "cleared on purpose");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The acceptance run: 10,000 rows (2% of them with a blank amount over a stored one,
/// some keys repeated) through faults of every kind, OAuth tokens that expire every 50
/// requests, and HubSpot's daily limit reached at about 60% of the rows. The run stops with
/// the daily limit's exit status, a resume the next day completes, and then the store is what
/// the report says, input by input, with no token written down.
#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_rows_through_faults_expiring_tokens_and_the_daily_limit() {
    let exe = tokio::task::spawn_blocking(executable).await.unwrap();
    let dir = scratch("acceptance");
    let oauth = OAuth {
        client_id: "app-1".to_owned(),
        client_secret: "acceptance-client-secret".to_owned(),
        refresh_token: "acceptance-refresh-token".to_owned(),
        expires_in: 1800,
        requests_per_token: 50,
    };
    let config = Config { daily: Some(60), oauth: Some(oauth.clone()), ..Config::default() };
    let server = FakeHubSpot::start(config).await;
    // Deals stored before the run, with amounts the blank cells must leave alone.
    let mut seed = String::from("external_deal_id,amount\n");
    // The rows: every 50th with a blank amount, every 400th repeating an earlier deal.
    let mut csv = String::from("external_deal_id,dealname,amount\n");
    let mut rows: Vec<(String, Vec<(&str, String)>)> = Vec::new();
    for it in 0..10_000 {
        let id = if it % 400 == 399 { format!("d{}", it - 350) } else { format!("d{it}") };
        let amount = if it % 50 == 7 { String::new() } else { format!("{it}") };
        if it % 50 == 7 {
            seed.push_str(&format!("{id},{}\n", 100_000 + it));
        }
        csv.push_str(&format!("{id},Deal {it},{amount}\n"));
        let mut properties = vec![("dealname", format!("Deal {it}"))];
        if !amount.is_empty() {
            properties.push(("amount", amount));
        }
        rows.push((id, properties));
    }
    std::fs::write(dir.join("seed.csv"), &seed).unwrap();
    std::fs::write(dir.join("deals.csv"), &csv).unwrap();
    let run = |input: &str, report: &str, checkpoint: bool| {
        let mut command = Command::new(&exe);
        command
            .args(["--input", &dir.join(input).display().to_string()])
            .args(["--id-property", "external_deal_id", "--base-url", &server.url()])
            .args(["--report", &dir.join(report).display().to_string(), "--timeout", "1"])
            .env_remove("HUBSPOT_TOKEN")
            .env("HUBSPOT_CLIENT_ID", &oauth.client_id)
            .env("HUBSPOT_CLIENT_SECRET", &oauth.client_secret)
            .env("HUBSPOT_REFRESH_TOKEN", &oauth.refresh_token)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if checkpoint {
            command.args(["--checkpoint", &dir.join("checkpoint.jsonl").display().to_string()]);
        }
        command
    };
    let status = |mut command: Command| async move {
        let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
        let text = |it: &[u8]| String::from_utf8_lossy(it).into_owned();
        (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
    };
    let (code, out, err) = status(run("seed.csv", "seed.jsonl", false)).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let before = stored(&server);
    server.new_day();

    let faults = [
        Fault::Status(503),
        Fault::Status(502),
        Fault::Drop,
        Fault::ApplyThenDrop,
        Fault::Status(423),
        Fault::ApplyThenDelay(std::time::Duration::from_millis(1500)),
        Fault::ApplyThenStatus(504),
        Fault::Secondly,
        Fault::Status(500),
    ];
    server.inject(
        faults.iter().flat_map(|fault| std::iter::repeat_n(Fault::Pass, 3).chain([fault.clone()])),
    );
    let (code, out, err) = status(run("deals.csv", "first.jsonl", true)).await;
    assert_eq!(code, 3, "the daily limit's status\n{out}\n{err}");
    assert!(err.contains("daily limit"), "{err}");
    let first = report_lines(&dir.join("first.jsonl"));
    assert_eq!(first.len(), 10_000);
    let sent = |it: &serde_json::Value| it["state"] != "notSent";
    let part = first.values().filter(|it| sent(it)).count();
    assert!((4_000..9_000).contains(&part), "{part} rows sent before the daily limit");

    server.new_day();
    let (code, out, err) = status(run("deals.csv", "second.jsonl", true)).await;
    assert_eq!(code, 0, "every row written after one resume\n{out}\n{err}");
    let report = report_lines(&dir.join("second.jsonl"));
    assert_eq!(report.len(), 10_000);

    // The store the report says: the seed, then every row reported written, in order.
    let written = |idx: usize| -> bool {
        let mut idx = idx;
        loop {
            let line = &report[&idx];
            match line["state"].as_str().unwrap() {
                "created" | "updated" => return true,
                "merged" => idx = line["into"].as_u64().unwrap() as usize,
                other => panic!("row {idx} ended {other}: {line}"),
            }
        }
    };
    let mut expected = before.clone();
    for (idx, (id, properties)) in rows.iter().enumerate() {
        if written(idx) {
            let record = expected.entry(id.clone()).or_default();
            for (name, value) in properties {
                record.insert((*name).to_owned(), value.clone());
            }
        }
    }
    let store = stored(&server);
    let differ: Vec<_> = expected
        .iter()
        .filter(|(id, it)| store.get(*id) != Some(*it))
        .map(|(id, it)| format!("{id}: {it:?} expected, {:?} stored", store.get(id)))
        .collect();
    assert!(differ.is_empty(), "{} deals differ from the report: {differ:#?}", differ.len());
    assert_eq!(store.len(), expected.len(), "no deal stored that the report does not name");
    // Created means created: a record that existed before the run is never reported so.
    for (idx, (id, _)) in rows.iter().enumerate() {
        if report[&idx]["state"] == "created" {
            assert!(!before.contains_key(id), "row {idx} ({id}) existed before the run");
        }
    }
    let (tokens, refused) = server.tokens();
    assert!(tokens.len() > 2 && refused > 0, "{} tokens, {refused} refused", tokens.len());
    for file in ["first.jsonl", "second.jsonl", "checkpoint.jsonl"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for secret in tokens.iter().chain([&oauth.client_secret, &oauth.refresh_token]) {
            assert!(!text.contains(secret.as_str()), "{secret} in {file}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The exit statuses the program promises, and a JSON Lines input sent for real: 0 when every
/// record was written; 1 when a fate is unknown; 2 on bad arguments; 4 when the run stopped for
/// a batch refused whole.
#[tokio::test(flavor = "multi_thread")]
async fn exit_statuses_say_what_happened() {
    let dir = scratch("exit");
    let input = dir.join("deals.jsonl");
    std::fs::write(
        &input,
        "{\"external_deal_id\": \"a\", \"dealname\": \"A\", \"amount\": 5}\n\n{\"external_deal_id\": \"b\", \"amount\": 7.5, \"dealname\": null}\n",
    )
    .unwrap();
    let input = input.display().to_string();
    let args = |server: &FakeHubSpot, extra: &[&str]| cli_args(&input, server, extra);
    let server = FakeHubSpot::start(Config::default()).await;
    let (code, out, err) = upsert_deals(args(&server, &[])).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let store = stored(&server);
    assert_eq!(store["a"]["amount"], "5", "numbers are sent as their JSON text");
    assert_eq!(store["b"]["amount"], "7.5");
    assert!(!store["b"].contains_key("dealname"), "a null sends nothing");

    // One attempt, applied, its answer lost: unknown, exit 1.
    let report = dir.join("report.jsonl");
    server.inject([Fault::ApplyThenDrop]);
    let (code, out, err) = upsert_deals(args(
        &server,
        &["--max-attempts", "1", "--report", &report.display().to_string()],
    ))
    .await;
    assert_eq!(code, 1, "{out}\n{err}");
    let states = report_lines(&report);
    assert!(states.values().all(|it| it["state"] == "unknown"), "{states:?}");

    // Bad arguments: exit 2, nothing sent.
    let before = server.requests();
    for bad in [&["--error-budget", "150%"][..], &["--max-attempts", "0"], &["--blank", "erase"]] {
        let (code, _, err) = upsert_deals(args(&server, bad)).await;
        assert_eq!(code, 2, "{bad:?}: {err}");
    }
    assert_eq!(server.requests(), before);

    // A batch refused whole at the start: the run stops, exit 4.
    let config = Config { non_unique: vec!["external_deal_id".to_owned()], ..Config::default() };
    let refusing = FakeHubSpot::start(config).await;
    let (code, out, err) = upsert_deals(args(&refusing, &[])).await;
    assert_eq!(code, 4, "{out}\n{err}");
    assert!(err.contains("not a unique property"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
