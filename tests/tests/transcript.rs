//! The live transcript (リアルタイム文字起こし) through the simulator: on a line that transcribes,
//! a customer and an operator talk (the caller's script, and the operator speaking) and each
//! phrase reaches the call's transcript in Twilio's callback format, in order, with who said it,
//! without the greeting the caller heard before the answer; a colleague not on the call may not
//! read it while it is live, and anyone reading 対応履歴 may once it ended; 対応履歴 finds the
//! call by a word said in it and not by a word nobody said. A call an operator places on the line
//! is transcribed too, from when the customer answers. A waiting caller sent to the voicemail box
//! has the call's transcription stopped, so the message is transcribed once, into the task.

mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

const MAIN: &str = "+81368000001";

/// Turns リアルタイム文字起こし on for the line 代表.
async fn transcribe_main_line(c: &Console) {
    let settings = &c.control.services.settings;
    let current = settings.get().await.unwrap();
    let version = current.versions.get("lines").copied().unwrap_or(0);
    let mut lines = serde_json::to_value(&current.lines).unwrap();
    for l in lines.as_array_mut().unwrap() {
        if l["id"] == "main" {
            l["transcription"] = json!(true);
        }
    }
    settings.put_section("lines", version, lines).await.unwrap();
}

/// The call's transcript as `token`'s user reads it, once it holds `count` phrases.
async fn transcript_of(c: &Console, token: &str, sid: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (s, v) = c.api(token, "GET", &format!("/api/memos/{sid}/transcript"), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let lines = v.as_array().unwrap().clone();
        if lines.len() >= count || Instant::now() > deadline {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn said(lines: &[Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|l| {
            (
                l["speaker"].as_str().unwrap().to_owned(),
                l["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_conversation_on_a_transcribing_line_is_kept_in_order_and_found_in_history_by_a_word_said() {
    // Given the line 代表 transcribes, and 佐藤 is available
    let c = start().await;
    transcribe_main_line(&c).await;
    let sato = c.operator("op-sato").await;
    let suzuki = c.sign_in("op-suzuki").await;

    // When a customer calls with something to say, and 佐藤 answers
    let (s, started) = c
        .sim(
            "POST",
            "/sim/calls",
            json!({"from": "090-1234-5678", "to": MAIN, "script": [
                {"speaker": "customer", "text": "先月の請求書がまだ届いていないのですが。"},
                {"speaker": "operator", "text": "お調べいたします。少々お待ちください。"},
                {"speaker": "customer", "text": "よろしくお願いします。"}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"phone": "op_sato"})).await;
    let (s, _) = c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;

    // Then the operator reads the conversation as it goes, in order, with who said each
    let lines = transcript_of(&c, &sato, &sid, 3).await;
    assert_eq!(
        said(&lines),
        vec![
            ("customer".into(), "先月の請求書がまだ届いていないのですが。".into()),
            ("operator".into(), "お調べいたします。少々お待ちください。".into()),
            ("customer".into(), "よろしくお願いします。".into()),
        ],
        "the greeting heard before the answer is not the conversation: {lines:#?}"
    );
    assert!(
        lines.iter().all(|l| l["at"].as_str().is_some_and(|a| a.ends_with('Z'))),
        "{lines:#?}"
    );

    // While the customer is held, what they hear (the hold music's announcement) is not kept
    // as the operator's words
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "heard": "ただいま確認しております", "settled": true}))
        .await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/unhold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": false, "settled": true})).await;
    let (_, hooks) = c.sim("GET", "/sim/webhooks", json!({})).await;
    let heard_on_hold = hooks.as_array().unwrap().iter().any(|h| {
        h["url"]
            .as_str()
            .is_some_and(|u| u.contains("/twilio/voice/transcript/"))
            && h["params"].to_string().contains("ただいま確認しております")
    });
    assert!(
        heard_on_hold,
        "the transcription heard the hold announcement: {hooks:#}"
    );
    assert_eq!(
        transcript_of(&c, &sato, &sid, 0).await.len(),
        3,
        "nothing the held customer heard is kept"
    );

    // And the operator's own words, said live, follow
    let (s, v) = c
        .sim(
            "POST",
            &format!("/sim/calls/{sid}/speak"),
            json!({"speaker": "operator", "text": "お待たせいたしました。本日再送いたします。"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let lines = transcript_of(&c, &sato, &sid, 4).await;
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert_eq!(lines[3]["speaker"], "operator");

    // A colleague not on the call may not read it while it is live
    let (s, _) = c
        .api(&suzuki, "GET", &format!("/api/memos/{sid}/transcript"), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // When the call ends
    let (s, _) = c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;

    // Then the transcript is kept with the call, for anyone reading 対応履歴
    let kept = transcript_of(&c, &suzuki, &sid, 4).await;
    assert_eq!(said(&kept), said(&lines));

    // And 対応履歴 finds the call by a word said in it, and not by one nobody said
    let (s, found) = c
        .api(&suzuki, "GET", "/api/history/calls?phone=09012345678&q=請求書", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{found}");
    let rows = found["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{found:#}");
    assert_eq!(rows[0]["sid"], sid.as_str());
    assert_eq!(
        rows[0]["transcript_hit"]["text"], "先月の請求書がまだ届いていないのですが。",
        "{found:#}"
    );
    let (s, none) = c
        .api(&suzuki, "GET", "/api/history/calls?phone=09012345678&q=解約", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(none["items"], json!([]), "{none:#}");
    let (s, refused) = c
        .api(
            &suzuki,
            "GET",
            &format!("/api/history/calls?phone=09012345678&q={}", "長".repeat(51)),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]["message"].as_str().unwrap().contains("1 to 50"),
        "{refused}"
    );

    c.assert_no_problems().await;
}

#[tokio::test]
async fn an_outgoing_call_on_a_transcribing_line_is_transcribed_once_the_customer_answers() {
    // Given the line 代表 transcribes, and 佐藤 dials a customer on it
    let c = start().await;
    transcribe_main_line(&c).await;
    let sato = c.sign_in("op-sato").await;
    c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    let (s, v) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "away"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, placed) = c
        .sim(
            "POST",
            "/sim/phones/op_sato/connect",
            json!({"params": {"To": "03-1234-5678", "LineId": "main"}}),
        )
        .await;
    let leg = placed["callSid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": leg, "in_conference": true})).await;
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let sid = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| {
            call["to"] == "+81312345678" && call["direction"] == "outbound-api" && call["status"] != "completed"
        })
        .and_then(|call| call["sid"].as_str())
        .expect("the customer is being called")
        .to_owned();

    // When the customer answers and they talk
    c.sim("POST", &format!("/sim/calls/{sid}/answer"), json!({})).await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    for (speaker, text) in [
        ("customer", "はい、山田です。"),
        ("operator", "サンプル商事の佐藤です。ご注文の件でお電話しました。"),
    ] {
        let (s, v) = c
            .sim(
                "POST",
                &format!("/sim/calls/{sid}/speak"),
                json!({"speaker": speaker, "text": text}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    }

    // Then the operator reads both sides
    let lines = transcript_of(&c, &sato, &sid, 2).await;
    assert_eq!(
        said(&lines),
        vec![
            ("customer".into(), "はい、山田です。".into()),
            (
                "operator".into(),
                "サンプル商事の佐藤です。ご注文の件でお電話しました。".into()
            ),
        ]
    );
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_waiting_caller_sent_to_voicemail_is_transcribed_once_into_the_voicemail_not_by_the_call() {
    // Given the line 代表 transcribes, and a caller waits with nobody free
    let c = start().await;
    transcribe_main_line(&c).await;
    let sato = c.sign_in("op-sato").await;
    let (s, started) = c
        .sim("POST", "/sim/calls", json!({"from": "090-2468-1357", "to": MAIN}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let sid = started["sid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": sid, "heard": "順番におつなぎいたします", "settled": true}))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while c
        .stored_call(&sid)
        .await
        .is_none_or(|call| !call.contains_key("transcription_started_at"))
    {
        assert!(
            Instant::now() < deadline,
            "the call's transcription never reported it started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // When Twilio is told to take the waiting caller to the line's voicemail box, and they speak
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
    let message = "待ちきれないので伝言します。明日また電話します。";
    let (s, v) = c
        .sim("POST", &format!("/sim/calls/{sid}/speak"), json!({"text": message}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;

    // Then the call's transcription was stopped before the box started its own, and the
    // message went to the voicemail's transcription only
    let (_, hooks) = c.sim("GET", "/sim/webhooks", json!({})).await;
    let hooks = hooks.as_array().unwrap();
    let event = |h: &Value| {
        h["params"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p[0] == "TranscriptionEvent"))
            .and_then(|p| p[1].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let on = |h: &Value, path: &str| h["url"].as_str().is_some_and(|u| u.contains(path));
    let call_stopped = hooks
        .iter()
        .position(|h| on(h, "/twilio/voice/transcript/") && event(h) == "transcription-stopped")
        .expect("the call's transcription was stopped");
    let box_started = hooks
        .iter()
        .position(|h| on(h, "/twilio/voice/voicemail/transcript/") && event(h) == "transcription-started")
        .expect("the voicemail's transcription started");
    assert!(
        call_stopped < box_started,
        "stopped at {call_stopped}, box started at {box_started}"
    );
    let heard_by_call = hooks
        .iter()
        .any(|h| on(h, "/twilio/voice/transcript/") && h["params"].to_string().contains("待ちきれない"));
    assert!(
        !heard_by_call,
        "the call's transcription heard the voicemail: {hooks:#?}"
    );

    // And the operators' task holds the message
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, v) = c.api(&sato, "GET", "/api/calls/tasks", None).await;
        let task = v["tasks"]
            .as_array()
            .and_then(|ts| ts.iter().find(|t| t["id"] == sid.as_str()).cloned());
        if let Some(task) = task.filter(|t| t["transcript_complete"] == true) {
            assert_eq!(task["transcript"], message, "{task:#}");
            break;
        }
        assert!(Instant::now() < deadline, "no complete voicemail task: {v:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.assert_no_problems().await;
}
