//! Bulk upsert against the HubSpot-like server: every input gets exactly one fate, and the
//! server ends with what the inputs say.

use std::{collections::BTreeMap, time::Duration};

use codegen_tests::hubspot::{Config, FakeHubSpot, Fault};
use hubspot_deals::{
    Client, RetryPolicy,
    bulk::{BulkUpsert, Fate, Outcome, Totals},
    models::SimplePublicObjectBatchInputUpsert as Input,
};

fn client(server: &FakeHubSpot, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(server.url())
        .bearer_token("pat-fake")
        .timeout(Duration::from_millis(500))
        .retry_policy(policy.backoff(Duration::from_millis(5), Duration::from_millis(20)))
        .build()
        .unwrap()
}

fn input(id: &str, dealname: &str) -> Input {
    Input::new(id, [("dealname".to_owned(), dealname.to_owned())])
        .with_id_property("external_deal_id")
}

async fn run(bulk: &BulkUpsert, inputs: Vec<Input>) -> (Totals, BTreeMap<usize, Fate>) {
    let count = inputs.len();
    let mut fates = BTreeMap::new();
    let totals = bulk
        .run(inputs, |outcome: Outcome| {
            let previous = fates.insert(outcome.index, outcome.fate);
            assert!(previous.is_none(), "input {} got two fates", outcome.index);
        })
        .await
        .unwrap();
    assert_eq!(fates.len(), count, "every input gets a fate");
    assert_eq!(totals.inputs(), count);
    (totals, fates)
}

fn record_name(server: &FakeHubSpot, id: &str) -> Option<String> {
    server
        .records()
        .get(&("external_deal_id".to_owned(), id.to_owned()))
        .map(|it| it.properties["dealname"].clone())
}

#[tokio::test]
async fn every_input_is_accounted_for() {
    let server = FakeHubSpot::start(Config::default()).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).concurrency(3);
    let mut inputs: Vec<Input> = (0..250).map(|it| input(&format!("d{it}"), "first")).collect();
    inputs[10] = input("d5", "last write"); // a duplicate of input 5, in the same batch
    inputs[20] = input("", "no id"); // refused by the spec's constraints
    inputs[30] = input("d30", "INVALID"); // refused by the server, alone
    inputs.push(input("d0", "much later")); // the same key as input 0, long after it was sent
    let (totals, fates) = run(&bulk, inputs).await;

    assert_eq!(fates[&5], Fate::Duplicate { superseded_by: 10 });
    assert!(
        matches!(&fates[&20], Fate::Failed { error: it } if it.contains("minLength")),
        "{:?}",
        fates[&20]
    );
    assert!(
        matches!(&fates[&30], Fate::Failed { error: it } if it.contains("VALIDATION_ERROR")),
        "{:?}",
        fates[&30]
    );
    assert!(matches!(fates[&0], Fate::Created { .. }));
    assert!(matches!(fates[&250], Fate::Updated { .. }), "{:?}", fates[&250]);
    assert_eq!(
        (totals.created, totals.updated, totals.failed, totals.duplicates, totals.unknown),
        (247, 1, 2, 1, 0)
    );
    // 251 inputs, one invalid and one merged: batches of 100, 100 and 49.
    assert_eq!(totals.requests, 3);
    assert_eq!(record_name(&server, "d5").as_deref(), Some("last write"));
    assert_eq!(record_name(&server, "d0").as_deref(), Some("much later"));
    assert_eq!(record_name(&server, "d30"), None);
    assert_eq!(server.records().len(), 247);
}

#[tokio::test]
async fn a_second_run_updates_what_the_first_created() {
    let server = FakeHubSpot::start(Config::default()).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default()));
    let inputs = || (0..120).map(|it| input(&format!("d{it}"), "x")).collect::<Vec<_>>();
    let (first, _) = run(&bulk, inputs()).await;
    let (second, _) = run(&bulk, inputs()).await;
    assert_eq!((first.created, first.updated), (120, 0));
    assert_eq!((second.created, second.updated), (0, 120));
}

#[tokio::test]
async fn a_batch_refused_whole_is_split_until_it_goes_through() {
    let server = FakeHubSpot::start(Config::default()).await;
    server.inject([Fault::Status(400), Fault::Status(400)]);
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default()));
    let (totals, _) = run(&bulk, (0..8).map(|it| input(&format!("d{it}"), "x")).collect()).await;
    // 8 refused → 4 refused → 2 + 2 + 4 sent.
    assert_eq!((totals.created, totals.requests), (8, 5));
}

