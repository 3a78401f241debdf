//! Bulk upsert against the HubSpot-like server: every input gets exactly one fate, and the
//! server ends with what the inputs say.

use std::{collections::BTreeMap, time::Duration};

use codegen_tests::hubspot::{Config, FakeHubSpot, Fault, OAuth, TOKEN_PATH};
use hubspot_deals::{
    Client, RetryPolicy,
    bulk::{BulkUpsert, DailyReserve, Fate, Outcome, StopCause, Totals},
    models::SimplePublicObjectBatchInputUpsert as Input,
    runtime::OAuthRefresh,
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

    assert_eq!(fates[&5], Fate::Merged { into: 10 });
    assert!(
        matches!(&fates[&20], Fate::Failed { error: it, transient: false } if it.contains("minLength")),
        "{:?}",
        fates[&20]
    );
    assert!(
        matches!(&fates[&30], Fate::Failed { error: it, transient: false } if it.contains("VALIDATION_ERROR")),
        "{:?}",
        fates[&30]
    );
    assert!(matches!(fates[&0], Fate::Created { .. }));
    assert!(matches!(fates[&250], Fate::Updated { .. }), "{:?}", fates[&250]);
    assert_eq!(
        (totals.created, totals.updated, totals.failed, totals.merged, totals.unknown),
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
    let server = FakeHubSpot::start(Config {
        limit: 3,
        window: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
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
    let last_sending = lines.iter().rposition(|it| it.contains("\"sending\":")).unwrap();
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
        vec![Fault::ApplyThenDelay(Duration::from_secs(1)), Fault::Status(502)],
        vec![Fault::ApplyThenStatus(504)],
        vec![Fault::ApplyThenDrop, Fault::Secondly, Fault::Status(503)],
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
                    Fate::Unknown { .. } | Fate::Merged { .. } | Fate::NotSent { .. } => {}
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
    // A port held but not listened on: connections are refused, and nobody else can take it.
    let (_held, addr) = codegen_tests::refusing_address();
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .bearer_token("t")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let (totals, fates) =
        run(&BulkUpsert::new(client), vec![input("a", "x"), input("b", "y")]).await;
    assert_eq!((totals.failed, totals.transient, totals.unknown), (2, 2, 0));
    assert!(matches!(
        &fates[&0],
        Fate::Failed { error, transient: true } if error.contains("request failed")
    ));
}

// What follows checks fates against HubSpot's real semantics: the store is compared with the
// report input by input.

type Store = BTreeMap<String, BTreeMap<String, String>>;

/// The deals' properties as stored, by id (the id property left out).
fn store(server: &FakeHubSpot) -> Store {
    server
        .records()
        .into_iter()
        .map(|((_, id), record)| {
            let mut properties = record.properties;
            properties.remove("external_deal_id");
            (id, properties)
        })
        .collect()
}

/// The store the report says there should be: `before`, then every input reported written
/// (created, updated, or merged into one that was) applied in input order, as HubSpot applies
/// an update: the properties it names, `""` clearing. Every fate must be settled.
fn expected(before: &Store, inputs: &[Input], fates: &BTreeMap<usize, Fate>) -> Store {
    let written = |idx: usize| -> bool {
        let mut idx = idx;
        loop {
            match &fates[&idx] {
                Fate::Created { .. } | Fate::Updated { .. } => return true,
                Fate::Merged { into } => idx = *into,
                Fate::Failed { transient: false, .. } => return false,
                other => panic!("input {idx} is not settled: {other:?}"),
            }
        }
    };
    let mut res = before.clone();
    for (idx, input) in inputs.iter().enumerate() {
        if !written(idx) {
            continue;
        }
        let record = res.entry(input.id.clone()).or_default();
        for (name, value) in &input.properties {
            if value.is_empty() {
                record.remove(name);
            } else {
                record.insert(name.clone(), value.clone());
            }
        }
    }
    res
}

/// A run's fates, with those of an earlier run for inputs it resumed (a resumed run reports
/// them again, so the latest fate of each input wins).
fn latest(runs: &[&BTreeMap<usize, Fate>]) -> BTreeMap<usize, Fate> {
    runs.iter().flat_map(|it| it.iter().map(|(idx, fate)| (*idx, fate.clone()))).collect()
}

fn scratch_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bulk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("checkpoint.jsonl")
}

fn deal(id: &str, properties: &[(&str, &str)]) -> Input {
    let properties = properties.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    Input::new(id, properties.collect::<BTreeMap<_, _>>()).with_id_property("external_deal_id")
}

/// An attempt applied then answered too late, then a 502 on the last attempt: nothing says
/// whether the batch was written, so its inputs are unknown, not failed; a resume sends them
/// again, and then the report and the store agree, "created" included.
#[tokio::test]
async fn an_applied_attempt_then_a_gateway_error_is_unknown_until_a_resume_settles_it() {
    let path = scratch_file("gateway");
    let server = FakeHubSpot::start(Config::default()).await;
    server.inject([Fault::ApplyThenDelay(Duration::from_secs(2)), Fault::Status(502)]);
    let policy = RetryPolicy::default().max_attempts(2);
    let bulk =
        BulkUpsert::new(client(&server, policy)).batch_size(10).concurrency(1).checkpoint(&path);
    let inputs: Vec<Input> =
        (0..30).map(|it| deal(&format!("d{it}"), &[("dealname", "x")])).collect();
    let (first, first_fates) = run(&bulk, inputs.clone()).await;
    assert_eq!((first.unknown, first.failed, first.created), (10, 0, 20), "{first:?}");
    assert!(matches!(&first_fates[&0], Fate::Unknown { reason } if reason.contains("502")));
    assert_eq!(server.records().len(), 30, "the unknown batch was written all the same");

    let (second, second_fates) = run(&bulk, inputs.clone()).await;
    assert_eq!((second.resumed, second.requests, second.unsettled()), (20, 1, 0));
    let fates = latest(&[&first_fates, &second_fates]);
    // The batch's records were created by the first run's lost attempt.
    assert!(fates.values().all(|it| matches!(it, Fate::Created { .. })), "{fates:?}");
    assert_eq!(store(&server), expected(&Store::new(), &inputs, &fates));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

/// An attempt applied whose answer was lost, then a retry that succeeds: HubSpot answers
/// `new: false`, but the records were created by this call.
#[tokio::test]
async fn applied_then_dropped_then_answered_is_created() {
    let server = FakeHubSpot::start(Config::default()).await;
    server.inject([Fault::ApplyThenDrop, Fault::ApplyThenStatus(504)]);
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).batch_size(10);
    let inputs: Vec<Input> =
        (0..10).map(|it| deal(&format!("d{it}"), &[("dealname", "x")])).collect();
    let (totals, fates) = run(&bulk, inputs.clone()).await;
    assert_eq!((totals.created, totals.updated, totals.retries), (10, 0, 2), "{totals:?}");
    assert_eq!(store(&server), expected(&Store::new(), &inputs, &fates));
    // Updates stay updates, however the call went.
    server.inject([Fault::ApplyThenDrop]);
    let (again, _) = run(&bulk, inputs).await;
    assert_eq!((again.created, again.updated), (0, 10));
}

/// HubSpot's daily limit, spent by another integration of the account after 4 of this run's
/// requests: the run stops at once (the refused requests of the batches in flight, nothing
/// after them), reports the rest not sent and says why; the next day a resume completes it.
#[tokio::test]
async fn a_daily_429_stops_the_run_and_a_resume_the_next_day_completes_it() {
    let path = scratch_file("daily");
    let server = FakeHubSpot::start(Config { daily: Some(1000), ..Config::default() }).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default()))
        .batch_size(10)
        .concurrency(2)
        .checkpoint(&path);
    let mut inputs: Vec<Input> =
        (0..100).map(|it| deal(&format!("d{it}"), &[("dealname", &format!("v{it}"))])).collect();
    // A deal the first batch created, written again after the limit strikes.
    inputs[95] = deal("d5", &[("amount", "95")]);
    let mut first_fates = BTreeMap::new();
    let first = bulk
        .run_with_progress(
            inputs.clone(),
            |it| {
                first_fates.insert(it.index, it.fate);
            },
            |totals| {
                if totals.created == 40 {
                    server.spend_today(1000);
                }
            },
        )
        .await
        .unwrap();
    let stop = first.stopped.clone().expect("the run says it stopped");
    assert_eq!(stop.cause, StopCause::DailyLimit);
    assert!(stop.message.contains("midnight"), "{stop}");
    assert!((40..=50).contains(&first.created), "{first:?}");
    assert!(first.not_sent >= 40, "{first:?}");
    let (requests, _) = server.requests();
    assert!(requests <= first.created / 10 + 2, "{requests} requests");
    assert_eq!(first.created + first.transient + first.not_sent, 100, "{first:?}");

    server.new_day();
    let (second, second_fates) = run(&bulk, inputs.clone()).await;
    assert_eq!(second.unsettled(), 0, "{second:?}");
    assert_eq!(second.resumed, first.created);
    let fates = latest(&[&first_fates, &second_fates]);
    // Refused, then sent again: an update of the record the first batch created, not a creation.
    assert!(matches!(fates[&95], Fate::Updated { .. }), "{:?}", fates[&95]);
    assert_eq!(store(&server), expected(&Store::new(), &inputs, &fates));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

/// The run stops before HubSpot's daily remaining requests reach the reserve: nothing is
/// refused, the rest is not sent.
#[tokio::test]
async fn the_daily_reserve_is_left_to_other_integrations() {
    let server = FakeHubSpot::start(Config { daily: Some(20), ..Config::default() }).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default()))
        .batch_size(5)
        .concurrency(1)
        .daily_reserve(DailyReserve::Share(0.25));
    let inputs: Vec<Input> = (0..200).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    let (totals, _) = run(&bulk, inputs).await;
    assert_eq!(totals.stopped.map(|it| it.cause), Some(StopCause::DailyReserve));
    assert_eq!((totals.requests, totals.created, totals.not_sent), (15, 75, 125));
    assert_eq!(server.requests(), (15, 0));
}

