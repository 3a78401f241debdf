//! One batch sent: its requests (and the halves of a batch refused whole), and what each answer,
//! or each failure, says of every input, from every attempt of the call.

use chrono::{DateTime, Utc};

use super::{Fate, Halt, Pending, Sent, StopCause, key_of, mapping::map_back, now, outcome};
use crate::{
    Attempts, BatchUpsertOutcome, Client, Error, StopReason,
    models::{
        BatchInputSimplePublicObjectBatchInputUpsert as BatchInput,
        BatchResponseSimplePublicUpsertObjectWithErrors as WithErrors,
    },
};

/// What one request of a batch came to.
enum Answer {
    /// A fate for each input of the request.
    Fates(Vec<Fate>),
    /// A 400 that wrote nothing.
    Refused(Refusal),
}

/// A 400 for a whole request: what it says, to compare with another (category and message,
/// never what differs between answers, such as a correlation id), and how it reads.
#[derive(Clone, PartialEq, Eq)]
struct Refusal {
    what: String,
    text: String,
}

/// Sends one batch; a batch refused with a 400 is split in halves until the inputs at fault are
/// alone, or both halves are refused as the whole was.
pub(super) async fn send(client: Client, batch: Vec<Pending>, halt: Halt) -> Sent {
    let mut sent =
        Sent { keys: batch.iter().map(|it| key_of(&it.input)).collect(), ..Sent::default() };
    let mut settled: Vec<(Pending, Fate)> = Vec::with_capacity(batch.len());
    // Batches refused as a whole, with their refusal, waiting to be split.
    let mut refused: Vec<(Vec<Pending>, Refusal)> = Vec::new();
    match request(&client, &batch, &halt, &mut sent).await {
        Answer::Fates(fates) => settled.extend(batch.into_iter().zip(fates)),
        Answer::Refused(refusal) => refused.push((batch, refusal)),
    }
    while let Some((mut whole, refusal)) = refused.pop() {
        if whole.len() == 1 {
            let fate = Fate::Failed { error: refusal.text, transient: false };
            settled.extend(whole.into_iter().map(|it| (it, fate.clone())));
            continue;
        }
        let second = whole.split_off(whole.len() / 2);
        let halves = [whole, second];
        let mut answers = Vec::with_capacity(2);
        for half in &halves {
            answers.push(request(&client, half, &halt, &mut sent).await);
        }
        let same =
            answers.iter().all(|it| matches!(it, Answer::Refused(r) if r.what == refusal.what));
        if same {
            // Not any input's fault, but the request's: the inputs may well go through once
            // its cause is mended, so a resumed run sends them again.
            sent.refused_whole = Some(refusal.text.clone());
            let fate = Fate::Failed { error: refusal.text.clone(), transient: true };
            settled.extend(halves.into_iter().flatten().map(|it| (it, fate.clone())));
            continue;
        }
        for (half, answer) in halves.into_iter().zip(answers) {
            match answer {
                Answer::Fates(fates) => settled.extend(half.into_iter().zip(fates)),
                Answer::Refused(refusal) => refused.push((half, refusal)),
            }
        }
    }
    sent.written |=
        settled.iter().any(|(_, it)| matches!(it, Fate::Created { .. } | Fate::Updated { .. }));
    sent.outcomes =
        settled.into_iter().map(|(it, fate)| outcome(it.index, &it.input, fate)).collect();
    sent
}

