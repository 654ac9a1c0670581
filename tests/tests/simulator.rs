//! The whole console on one machine through the Twilio simulator: a simulated customer calls in,
//! routing rings a signed-in operator's phone, the operator answers, holds, consults and hangs up,
//! and the stored call record says so. Every step goes through the real functions, the real REST
//! client (checked against Twilio's spec by the simulator) and signed webhooks. Tests wait on the
//! simulator's state, never on the clock.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::start;

#[tokio::test]
async fn an_incoming_call_is_answered_held_consulted_and_hung_up_through_the_simulator() {
    let c = start().await;
    let sato = c.operator("op-sato").await;

    let (s, started) = c.sim("POST", "/sim/calls", json!({"from": "03-1234-5678"})).await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    let sid = started["sid"].as_str().unwrap().to_owned();

    // Routing rings Sato's phone with the customer's call as a custom parameter.
    let ring = c.wait(json!({"phone": "op_sato"})).await;
    assert_eq!(ring["ringing"]["params"]["callSid"], json!(sid), "{ring:#}");
    let (s, _) = c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;

    let (s, current) = c.api(&sato, "GET", "/api/calls/current", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(current["call"]["sid"], json!(sid), "{current:#}");
    assert_eq!(current["call"]["operator_id"], json!("op-sato"));
    let heard = c.wait(json!({"call": sid, "heard": "おつなぎいたします"})).await;
    assert_eq!(heard["call"]["status"], "in-progress");

    // Hold: the customer hears the hold message.
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": true, "heard": "少々お待ちください", "settled": true}))
        .await;
    let (_, live) = c.api(&sato, "GET", &format!("/api/calls/{sid}"), None).await;
    assert_eq!(live["customer_held"], true, "{live:#}");

    // Consultation call on the main line: it rings the third party, who answers.
    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/consult"),
            Some(json!({"to": "090-1111-2222", "line_id": "main"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let consult = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["to"] == "+819011112222")
        .expect("the consultation call was placed")
        .clone();
    assert_eq!(
        consult["from"], "+81368000001",
        "the consult uses the chosen line as caller ID"
    );
    let consult_sid = consult["sid"].as_str().unwrap();
    let (s, _) = c
        .sim("POST", &format!("/sim/calls/{consult_sid}/answer"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"conference": sid, "labels": ["customer", "operator", "consult"], "settled": true}))
        .await;

    // Hanging the consultation up leaves the customer held.
    let (s, v) = c.api(&sato, "DELETE", &format!("/api/calls/{sid}/consult"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(
        json!({"conference": sid, "labels": ["customer", "operator"], "without_labels": ["consult"], "settled": true}),
    )
    .await;
    c.wait(json!({"call": sid, "held": true})).await;

    let (s, _) = c.api(&sato, "POST", &format!("/api/calls/{sid}/unhold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "held": false, "settled": true})).await;

    // Hang up: the conference ends for everyone, the customer's call completes.
    let (s, _) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;

    let stored = c.history_row(&sato, "03-1234-5678", &sid).await;
    assert_eq!(stored["status"], "completed", "{stored:#}");
    assert_eq!(stored["operator_id"], "op-sato");
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_ne!(me["status"], "on_call", "the operator is free again: {me}");
    assert_eq!(me["current_call"], Value::Null);
    c.assert_no_problems().await;
}

#[tokio::test]
async fn an_unanswered_ring_goes_to_the_next_operator_and_a_caller_who_hangs_up_is_abandoned() {
    let c = start().await;
    let _sato = c.operator("op-sato").await;
    let suzuki = c.operator("op-suzuki").await;

    let (_, started) = c.sim("POST", "/sim/calls", json!({"from": "03-1234-5678"})).await;
    let sid = started["sid"].as_str().unwrap().to_owned();
    // The longest-idle operator (Sato became available first) rings first and rejects.
    c.wait(json!({"phone": "op_sato"})).await;
    let (s, _) = c.sim("POST", "/sim/phones/op_sato/reject", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    c.wait(json!({"phone": "op_suzuki"})).await;
    let (_, me) = c.api(&suzuki, "GET", "/api/operators/me", None).await;
    assert_eq!(me["status"], "available", "{me}");

    // The caller gives up while Suzuki's phone rings: the ring stops, the call is abandoned.
    let (s, _) = c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (_, events) = c.sim("GET", "/sim/phones/op_suzuki/events", json!({})).await;
    assert!(
        events.as_array().unwrap().iter().any(|e| e["type"] == "cancelled"),
        "Suzuki's phone stopped ringing: {events:#}"
    );
    let stored = c.history_row(&suzuki, "03-1234-5678", &sid).await;
    assert_eq!(stored["status"], "abandoned", "{stored:#}");
    c.assert_no_problems().await;
}

#[tokio::test]
async fn an_operator_dials_out_and_the_customer_answers_then_hangs_up() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;
    c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    // 受付可 refuses dialing: the operator hears why.
    let (_, v) = c
        .api(
            &sato,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": "available"})),
        )
        .await;
    assert_eq!(v["status"], "available");
    let (_, placed) = c
        .sim(
            "POST",
            "/sim/phones/op_sato/connect",
            json!({"params": {"To": "03-1234-5678", "LineId": "main"}}),
        )
        .await;
    let refused = placed["callSid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": refused, "status": "completed", "heard": "受付可の状態では発信できません"}))
        .await;

    c.api(
        &sato,
        "PUT",
        "/api/operators/me/status",
        Some(json!({"status": "away"})),
    )
    .await;
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
    let customer = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["to"] == "+81312345678" && call["direction"] == "outbound-api")
        .expect("the customer is being called")
        .clone();
    assert_eq!(customer["from"], "+81368000001", "the chosen line is the caller ID");
    let sid = customer["sid"].as_str().unwrap().to_owned();
    c.sim("POST", &format!("/sim/calls/{sid}/answer"), json!({})).await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    let (_, current) = c.api(&sato, "GET", "/api/calls/current", None).await;
    assert_eq!(current["call"]["sid"], json!(sid), "{current:#}");
    // Hold works on an outgoing call too: the conference reports its participants.
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": true, "settled": true})).await;
    let (_, live) = c.api(&sato, "GET", &format!("/api/calls/{sid}"), None).await;
    assert_eq!(live["customer_held"], true, "{live:#}");
    c.api(&sato, "POST", &format!("/api/calls/{sid}/unhold"), None).await;
    c.wait(json!({"call": sid, "held": false, "settled": true})).await;

    // The customer hangs up: the operator's leg ends with the conference.
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": leg, "status": "completed", "settled": true}))
        .await;
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["current_call"], Value::Null, "{me}");
    let stored = c.history_row(&sato, "03-1234-5678", &sid).await;
    assert_eq!(stored["status"], "completed", "{stored:#}");
    assert_eq!(stored["direction"], "outbound");
    c.assert_no_problems().await;
}

#[tokio::test]
async fn the_simulator_refuses_requests_and_twiml_twilio_would_refuse() {
    let c = start().await;
    let calls = format!("{}/2010-04-01/Accounts/{}/Calls.json", c.url, c.account.account_sid);
    let form = [
        ("To", "+81312345678"),
        ("From", "+81368000001"),
        ("Url", "http://127.0.0.1:9/"),
    ];

    let r = c.http.post(&calls).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "no credentials");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 20003);

    let authed = |extra: &[(&str, &str)]| {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.extend_from_slice(extra);
        c.http
            .post(&calls)
            .basic_auth(&c.account.api_key_sid, Some(&c.account.api_key_secret))
            .form(&f)
    };
    let r = authed(&[("Timout", "30")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a mistyped parameter");
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], 20001);
    assert!(e["message"].as_str().unwrap().contains("Timout"), "{e}");
    assert_eq!(e["more_info"], "https://www.twilio.com/docs/errors/20001");

    let r = authed(&[("Timeout", "soon")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "a malformed value");
    assert!(
        r.json::<Value>().await.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("Timeout")
    );

    // Inline TwiML that breaks Twilio's rules is refused with the rule named.
    let r = c
        .http
        .post(&calls)
        .basic_auth(&c.account.api_key_sid, Some(&c.account.api_key_secret))
        .form(&[
            ("To", "+81312345679"),
            ("From", "+81368000001"),
            (
                "Twiml",
                "<Response><Dial><Conference><Say>x</Say></Conference></Dial></Response>",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e = r.json::<Value>().await.unwrap().to_string();
    assert!(
        e.contains("Say") && e.contains("Conference"),
        "the broken rule is named: {e}"
    );

    // A document fetched from a URL is checked the same way: the call ends and the rule is named.
    let bad_app = axum::Router::new().route(
        "/bad",
        axum::routing::post(|| async {
            (
                [("content-type", "text/xml")],
                "<Response><Say>はい</Say><Gather><Dial>1</Dial></Gather></Response>",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bad_url = format!("http://{}/bad", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, bad_app).await });
    let r = c
        .http
        .post(&calls)
        .basic_auth(&c.account.api_key_sid, Some(&c.account.api_key_secret))
        .form(&[
            ("To", "+81312345679"),
            ("From", "+81368000001"),
            ("Url", bad_url.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let sid = r.json::<Value>().await.unwrap()["sid"].as_str().unwrap().to_owned();
    c.sim("POST", &format!("/sim/calls/{sid}/answer"), json!({})).await;
    let ended = c.wait(json!({"call": sid, "status": "completed"})).await;
    assert!(
        !ended["call"]["heard"].to_string().contains("はい"),
        "nothing of a refused document is played: {ended:#}"
    );
    let (_, problems) = c.sim("GET", "/sim/problems", json!({})).await;
    let text = problems.to_string();
    assert!(
        text.contains("12100") && text.contains("Dial"),
        "the broken rule is named: {problems:#}"
    );
}

#[tokio::test]
async fn a_warm_transfer_with_the_screen_hands_the_customer_to_a_second_operator() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    // Tanaka signs in after Sato took the call, so routing has nothing for them.
    let tanaka = c.operator("op-tanaka").await;

    let (s, transfer) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/transfer"),
            Some(json!({
                "to_operator": "op-tanaka",
                "mode": "warm",
                "screen": {
                    "memo": "【お客様】請求書の再発行について",
                    "response_status": "callback",
                    "inquiry": {"object": "inquiry", "fields": {"subject": "請求書の再発行"}},
                },
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{transfer:#}");
    c.wait(json!({"call": sid, "held": true})).await;

    // Tanaka's phone rings with the handoff; the page loads it.
    let ring = c.wait(json!({"phone": "op_tanaka"})).await;
    let params = &ring["ringing"]["params"];
    assert_eq!(params["callSid"], json!(sid), "{ring:#}");
    assert_eq!(params["mode"], "warm");
    let handoff_id = params["handoffId"]
        .as_str()
        .expect("a screen transfer carries its handoff")
        .to_owned();
    let (s, handoff) = c
        .api(&tanaka, "GET", &format!("/api/handoffs/{handoff_id}"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{handoff:#}");
    assert_eq!(
        handoff["screen"]["memo"], "【お客様】請求書の再発行について",
        "{handoff:#}"
    );
    let (s, _) = c.api(&sato, "GET", &format!("/api/handoffs/{handoff_id}"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the handoff is for the target only");

    c.sim("POST", "/sim/phones/op_tanaka/accept", json!({})).await;
    c.wait(json!({"conference": sid, "labels": ["customer", "operator", "transfer"], "settled": true}))
        .await;
    // Sato and Tanaka talk while the customer waits; then Sato hangs up.
    c.wait(json!({"call": sid, "held": true})).await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(
        json!({"conference": sid, "labels": ["customer", "transfer"], "without_labels": ["operator"], "settled": true}),
    )
    .await;
    c.wait(json!({"call": sid, "held": false, "status": "in-progress", "settled": true}))
        .await;

    let (_, live) = c.api(&tanaka, "GET", &format!("/api/calls/{sid}"), None).await;
    assert_eq!(live["call"]["operator_id"], "op-tanaka", "{live:#}");
    assert_eq!(live["customer_held"], false);
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["current_call"], Value::Null, "Sato is free: {me}");
    let (_, current) = c.api(&tanaka, "GET", "/api/calls/current", None).await;
    assert_eq!(current["call"]["sid"], json!(sid));

    // Tanaka holds and hangs up like any call of theirs.
    let (s, v) = c.api(&tanaka, "POST", &format!("/api/calls/{sid}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": true, "settled": true})).await;
    let (s, _) = c.api(&tanaka, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_cold_transfer_nobody_answers_comes_back_to_the_first_operator() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let _tanaka = c.operator("op-tanaka").await;

    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/transfer"),
            Some(json!({"to_operator": "op-tanaka", "mode": "cold"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v:#}");
    // Sato leaves at once; the customer waits on hold.
    c.wait(
        json!({"call": sid, "held": true, "conference": sid, "labels": ["customer"], "without_labels": ["operator"]}),
    )
    .await;
    c.wait(json!({"phone": "op_tanaka"})).await;
    c.sim("POST", "/sim/phones/op_tanaka/reject", json!({})).await;

    // Sato's phone rings back with the reason; the customer is still held, never alone for long.
    let ring = c.wait(json!({"phone": "op_sato"})).await;
    assert_eq!(ring["ringing"]["params"]["callSid"], json!(sid), "{ring:#}");
    c.wait(json!({"call": sid, "held": true})).await;
    c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    c.wait(json!({"conference": sid, "labels": ["customer"], "settled": true}))
        .await;
    let (_, live) = c.api(&sato, "GET", &format!("/api/calls/{sid}"), None).await;
    assert_eq!(live["call"]["operator_id"], "op-sato", "{live:#}");
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/unhold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "held": false, "settled": true})).await;
    let (s, _) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_supervisor_watches_the_memo_live_then_listens_whispers_and_barges_in() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let ito = c.sign_in("sv-ito").await;
    let (s, _) = c.api(&sato, "GET", "/api/monitor", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "operators do not see the board");

    let (s, v) = c
        .api(
            &sato,
            "PUT",
            &format!("/api/memos/{sid}"),
            Some(json!({"version": 0, "text": "【お客様】住所変更の依頼", "response_status": "resolved"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, board) = c.api(&ito, "GET", "/api/monitor", None).await;
    assert_eq!(s, StatusCode::OK, "{board}");
    let row = board["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "op-sato")
        .cloned()
        .unwrap();
    assert_eq!(row["call"]["sid"], json!(sid), "{row:#}");
    assert_eq!(row["call"]["memo"], "【お客様】住所変更の依頼");
    assert_eq!(row["call"]["customer_held"], false);

    // Listen: the supervisor's phone rings and joins muted.
    c.sim("POST", "/sim/phones/sv_ito", json!({})).await;
    let (s, v) = c
        .api(
            &ito,
            "POST",
            &format!("/api/monitor/calls/{sid}"),
            Some(json!({"mode": "listen"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"phone": "sv_ito"})).await;
    c.sim("POST", "/sim/phones/sv_ito/accept", json!({})).await;
    let conf = c
        .wait(json!({"conference": sid, "labels": ["customer", "operator", "monitor"], "settled": true}))
        .await;
    let part = |conf: &Value, label: &str| {
        conf["conference"]["participants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["label"] == label)
            .cloned()
            .unwrap()
    };
    assert_eq!(part(&conf, "monitor")["muted"], true, "{conf:#}");
    let operator_leg = part(&conf, "operator")["call_sid"].clone();

    // Whisper coaches the operator's leg; barge makes the supervisor an ordinary participant.
    let (s, _) = c
        .api(
            &ito,
            "POST",
            &format!("/api/monitor/calls/{sid}"),
            Some(json!({"mode": "whisper"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let conf = c
        .wait(json!({"conference": sid, "labels": ["monitor"], "settled": true}))
        .await;
    let m = part(&conf, "monitor");
    assert_eq!(
        (m["muted"].clone(), m["coaching"].clone()),
        (json!(false), json!(true)),
        "{m}"
    );
    assert_eq!(m["call_sid_to_coach"], operator_leg);
    let (s, _) = c
        .api(
            &ito,
            "POST",
            &format!("/api/monitor/calls/{sid}"),
            Some(json!({"mode": "barge"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let conf = c
        .wait(json!({"conference": sid, "labels": ["monitor"], "settled": true}))
        .await;
    let m = part(&conf, "monitor");
    assert_eq!(
        (m["muted"].clone(), m["coaching"].clone()),
        (json!(false), json!(false)),
        "{m}"
    );
    let (_, board) = c.api(&ito, "GET", "/api/monitor", None).await;
    let row = board["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "op-sato")
        .cloned()
        .unwrap();
    assert_eq!(row["call"]["monitor"], "barge", "{row:#}");
    assert_eq!(row["call"]["monitor_by"], "sv-ito");

    let (s, _) = c.api(&ito, "DELETE", &format!("/api/monitor/calls/{sid}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(
        json!({"conference": sid, "labels": ["customer", "operator"], "without_labels": ["monitor"], "settled": true}),
    )
    .await;

    c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let (_, board) = c.api(&ito, "GET", "/api/monitor", None).await;
    assert_eq!(board["today"]["inbound"], 1, "{:#}", board["today"]);
    assert_eq!(board["today"]["answered"], 1);
    assert_eq!(board["today"]["abandoned"], 0);
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_call_on_a_recorded_line_is_recorded_paused_and_resumed_and_its_link_is_for_supervisors() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    // The seeded main line (the number simulated customers call) records its calls.
    let sid = c.answered_call("03-1234-5678", "op-sato").await;
    let (_, live) = c.api(&sato, "GET", &format!("/api/calls/{sid}"), None).await;
    assert_eq!(live["call"]["recording_status"], "in-progress", "{live:#}");

    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/recording"),
            Some(json!({"action": "pause"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let conf = state["conferences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["friendly_name"] == json!(sid))
        .cloned()
        .unwrap();
    assert_eq!(conf["recording"]["status"], "paused", "{conf:#}");
    let (_, live) = c.api(&sato, "GET", &format!("/api/calls/{sid}"), None).await;
    assert_eq!(live["call"]["recording_paused"], true);
    let (s, _) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/recording"),
            Some(json!({"action": "resume"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/recording"),
            Some(json!({"action": "stop"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "an unknown action is refused: {v}");

    c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    let ito = c.sign_in("sv-ito").await;
    let row = c.history_row(&ito, "03-1234-5678", &sid).await;
    let url = row["recording_url"].as_str().map(str::to_owned);
    assert!(
        url.as_deref().is_some_and(|u| u.contains("/Recordings/RE")),
        "supervisors see the recording link: {row:#}"
    );
    let row = c.history_row(&sato, "03-1234-5678", &sid).await;
    assert_eq!(row["recording_url"], Value::Null, "operators do not");
    let (s, _) = c
        .api(
            &sato,
            "POST",
            &format!("/api/calls/{sid}/recording"),
            Some(json!({"action": "pause"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "the call has ended");
    c.assert_no_problems().await;
}

#[tokio::test]
async fn an_outgoing_call_the_operator_gives_up_on_stops_ringing_the_customer() {
    let c = start().await;
    let sato = c.sign_in("op-sato").await;
    c.sim("POST", "/sim/phones/op_sato", json!({})).await;
    c.api(
        &sato,
        "PUT",
        "/api/operators/me/status",
        Some(json!({"status": "away"})),
    )
    .await;
    let (_, placed) = c
        .sim(
            "POST",
            "/sim/phones/op_sato/connect",
            json!({"params": {"To": "03-1234-5678", "LineId": "main"}}),
        )
        .await;
    let leg = placed["callSid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": leg, "in_conference": true, "settled": true}))
        .await;
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let sid = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["direction"] == "outbound-api")
        .and_then(|call| call["sid"].as_str())
        .unwrap()
        .to_owned();

    // The operator hangs up while the customer's phone still rings.
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{sid}/hangup"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.wait(json!({"call": sid, "status": "canceled", "settled": true}))
        .await;
    let (s, _) = c.sim("POST", &format!("/sim/calls/{sid}/answer"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing rings any more");
    let (_, me) = c.api(&sato, "GET", "/api/operators/me", None).await;
    assert_eq!(me["current_call"], Value::Null, "{me}");
    let stored = c.history_row(&sato, "03-1234-5678", &sid).await;
    assert_eq!(stored["status"], "canceled", "{stored:#}");
    c.assert_no_problems().await;
}