/// Too many failures in a row: the run stops rather than spend the day's requests on errors.
#[tokio::test]
async fn the_error_budget_stops_a_failing_run() {
    let server = FakeHubSpot::start(Config::default()).await;
    server.inject(std::iter::repeat_n(Fault::Status(503), 40));
    let bulk =
        BulkUpsert::new(client(&server, RetryPolicy::disabled())).batch_size(10).concurrency(1);
    let inputs: Vec<Input> = (0..500).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    let (totals, fates) = run(&bulk, inputs).await;
    assert_eq!(totals.stopped.map(|it| it.cause), Some(StopCause::ErrorBudget));
    // More than 5% of 200: the 11th failure stops it.
    assert_eq!(totals.requests, 11);
    assert_eq!((totals.failed, totals.transient, totals.not_sent), (110, 110, 390));
    assert!(matches!(&fates[&0], Fate::Failed { transient: true, .. }));
}

/// A refusal that is about the request, not any input (an `idProperty` that is not unique),
/// without a message too (then only its category and status say what it is; its correlation id
/// differs every time): three requests for the batch, the run stopped.
#[tokio::test]
async fn a_batch_refused_whole_without_a_message_is_recognised_too() {
    let config = Config {
        non_unique: vec!["external_deal_id".to_owned()],
        messages: false,
        ..Config::default()
    };
    let server = FakeHubSpot::start(config).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).concurrency(1);
    let inputs: Vec<Input> = (0..300).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    let (totals, _) = run(&bulk, inputs).await;
    assert_eq!(server.requests(), (3, 0));
    assert_eq!(totals.stopped.map(|it| it.cause), Some(StopCause::BatchRefused));
    assert_eq!((totals.failed, totals.not_sent), (100, 200));
}

