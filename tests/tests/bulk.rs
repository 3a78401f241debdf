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

    // Killed midway, as the first run's last batch was sent and applied but before its answer
    // was recorded: the file ends with that batch's `sending` line and half an outcome.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.iter().filter(|it| it.contains("\"state\"")).count(),
        30,
        "an outcome line per input"
    );
    let last_sending = lines.iter().rposition(|it| it.starts_with("{\"sending\"")).unwrap();
    let half = &lines[last_sending + 1][..lines[last_sending + 1].len() / 2];
    std::fs::write(&path, format!("{}\n{half}", lines[..=last_sending].join("\n"))).unwrap();
    let (resumed, resumed_fates) = run(&bulk, inputs()).await;
    assert_eq!(resumed.resumed, 20);
    assert_eq!(resumed.requests, 1, "only the last batch is sent again");
    // The report is the same as if the run had not been cut short, "created" included: the
    // checkpoint says the first run sent that batch, and the records are newer than its start.
    assert_eq!(resumed_fates, first_fates);
    assert_eq!((resumed.created, resumed.updated), (30, 0));

    // A third run sends nothing, and reports the same fates as the second.
    let (third, third_fates) = run(&bulk, inputs()).await;
    assert_eq!((third.requests, third.resumed), (0, 30));
    assert_eq!(third_fates, resumed_fates);

    // The file is JSON Lines: the run's start, the batches sent, and the report's lines.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.lines().next().unwrap().starts_with("{\"started\":"), "{text}");
    let line = text.lines().find(|it| it.contains("\"state\"")).unwrap().to_owned();
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

/// Under each fault, every input ends in exactly one state, and the server's store matches the
/// report: created and updated inputs are stored with their values, failed ones are not, and
/// unknown ones may be either.
#[tokio::test]
async fn under_every_fault_the_store_matches_the_report() {
    let faults = [
        vec![Fault::Status(503), Fault::Status(502)],
        vec![Fault::Status(500)],
        vec![Fault::Status(400)],
        vec![Fault::Status(423)],
        vec![Fault::Delay(Duration::from_secs(2))],
        vec![Fault::Drop],
        vec![Fault::ApplyThenDrop],
        vec![Fault::Drop, Fault::ApplyThenDrop, Fault::Status(503)],
    ];
    for (case, faults) in faults.into_iter().enumerate() {
        for policy in [RetryPolicy::default(), RetryPolicy::disabled()] {
            let server = FakeHubSpot::start(Config::default()).await;
            server.inject(faults.clone());
            let bulk =
                BulkUpsert::new(client(&server, policy.clone())).batch_size(10).concurrency(2);
            let mut inputs: Vec<Input> =
                (0..40).map(|it| input(&format!("d{it}"), &format!("v{it}"))).collect();
            inputs[7] = input("d7", "INVALID");
            let (totals, fates) = run(&bulk, inputs.clone()).await;
            let records = server.records();
            for (idx, fate) in &fates {
                let stored = records.get(&("external_deal_id".to_owned(), inputs[*idx].id.clone()));
                let value = stored.map(|it| it.properties["dealname"].as_str());
                match fate {
                    Fate::Created { record_id } | Fate::Updated { record_id } => {
                        let stored = stored.unwrap_or_else(|| {
                            panic!("case {case}: {idx} reported written, not stored")
                        });
                        assert_eq!(&stored.id, record_id, "case {case}: {idx}");
                        assert_eq!(
                            value,
                            Some(inputs[*idx].properties["dealname"].as_str()),
                            "case {case}: {idx}"
                        );
                    }
                    Fate::Failed { .. } => {
                        assert_eq!(stored, None, "case {case}: {idx} reported failed, but stored")
                    }
                    Fate::Unknown { .. } | Fate::Duplicate { .. } => {}
                }
            }
            let written = totals.created + totals.updated;
            assert!(
                (written..=written + totals.unknown).contains(&records.len()),
                "case {case}: {} stored, {totals:?}",
                records.len()
            );
            assert!(
                matches!(fates[&7], Fate::Failed { .. } | Fate::Unknown { .. }),
                "case {case}: {:?}",
                fates[&7]
            );
        }
    }
}

#[tokio::test]
async fn inputs_that_could_not_be_sent_failed_rather_than_unknown() {
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let (totals, fates) =
        run(&BulkUpsert::new(client), vec![input("a", "x"), input("b", "y")]).await;
    assert_eq!((totals.failed, totals.unknown), (2, 0));
    assert!(matches!(&fates[&0], Fate::Failed { error } if error.contains("request failed")));
}
