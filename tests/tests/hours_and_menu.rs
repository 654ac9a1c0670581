//! A line's business hours and IVR menu through the Twilio simulator: a caller on a national
//! holiday hears the closed message and is never queued; a caller who meets the menu, says
//! nothing, presses a key no option has, then chooses, reaches the queue and an operator, with
//! the choice on the call record; a caller who never chooses gets the menu's default. The
//! callers' keys and words are scripted as Twilio's `<Gather>` would post them.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Console, start};

fn jst(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(&format!("{s}+09:00"))
        .unwrap()
        .with_timezone(&chrono::Utc)
}

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

fn menu(default: Value) -> Value {
    json!({"main": {
        "greeting": "お電話ありがとうございます。サンプル商事サポートセンターです。",
        "speech": true,
        "timeout_seconds": 1,
        "attempts": 3,
        "options": [
            {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "keywords": ["料金", "請求"], "action": {"action": "queue"}},
            {"id": "hours", "key": "9", "label": "営業時間のご案内", "action": {"action": "message", "text": "受付時間は平日9時から18時までです。"}}
        ],
        "default": default
    }})
}

async fn call(c: &Console, choices: Value) -> String {
    let (s, started) = c
        .sim(
            "POST",
            "/sim/calls",
            json!({"from": "03-1234-5678", "choices": choices}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{started}");
    started["sid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_call_on_a_holiday_hears_the_closed_message_and_is_never_queued() {
    let c = start().await;
    let _sato = c.operator("op-sato").await;
    let mut hours = serde_json::to_value(shared::domain::settings::BusinessHours::weekdays_nine_to_six()).unwrap();
    hours["when_closed"] = json!({"action": "message", "text": "本日は祝日のため休業しております。"});
    put_section(&c, "hours", json!({"main": hours})).await;
    // 2026-11-23 勤労感謝の日, a Monday, at 11:00 in Tokyo.
    c.control.clock.set(Some(jst("2026-11-23T11:00:00")));

    let sid = call(&c, json!([])).await;
    let done = c
        .wait(json!({"call": sid, "status": "completed", "heard": "祝日のため休業", "settled": true}))
        .await;
    assert_eq!(done["call"]["heard"].as_array().unwrap().len(), 1, "{done:#}");
    assert!(c.stored_call(&sid).await.is_none(), "a closed line queues nobody");
    let (_, events) = c.sim("GET", "/sim/phones/op_sato/events", json!({})).await;
    assert!(
        !events.as_array().unwrap().iter().any(|e| e["type"] == "incoming"),
        "no operator was rung: {events:#}"
    );

    // The next working day at 11:00 the same line queues the caller and rings Sato.
    c.control.clock.set(Some(jst("2026-11-24T11:00:00")));
    let sid = call(&c, json!([])).await;
    c.wait(json!({"phone": "op_sato"})).await;
    assert!(c.stored_call(&sid).await.is_some());
    c.assert_no_problems().await;
}

#[tokio::test]
async fn silence_then_a_wrong_key_then_a_choice_reaches_the_queue_and_an_operator() {
    let c = start().await;
    let sato = c.operator("op-sato").await;
    put_section(&c, "menu", menu(json!({"action": "queue"}))).await;

    let sid = call(&c, json!([{}, {"digits": "5"}, {"digits": "1"}])).await;
    c.wait(json!({"phone": "op_sato", "timeout_ms": 20000})).await;
    let (_, heard) = c.sim("GET", &format!("/sim/calls/{sid}"), json!({})).await;
    let heard: Vec<String> = heard["call"]["heard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    let options =
        "料金のお問い合わせは1を、営業時間のご案内は9を押してください。ご用件をお話しいただくこともできます。";
    assert_eq!(
        heard[..7.min(heard.len())],
        [
            "お電話ありがとうございます。サンプル商事サポートセンターです。",
            options,
            "入力が確認できませんでした。",
            options,
            "恐れ入りますが、その番号はございません。",
            options,
            "ただいまおつなぎいたします。",
        ],
        "what the caller heard, in order (the wait message may follow)"
    );
    let (s, _) = c.sim("POST", "/sim/phones/op_sato/accept", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    c.wait(json!({"conference": sid, "labels": ["customer", "operator"], "settled": true}))
        .await;
    let (_, current) = c.api(&sato, "GET", "/api/calls/current", None).await;
    assert_eq!(current["call"]["sid"], json!(sid), "{current:#}");
    let stored = c.stored_call(&sid).await.unwrap();
    assert_eq!(stored["menu_choice"], "billing", "{stored:?}");
    c.assert_no_problems().await;
}

#[tokio::test]
async fn words_choose_an_option_and_a_caller_who_never_chooses_gets_the_default() {
    let c = start().await;
    let _sato = c.operator("op-sato").await;
    put_section(
        &c,
        "menu",
        menu(json!({"action": "message", "text": "恐れ入りますが、もう一度おかけ直しください。"})),
    )
    .await;

    // Words: 「請求について」 chooses 料金 (the queue).
    let sid = call(&c, json!([{"speech": "請求について", "confidence": 0.82}])).await;
    c.wait(json!({"phone": "op_sato", "timeout_ms": 20000})).await;
    assert_eq!(c.stored_call(&sid).await.unwrap()["menu_choice"], "billing");
    c.sim("POST", "/sim/phones/op_sato/reject", json!({})).await;
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;

    // Three silences: the menu's default message, and the call ends without being queued.
    let sid = call(&c, json!([])).await;
    let done = c
        .wait(json!({"call": sid, "status": "completed", "heard": "もう一度おかけ直しください", "timeout_ms": 20000}))
        .await;
    let heard = done["call"]["heard"].as_array().unwrap();
    assert_eq!(
        heard
            .iter()
            .filter(|h| h
                .as_str()
                .unwrap()
                .ends_with("押してください。ご用件をお話しいただくこともできます。"))
            .count(),
        3,
        "the options are said three times: {heard:#?}"
    );
    assert!(c.stored_call(&sid).await.is_none());
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_closed_line_forwards_the_caller_on_its_own_number_until_either_hangs_up() {
    let c = start().await;
    let mut hours = serde_json::to_value(shared::domain::settings::BusinessHours::weekdays_nine_to_six()).unwrap();
    hours["when_closed"] = json!({"action": "forward", "number": "+819011112222"});
    put_section(&c, "hours", json!({"main": hours})).await;
    // A Tuesday at 21:00 in Tokyo: after hours.
    c.control.clock.set(Some(jst("2026-11-24T21:00:00")));

    let sid = call(&c, json!([])).await;
    c.wait(json!({"call": sid, "heard": "担当窓口へおつなぎいたします"}))
        .await;
    // The forwarded leg rings the night line, shown the line's own number.
    let mut forwarded = Value::Null;
    for _ in 0..100 {
        let (_, state) = c.sim("GET", "/sim/state", json!({})).await;
        if let Some(leg) = state["calls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["to"] == "+819011112222")
        {
            forwarded = leg.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(forwarded["from"], "+81368000001", "{forwarded:#}");
    assert_eq!(forwarded["parent_call_sid"], json!(sid));
    assert_eq!(forwarded["direction"], "outbound-dial");
    let leg = forwarded["sid"].as_str().unwrap().to_owned();
    let (s, _) = c.sim("POST", &format!("/sim/calls/{leg}/answer"), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    c.wait(json!({"call": leg, "status": "in-progress"})).await;
    c.wait(json!({"call": sid, "status": "in-progress"})).await;

    // The night line hangs up: the caller's call ends with the <Dial>.
    c.sim("POST", &format!("/sim/calls/{leg}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;
    assert!(c.stored_call(&sid).await.is_none(), "a forwarded call is not queued");
    c.assert_no_problems().await;
}

#[tokio::test]
async fn a_closed_line_with_voicemail_and_a_menu_option_for_it_reach_the_lines_box() {
    let c = start().await;
    let mut hours = serde_json::to_value(shared::domain::settings::BusinessHours::weekdays_nine_to_six()).unwrap();
    hours["when_closed"] = json!({"action": "voicemail", "greeting": "サンプル商事です。ご用件をお預かりいたします。"});
    put_section(&c, "hours", json!({"main": hours})).await;
    c.control.clock.set(Some(jst("2027-01-02T10:00:00")));

    // 年末年始: the line's own greeting, from its voicemail box.
    let sid = call(&c, json!([])).await;
    c.wait(json!({"call": sid, "heard": "ご用件をお預かりいたします"}))
        .await;
    let (_, webhooks) = c.sim("GET", "/sim/webhooks", json!({})).await;
    assert!(
        webhooks.as_array().unwrap().iter().any(|h| h["url"]
            .as_str()
            .unwrap()
            .ends_with("/twilio/voice/voicemail?line=main")
            && h["status"] == 200),
        "the box was fetched for the line: {webhooks:#}"
    );
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.wait(json!({"call": sid, "status": "completed", "settled": true}))
        .await;

    // Open, a menu whose # is voicemail: the same box.
    c.control.clock.set(Some(jst("2027-01-05T10:00:00")));
    put_section(
        &c,
        "menu",
        json!({"main": {"greeting": "お電話ありがとうございます。", "timeout_seconds": 1, "options": [
            {"id": "billing", "key": "1", "label": "料金のお問い合わせ", "action": {"action": "queue"}},
            {"id": "message", "key": "#", "label": "伝言", "action": {"action": "voicemail"}}
        ], "default": {"action": "queue"}}}),
    )
    .await;
    let sid = call(&c, json!([{"digits": "#"}])).await;
    c.wait(json!({"call": sid, "heard": "ご用件をお預かりいたします"}))
        .await;
    assert!(
        c.stored_call(&sid).await.is_none(),
        "a caller leaving a message is not queued"
    );
    c.sim("POST", &format!("/sim/calls/{sid}/hangup"), json!({})).await;
    c.settle().await;
    c.assert_no_problems().await;
}