/// A refusal that is about the request, not any input (an `idProperty` that is not unique):
/// three requests for the batch, every input failed with HubSpot's message, the run stopped.
#[tokio::test]
async fn a_batch_refused_whole_stops_the_run_after_three_requests() {
    let config = Config { non_unique: vec!["external_deal_id".to_owned()], ..Config::default() };
    let server = FakeHubSpot::start(config).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).concurrency(1);
    let inputs: Vec<Input> = (0..1000).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    let (totals, fates) = run(&bulk, inputs).await;
    assert_eq!(server.requests(), (3, 0));
    let stop = totals.stopped.expect("stopped");
    assert_eq!(stop.cause, StopCause::BatchRefused);
    assert!(stop.message.contains("not a unique property"), "{stop}");
    assert_eq!((totals.failed, totals.not_sent), (100, 900));
    // Not the inputs' fault: a resume (once the property is made unique) sends them again.
    assert!(matches!(
        &fates[&0],
        Fate::Failed { error, transient: true } if error.contains("not a unique property")
    ));
}

/// Inputs that make HubSpot refuse a whole request (as an input does that the API cannot read):
/// the batch is split until they are alone, at most 2·k·⌈log2 n⌉ + 1 requests for k of them in
/// a batch of n, and only they fail.
#[tokio::test]
async fn bisection_finds_the_inputs_at_fault_in_logarithmic_requests() {
    for culprits in [vec![37], vec![3, 60], vec![0, 1, 2]] {
        let server = FakeHubSpot::start(Config::default()).await;
        let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).batch_size(64);
        let inputs: Vec<Input> = (0..64)
            .map(|it| {
                let value = if culprits.contains(&it) { "REFUSE_BATCH" } else { "fine" };
                deal(&format!("d{it}"), &[("n", value)])
            })
            .collect();
        let (totals, fates) = run(&bulk, inputs).await;
        let bound = 2 * culprits.len() * 6 + 1;
        assert!(totals.requests <= bound, "{culprits:?}: {} > {bound}", totals.requests);
        assert_eq!((totals.created, totals.failed), (64 - culprits.len(), culprits.len()));
        for it in &culprits {
            assert!(
                matches!(&fates[it], Fate::Failed { error, transient: false } if error.contains(&format!("d{it}:"))),
                "{it}: {:?}",
                fates[it]
            );
        }
        assert_eq!(totals.stopped, None);
    }
}

