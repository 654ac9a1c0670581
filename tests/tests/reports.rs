//! Reports through the Twilio simulator: a hand-computed day of a small centre — two queues,
//! calls answered, one abandoned, one held, 後処理 left early after each, an outgoing call to a
//! call-list target that found the line busy and its result recorded, memos with response
//! statuses, presence changes — and the report and the Shift_JIS history export the supervisor
//! reads afterwards.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

async fn put_section(c: &Console, section: &str, value: Value) {
    let settings = &c.control.services.settings;
    let version = settings
        .get()
        .await
        .unwrap()
        .versions
        .get(section)
        .copied()
        .unwrap_or(0);
    settings.put_section(section, version, value).await.unwrap();
}

/// A caller who presses `digit` in the menu; returns the call id.
async fn caller(c: &Console, from: &str, digit: &str) -> String {
    let (s, started) = c
        .sim(
            "POST",
            "/sim/calls",
            json!({"from": from, "choices": [{"digits": digit}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    started["sid"].as_str().unwrap().to_owned()
}

/// Waits until the call waits in line (its record has a queue entry).
async fn queued(c: &Console, sid: &str) {
    for _ in 0..200 {
        if c.stored_call(sid).await.is_some_and(|r| r.contains_key("queue_sk")) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{sid} never waited in line");
}

async fn status(c: &Console, token: &str, status: &str) {
    let (s, v) = c
        .api(
            token,
            "PUT",
            "/api/operators/me/status",
            Some(json!({"status": status})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn memo(c: &Console, token: &str, sid: &str, text: &str, response_status: &str) {
    let (s, v) = c
        .api(
            token,
            "PUT",
            &format!("/api/memos/{sid}"),
            Some(json!({"version": 0, "text": text, "response_status": response_status})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(9))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn a_days_calls_and_presence_add_up_to_the_hand_computed_report() {
    // Given two queues, 総合窓口 (the line's) and 料金窓口 (menu option 1), 後処理 of 30 s,
    let c = start().await;
    put_section(
        &c,
        "queues",
        json!([{"id": "general", "name": "総合窓口"}, {"id": "billing", "name": "料金窓口"}]),
    )
    .await;
    put_section(
        &c,
        "menu",
        json!({"main": {
            "greeting": "お電話ありがとうございます。",
            "timeout_seconds": 1,
            "attempts": 1,
            "options": [
                {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "action": {"action": "queue", "queue": "billing"}},
                {"id": "other", "key": "2", "label": "その他のお問い合わせ", "action": {"action": "queue"}}
            ],
            "default": {"action": "queue"}
        }}),
    )
    .await;
    let mut handling = serde_json::to_value(&c.control.services.settings.get().await.unwrap().call_handling).unwrap();
    handling["wrap_up_seconds"] = json!(30);
    put_section(&c, "call_handling", handling).await;
    let sato = c.operator("op-sato").await;

    // Call A (料金): Sato answers, holds the customer about a second and a half, saves a memo
    // (対応完了) and the customer hangs up.
    let a = caller(&c, "03-1111-2222", "1").await;
    c.wait(json!({"phone": "op_sato", "timeout_ms": 20000})).await;
    c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    c.wait(json!({"conference": a, "labels": ["customer", "operator"], "settled": true}))
        .await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{a}/hold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.settle().await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let (s, v) = c.api(&sato, "POST", &format!("/api/calls/{a}/unhold"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    c.settle().await;
    memo(&c, &sato, &a, "①の件、𠮷田様より", "resolved").await;
    c.sim("POST", &format!("/sim/calls/{a}/hangup"), json!({})).await;
    c.settle().await;

    // Call B (その他 → 総合窓口) comes while Sato is 離席 — chosen a moment into the 後処理
    // of call A: the caller gives up in line.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    status(&c, &sato, "away").await;
    let b = caller(&c, "03-3333-4444", "2").await;
    queued(&c, &b).await;
    c.sim("POST", &format!("/sim/calls/{b}/hangup"), json!({})).await;
    c.settle().await;

    // Call C (総合窓口): Sato, 受付可 again, answers; after the call the memo says 折り返し必要.
    status(&c, &sato, "available").await;
    let call_c = caller(&c, "03-5555-6666", "2").await;
    c.wait(json!({"phone": "op_sato", "timeout_ms": 20000})).await;
    c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    c.wait(json!({"conference": call_c, "labels": ["customer", "operator"], "settled": true}))
        .await;
    c.sim("POST", &format!("/sim/calls/{call_c}/hangup"), json!({})).await;
    c.settle().await;
    memo(&c, &sato, &call_c, "後日連絡", "callback").await;

    // Sato, 離席 a moment into the 後処理 (outgoing calls are made away from the queue), takes
    // a target of the call list and dials out; the line is busy, and they record 不在.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    status(&c, &sato, "away").await;
    let (s, lists) = c.api(&sato, "GET", "/api/call-lists", None).await;
    assert_eq!(s, StatusCode::OK, "{lists}");
    let list = lists["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, leased) = c
        .api(&sato, "POST", &format!("/api/call-lists/{list}/lease-next"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{leased}");
    let target = leased["target"]["id"].as_str().unwrap().to_owned();
    let (_, placed) = c
        .sim(
            "POST",
            "/sim/phones/op_sato/connect",
            json!({"params": {"To": "03-7777-8888", "LineId": "main"}}),
        )
        .await;
    let leg = placed["callSid"].as_str().unwrap().to_owned();
    c.wait(json!({"call": leg, "in_conference": true})).await;
    let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
    let out = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|call| call["to"] == "+81377778888" && call["direction"] == "outbound-api")
        .and_then(|call| call["sid"].as_str())
        .expect("the customer is being called")
        .to_owned();
    c.sim("POST", &format!("/sim/calls/{out}/busy"), json!({})).await;
    c.settle().await;
    let (s, v) = c
        .api(
            &sato,
            "POST",
            &format!("/api/call-lists/{list}/targets/{target}/result"),
            Some(json!({"call_sid": out, "response_status": "absent", "outcome": "no_answer"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // (the busy call's 後処理, left by signing off, was counted as none)
    status(&c, &sato, "offline").await;

    // When the supervisor reads today's report,
    let ito = c.sign_in("sv-ito").await;
    let day = today();
    let (s, r) = c
        .api(&ito, "GET", &format!("/api/reports?from={day}&to={day}"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");

    // then the centre's figures are the hand-computed ones:
    let t = &r["totals"];
    let counts = |f: &Value| {
        [
            "offered",
            "answered",
            "abandoned",
            "answered_in_time",
            "handled",
            "outbound",
        ]
        .map(|k| f[k].as_u64().unwrap())
    };
    // 3 in (A, B, C), 2 answered within 20 s, 1 abandoned; 1 out, busy.
    assert_eq!(counts(t), [3, 2, 1, 2, 2, 1], "{t:#}");
    assert_eq!(t["service_level_percent"], 66.7);
    assert_eq!(t["abandon_percent"], 33.3);
    assert_eq!(t["outbound_results"], json!({"busy": 1}));
    // 後処理: the second or so taken after each of A and C (none after the busy call).
    let wrap = t["wrap_up_seconds"].as_u64().unwrap();
    assert!((2..=16).contains(&wrap), "a moment after each talked call: {wrap}");
    let hold = t["hold_seconds"].as_u64().unwrap();
    assert!((1..=3).contains(&hold), "about a second and a half on hold: {hold}");
    assert_eq!(r["days"].as_array().unwrap().len(), 1);
    assert_eq!(r["days"][0]["figures"], *t);
    // per queue (in the settings' order),
    let queues: Vec<(String, [u64; 6])> = r["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["name"].as_str().unwrap().to_owned(), counts(&q["figures"])))
        .collect();
    assert_eq!(
        queues,
        [
            ("総合窓口".to_owned(), [2, 1, 1, 1, 1, 0]),
            ("料金窓口".to_owned(), [1, 1, 0, 1, 1, 0]),
        ]
    );
    // per operator, with their presence (the demo data's call-list results of the day make
    // rows for Suzuki and Takahashi, who took no call),
    let ops = r["operators"].as_array().unwrap();
    let ids: Vec<&str> = ops.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["op-sato", "op-suzuki", "op-takahashi"], "{ops:#?}");
    let op = &ops[0];
    assert_eq!(op["id"], "op-sato");
    assert_eq!(
        counts(&op["figures"]),
        [2, 2, 0, 2, 2, 1],
        "the two calls that reached Sato and the one they made"
    );
    assert_eq!(op["figures"]["hold_seconds"].as_u64().unwrap(), hold);
    assert_eq!(op["figures"]["wrap_up_seconds"].as_u64().unwrap(), wrap);
    let p = &op["presence"];
    let login = p["login_seconds"].as_u64().unwrap();
    let away = p["status_seconds"]["away"].as_u64().unwrap_or(0);
    let available = p["status_seconds"]["available"].as_u64().unwrap_or(0);
    assert_eq!(login, away + available, "logged in: 受付可 and 離席, {p}");
    assert!(
        p["status_seconds"].get("offline").is_none(),
        "signed off only at the end: {p}"
    );
    // per response status, the one chosen after the call included, each with the 後処理 taken
    // after its call, in its AHT (talk + hold + 後処理);
    let statuses: Vec<(String, u64)> = r["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["figures"]["answered"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [("対応完了".to_owned(), 1), ("折り返し必要".to_owned(), 1)]);
    let mut status_wrap = 0;
    for s in r["statuses"].as_array().unwrap().iter().take(2) {
        let f = &s["figures"];
        let [talk, held, wrap_s] = ["talk_seconds", "hold_seconds", "wrap_up_seconds"].map(|k| f[k].as_u64().unwrap());
        assert!((1..=8).contains(&wrap_s), "{s}");
        assert_eq!(
            f["average_handle_seconds"].as_u64().unwrap(),
            talk + held + wrap_s,
            "{s}"
        );
        status_wrap += wrap_s;
    }
    assert_eq!(
        status_wrap, wrap,
        "every second of 後処理 under the status its call ended with"
    );
    // and the call list's results by code: Sato's 不在 beside the demo data's 完了 (Sato), 不在
    // (Suzuki) and 再架電 (Takahashi) recorded when the runtime started.
    let codes = |f: &Value| ["done", "no_answer", "callback"].map(|k| f["call_results"][k].as_u64().unwrap_or(0));
    assert_eq!((t["results"].as_u64(), codes(t)), (Some(4), [1, 2, 1]), "{t:#}");
    let by_operator: Vec<[u64; 3]> = ops.iter().map(|o| codes(&o["figures"])).collect();
    assert_eq!(by_operator, [[1, 1, 0], [0, 1, 0], [0, 0, 1]]);
    let lists = r["lists"].as_array().unwrap();
    assert_eq!(lists.len(), 1, "{lists:#?}");
    assert_eq!(lists[0]["name"], "春の更新キャンペーン");
    assert_eq!(codes(&lists[0]["figures"]), [1, 2, 1]);

    // The history export in Shift_JIS holds the four calls; ① is kept and 𠮷 becomes 〓.
    let resp = c
        .http
        .get(format!("{}/api/reports/calls?from={day}&to={day}&encoding=sjis", c.url))
        .bearer_auth(&ito)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("x-next-cursor").is_none());
    let bytes = resp.bytes().await.unwrap();
    let (text, _, errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!errors);
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 2 + 4, "the note, the header and four calls: {text}");
    let row_a = lines.iter().find(|l| l.contains(a.as_str())).unwrap();
    assert!(row_a.contains("\"料金窓口\",\"佐藤"), "{row_a}");
    assert!(row_a.contains("\"対応完了\",\"①の件、〓田様より\""), "{row_a}");
    let row_b = lines.iter().find(|l| l.contains(b.as_str())).unwrap();
    assert!(row_b.contains("\"総合窓口\",\"\",\"放棄\""), "{row_b}");
    let row_out = lines.iter().find(|l| l.contains(out.as_str())).unwrap();
    assert!(row_out.contains("\"発信\",\"03-7777-8888\""), "{row_out}");
    assert!(row_out.contains("\"話し中\""), "{row_out}");
    c.assert_no_problems().await;
}
