//! The checkpoint of a bulk upsert, read back: what earlier runs settled, and which inputs they
//! sent without learning their fate (and when), so that a resumed run sends exactly what is not
//! settled and reports "created" truthfully.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{BufRead as _, BufReader},
    path::Path,
};

use chrono::{DateTime, Utc};

use super::{BulkError, Fate, Outcome};

/// What a checkpoint says of earlier runs.
#[derive(Default)]
pub(super) struct Earlier {
    /// The settled outcomes, by index.
    pub(super) resumed: BTreeMap<usize, Outcome>,
    /// The unsettled inputs that an earlier run may have written: sent, and then reported
    /// unknown or never reported (the run was killed); since when.
    pub(super) maybe_applied: BTreeMap<usize, DateTime<Utc>>,
    /// When the first run of this checkpoint started.
    pub(super) started: Option<DateTime<Utc>>,
}

/// What a checkpoint records; nothing when it does not exist yet. A last line cut short (the
/// run was killed while writing it) is ignored: its batch is sent again.
pub(super) fn read_checkpoint(path: &Path) -> Result<Earlier, BulkError> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Line {
        Started {
            started: DateTime<Utc>,
        },
        Sending {
            sending: Vec<usize>,
            /// When the batch was sent (absent in checkpoints of older versions).
            at: Option<DateTime<Utc>>,
        },
        Outcome(Outcome),
    }
    let file = match File::open(path) {
        Ok(it) => it,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Earlier::default()),
        Err(err) => return Err(BulkError::Checkpoint(path.to_owned(), err)),
    };
    let mut res = Earlier::default();
    // Inputs sent whose outcome is not recorded yet, and when.
    let mut in_flight: BTreeMap<usize, DateTime<Utc>> = BTreeMap::new();
    let note = |maybe: &mut BTreeMap<usize, DateTime<Utc>>, index, at: DateTime<Utc>| {
        let since = maybe.entry(index).or_insert(at);
        *since = (*since).min(at);
    };
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|err| BulkError::Checkpoint(path.to_owned(), err))?;
        match serde_json::from_str::<Line>(&line) {
            Ok(Line::Started { started }) => {
                res.started.get_or_insert(started);
            }
            Ok(Line::Sending { sending, at }) => {
                let Some(at) = at.or(res.started) else { continue };
                for index in sending {
                    // Sent again by a later run: the earlier send got no outcome (its run was
                    // killed), so it may have been applied.
                    if let Some(earlier) = in_flight.insert(index, at) {
                        note(&mut res.maybe_applied, index, earlier);
                    }
                }
            }
            // A later line for the same input (a resumed run's) replaces an earlier one.
            Ok(Line::Outcome(outcome)) => {
                let sent = in_flight.remove(&outcome.index);
                // Unknown: that request may have been applied. Merged: the input was sent by a
                // run killed before it said, then merged into a later one; if that one is sent
                // again, the time goes with it. Refused or never sent: nothing was written.
                if let (Fate::Unknown { .. } | Fate::Merged { .. }, Some(at)) =
                    (&outcome.fate, sent)
                {
                    note(&mut res.maybe_applied, outcome.index, at);
                }
                if outcome.fate.is_settled() {
                    res.resumed.insert(outcome.index, outcome);
                } else {
                    res.resumed.remove(&outcome.index);
                }
            }
            _ => {}
        }
    }
    // Sent by a run killed before it recorded the outcome.
    for (index, at) in in_flight {
        note(&mut res.maybe_applied, index, at);
    }
    // An input merged into one that is not settled is sent again with it. `into` is always a
    // later index, so going backwards settles each target before the inputs merged into it.
    let merged: Vec<(usize, usize)> = res
        .resumed
        .iter()
        .rev()
        .filter_map(|(index, it)| match it.fate {
            Fate::Merged { into } => Some((*index, into)),
            _ => None,
        })
        .collect();
    for (index, into) in merged {
        if !res.resumed.contains_key(&into) {
            res.resumed.remove(&index);
        }
    }
    res.maybe_applied.retain(|it, _| !res.resumed.contains_key(it));
    Ok(res)
}

/// Whether `file` is not empty and its last byte is not a line break.
pub(super) fn ends_mid_line(file: &mut File) -> std::io::Result<bool> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    if file.metadata()?.len() == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::read_checkpoint;

    /// Across runs appended to one checkpoint, an input keeps the time of the earliest send
    /// that may have been applied: a send whose run was killed (its line displaced by a later
    /// run's), and one merged into a later input; a refusal adds none.
    #[test]
    fn the_checkpoint_keeps_the_earliest_send_that_may_have_applied() {
        let path = std::env::temp_dir().join(format!("bulk-read-{}.jsonl", std::process::id()));
        let (t0, t1, t2, t3) = (
            "2026-12-01T10:00:00Z",
            "2026-12-01T10:00:01Z",
            "2026-12-01T10:00:02Z",
            "2026-12-01T10:00:03Z",
        );
        let outcome = |index: usize, fate: &str| {
            format!(r#"{{"index":{index},"idProperty":"p","id":"k{index}",{fate}}}"#)
        };
        let lines = [
            format!(r#"{{"started":"{t0}"}}"#),
            // Run 1 sends 0 and 1, and is killed.
            format!(r#"{{"sending":[0,1],"at":"{t1}"}}"#),
            // Run 2: 0 is sent again and refused; 1 is merged into 2, which is unknown.
            format!(r#"{{"sending":[0],"at":"{t2}"}}"#),
            outcome(0, r#""state":"failed","error":"503","transient":true"#),
            outcome(1, r#""state":"merged","into":2"#),
            format!(r#"{{"sending":[2],"at":"{t3}"}}"#),
            outcome(2, r#""state":"unknown","reason":"timeout""#),
            // 3 was created: settled.
            format!(r#"{{"sending":[3],"at":"{t3}"}}"#),
            outcome(3, r#""state":"created","recordId":"9""#),
        ];
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let earlier = read_checkpoint(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let at = |it: &str| it.parse::<DateTime<Utc>>().unwrap();
        let maybe: Vec<(usize, DateTime<Utc>)> = earlier.maybe_applied.into_iter().collect();
        assert_eq!(maybe, [(0, at(t1)), (1, at(t1)), (2, at(t3))]);
        // 1 is not settled: the input it was merged into is not.
        assert_eq!(earlier.resumed.keys().copied().collect::<Vec<_>>(), [3]);
    }
}