/// HubSpot has changed success codes under clients before: a 2xx the spec does not list is
/// read as the 207's body when it can be, and otherwise its fate is unknown, body kept.
#[tokio::test]
async fn an_undocumented_success_is_read_when_it_can_be() {
    let server = FakeHubSpot::start(Config { success_status: 201, ..Config::default() }).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).batch_size(10);
    let inputs: Vec<Input> = (0..20).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    server.inject([Fault::Status(202)]);
    let (totals, fates) = run(&bulk, inputs).await;
    assert_eq!((totals.created, totals.unknown), (10, 10), "{totals:?}");
    let unknown = fates.values().find_map(|it| match it {
        Fate::Unknown { reason } => Some(reason.clone()),
        _ => None,
    });
    let reason = unknown.unwrap();
    assert!(reason.contains("202") && reason.contains("injected"), "{reason}");
}

/// Rows with one key, within a batch and across batches: whatever the batch size, the store
/// ends as if every row had been applied in order.
#[tokio::test]
async fn duplicates_end_as_if_applied_in_order_wherever_batches_fall() {
    let inputs = vec![
        deal("a", &[("dealname", "A1"), ("amount", "10")]),
        deal("b", &[("dealname", "B1")]),
        deal("a", &[("stage", "won")]),
        deal("c", &[("dealname", "C1"), ("amount", "5")]),
        deal("a", &[("dealname", "A3")]),
        deal("c", &[("amount", "")]),
        deal("b", &[("amount", "7")]),
        deal("a", &[("amount", "11")]),
    ];
    let mut stores = Vec::new();
    for batch_size in [1, 2, 3, 100] {
        let server = FakeHubSpot::start(Config::default()).await;
        let bulk = BulkUpsert::new(client(&server, RetryPolicy::default())).batch_size(batch_size);
        let (totals, fates) = run(&bulk, inputs.clone()).await;
        assert_eq!(totals.unsettled(), 0);
        assert_eq!(store(&server), expected(&Store::new(), &inputs, &fates), "batch {batch_size}");
        if batch_size == 100 {
            assert_eq!(fates[&0], Fate::Merged { into: 7 });
            assert_eq!(fates[&2], Fate::Merged { into: 7 });
            assert_eq!(totals.merged, 5);
        }
        stores.push(store(&server));
    }
    assert!(stores.windows(2).all(|it| it[0] == it[1]), "{stores:#?}");
    let a = &stores[0]["a"];
    assert_eq!(
        (a["dealname"].as_str(), a["amount"].as_str(), a["stage"].as_str()),
        ("A3", "11", "won")
    );
    assert!(!stores[0]["c"].contains_key("amount"), "cleared by the later row");
}

