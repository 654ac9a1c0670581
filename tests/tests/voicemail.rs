//! Voicemail through the simulator: a caller sent to the line's voicemail box leaves a message
//! in Japanese; the recording and the ja-JP transcript (Twilio's callbacks, sent twice) make
//! one operator task, which two operators racing for it take once; the recording plays through
//! the console; the task is finished and undone; a forged callback is refused. A voicemail left
//! while the line is closed (no call record of its own) is in the caller's 対応履歴 among their
//! calls, with its transcript, once however the history is paged, and in the history of the
//! account their number is on.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

const MAIN: &str = "+81368000001";

/// Points the number's voice URL at the line's voicemail box, as a closed line or a menu
/// option would redirect there.
async fn route_to_voicemail(c: &Console, number: &str, line: &str) {
    let base = format!("{}/2010-04-01/Accounts/{}", c.url, c.account.account_sid);
    let auth = (c.account.account_sid.clone(), Some(c.account.auth_token.clone()));
    let list: Value = c
        .http
        .get(format!("{base}/IncomingPhoneNumbers.json"))
        .query(&[("PhoneNumber", number)])
        .basic_auth(&auth.0, auth.1.as_ref())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = list["incoming_phone_numbers"][0]["sid"]
        .as_str()
        .expect("the number")
        .to_owned();
    let r = c
        .http
        .post(format!("{base}/IncomingPhoneNumbers/{sid}.json"))
        .form(&[("VoiceUrl", format!("{}/twilio/voice/voicemail?line={line}", c.url))])
        .basic_auth(&auth.0, auth.1.as_ref())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn open_tasks(c: &Console, token: &str) -> Vec<Value> {
    let (s, v) = c.api(token, "GET", "/api/calls/tasks", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["tasks"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_voicemail_becomes_one_task_with_its_transcript_taken_once_and_playable() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;
    let suzuki = c.sign_in("op-suzuki").await;
    route_to_voicemail(&c, MAIN, "main").await;
    // Twilio may send any callback twice: every voicemail callback arrives twice here.
    let (s, v) = c
        .sim(
            "PUT",
            "/sim/faults",
            json!({"webhooks": [{"kind": "duplicate", "paths": "/twilio/voice/voicemail/"}]}),
        )
        .await;
    assert!(s.is_success(), "{v}");

    let (s, started) = c
        .sim("POST", "/sim/calls", json!({"from": "090-1234-5678", "to": MAIN}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": sid, "heard": "ピー"})).await;
    for phrase in ["山田と申します。", "請求書の件で折り返しお願いします。"] {
        let (s, v) = c
            .sim("POST", &format!("/sim/calls/{sid}/speak"), json!({"text": phrase}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    }
    let (s, _) = c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;

    let tasks = open_tasks(&c, &sato).await;
    assert_eq!(tasks.len(), 1, "one task however often the callbacks came: {tasks:#?}");
    let task = &tasks[0];
    assert_eq!(task["id"], sid.as_str());
    assert_eq!(task["kind"], "voicemail");
    assert_eq!(task["state"], "open");
    assert_eq!(task["customer"], "+819012345678");
    assert_eq!(task["line_id"], "main");
    assert_eq!(task["line_number"], MAIN);
    assert_eq!(
        task["transcript"], "山田と申します。請求書の件で折り返しお願いします。",
        "{task:#}"
    );
    assert_eq!(task["transcript_complete"], true);

    // Two operators take it at once: one gets it, the other hears who has it.
    let path = format!("/api/calls/tasks/{sid}/take");
    let (a, b) = tokio::join!(c.api(&sato, "POST", &path, None), c.api(&suzuki, "POST", &path, None));
    let statuses = [a.0, b.0];
    assert!(
        statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
        "exactly one takes the task: {a:?} {b:?}"
    );
    let (winner, loser, refusal) = if a.0 == StatusCode::OK {
        (&sato, &suzuki, b.1)
    } else {
        (&suzuki, &sato, a.1)
    };
    assert_eq!(refusal["error"]["code"], "task_taken", "{refusal}");

    // The recording plays through the console by range, for any operator: a link, then parts.
    let (s, link) = c
        .api(loser, "POST", &format!("/api/calls/tasks/{sid}/recording/link"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{link}");
    let url = format!("{}{}", c.url, link["url"].as_str().unwrap());
    let r = c.http.get(&url).header("range", "bytes=0-").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    let total: u64 = r.headers()["content-range"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let audio = r.bytes().await.unwrap();
    assert_eq!(&audio[..4], b"RIFF", "a WAV file");
    let r = c
        .http
        .get(&url)
        .header("range", format!("bytes={}-", total - 10))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT, "seeking to the end");
    assert_eq!(r.bytes().await.unwrap().len(), 10);
    let unsigned = c
        .http
        .post(format!("{}/api/calls/tasks/{sid}/recording/link", c.url))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);

    // Only the holder finishes it; finished, it leaves the open list for the done one.
    let (s, v) = c
        .api(loser, "POST", &format!("/api/calls/tasks/{sid}/done"), None)
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_task_holder"))
    );
    let (s, v) = c
        .api(winner, "POST", &format!("/api/calls/tasks/{sid}/done"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(open_tasks(&c, &sato).await.is_empty());
    let (_, done) = c.api(&sato, "GET", "/api/calls/tasks?done=true", None).await;
    assert_eq!(done["tasks"][0]["id"], sid.as_str());
    let (s, v) = c
        .api(winner, "POST", &format!("/api/calls/tasks/{sid}/undo"), None)
        .await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("taken")), "{v}");
    assert_eq!(open_tasks(&c, &sato).await.len(), 1);
    c.assert_no_problems().await;
}

/// The rows of a number's call history, every page of `limit` read in turn.
async fn history_rows(c: &Console, token: &str, phone: &str, limit: u32) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let mut path = format!("/api/history/calls?phone={phone}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (s, page) = c.api(token, "GET", &path, None).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        rows.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return rows,
        }
    }
    panic!("the history never ended: {rows:#?}");
}

#[tokio::test]
async fn a_voicemail_left_while_closed_is_in_the_callers_history_among_their_calls() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;
    // The caller's number is on an account's record.
    let account = c
        .control
        .services
        .crm
        .create(
            &shared::ids::ObjectName::parse("account").unwrap(),
            shared::domain::crm::NewRecord {
                fields: json!({"name": "鈴木工務店", "phone": "090-7777-8888"})
                    .as_object()
                    .unwrap()
                    .clone(),
                account_id: None,
                contact_id: None,
                call_sid: None,
            },
            &shared::ids::OperatorId::parse("op-sato").unwrap(),
        )
        .await
        .unwrap();
    // Earlier, the caller gave up waiting: an abandoned call, the only call on record.
    let (s, first) = c
        .sim("POST", "/sim/calls", json!({"from": "090-7777-8888", "to": MAIN}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let gave_up = first["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": gave_up, "heard": "順番におつなぎいたします"}))
        .await;
    c.sim("POST", &format!("/sim/calls/{gave_up}/hangup"), json!({})).await;
    c.wait(json!({"call": gave_up, "status": "completed", "settled": true}))
        .await;

    // Then, the line closed, they leave a message.
    route_to_voicemail(&c, MAIN, "main").await;
    let (_, started) = c
        .sim("POST", "/sim/calls", json!({"from": "090-7777-8888", "to": MAIN}))
        .await;
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": sid, "heard": "ピー"})).await;
    c.sim(
        "POST",
        &format!("/sim/calls/{sid}/speak"),
        json!({"text": "鈴木です。納期の件でご連絡ください。"}),
    )
    .await;
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    assert!(c.stored_call(&sid).await.is_none(), "the closed path records no call");
    for _ in 0..50 {
        if open_tasks(&c, &sato).await.iter().any(|t| t["id"] == sid.as_str()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    for limit in [20, 1] {
        let rows = history_rows(&c, &sato, "090-7777-8888", limit).await;
        let sids: Vec<&str> = rows.iter().map(|r| r["sid"].as_str().unwrap()).collect();
        assert_eq!(
            sids,
            [sid.as_str(), gave_up.as_str()],
            "newest first, each once (pages of {limit}): {rows:#?}"
        );
        let left = &rows[0];
        assert_eq!(left["status"], "voicemail");
        assert_eq!(left["direction"], "inbound");
        assert_eq!(left["customer"], "+819077778888");
        assert_eq!(left["line"], MAIN);
        assert_eq!(left["task"]["kind"], "voicemail");
        assert_eq!(left["task"]["state"], "open");
        assert_eq!(left["task"]["transcript"], "鈴木です。納期の件でご連絡ください。");
        assert_eq!(
            rows[1]["status"], "abandoned",
            "the call they gave up on stays abandoned"
        );
        assert!(rows[1].get("task").is_none(), "{:#}", rows[1]);
    }
    // The account's 対応履歴 lists it too, with its task, among the account's calls.
    let (s, page) = c
        .api(
            &sato,
            "GET",
            &format!("/api/history/calls?account={}&limit=20", account.id),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let rows = page["items"].as_array().unwrap();
    let sids: Vec<&str> = rows.iter().map(|r| r["sid"].as_str().unwrap()).collect();
    assert_eq!(sids, [sid.as_str(), gave_up.as_str()], "{rows:#?}");
    assert_eq!(rows[0]["status"], "voicemail");
    assert_eq!(rows[0]["account_id"], account.id.as_str());
    assert_eq!(rows[0]["task"]["transcript"], "鈴木です。納期の件でご連絡ください。");
    // Someone else's history does not list it.
    assert!(history_rows(&c, &sato, "090-1234-5678", 20).await.is_empty());
    c.assert_no_problems().await;
}

#[tokio::test]
async fn forged_voicemail_callbacks_are_refused_and_write_nothing() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;
    let sid = "CA0123456789abcdef0123456789abcdef";
    for (path, form) in [
        (
            format!("/twilio/voice/voicemail/recording/{sid}"),
            vec![
                ("RecordingSid", "RE0123456789abcdef0123456789abcdef"),
                ("RecordingStatus", "completed"),
            ],
        ),
        (
            format!("/twilio/voice/voicemail/transcript/{sid}"),
            vec![
                ("TranscriptionSid", "GT1"),
                ("TranscriptionEvent", "transcription-content"),
                ("TranscriptionData", r#"{"transcript":"偽物"}"#),
                ("SequenceId", "1"),
            ],
        ),
        ("/twilio/voice/voicemail?line=main".to_owned(), vec![("CallSid", sid)]),
    ] {
        let r = c
            .http
            .post(format!("{}{path}", c.url))
            .header("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(open_tasks(&c, &sato).await.is_empty());
    assert!(c.raw.get(&shared::store::table::task_key(sid)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_queued_caller_sent_to_the_voicemail_box_ends_as_a_voicemail_not_an_abandoned_call() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;
    let (s, started) = c
        .sim("POST", "/sim/calls", json!({"from": "090-2468-1357", "to": MAIN}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": sid, "heard": "順番におつなぎいたします"})).await;
    let queued = c.stored_call(&sid).await.expect("the caller is queued");
    let queue_sk = queued["queue_sk"].as_str().unwrap().to_owned();

    // Twilio is told to take the waiting caller to the line's voicemail box.
    let r = c
        .http
        .post(format!(
            "{}/2010-04-01/Accounts/{}/Calls/{sid}.json",
            c.url, c.account.account_sid
        ))
        .form(&[("Url", format!("{}/twilio/voice/voicemail?line=main", c.url))])
        .basic_auth(&c.account.account_sid, Some(&c.account.auth_token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    c.wait(json!({"call": sid, "heard": "ピー"})).await;
    assert!(
        c.raw
            .get(&shared::store::table::queue_entry_key(&queue_sk))
            .await
            .unwrap()
            .is_none(),
        "the caller left the queue"
    );
    c.sim(
        "POST",
        &format!("/sim/calls/{sid}/speak"),
        json!({"text": "待ちきれないので伝言します。"}),
    )
    .await;
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;

    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["status"], "voicemail", "{stored:?}");
    let rows = history_rows(&c, &sato, "090-2468-1357", 20).await;
    assert_eq!(rows.len(), 1, "the call once, with its task: {rows:#?}");
    assert_eq!(rows[0]["sid"], sid.as_str());
    assert_eq!(rows[0]["status"], "voicemail");
    assert_eq!(rows[0]["task"]["kind"], "voicemail");
    assert_eq!(rows[0]["task"]["transcript"], "待ちきれないので伝言します。");
    let (_, board) = c.api(&c.sign_in("sv-ito").await, "GET", "/api/monitor", None).await;
    assert_eq!(board["today"]["abandoned"], 0, "{:#}", board["today"]);
    c.assert_no_problems().await;
}
