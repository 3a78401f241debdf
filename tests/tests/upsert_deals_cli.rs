//! The `upsert-deals` example program, run as a user runs it, against the HubSpot-like server.

use std::{path::PathBuf, process::Command};

use codegen_tests::{
    hubspot::{Config, FakeHubSpot},
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
        let output = Command::new(env!("CARGO"))
            .args(["run", "--quiet", "-p", "hubspot-deals", "--example", "upsert-deals", "--"])
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

/// The example's executable, built (once) by cargo; run directly, so that killing it kills it.
fn executable() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "-p",
            "hubspot-deals",
            "--example",
            "upsert-deals",
            "--message-format=json",
        ])
        .current_dir(project_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|it| serde_json::from_str::<serde_json::Value>(it).ok())
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
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
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