/// A trace id the caller repeats is refused for the repeat: HubSpot's answer could not say
/// which of the two an error is about.
#[tokio::test]
async fn a_repeated_trace_id_is_refused_for_the_repeat() {
    let server = FakeHubSpot::start(Config::default()).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default()));
    let inputs = vec![
        deal("a", &[("n", "1")]).with_object_write_trace_id("t1"),
        deal("b", &[("n", "1")]).with_object_write_trace_id("t1"),
        deal("c", &[("n", "1")]).with_object_write_trace_id("t2"),
    ];
    let (_, fates) = run(&bulk, inputs).await;
    assert!(matches!(fates[&0], Fate::Created { .. }));
    assert!(
        matches!(&fates[&1], Fate::Failed { error, transient: false } if error.contains("`t1`"))
    );
    assert!(matches!(fates[&2], Fate::Created { .. }));
}

/// A server that does not echo trace ids: results are mapped by the id property's value.
#[tokio::test]
async fn results_without_trace_ids_are_mapped_by_the_id_property() {
    let server = FakeHubSpot::start(Config { echo_trace_ids: false, ..Config::default() }).await;
    let bulk = BulkUpsert::new(client(&server, RetryPolicy::default()));
    let mut inputs: Vec<Input> =
        (0..50).map(|it| deal(&format!("d{it}"), &[("dealname", "x")])).collect();
    inputs[3] = deal("d3", &[("dealname", "INVALID")]);
    let (totals, fates) = run(&bulk, inputs.clone()).await;
    // The refused input is named by its trace id in `errors`, which HubSpot always sends.
    assert_eq!((totals.created, totals.failed, totals.unknown), (49, 1, 0), "{totals:?}");
    for (idx, fate) in &fates {
        if let Fate::Created { record_id } = fate {
            let key = ("external_deal_id".to_owned(), inputs[*idx].id.clone());
            assert_eq!(&server.records()[&key].id, record_id, "{idx}");
        }
    }
}

/// OAuth access tokens that expire every 50 requests: each expiry costs a refused request per
/// batch in flight and one refresh, and no refusal reaches the report; no secret reaches the
/// report or the checkpoint.
#[tokio::test]
async fn expiring_oauth_tokens_are_refreshed_and_never_written_down() {
    let path = scratch_file("oauth");
    let oauth = OAuth {
        client_id: "app-1".to_owned(),
        client_secret: "shh-client-secret".to_owned(),
        refresh_token: "shh-refresh-token".to_owned(),
        expires_in: 1800,
        requests_per_token: 50,
    };
    let server =
        FakeHubSpot::start(Config { oauth: Some(oauth.clone()), ..Config::default() }).await;
    let grant = OAuthRefresh::new(
        format!("{}{TOKEN_PATH}", server.url()),
        &oauth.client_id,
        &oauth.client_secret,
        &oauth.refresh_token,
    );
    let client = Client::builder()
        .base_url(server.url())
        .oauth_refresh(grant)
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains("shh"), "{client:?}");
    let bulk = BulkUpsert::new(client).batch_size(2).concurrency(3).checkpoint(&path);
    let inputs: Vec<Input> =
        (0..300).map(|it| deal(&format!("d{it}"), &[("dealname", "x")])).collect();
    let mut report = String::new();
    let totals = bulk.run(inputs.clone(), |it| report.push_str(&it.to_json_line())).await.unwrap();
    assert_eq!((totals.created, totals.failed, totals.unknown), (300, 0, 0), "{totals:?}");
    let (tokens, refused) = server.tokens();
    // One refresh per expiry, however many batches in flight were refused with the token.
    assert!((3..=5).contains(&tokens.len()), "{} tokens for 150 requests, 50 each", tokens.len());
    assert!(refused <= 3 * tokens.len(), "{refused} refused, {} tokens", tokens.len());
    let checkpoint = std::fs::read_to_string(&path).unwrap();
    for text in [&report, &checkpoint] {
        for secret in tokens.iter().chain([&oauth.client_secret, &oauth.refresh_token]) {
            assert!(!text.contains(secret.as_str()), "{secret} written down");
        }
    }
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