/// Sends one request for `batch`, unless the run stopped; what it came to, and what it took in
/// `sent`.
async fn request(client: &Client, batch: &[Pending], halt: &Halt, sent: &mut Sent) -> Answer {
    if let Some(stop) = halt.get() {
        return Answer::Fates(vec![Fate::NotSent { reason: stop.message }; batch.len()]);
    }
    sent.requests += 1;
    let body = BatchInput::new(batch.iter().map(|it| it.input.clone()).collect::<Vec<_>>());
    let call_started = now();
    let answer = client.batch_upsert(&body).await;
    let no_attempt = Attempts { count: 0, ..Attempts::default() };
    let attempts = match &answer {
        Ok(response) => response.attempts().clone(),
        Err(err) => err.attempts().cloned().unwrap_or(no_attempt),
    };
    if attempts.count == 0 {
        // Nothing went out (no token could be had, or the body broke its schema).
        sent.requests -= 1;
    } else {
        sent.failures.push(answer.is_err());
    }
    sent.retries += attempts.count.saturating_sub(1) as usize;
    sent.rate_limited += attempts.rate_limited as usize;
    let limit = match &answer {
        Ok(response) => response.rate_limit(),
        Err(err) => err.rate_limit(),
    };
    if limit.is_some() {
        sent.limit = limit;
    }
    // Since when a record found created may have been created by this input: when an earlier
    // run sent it without learning what became of it, else when this call began if an earlier
    // attempt of it may have been applied.
    let since =
        |it: &Pending| it.applied_since.or((attempts.maybe_applied > 0).then_some(call_started));
    let decoded = match answer {
        Ok(response) => match response.into_body() {
            BatchUpsertOutcome::Ok(done) => Ok((done.results, done.errors.unwrap_or_default())),
            BatchUpsertOutcome::MultiStatus(partial) => {
                Ok((partial.results, partial.errors.unwrap_or_default()))
            }
            // A success the spec does not list: HubSpot has changed codes before. Its body is
            // read as the 207's (the 200's and more) when it can be.
            BatchUpsertOutcome::Undocumented(raw) => match raw.json::<WithErrors>() {
                Ok(it) => Ok((it.results, it.errors.unwrap_or_default())),
                Err(err) => Err(Fate::Unknown {
                    reason: format!(
                        "an undocumented success {} whose body does not decode ({err}): {}",
                        raw.status(),
                        String::from_utf8_lossy(raw.body())
                    ),
                }),
            },
        },
        Err(err) => {
            return match fate_of_error(&err, &attempts, halt) {
                Ok(fate) => Answer::Fates(vec![fate; batch.len()]),
                Err(refusal) => Answer::Refused(refusal),
            };
        }
    };
    match decoded {
        Ok((results, errors)) => {
            let since: Vec<Option<DateTime<Utc>>> = batch.iter().map(since).collect();
            Answer::Fates(map_back(batch, &results, &errors, &since))
        }
        Err(fate) => Answer::Fates(vec![fate; batch.len()]),
    }
}

/// What a call that failed came to for every input of its batch, from every attempt, or the
/// refusal of a 400 that wrote nothing; stops the run when no later batch can go through (a
/// daily limit, a refused token).
fn fate_of_error(
    err: &Error<crate::models::Error>,
    attempts: &Attempts,
    halt: &Halt,
) -> Result<Fate, Refusal> {
    let status = err.status().map(|it| it.as_u16());
    let text = err.to_string();
    if attempts.stopped == StopReason::DailyLimit {
        halt.stop(
            StopCause::DailyLimit,
            format!(
                "HubSpot's daily limit is reached; it resets at midnight in the HubSpot account's time zone: resume then ({text})"
            ),
        );
    }
    if matches!(err, Error::Credentials { .. }) || matches!(status, Some(401 | 403)) {
        halt.stop(StopCause::TokenRefused, format!("the access token was refused: {text}"));
    }
    if attempts.maybe_applied > 0 {
        let reason = format!("{text}; an attempt may have been applied, and no answer said");
        return Ok(Fate::Unknown { reason });
    }
    let fate = match err {
        // Nothing was sent.
        Error::Invalid(_) | Error::InvalidRequest(_) => {
            Fate::Failed { error: text, transient: false }
        }
        Error::Credentials { .. } => Fate::Failed { error: text, transient: true },
        // Connections never made (anything else counts as maybe applied).
        Error::Transport { .. } => Fate::Failed { error: text, transient: true },
        Error::Api { .. } | Error::UnexpectedResponse { .. } => match status {
            Some(400) => {
                let body = err.api_body();
                let category = body.and_then(|it| it.category.as_deref()).unwrap_or_default();
                let message = body.and_then(|it| it.message.as_deref());
                let what = format!("{category}: {}", message.unwrap_or("(no message)"));
                let text = match message {
                    Some(_) => what.clone(),
                    None => text,
                };
                return Err(Refusal { what, text });
            }
            Some(401 | 403 | 408 | 423 | 429 | 477 | 503) => {
                Fate::Failed { error: text, transient: true }
            }
            Some(400..=499) => Fate::Failed { error: text, transient: false },
            _ => Fate::Unknown { reason: text },
        },
        _ => Fate::Unknown { reason: text },
    };
    Ok(fate)
}