#[tokio::test]
async fn a_batch_whose_answer_is_lost_is_unknown_not_dropped() {
    let server = FakeHubSpot::start(Config::default()).await;
    server.inject([Fault::ApplyThenDrop]);
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::disabled())).batch_size(5);
    let (totals, fates) =
        run(&bulk, (0..10).map(|it| input(&format!("d{it}"), "x")).collect()).await;
    assert_eq!((totals.unknown, totals.created), (5, 5));
    assert!(fates.values().filter(|it| matches!(it, Fate::Unknown { .. })).count() == 5);
    // The lost batch was applied all the same: unknown means "may have been written".
    assert_eq!(server.records().len(), 10);
}

#[tokio::test]
async fn rate_limited_batches_are_retried_until_written() {
    let server = FakeHubSpot::start(Config { limit: 3, window: Duration::from_millis(300) }).await;
    let bulk =
        BulkUpsert::new(client(&server, RetryPolicy::default())).batch_size(10).concurrency(4);
    let (totals, _) = run(&bulk, (0..100).map(|it| input(&format!("d{it}"), "x")).collect()).await;
    assert_eq!(totals.created, 100);
    let (_, limited) = server.requests();
    assert!(limited > 0, "the server's limit was reached");
}

#[tokio::test]
async fn a_checkpoint_resumes_without_resending_what_was_confirmed() {
    let dir = std::env::temp_dir().join(format!("bulk-checkpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("run.jsonl");
    let _ = std::fs::remove_file(&path);
    let server = FakeHubSpot::start(Config::default()).await;
    let inputs = || (0..30).map(|it| input(&format!("d{it}"), "x")).collect::<Vec<_>>();
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::disabled()))
        .batch_size(10)
        .concurrency(1)
        .checkpoint(&path);
    let (first, first_fates) = run(&bulk, inputs()).await;
    assert_eq!((first.created, first.requests), (30, 3));

    // Killed midway: the file keeps 12 whole lines and half of the 13th.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 30, "one line per input");
    let cut = format!("{}\n{}", lines[..12].join("\n"), &lines[12][..lines[12].len() / 2]);
    std::fs::write(&path, cut).unwrap();
    let (resumed, resumed_fates) = run(&bulk, inputs()).await;
    assert_eq!(resumed.resumed, 12);
    assert_eq!(resumed.requests, 2, "only the 18 inputs not confirmed are sent, in two batches");
    // Those 18 were written already by the first run: now they are updates.
    assert_eq!((resumed.created, resumed.updated), (12, 18));
    for idx in 0..12 {
        assert_eq!(resumed_fates[&idx], first_fates[&idx], "{idx} comes from the checkpoint");
    }
    for idx in 12..30 {
        assert!(matches!(resumed_fates[&idx], Fate::Updated { .. }), "{idx} was sent again");
    }

    // A third run sends nothing, and reports the same fates as the second.
    let (third, third_fates) = run(&bulk, inputs()).await;
    assert_eq!((third.requests, third.resumed), (0, 30));
    assert_eq!(third_fates, resumed_fates);

    // The file is JSON Lines of the report.
    let line = std::fs::read_to_string(&path).unwrap().lines().next().unwrap().to_owned();
    let value: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(value["state"], "created");
    assert!(
        value["recordId"].is_string()
            && value["index"].is_u64()
            && value["idProperty"] == "external_deal_id"
    );

    // Another input against the same checkpoint is refused.
    let other: Vec<Input> = (0..30).map(|it| input(&format!("other{it}"), "x")).collect();
    let err = bulk.run(other, |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("belongs to another run"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A stream of inputs from a channel, as a producer task fills it.
struct Channel(tokio::sync::mpsc::Receiver<Input>);

impl futures_core::Stream for Channel {
    type Item = Input;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Input>> {
        self.0.poll_recv(cx)
    }
}

#[tokio::test]
async fn inputs_may_come_from_an_async_stream() {
    let server = FakeHubSpot::start(Config::default()).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).batch_size(20);
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        for it in 0..150 {
            tx.send(input(&format!("d{it}"), "x")).await.unwrap();
            if it % 50 == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });
    let mut count = 0;
    let totals = bulk.run_stream(Channel(rx), |_| count += 1, |_| {}).await.unwrap();
    assert_eq!((count, totals.created, totals.requests), (150, 150, 8));
    assert_eq!(server.records().len(), 150);
}