/// A refresh token the endpoint refuses: nothing is written, the run stops, and the inputs are
/// failures that may pass (a resume with a good token sends them), not unknown.
#[tokio::test]
async fn a_refused_refresh_token_stops_the_run() {
    let oauth = OAuth {
        client_id: "app-1".to_owned(),
        client_secret: "secret".to_owned(),
        refresh_token: "the-right-one".to_owned(),
        expires_in: 1800,
        requests_per_token: 50,
    };
    let server = FakeHubSpot::start(Config { oauth: Some(oauth), ..Config::default() }).await;
    let grant =
        OAuthRefresh::new(format!("{}{TOKEN_PATH}", server.url()), "app-1", "secret", "wrong-one");
    let client = Client::builder().base_url(server.url()).oauth_refresh(grant).build().unwrap();
    let bulk = BulkUpsert::new(client).batch_size(10).concurrency(1);
    let inputs: Vec<Input> = (0..50).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    let (totals, fates) = run(&bulk, inputs).await;
    assert_eq!(totals.stopped.map(|it| it.cause), Some(StopCause::TokenRefused));
    assert_eq!((totals.transient, totals.not_sent, totals.unknown), (10, 40, 0));
    assert!(
        matches!(&fates[&0], Fate::Failed { error, .. } if error.contains("BAD_REFRESH_TOKEN") && !error.contains("wrong-one"))
    );
    assert_eq!(server.requests(), (0, 0), "no upsert went out");
}

/// Stopped from outside (Ctrl-C): the batches in flight finish, the rest is not sent.
#[tokio::test]
async fn a_stop_handle_stops_the_run() {
    let server = FakeHubSpot::start(Config::default()).await;
    let bulk =
        BulkUpsert::new(client(&server, RetryPolicy::default())).batch_size(10).concurrency(1);
    let stop = bulk.stop_handle();
    let inputs: Vec<Input> = (0..100).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    let mut seen = 0;
    let totals = bulk
        .run_with_progress(
            inputs,
            |_| {},
            |totals| {
                seen += 1;
                if totals.created >= 20 {
                    stop.stop();
                }
            },
        )
        .await
        .unwrap();
    assert_eq!(totals.stopped.map(|it| it.cause), Some(StopCause::Interrupted));
    assert!(totals.created >= 20 && totals.created < 100 && totals.not_sent > 0, "seen {seen}");
    assert_eq!(totals.created + totals.not_sent, 100);
}

/// Tokens are refreshed before the lifetime the token endpoint states runs out: with a lifetime
/// of a second, a run of two seconds gets new ones without a single refused request (the
/// server refuses a token past its lifetime).
#[tokio::test]
async fn tokens_are_refreshed_before_they_expire() {
    let oauth = OAuth {
        client_id: "app-1".to_owned(),
        client_secret: "secret".to_owned(),
        refresh_token: "refresh".to_owned(),
        expires_in: 1,
        requests_per_token: usize::MAX,
    };
    let server = FakeHubSpot::start(Config { oauth: Some(oauth), ..Config::default() }).await;
    let grant =
        OAuthRefresh::new(format!("{}{TOKEN_PATH}", server.url()), "app-1", "secret", "refresh");
    let client = Client::builder()
        .base_url(server.url())
        .oauth_refresh(grant)
        .rate_limit((5, Duration::from_secs(1)))
        .build()
        .unwrap();
    let bulk = BulkUpsert::new(client).batch_size(1).concurrency(2);
    let inputs: Vec<Input> = (0..15).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
    let (totals, _) = run(&bulk, inputs).await;
    assert_eq!(totals.created, 15);
    let (tokens, refused) = server.tokens();
    assert_eq!(refused, 0, "no request went out with an expired token");
    assert!(tokens.len() >= 3, "{} tokens in 2 s of one-second lifetimes", tokens.len());
}

/// At most `concurrency` batches are in flight at once: the server counts the upserts it is
/// handling, each of which takes 30 ms.
#[tokio::test]
async fn no_more_batches_are_in_flight_than_the_concurrency() {
    for concurrency in [1, 3] {
        let latency = Duration::from_millis(30);
        let server = FakeHubSpot::start(Config { latency, ..Config::default() }).await;
        let bulk = BulkUpsert::new(client(&server, RetryPolicy::default()))
            .batch_size(5)
            .concurrency(concurrency);
        let inputs: Vec<Input> = (0..60).map(|it| deal(&format!("d{it}"), &[("n", "1")])).collect();
        let (totals, _) = run(&bulk, inputs).await;
        assert_eq!(totals.created, 60);
        assert_eq!(
            server.max_in_flight(),
            concurrency,
            "{concurrency} in flight at most, and reached"
        );
    }
}
