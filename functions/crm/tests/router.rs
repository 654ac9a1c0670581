//! The crm router, called without a socket: lookup, records, search and every kind of bad input.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use shared::auth::Role;
use shared::domain::Services;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request, signed_in};

fn app() -> axum::Router {
    let store = Arc::new(EmbeddedStore::in_memory().unwrap());
    crm::router(Services::new(store))
}

async fn create(app: &axum::Router, object: &str, body: Value) -> Value {
    let (status, rec) = call(
        app,
        signed_in(
            json_request("POST", &format!("/api/crm/objects/{object}/records"), &body),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    rec
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    call(app, signed_in(request("GET", uri), "op-a", Role::Operator)).await
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn the_same_number_written_six_ways_pops_up_the_same_account() {
    let app = app();
    let acc = create(&app, "account", json!({"fields": {"name": "山田商事株式会社", "name_kana": "ヤマダショウジ", "phone": "03-1234-5678", "rank": "a", "notes": "重要顧客"}})).await;
    create(
        &app,
        "contact",
        json!({"fields": {"name": "山田 太郎", "mobile": "090-1111-2222"}, "account_id": acc["id"]}),
    )
    .await;
    for form in [
        "03-1234-5678",
        "０３（１２３４）５６７８",
        "+81 3 1234 5678",
        "0312345678",
        "0081312345678",
        "(03) 1234-5678",
    ] {
        let (status, body) = get(&app, &format!("/api/crm/lookup?phone={}", enc(form))).await;
        assert_eq!(status, StatusCode::OK, "{form}: {body}");
        assert_eq!(body["phone"], "+81312345678");
        assert_eq!(body["accounts"][0]["record"]["id"], acc["id"], "{form}");
        let notes: Vec<&str> = body["accounts"][0]["special_notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["value"].as_str().unwrap())
            .collect();
        assert_eq!(
            notes,
            ["A", "重要顧客"],
            "special notes show the select's label and the text"
        );
    }
}

#[tokio::test]
async fn a_number_typed_with_an_extension_pops_up_the_lines_account_and_keeps_the_extension_to_dial() {
    let app = app();
    let acc = create(
        &app,
        "account",
        json!({"fields": {"name": "内線商事", "phone": "03-1234-5678"}}),
    )
    .await;
    for form in [
        "03-1234-5678 内線 123",
        "TEL: 03-1234-5678 ext. 123",
        "+81312345678;ext=123",
    ] {
        let (status, body) = get(&app, &format!("/api/crm/lookup?phone={}", enc(form))).await;
        assert_eq!(status, StatusCode::OK, "{form}: {body}");
        assert_eq!(body["accounts"][0]["record"]["id"], acc["id"], "{form}");
        assert_eq!(body["phone"], "+81312345678;ext=123", "{form}");
        assert_eq!(body["display"], "03-1234-5678 内線 123", "{form}");
    }
    let (status, body) = get(&app, &format!("/api/crm/lookup?phone={}", enc("03-1234-5678 内線"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap_or_default().contains("内線"),
        "{body}"
    );
}

#[tokio::test]
async fn a_contacts_mobile_pops_up_the_contact_and_its_account() {
    let app = app();
    let acc = create(&app, "account", json!({"fields": {"name": "佐藤製作所"}})).await;
    let con = create(
        &app,
        "contact",
        json!({"fields": {"name": "佐藤 花子", "mobile": "080-1234-5678"}, "account_id": acc["id"]}),
    )
    .await;
    let (_, body) = get(&app, "/api/crm/lookup?phone=08012345678").await;
    assert_eq!(body["contacts"][0]["record"]["id"], con["id"]);
    assert_eq!(body["accounts"][0]["record"]["id"], acc["id"]);
    assert_eq!(body["accounts"][0]["matched_by"], "contact");
    assert_eq!(body["contacts"][0]["record"]["display"]["mobile"], "080-1234-5678");
}

#[tokio::test]
async fn a_kana_reading_finds_the_kanji_named_account_and_half_width_kana_find_full_width() {
    let app = app();
    let yamada = create(
        &app,
        "account",
        json!({"fields": {"name": "山田商事株式会社", "name_kana": "ヤマダショウジ"}}),
    )
    .await;
    let aiu = create(&app, "account", json!({"fields": {"name": "アイウ商会"}})).await;
    create(&app, "account", json!({"fields": {"name": "株式会社カキク"}})).await;
    for q in ["ヤマダ", "やまだ", "ﾔﾏﾀﾞ", "山田商事"] {
        let (status, body) = get(&app, &format!("/api/crm/search?object=account&q={}", enc(q))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let ids: Vec<&Value> = body["items"].as_array().unwrap().iter().map(|h| &h["id"]).collect();
        assert_eq!(ids, [&yamada["id"]], "{q}");
    }
    let (_, half) = get(&app, &format!("/api/crm/search?object=account&q={}", enc("ｱｲｳ"))).await;
    let (_, full) = get(&app, &format!("/api/crm/search?object=account&q={}", enc("アイウ"))).await;
    assert_eq!(half["items"], full["items"]);
    assert_eq!(full["items"][0]["id"], aiu["id"]);
}

#[tokio::test]
async fn search_ranks_whole_field_matches_first_and_follows_edits() {
    let app = app();
    let a = create(&app, "account", json!({"fields": {"name": "森田商店本店"}})).await;
    let b = create(&app, "account", json!({"fields": {"name": "森田"}})).await;
    let (_, body) = get(&app, &format!("/api/crm/search?object=account&q={}", enc("森田"))).await;
    assert_eq!(body["items"][0]["id"], b["id"], "exact match first");
    assert_eq!(body["items"][1]["id"], a["id"]);
    let patch = json!({"version": 1, "fields": {"name": "林田商店"}});
    let (status, _) = call(
        &app,
        signed_in(
            json_request(
                "PUT",
                &format!("/api/crm/objects/account/records/{}", a["id"].as_str().unwrap()),
                &patch,
            ),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = get(&app, &format!("/api/crm/search?object=account&q={}", enc("森田"))).await;
    assert_eq!(
        body["items"].as_array().unwrap().len(),
        1,
        "the renamed record left the old name's postings"
    );
    let (_, body) = get(&app, &format!("/api/crm/search?object=account&q={}", enc("林田"))).await;
    assert_eq!(body["items"][0]["id"], a["id"]);
}

#[tokio::test]
async fn a_stale_update_gets_409_with_the_current_record_and_changes_nothing() {
    let app = app();
    let acc = create(&app, "account", json!({"fields": {"name": "高橋工業"}})).await;
    let uri = format!("/api/crm/objects/account/records/{}", acc["id"].as_str().unwrap());
    let first = json!({"version": 1, "fields": {"address": "東京都"}});
    let (status, _) = call(
        &app,
        signed_in(json_request("PUT", &uri, &first), "op-a", Role::Operator),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let stale = json!({"version": 1, "fields": {"address": "大阪府"}});
    let (status, body) = call(
        &app,
        signed_in(json_request("PUT", &uri, &stale), "op-b", Role::Operator),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "stale_version");
    assert_eq!(body["error"]["current"]["fields"]["address"], "東京都");
    let (_, stored) = get(&app, &uri).await;
    assert_eq!(stored["fields"]["address"], "東京都");
    assert_eq!(stored["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_updates_each_land_or_get_409_and_nothing_is_lost() {
    let app = app();
    let acc = create(&app, "account", json!({"fields": {"name": "並行テスト"}})).await;
    let uri = format!("/api/crm/objects/account/records/{}", acc["id"].as_str().unwrap());
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = app.clone();
        let uri = uri.clone();
        tasks.push(tokio::spawn(async move {
            let (_, cur) = call(&app, signed_in(request("GET", &uri), "op-a", Role::Operator)).await;
            let patch = json!({"version": cur["version"], "fields": {"industry": format!("writer {i}")}});
            let (status, body) = call(
                &app,
                signed_in(json_request("PUT", &uri, &patch), "op-a", Role::Operator),
            )
            .await;
            (status, body, i)
        }));
    }
    let mut landed = Vec::new();
    for t in tasks {
        let (status, body, i) = t.await.unwrap();
        match status {
            StatusCode::OK => landed.push((body["version"].as_u64().unwrap(), i)),
            StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "stale_version"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(!landed.is_empty());
    let (_, fin) = get(&app, &uri).await;
    assert_eq!(
        fin["version"].as_u64().unwrap(),
        1 + landed.len() as u64,
        "every landed write made exactly one version"
    );
    let last = landed.iter().max().unwrap();
    assert_eq!(
        fin["fields"]["industry"],
        format!("writer {}", last.1),
        "the last landed write is what is stored"
    );
}

#[tokio::test]
async fn bad_input_gets_a_4xx_that_says_what_to_fix() {
    let app = app();
    let as_op = |r| signed_in(r, "op-a", Role::Operator);
    let cases: Vec<(axum::http::Request<axum::body::Body>, StatusCode, &str)> = vec![
        (
            as_op(request("GET", "/api/crm/lookup?phone=12")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
        (
            as_op(request("GET", "/api/crm/lookup")),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/nothing/records",
                &json!({"fields": {}}),
            )),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/Bad-Name/records",
                &json!({"fields": {}}),
            )),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/account/records",
                &json!({"fields": {"name": 5}}),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_type",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/account/records",
                &json!({"fields": {"nmae": "x"}}),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_field",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/account/records",
                &json!({"fields": {}}),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/account/records",
                &json!({"fields": {"name": "x", "phone": "abc"}}),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/account/records",
                &json!({"fields": {"name": "x"}, "extra": 1}),
            )),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/account/records",
                &json!({"fields": {"name": "x", "notes": "あ".repeat(140_000)}}),
            )),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            as_op(json_request(
                "POST",
                "/api/crm/objects/account/records",
                &json!({"fields": {"name": "x", "notes": "a".repeat(100_001)}}),
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_long",
        ),
        (
            as_op(request("GET", "/api/crm/objects/account/records/nope")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            as_op(request(
                "GET",
                "/api/crm/objects/account/records/01ARZ3NDEKTSV4RRFFQ69G5FAV",
            )),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            as_op(request("GET", "/api/crm/search?object=account&q=a")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "query_too_short",
        ),
        (
            as_op(request("GET", "/api/crm/search?object=account&q=abc&cursor=zzz")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_cursor",
        ),
        (
            as_op(request(
                "DELETE",
                "/api/crm/objects/account/records/01ARZ3NDEKTSV4RRFFQ69G5FAV?version=1",
            )),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            request("GET", "/api/crm/lookup?phone=0312345678"),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            as_op(request("GET", "/api/crm/nothing-here")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ];
    for (req, expected, code) in cases {
        let uri = req.uri().to_string();
        let (status, body) = call(&app, req).await;
        let short: String = body.to_string().chars().take(300).collect();
        assert_eq!(status, expected, "{uri}: {short}");
        assert_eq!(body["error"]["code"], code, "{uri}: {short}");
        assert!(
            !body["error"]["message"].as_str().unwrap_or_default().is_empty(),
            "{uri}"
        );
    }
    let malformed = axum::http::Request::builder()
        .method("POST")
        .uri("/api/crm/objects/account/records")
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"fields\": {"))
        .unwrap();
    let (status, body) = call(&app, as_op(malformed)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("JSON"));
}

#[tokio::test]
async fn an_account_with_contacts_cannot_be_deleted_but_an_empty_one_can() {
    let app = app();
    let acc = create(&app, "account", json!({"fields": {"name": "削除テスト"}})).await;
    let con = create(
        &app,
        "contact",
        json!({"fields": {"name": "担当", "phone": "06-1234-5678"}, "account_id": acc["id"]}),
    )
    .await;
    let sup = |r| signed_in(r, "sv-a", Role::Supervisor);
    let acc_uri = format!(
        "/api/crm/objects/account/records/{}?version=1",
        acc["id"].as_str().unwrap()
    );
    let (status, body) = call(&app, sup(request("DELETE", &acc_uri))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let con_uri = format!(
        "/api/crm/objects/contact/records/{}?version=1",
        con["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&app, sup(request("DELETE", &con_uri))).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, body) = get(&app, "/api/crm/lookup?phone=0612345678").await;
    assert!(
        body["contacts"].as_array().unwrap().is_empty(),
        "the phone index entry went with the record"
    );
    assert_eq!(
        call(&app, sup(request("DELETE", &acc_uri))).await.0,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn a_malformed_object_or_record_id_in_the_path_is_a_404_saying_what_one_looks_like() {
    let app = app();
    let valid = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    for (uri, sent, names) in [
        (
            "/api/crm/objects/account/records/nope".to_owned(),
            "nope",
            "record id: a 26-character ULID",
        ),
        (
            format!("/api/crm/objects/Bad-Name/records/{valid}"),
            "Bad-Name",
            "object name: lower-case letters",
        ),
    ] {
        for method in ["GET", "DELETE"] {
            let (status, body) = call(&app, signed_in(request(method, &uri), "sv", Role::Supervisor)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}: {body}");
            let message = body["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(sent) && message.contains(names),
                "{method} {uri}: {message}"
            );
        }
    }
    let (status, body) = call(
        &app,
        signed_in(
            json_request("POST", "/api/crm/objects/Bad-Name/records", &json!({"fields": {}})),
            "op-a",
            Role::Operator,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("object name"),
        "{body}"
    );
}

/// The screen pop with its history in one request: `calls` adds the first page of the number's
/// calls exactly as the history function lists them (recording links as the caller may see
/// them), and is refused out of range.
#[tokio::test]
async fn a_lookup_asked_for_calls_brings_the_first_page_of_the_numbers_history() {
    use shared::domain::calls::{CallSummary, Direction};
    let services = Services::new(Arc::new(EmbeddedStore::in_memory().unwrap()));
    let app = crm::router(services.clone());
    let history = history::router(services.clone());
    create(
        &app,
        "account",
        json!({"fields": {"name": "履歴商事", "phone": "03-1234-5678"}}),
    )
    .await;
    let calls = (0..3).map(|n| {
        CallSummary {
            sid: format!("CA{n:032x}"),
            direction: Direction::Inbound,
            customer: Some("+81312345678".into()),
            customer_display: Some("03-1234-5678".into()),
            status: "completed".into(),
            // The first call was another operator's: its recording is not shown to op-a.
            operator_id: Some(if n == 0 { "op-b" } else { "op-a" }.into()),
            started_at: format!("2026-11-0{}T10:00:00Z", n + 1),
            recording_url: Some(format!(
                "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE{n:032x}"
            )),
            ..CallSummary::default()
        }
        .to_item()
    });
    services.store.batch_write(calls.collect(), vec![]).await.unwrap();
    for (who, role) in [("op-a", Role::Operator), ("sv", Role::Supervisor)] {
        let ask = |uri: &str| signed_in(request("GET", uri), who, role);
        let (status, pop) = call(&app, ask("/api/crm/lookup?phone=03-1234-5678&calls=2")).await;
        assert_eq!(status, StatusCode::OK, "{pop}");
        assert_eq!(pop["accounts"][0]["record"]["title"], "履歴商事");
        let (status, listed) = call(&history, ask("/api/history/calls?phone=0312345678&limit=2")).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        assert_eq!(pop["calls"], listed, "{who}: the same page as the history lists");
        assert_eq!(pop["calls"]["items"].as_array().unwrap().len(), 2);
        assert!(pop["calls"]["cursor"].is_string(), "a third call is on the next page");
        let shown = pop["calls"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["recording_url"].is_string())
            .count();
        // Newest first: op-a's two calls; with operators not allowed to play, op-a sees none.
        assert_eq!(shown, if role == Role::Supervisor { 2 } else { 0 }, "{who}: {pop}");
    }
    let (status, plain) = get(&app, "/api/crm/lookup?phone=03-1234-5678").await;
    assert_eq!(status, StatusCode::OK);
    assert!(plain.get("calls").is_none(), "not asked, not read: {plain}");
    for bad in ["0", "101", "-1", "many"] {
        let (status, body) = get(&app, &format!("/api/crm/lookup?phone=03-1234-5678&calls={bad}")).await;
        assert!(status.is_client_error(), "calls={bad}: {status} {body}");
        if bad == "0" || bad == "101" {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(body["error"]["field"], "calls", "{body}");
        }
    }
}
