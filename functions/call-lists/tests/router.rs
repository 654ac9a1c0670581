//! The call-lists router, called without a socket: lists, CSV imports (UTF-8 with a BOM,
//! Shift_JIS, malformed rows, 12,000 rows in chunks), leases, results, the queue, and every kind
//! of bad input. The concurrent-lease test runs on the DynamoDB adapter against moto.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::crm::NewRecord;
use shared::ids::{ObjectName, OperatorId, RecordId};
use shared::store::embedded::EmbeddedStore;
use shared::store::table::{call_list_pk, call_list_target_sk};
use shared::store::{Key, Store, Update, attr};
use shared::testing::{call, json_request, request, signed_in};

const ADMIN: &str = "admin-watanabe";
const OP: &str = "op-sato";

async fn services_on(store: Arc<dyn Store>) -> Services {
    let services = Services::new(store);
    services
        .settings
        .put_section(
            "scripts",
            0,
            json!([{"id": "outbound", "title": "架電時の基本トーク", "body": "お忙しいところ恐れ入ります。"}]),
        )
        .await
        .unwrap();
    services
        .settings
        .put_section(
            "lines",
            0,
            json!([
                {"id": "main", "number": "03-6800-0001", "label": "代表番号"},
                {"id": "sales", "number": "050-3000-1234", "label": "営業部", "script_id": "outbound"}
            ]),
        )
        .await
        .unwrap();
    services
}

async fn app() -> (axum::Router, Services) {
    let services = services_on(Arc::new(EmbeddedStore::in_memory().unwrap())).await;
    (call_lists::router(services.clone()), services)
}

async fn as_admin(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    call(app, signed_in(req, ADMIN, Role::Admin)).await
}

async fn as_op(app: &axum::Router, who: &str, req: Request<Body>) -> (StatusCode, Value) {
    call(app, signed_in(req, who, Role::Operator)).await
}

fn csv_request(uri: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "text/csv")
        .body(Body::from(bytes))
        .unwrap()
}

async fn new_list(app: &axum::Router) -> String {
    let (status, body) = as_admin(
        app,
        json_request(
            "POST",
            "/api/call-lists",
            &json!({"name": "春の更新キャンペーン", "line_id": "sales", "description": "既存顧客"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn new_import(app: &axum::Router, list: &str, columns: &[&str], mapping: Value) -> String {
    let (status, body) = as_admin(
        app,
        json_request(
            "POST",
            &format!("/api/call-lists/{list}/imports"),
            &json!({"columns": columns, "mapping": mapping, "file_name": "list.csv"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn send_chunk(
    app: &axum::Router,
    list: &str,
    import: &str,
    first_line: u64,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    as_admin(
        app,
        csv_request(
            &format!("/api/call-lists/{list}/imports/{import}/chunks?first_line={first_line}"),
            bytes,
        ),
    )
    .await
}

const COLUMNS: [&str; 5] = ["会社名", "担当者", "電話番号", "備考", "地域"];

fn standard_mapping() -> Value {
    json!({"phone": "電話番号", "account": "会社名", "contact": "担当者", "notes": "備考", "extra": ["地域"]})
}

/// A list with `rows` targets imported from a plain file (phone numbers 03-5000-0000 on).
async fn list_with_targets(app: &axum::Router, rows: usize) -> (String, Vec<String>) {
    let list = new_list(app).await;
    let import = new_import(app, &list, &COLUMNS, standard_mapping()).await;
    let mut text = String::new();
    for i in 0..rows {
        text.push_str(&format!("テスト商事{i},担当{i},03-5000-{i:04},,東京\n"));
    }
    let (status, body) = send_chunk(app, &list, &import, 2, text.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["chunk"]["imported"], rows);
    let (_, page) = as_op(
        app,
        OP,
        request("GET", &format!("/api/call-lists/{list}/targets?limit=200")),
    )
    .await;
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    (list, ids)
}

async fn counts(app: &axum::Router, list: &str) -> Value {
    let (status, body) = as_op(app, OP, request("GET", &format!("/api/call-lists/{list}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["counts"].clone()
}

async fn lease(app: &axum::Router, who: &str, list: &str, target: &str) -> (StatusCode, Value) {
    as_op(
        app,
        who,
        request("POST", &format!("/api/call-lists/{list}/targets/{target}/lease")),
    )
    .await
}

async fn result(app: &axum::Router, who: &str, list: &str, target: &str, body: Value) -> (StatusCode, Value) {
    as_op(
        app,
        who,
        json_request(
            "POST",
            &format!("/api/call-lists/{list}/targets/{target}/result"),
            &body,
        ),
    )
    .await
}

fn in_hours(h: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(h))
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .to_rfc3339()
}

fn target_key(list: &str, target: &str) -> Key {
    let list = RecordId::parse(list).unwrap();
    Key::new(call_list_pk(&list), call_list_target_sk(target))
}

fn assert_field(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], field, "{body}");
    assert!(!body["error"]["message"].as_str().unwrap_or_default().is_empty());
}

#[tokio::test]
async fn admins_create_change_and_delete_lists_and_operators_only_read_them() {
    let (app, _) = app().await;
    let list = new_list(&app).await;
    let (status, body) = as_op(
        &app,
        OP,
        json_request("POST", "/api/call-lists", &json!({"name": "x", "line_id": "sales"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, body) = as_op(&app, OP, request("GET", "/api/call-lists")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"][0]["id"], list.as_str());
    assert_eq!(body["items"][0]["line_id"], "sales");
    assert_eq!(
        body["items"][0]["counts"],
        json!({"not_called": 0, "in_progress": 0, "no_answer": 0, "done": 0, "callback": 0, "total": 0})
    );

    let uri = format!("/api/call-lists/{list}");
    let change = json!({"version": 1, "name": "夏のキャンペーン", "line_id": "main", "script_id": "outbound"});
    let (status, body) = as_admin(&app, json_request("PUT", &uri, &change)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["version"].as_u64(), body["name"].as_str()),
        (Some(2), Some("夏のキャンペーン"))
    );
    assert!(body.get("description").is_none(), "a description left out is cleared");
    let (status, body) = as_admin(&app, json_request("PUT", &uri, &change)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "stale_version");
    assert_eq!(body["error"]["current"]["version"], 2);
    let (status, _) = as_op(&app, OP, request("DELETE", &uri)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = as_admin(&app, request("DELETE", &uri)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = as_op(&app, OP, request("GET", &uri)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, body) = as_op(&app, OP, request("GET", "/api/call-lists")).await;
    assert_eq!(body["items"], json!([]));
}

#[tokio::test]
async fn bad_list_input_gets_a_4xx_that_names_what_to_fix() {
    let (app, _) = app().await;
    for (input, field) in [
        (json!({"name": "  ", "line_id": "sales"}), "name"),
        (json!({"name": "長".repeat(101), "line_id": "sales"}), "name"),
        (json!({"name": "x", "line_id": "nope"}), "line_id"),
        (
            json!({"name": "x", "line_id": "sales", "script_id": "nope"}),
            "script_id",
        ),
        (
            json!({"name": "x", "line_id": "sales", "description": "d".repeat(1001)}),
            "description",
        ),
    ] {
        let (status, body) = as_admin(&app, json_request("POST", "/api/call-lists", &input)).await;
        assert_field(status, &body, field);
    }
    let (status, body) = as_admin(
        &app,
        json_request(
            "POST",
            "/api/call-lists",
            &json!({"name": "x", "line_id": "sales", "colour": "red"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("colour"));
    let (status, _) = as_admin(&app, request("POST", "/api/call-lists")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = as_op(&app, OP, request("GET", "/api/call-lists/not-a-list")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = as_op(&app, OP, request("GET", "/api/call-lists?cursor=garbage")).await;
    assert_field(status, &body, "cursor");
    let (status, _) = call(&app, request("GET", "/api/call-lists")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_utf8_file_with_a_bom_imports_and_known_numbers_link_to_the_crm() {
    let (app, services) = app().await;
    let by = OperatorId::parse(ADMIN).unwrap();
    let fields = |v: Value| v.as_object().cloned().unwrap();
    let account = services
        .crm
        .create(
            &ObjectName::parse("account").unwrap(),
            NewRecord {
                fields: fields(json!({"name": "山田商事株式会社", "phone": "03-1234-5678"})),
                account_id: None,
                contact_id: None,
                call_sid: None,
            },
            &by,
        )
        .await
        .unwrap();
    let contact = services
        .crm
        .create(
            &ObjectName::parse("contact").unwrap(),
            NewRecord {
                fields: fields(json!({"name": "山田 太郎", "mobile": "090-1111-2222"})),
                account_id: Some(account.id.clone()),
                contact_id: None,
                call_sid: None,
            },
            &by,
        )
        .await
        .unwrap();
    let list = new_list(&app).await;
    let file = "会社名,担当者,電話番号,備考,地域\n\
                ,,０３（１２３４）５６７８,既存顧客,東京\n\
                ヤマダ,,090-1111-2222,,\n\
                青山デザイン株式会社,青山 真理,03-5500-1201,\"展示会で名刺交換\n資料送付済み\",東京\n";
    let bytes = [b"\xEF\xBB\xBF".as_slice(), file.as_bytes()].concat();

    let (status, preview) = as_admin(
        &app,
        csv_request(&format!("/api/call-lists/{list}/imports/preview"), bytes.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["encoding"], "utf-8-bom");
    assert_eq!(preview["columns"], json!(COLUMNS));
    assert_eq!(preview["rows"].as_array().unwrap().len(), 3);
    assert_eq!(preview["suggested"], standard_mapping());

    let import = new_import(&app, &list, &COLUMNS, preview["suggested"].clone()).await;
    // The page sends the header row too when it cuts the first chunk from the file's start.
    let (status, body) = send_chunk(&app, &list, &import, 1, bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["chunk"]["encoding"], "utf-8-bom");
    assert_eq!(body["chunk"]["rows"], 3, "the header row is not a target");
    assert_eq!(body["chunk"]["imported"], 3);
    assert_eq!(body["chunk"]["linked"], 2);
    assert_eq!(body["chunk"]["failed"], json!([]));
    assert_eq!(body["import"]["rows_imported"], 3);
    assert_eq!(body["import"]["chunks"], 1);

    let (_, page) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/targets"))).await;
    let t = page["items"].as_array().unwrap();
    assert_eq!(t.len(), 3);
    assert_eq!(t[0]["source_line"], 2);
    assert_eq!(t[0]["phone"], "+81312345678");
    assert_eq!(t[0]["phone_display"], "03-1234-5678");
    assert_eq!(t[0]["account_id"], account.id.as_str());
    assert_eq!(t[0]["name"], "山田商事株式会社");
    assert_eq!(t[0]["notes"], "既存顧客");
    assert_eq!(t[0]["extra"], json!([{"column": "地域", "value": "東京"}]));
    assert_eq!(t[1]["contact_id"], contact.id.as_str());
    assert_eq!(t[1]["contact_name"], "山田 太郎");
    assert_eq!(
        t[1]["account_id"],
        account.id.as_str(),
        "a contact's number links its account too"
    );
    assert_eq!(t[1]["name"], "山田 太郎");
    assert!(
        t[2].get("account_id").is_none(),
        "an unknown number carries its own name"
    );
    assert_eq!(t[2]["account_name"], "青山デザイン株式会社");
    assert_eq!(t[2]["name"], "青山 真理");
    assert_eq!(t[2]["notes"], "展示会で名刺交換\n資料送付済み");
    assert_eq!(t[2]["state"], "not_called");
    let c = counts(&app, &list).await;
    assert_eq!((c["not_called"].as_i64(), c["total"].as_i64()), (Some(3), Some(3)));
}

#[tokio::test]
async fn a_shift_jis_file_from_a_japanese_spreadsheet_imports_like_utf8() {
    let (app, _) = app().await;
    let list = new_list(&app).await;
    let text = "会社名,担当者,電話番号,備考,地域\r\n株式会社みなと商会,港 健二,045-330-8812,午後希望,神奈川\r\n\
                ｶﾌﾞｼｷｶﾞｲｼｬ髙橋,髙橋 一郎,06-6300-7710,①至急,大阪\r\n";
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    let (_, preview) = as_admin(
        &app,
        csv_request(&format!("/api/call-lists/{list}/imports/preview"), sjis.to_vec()),
    )
    .await;
    assert_eq!(preview["encoding"], "shift_jis");
    assert_eq!(preview["columns"][2], "電話番号");
    let import = new_import(&app, &list, &COLUMNS, standard_mapping()).await;
    let body_start = text.find("\r\n").unwrap() + 2;
    let (rows_only, _, _) = encoding_rs::SHIFT_JIS.encode(&text[body_start..]);
    let (status, body) = send_chunk(&app, &list, &import, 2, rows_only.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["chunk"]["encoding"], "shift_jis");
    assert_eq!(body["chunk"]["imported"], 2);
    let (_, page) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/targets"))).await;
    assert_eq!(page["items"][0]["account_name"], "株式会社みなと商会");
    assert_eq!(page["items"][0]["notes"], "午後希望");
    assert_eq!(page["items"][1]["contact_name"], "髙橋 一郎");
    assert_eq!(page["items"][1]["notes"], "①至急");
    assert_eq!(page["items"][1]["source_line"], 3);
}

#[tokio::test]
async fn failed_rows_are_reported_with_their_line_and_reason_and_the_rest_are_imported() {
    let (app, _) = app().await;
    let list = new_list(&app).await;
    let import = new_import(&app, &list, &COLUMNS, standard_mapping()).await;
    let file = "良い商事,担当,03-1111-2222,,東京\n\
                悪い番号,担当,12345,,東京\n\
                番号なし,担当,,,東京\n\
                列が足りない,03-3333-4444\n\
                \"改行\nを含む\",担当,03-5555-6666,,大阪\n\
                \n\
                ,,,,\n\
                長い備考,担当,03-7777-8888,,東京\n";
    let (sjis_bad, _, _) = encoding_rs::SHIFT_JIS.encode("文字化け");
    let mut bytes = file.as_bytes().to_vec();
    // A Shift_JIS cell in a file that is otherwise UTF-8: read as UTF-8 it is not valid.
    bytes.extend_from_slice(b"x,");
    bytes.extend_from_slice(&sjis_bad);
    bytes.extend_from_slice(b",03-9999-0000,,\n");
    let forced = json!({"columns": COLUMNS, "mapping": standard_mapping(), "encoding": "utf-8"});
    let (_, forced_import) = as_admin(
        &app,
        json_request("POST", &format!("/api/call-lists/{list}/imports"), &forced),
    )
    .await;
    let (status, body) = send_chunk(&app, &list, forced_import["id"].as_str().unwrap(), 2, bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let failed: Vec<(u64, &str)> = body["chunk"]["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["line"].as_u64().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        failed,
        [
            (3, "invalid_phone"),
            (4, "missing_phone"),
            (5, "wrong_column_count"),
            (11, "bad_encoding")
        ]
    );
    let reasons = body["chunk"]["failed"].as_array().unwrap();
    assert!(
        reasons[0]["reason"].as_str().unwrap().contains("line 3"),
        "{}",
        reasons[0]
    );
    assert_eq!(reasons[0]["column"], "電話番号");
    assert!(reasons[2]["reason"].as_str().unwrap().contains("has 2 columns"));
    assert_eq!(body["chunk"]["imported"], 3);
    assert_eq!(body["chunk"]["failed_count"], 4);
    assert_eq!(body["import"]["rows_failed"], 4);

    let (_, page) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/targets"))).await;
    let lines: Vec<u64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["source_line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [2, 6, 10],
        "the quoted line break keeps the next rows' line numbers"
    );
    assert_eq!(counts(&app, &list).await["not_called"], 3);

    // Too long a cell, in the other import.
    let long = format!("長い備考,担当,03-7777-8888,{},東京\n", "あ".repeat(2001));
    let (_, body) = send_chunk(&app, &list, &import, 30, long.into_bytes()).await;
    assert_eq!(body["chunk"]["failed"][0]["code"], "too_long");
    assert_eq!(body["chunk"]["failed"][0]["column"], "備考");
}

#[tokio::test]
async fn sending_a_chunk_twice_imports_its_rows_once() {
    let (app, _) = app().await;
    let list = new_list(&app).await;
    let import = new_import(&app, &list, &COLUMNS, standard_mapping()).await;
    let chunk = "一,担当,03-1111-0001,,\n二,担当,03-1111-0002,,\nだめ,担当,1,,\n";
    let (_, first) = send_chunk(&app, &list, &import, 2, chunk.into()).await;
    let (status, again) = send_chunk(&app, &list, &import, 2, chunk.into()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["chunk"]["repeated"], true);
    assert_eq!(again["chunk"]["imported"], first["chunk"]["imported"]);
    assert_eq!(again["chunk"]["failed"], first["chunk"]["failed"]);
    assert_eq!(again["import"]["rows_imported"], 2, "progress counts the chunk once");
    assert_eq!(counts(&app, &list).await["total"], 2);

    let (status, body) = send_chunk(&app, &list, &import, 2, "別,担当,03-1111-0009,,\n".into()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "chunk_differs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_chunk_sent_at_once_by_several_requests_writes_each_target_once() {
    let (app, _) = app().await;
    let list = new_list(&app).await;
    let import = new_import(&app, &list, &COLUMNS, standard_mapping()).await;
    let chunk: String = (0..300).map(|i| format!("社{i},,03-2000-{i:04},,\n")).collect();
    let sends = (0..4).map(|_| {
        let (app, list, import, chunk) = (app.clone(), list.clone(), import.clone(), chunk.clone());
        tokio::spawn(async move { send_chunk(&app, &list, &import, 2, chunk.into()).await })
    });
    for s in futures::future::join_all(sends).await {
        let (status, body) = s.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["chunk"]["imported"], 300);
    }
    let c = counts(&app, &list).await;
    assert_eq!((c["total"].as_i64(), c["not_called"].as_i64()), (Some(300), Some(300)));
}

#[tokio::test]
async fn bad_imports_get_a_4xx_that_says_what_to_fix() {
    let (app, _) = app().await;
    let list = new_list(&app).await;
    let imports = format!("/api/call-lists/{list}/imports");
    for (input, field) in [
        (
            json!({"columns": COLUMNS, "mapping": {"phone": "TEL"}}),
            "mapping.phone",
        ),
        (json!({"columns": COLUMNS, "mapping": {"phone": 9}}), "mapping.phone"),
        (
            json!({"columns": COLUMNS, "mapping": {"phone": 3, "notes": "電話番号"}}),
            "mapping",
        ),
        (json!({"columns": [], "mapping": {"phone": 1}}), "columns"),
        (
            json!({"columns": ["tel", "tel"], "mapping": {"phone": "tel"}}),
            "mapping.phone",
        ),
    ] {
        let (status, body) = as_admin(&app, json_request("POST", &imports, &input)).await;
        assert_field(status, &body, field);
    }
    let (status, body) = as_admin(
        &app,
        json_request("POST", &imports, &json!({"columns": COLUMNS, "mapping": {}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a mapping without phone: {body}");
    let (status, _) = as_op(
        &app,
        OP,
        json_request("POST", &imports, &json!({"columns": COLUMNS, "mapping": {"phone": 3}})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let import = new_import(&app, &list, &COLUMNS, standard_mapping()).await;
    let chunks = format!("/api/call-lists/{list}/imports/{import}/chunks");
    let row = b"a,b,03-1234-5678,,\n".to_vec();
    let json_body = json_request("POST", &format!("{chunks}?first_line=2"), &json!({"rows": []}));
    let (status, body) = as_admin(&app, json_body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("text/csv"));
    let (status, body) = as_admin(&app, csv_request(&chunks, row.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no first_line: {body}");
    let (status, body) = as_admin(&app, csv_request(&format!("{chunks}?first_line=0"), row.clone())).await;
    assert_field(status, &body, "first_line");
    let (status, body) = as_admin(&app, csv_request(&format!("{chunks}?first_line=99999999"), row.clone())).await;
    assert_field(status, &body, "first_line");
    let (status, body) = as_admin(&app, csv_request(&format!("{chunks}?first_line=2"), vec![])).await;
    assert_field(status, &body, "body");
    let (status, body) = as_admin(
        &app,
        csv_request(&format!("{chunks}?first_line=2"), b"PK\x03\x04\x14\x00".to_vec()),
    )
    .await;
    assert_field(status, &body, "body");
    assert!(body["error"]["message"].as_str().unwrap().contains("save it as CSV"));
    let (status, body) = as_admin(
        &app,
        csv_request(&format!("{chunks}?first_line=2"), b"\xFF\xFEa\x00".to_vec()),
    )
    .await;
    assert_field(status, &body, "body");
    let many: String = (0..5001)
        .map(|i| format!("x,y,03-1234-{:04},,\n", i % 10_000))
        .collect();
    let (status, body) = as_admin(&app, csv_request(&format!("{chunks}?first_line=2"), many.into())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let huge = vec![b'a'; call_lists::MAX_CHUNK_BYTES + 1];
    let (status, body) = as_admin(&app, csv_request(&format!("{chunks}?first_line=2"), huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("smaller chunks"));
    let (status, _) = as_op(&app, OP, csv_request(&format!("{chunks}?first_line=2"), row.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = shared::ids::RecordId::new();
    let (status, _) = as_admin(
        &app,
        csv_request(
            &format!("/api/call-lists/{list}/imports/{other}/chunks?first_line=2"),
            row.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A chunk over the API's usual 400 KB JSON limit is still accepted.
    let big: String = (0..4000)
        .map(|i| format!("{},担当,03-4000-{i:04},,\n", "長い会社名".repeat(8)))
        .collect();
    assert!(big.len() > 400 * 1024);
    let (status, body) = as_admin(&app, csv_request(&format!("{chunks}?first_line=100"), big.into())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["chunk"]["imported"], 4000);
}

/// Splits a file's rows into chunks of `rows` lines, as the page does, with each chunk's first
/// line number.
fn chunks_of(file: &[u8], rows: usize) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut line = 1u64;
    let mut start = 0;
    let mut count = 0;
    for (i, b) in file.iter().enumerate() {
        if *b == b'\n' {
            count += 1;
            if count == rows {
                out.push((line, file[start..=i].to_vec()));
                line += count as u64;
                start = i + 1;
                count = 0;
            }
        }
    }
    if start < file.len() {
        out.push((line, file[start..].to_vec()));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
/// 12,000 rows: seven chunks of 2,000 lines, and a deletion over several requests (5,000 items a
/// request). The speed of a 50,000-row file is `tests/bench call-lists`'s to print.
async fn twelve_thousand_rows_import_in_chunks_of_two_thousand_and_delete_over_several_requests() {
    let (app, _) = app().await;
    let list = new_list(&app).await;
    let mut file = String::from("会社名,担当者,電話番号,備考,地域\n");
    for i in 0..12_000 {
        file.push_str(&format!(
            "株式会社テスト{i},担当 {i},03-{:04}-{:04},架電リスト,関東\n",
            2000 + i / 10_000,
            i % 10_000
        ));
    }
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&file);
    let import = new_import(&app, &list, &COLUMNS, standard_mapping()).await;
    let chunks = chunks_of(&sjis, 2000);
    assert_eq!(chunks.len(), 7, "12,001 lines, the header in the first chunk");
    let mut last = Value::Null;
    for (first_line, bytes) in chunks {
        let (status, body) = send_chunk(&app, &list, &import, first_line, bytes).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        last = body;
    }
    assert_eq!(last["import"]["rows_imported"], 12_000);
    assert_eq!(last["import"]["rows_failed"], 0);
    let c = counts(&app, &list).await;
    assert_eq!(
        (c["total"].as_i64(), c["not_called"].as_i64()),
        (Some(12_000), Some(12_000))
    );
    let (_, page) = as_op(
        &app,
        OP,
        request(
            "GET",
            &format!("/api/call-lists/{list}/targets?state=not_called&limit=1"),
        ),
    )
    .await;
    assert_eq!(page["items"][0]["source_line"], 2);
    assert_eq!(page["items"][0]["account_name"], "株式会社テスト0");

    // A large list is deleted over several requests, each within the Lambda timeout.
    let mut partial = 0;
    loop {
        let (status, body) = as_admin(&app, request("DELETE", &format!("/api/call-lists/{list}"))).await;
        match status {
            StatusCode::ACCEPTED => {
                assert_eq!(body["done"], false);
                partial += 1;
            }
            StatusCode::NO_CONTENT => break,
            other => panic!("{other}: {body}"),
        }
        assert!(partial < 50);
    }
    assert!(partial >= 1);
    let (status, _) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/targets"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_lease_gives_the_line_and_script_and_keeps_other_operators_out_until_the_result() {
    let (app, _) = app().await;
    let (list, ids) = list_with_targets(&app, 3).await;
    let t = &ids[0];
    let (status, l) = lease(&app, OP, &list, t).await;
    assert_eq!(status, StatusCode::OK, "{l}");
    assert_eq!(
        l["line"],
        json!({"id": "sales", "number": "+815030001234", "display": "050-3000-1234", "label": "営業部"})
    );
    assert_eq!(l["script_id"], "outbound", "the line's script when the list has none");
    assert_eq!(l["target"]["state"], "in_progress");
    assert_eq!(l["target"]["lease"]["operator_id"], OP);
    assert_eq!(l["target"]["lease"]["expires_at"], l["expires_at"]);
    let c = counts(&app, &list).await;
    assert_eq!(
        (c["in_progress"].as_i64(), c["not_called"].as_i64()),
        (Some(1), Some(2))
    );

    let (status, body) = lease(&app, "op-suzuki", &list, t).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "target_leased");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("テスト op-sato"),
        "{body}"
    );
    assert_eq!(body["error"]["current"]["lease"]["operator_id"], OP);
    let (status, again) = lease(&app, OP, &list, t).await;
    assert_eq!(status, StatusCode::OK, "the holder may lease again");
    assert!(again["expires_at"].as_str() >= l["expires_at"].as_str());
    assert_eq!(
        counts(&app, &list).await["in_progress"],
        1,
        "a renewed lease is counted once"
    );

    let release = |who: &'static str| {
        let (app, list, t) = (app.clone(), list.clone(), t.clone());
        async move {
            as_op(
                &app,
                who,
                request("POST", &format!("/api/call-lists/{list}/targets/{t}/release")),
            )
            .await
        }
    };
    let (status, body) = release("op-suzuki").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "not_lease_holder");
    let (status, body) = release(OP).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "not_called");
    assert!(body.get("lease").is_none());
    let (status, body) = release(OP).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_leased"))
    );

    let (status, _) = lease(&app, "op-suzuki", &list, t).await;
    assert_eq!(status, StatusCode::OK, "a released target can be leased by anyone");
    let sid = format!("CA{}", "0".repeat(32));
    let done =
        json!({"call_sid": sid, "response_status": "resolved", "memo": "【お客様】更新します", "outcome": "done"});
    let (status, body) = result(&app, OP, &list, t, done.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_lease_holder"))
    );
    let (status, body) = result(&app, "op-suzuki", &list, t, done).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "done");
    assert_eq!(body["attempts"], 1);
    assert_eq!(body["last_result"]["response_status"], "resolved");
    assert_eq!(body["last_result"]["operator_name"], "テスト op-suzuki");
    assert!(body.get("lease").is_none());
    let (status, body) = lease(&app, OP, &list, t).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("target_done"))
    );

    let (status, detail) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/targets/{t}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["results"][0]["memo"], "【お客様】更新します");
    assert_eq!(detail["results"][0]["call_sid"], format!("CA{}", "0".repeat(32)));
    let c = counts(&app, &list).await;
    assert_eq!(
        c,
        json!({"not_called": 2, "in_progress": 0, "no_answer": 0, "done": 1, "callback": 0, "total": 3})
    );
}

#[tokio::test]
async fn a_lease_is_refused_when_the_lists_line_was_removed_from_the_settings() {
    let (app, services) = app().await;
    let (list, ids) = list_with_targets(&app, 1).await;
    let version = services.settings.get().await.unwrap().versions["lines"];
    services
        .settings
        .put_section(
            "lines",
            version,
            json!([{"id": "main", "number": "03-6800-0001", "label": "代表番号"}]),
        )
        .await
        .unwrap();
    let (status, body) = lease(&app, OP, &list, &ids[0]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "line_missing");
    assert!(body["error"]["message"].as_str().unwrap().contains("ask an admin"));
}

#[tokio::test]
async fn bad_results_get_a_422_naming_the_field_and_change_nothing() {
    let (app, _) = app().await;
    let (list, ids) = list_with_targets(&app, 1).await;
    let t = &ids[0];
    lease(&app, OP, &list, t).await;
    let base = || json!({"response_status": "resolved", "outcome": "done"});
    let with = |k: &str, v: Value| {
        let mut b = base();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("response_status", json!("happy")), "response_status"),
        (with("outcome", json!("callback")), "callback_at"),
        (
            json!({"response_status": "callback", "outcome": "callback", "callback_at": "tomorrow 10時"}),
            "callback_at",
        ),
        (
            json!({"response_status": "callback", "outcome": "callback", "callback_at": in_hours(-1)}),
            "callback_at",
        ),
        (with("callback_at", json!(in_hours(2))), "callback_at"),
        (with("call_sid", json!("CF123")), "call_sid"),
        (with("memo", json!("あ".repeat(10_001))), "memo"),
    ] {
        let (status, resp) = result(&app, OP, &list, t, body).await;
        assert_field(status, &resp, field);
    }
    let (status, resp) = result(&app, OP, &list, t, with("outcome", json!("maybe"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        resp["error"]["message"].as_str().unwrap().contains("no_answer"),
        "{resp}"
    );
    let (status, _) = result(&app, OP, &list, "not-a-target", base()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, detail) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/targets/{t}"))).await;
    assert_eq!(detail["target"]["state"], "in_progress");
    assert_eq!(detail["results"], json!([]));
    let (status, body) = as_op(
        &app,
        OP,
        request("POST", &format!("/api/call-lists/{list}/targets/{t}/lease?seconds=5")),
    )
    .await;
    assert_field(status, &body, "seconds");
}

#[tokio::test]
async fn a_callback_returns_to_the_front_of_the_queue_when_it_is_due() {
    let (app, services) = app().await;
    let (list, ids) = list_with_targets(&app, 4).await;
    let queue = || {
        let (app, list) = (app.clone(), list.clone());
        async move {
            let (status, body) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/queue"))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(queue().await, ids);
    lease(&app, OP, &list, &ids[2]).await;
    let at = in_hours(3);
    let (status, body) = result(
        &app,
        OP,
        &list,
        &ids[2],
        json!({"response_status": "callback", "outcome": "callback", "callback_at": at, "memo": "15時以降に再架電"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "callback");
    assert!(body["callback_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        queue().await,
        [ids[0].clone(), ids[1].clone(), ids[3].clone()],
        "not due yet"
    );
    let (_, by_state) = as_op(
        &app,
        OP,
        request("GET", &format!("/api/call-lists/{list}/targets?state=callback")),
    )
    .await;
    assert_eq!(by_state["items"][0]["id"], ids[2].as_str());

    // Three hours later, without waiting: the callback time is moved into the past.
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    services
        .store
        .update(
            &target_key(&list, &ids[2]),
            Update::default()
                .set("callback_at", past.as_str())
                .set(attr::GSI1SK, format!("{past}#{}", ids[2])),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        queue().await,
        [ids[2].clone(), ids[0].clone(), ids[1].clone(), ids[3].clone()],
        "a due callback comes first"
    );
    let (status, next) = as_op(
        &app,
        "op-suzuki",
        request("POST", &format!("/api/call-lists/{list}/lease-next")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_eq!(next["target"]["id"], ids[2].as_str());
    assert_eq!(next["target"]["attempts"], 1);
    let (status, body) = result(
        &app,
        "op-suzuki",
        &list,
        &ids[2],
        json!({"response_status": "absent", "outcome": "no_answer"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["attempts"], 2);
    assert!(body.get("callback_at").is_none());
    let c = counts(&app, &list).await;
    assert_eq!(
        c,
        json!({"not_called": 3, "in_progress": 0, "no_answer": 1, "done": 0, "callback": 0, "total": 4})
    );
    let (_, detail) = as_op(
        &app,
        OP,
        request("GET", &format!("/api/call-lists/{list}/targets/{}", ids[2])),
    )
    .await;
    let outcomes: Vec<&str> = detail["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["no_answer", "callback"], "newest first");
}

#[tokio::test]
async fn lease_next_skips_held_targets_and_answers_204_when_nothing_is_left() {
    let (app, _) = app().await;
    let (list, ids) = list_with_targets(&app, 2).await;
    let next = |who: &'static str| {
        let (app, list) = (app.clone(), list.clone());
        async move {
            as_op(
                &app,
                who,
                request("POST", &format!("/api/call-lists/{list}/lease-next")),
            )
            .await
        }
    };
    let (_, a) = next(OP).await;
    let (_, b) = next("op-suzuki").await;
    assert_eq!(a["target"]["id"], ids[0].as_str());
    assert_eq!(b["target"]["id"], ids[1].as_str());
    let (status, body) = next("op-tanaka").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn an_expired_lease_is_reclaimable_and_its_first_holder_can_no_longer_record_a_result() {
    let (app, services) = app().await;
    let (list, ids) = list_with_targets(&app, 2).await;
    let t = &ids[1];
    lease(&app, OP, &list, t).await;
    expire_lease(&services, &list, t).await;
    let (_, q) = as_op(&app, OP, request("GET", &format!("/api/call-lists/{list}/queue"))).await;
    assert_eq!(
        q["items"][0]["id"],
        t.as_str(),
        "an abandoned lease comes before targets not called"
    );
    assert_eq!(q["items"][0]["lease"]["expired"], true);
    let (status, body) = lease(&app, "op-suzuki", &list, t).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["target"]["lease"]["operator_id"], "op-suzuki");
    let (status, body) = result(
        &app,
        OP,
        &list,
        t,
        json!({"response_status": "resolved", "outcome": "done"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "not_lease_holder");
    assert_eq!(counts(&app, &list).await["in_progress"], 1);
}

/// Moves a lease's expiry into the past, as if its holder had closed the page long ago.
async fn expire_lease(services: &Services, list: &str, target: &str) {
    let key = target_key(list, target);
    let item = services.store.get(&key).await.unwrap().unwrap();
    let mut lease = item["lease"].clone();
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    lease["expires_at"] = json!(past);
    services
        .store
        .update(
            &key,
            Update::default()
                .set("lease", lease)
                .set(attr::GSI1SK, format!("{past}#{target}")),
            None,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn targets_are_filtered_by_state_and_paged_with_cursors() {
    let (app, _) = app().await;
    let (list, ids) = list_with_targets(&app, 5).await;
    lease(&app, OP, &list, &ids[0]).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/call-lists/{list}/targets?state=not_called&limit=2&cursor={c}"),
            None => format!("/api/call-lists/{list}/targets?state=not_called&limit=2"),
        };
        let (status, page) = as_op(&app, OP, request("GET", &uri)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned()),
        );
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids[1..]);
    let (_, held) = as_op(
        &app,
        OP,
        request("GET", &format!("/api/call-lists/{list}/targets?state=in_progress")),
    )
    .await;
    assert_eq!(held["items"][0]["id"], ids[0].as_str());
    assert_eq!(held["items"][0]["lease"]["expired"], false);
    let (status, body) = as_op(
        &app,
        OP,
        request("GET", &format!("/api/call-lists/{list}/targets?state=called")),
    )
    .await;
    assert_field(status, &body, "state");
    let (status, body) = as_op(
        &app,
        OP,
        request("GET", &format!("/api/call-lists/{list}/targets?cursor=xyz")),
    )
    .await;
    assert_field(status, &body, "cursor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counts_stay_exact_while_operators_work_a_list_at_once() {
    let (app, _) = app().await;
    let (list, _) = list_with_targets(&app, 60).await;
    let operators = ["op-a", "op-b", "op-c", "op-d", "op-e", "op-f"];
    let work = operators.into_iter().enumerate().map(|(n, who)| {
        let (app, list) = (app.clone(), list.clone());
        tokio::spawn(async move {
            let outcome = ["done", "no_answer", "callback"][n % 3];
            loop {
                let (status, l) = as_op(
                    &app,
                    who,
                    request("POST", &format!("/api/call-lists/{list}/lease-next")),
                )
                .await;
                if status == StatusCode::NO_CONTENT {
                    return;
                }
                assert_eq!(status, StatusCode::OK, "{l}");
                let t = l["target"]["id"].as_str().unwrap().to_owned();
                let mut body = json!({"response_status": "resolved", "outcome": outcome});
                if outcome == "callback" {
                    body["callback_at"] = json!(in_hours(5));
                }
                let (status, r) = result(&app, who, &list, &t, body).await;
                assert_eq!(status, StatusCode::OK, "{r}");
            }
        })
    });
    for w in futures::future::join_all(work).await {
        w.unwrap();
    }
    let c = counts(&app, &list).await;
    let mut by_listing = 0;
    for state in ["not_called", "in_progress", "no_answer", "done", "callback"] {
        let (_, page) = as_op(
            &app,
            OP,
            request(
                "GET",
                &format!("/api/call-lists/{list}/targets?state={state}&limit=200"),
            ),
        )
        .await;
        let n = page["items"].as_array().unwrap().len() as i64;
        assert_eq!(c[state].as_i64(), Some(n), "{state}: {c}");
        by_listing += n;
    }
    assert_eq!(c["total"], 60);
    assert_eq!(by_listing, 60);
    assert_eq!(c["not_called"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_operators_leasing_the_same_hundred_targets_on_dynamodb_each_target_goes_to_exactly_one() {
    let store: Arc<dyn Store> = Arc::new(shared::testing::fresh_dynamo_store().await);
    let services = services_on(store).await;
    let app = call_lists::router(services.clone());
    let (list, ids) = list_with_targets(&app, 100).await;
    assert_eq!(ids.len(), 100);
    let ids = Arc::new(ids);
    let operators: Vec<String> = (0..10).map(|i| format!("op-{i}")).collect();
    let clicks = operators.iter().enumerate().map(|(n, who)| {
        let (app, list, ids, who) = (app.clone(), list.clone(), ids.clone(), who.clone());
        tokio::spawn(async move {
            let mut won = Vec::new();
            // Each operator clicks every target, starting at a different place in the list.
            for k in 0..ids.len() {
                let t = &ids[(k + n * 10) % ids.len()];
                let (status, body) = lease(&app, &who, &list, t).await;
                match status {
                    StatusCode::OK => won.push(t.clone()),
                    StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "target_leased", "{body}"),
                    other => panic!("{other}: {body}"),
                }
            }
            (who, won)
        })
    });
    let mut holder = std::collections::HashMap::new();
    for c in futures::future::join_all(clicks).await {
        let (who, won) = c.unwrap();
        for t in won {
            assert!(holder.insert(t.clone(), who.clone()).is_none(), "{t} leased twice");
        }
    }
    assert_eq!(holder.len(), 100, "every target was leased");
    for (t, who) in &holder {
        let item = services.store.get(&target_key(&list, t)).await.unwrap().unwrap();
        assert_eq!(item["lease"]["operator_id"], who.as_str());
    }
    let c = counts(&app, &list).await;
    assert_eq!(
        (c["in_progress"].as_i64(), c["not_called"].as_i64()),
        (Some(100), Some(0))
    );

    let (t, first) = holder.iter().next().unwrap();
    let other = operators.iter().find(|o| *o != first).unwrap();
    let (status, _) = lease(&app, other, &list, t).await;
    assert_eq!(status, StatusCode::CONFLICT, "a live lease holds");
    expire_lease(&services, &list, t).await;
    let (status, body) = lease(&app, other, &list, t).await;
    assert_eq!(status, StatusCode::OK, "an expired lease is reclaimable: {body}");
    assert_eq!(body["target"]["lease"]["operator_id"], other.as_str());
    let (status, _) = lease(&app, first, &list, t).await;
    assert_eq!(status, StatusCode::CONFLICT, "and then held by its new holder");
    assert_eq!(counts(&app, &list).await["in_progress"], 100);
}

#[test]
fn every_route_is_in_the_openapi_document_and_the_deployment_catalog() {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(call_lists::ApiDoc::openapi()).unwrap();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths.len(), 13, "{paths:?}");
    assert!(paths.iter().all(|p| p.starts_with("/api/call-lists")));
    let catalog: Value = serde_json::from_str(include_str!("../../../infra/functions.json")).unwrap();
    let entry = catalog["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "call-lists")
        .unwrap();
    let routes: Vec<&str> = entry["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(routes, ["/api/call-lists", "/api/call-lists/{proxy+}"]);
    assert_eq!(entry["authorizer"], "jwt");
}

#[tokio::test]
async fn a_malformed_list_import_or_target_id_in_the_path_is_a_404_saying_what_one_looks_like() {
    let (app, _) = app().await;
    let (list, ids) = list_with_targets(&app, 1).await;
    let other = RecordId::new();
    for (method, uri, sent, names) in [
        (
            "GET",
            "/api/call-lists/not-a-list".to_owned(),
            "not-a-list",
            "call list id: a 26-character ULID",
        ),
        (
            "DELETE",
            "/api/call-lists/not-a-list".to_owned(),
            "not-a-list",
            "call list id",
        ),
        (
            "GET",
            "/api/call-lists/not-a-list/targets".to_owned(),
            "not-a-list",
            "call list id",
        ),
        (
            "POST",
            "/api/call-lists/not-a-list/lease-next".to_owned(),
            "not-a-list",
            "call list id",
        ),
        (
            "GET",
            format!("/api/call-lists/{list}/imports/not-an-import"),
            "not-an-import",
            "import id: a 26-character ULID",
        ),
        (
            "GET",
            format!("/api/call-lists/{list}/targets/not-a-target"),
            "not-a-target",
            "call-list target id: a 26-character ULID, '-' and seven digits",
        ),
        (
            "POST",
            format!("/api/call-lists/{list}/targets/{other}/lease"),
            other.as_str(),
            "call-list target id",
        ),
        (
            "POST",
            format!("/api/call-lists/not-a-list/targets/{}/release", ids[0]),
            "not-a-list",
            "call list id",
        ),
    ] {
        let (status, body) = as_admin(&app, request(method, &uri)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}: {body}");
        assert_eq!(body["error"]["code"], "not_found", "{method} {uri}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(sent) && message.contains(names),
            "{method} {uri}: {message}"
        );
    }
    let (status, _) = as_op(
        &app,
        OP,
        request("GET", &format!("/api/call-lists/{list}/targets/{}", ids[0])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a well-formed target id still reads the target");
}

#[tokio::test]
async fn each_result_recorded_counts_once_in_the_days_report_by_its_code() {
    // Given a list of three targets, leased by Sato and Suzuki,
    let (app, services) = app().await;
    let (list, ids) = list_with_targets(&app, 3).await;
    for (who, t, outcome) in [
        (OP, &ids[0], json!({"response_status": "resolved", "outcome": "done"})),
        (
            OP,
            &ids[1],
            json!({"response_status": "resolved", "outcome": "no_answer"}),
        ),
        (
            "op-suzuki",
            &ids[2],
            json!({"response_status": "resolved", "outcome": "no_answer"}),
        ),
    ] {
        let (status, body) = lease(&app, who, &list, t).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // when each records its result (the second time refused: the lease has ended),
        let (status, body) = result(&app, who, &list, t, outcome.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _) = result(&app, who, &list, t, outcome).await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
    // then today's report counts each result once, by its code, for the centre, each operator
    // and the list (named as the admin named it).
    let today = (chrono::Utc::now() + chrono::Duration::hours(9))
        .format("%Y-%m-%d")
        .to_string();
    let range = shared::domain::reports::DayRange::parse(Some(&today), Some(&today)).unwrap();
    let r = services.reports.report(range).await.unwrap();
    let codes = |f: &shared::domain::reports::Figures| {
        shared::domain::reports::CALL_RESULTS.map(|c| f.call_results.get(c).copied().unwrap_or(0))
    };
    assert_eq!((r.totals.results, codes(&r.totals)), (3, [1, 2, 0]));
    let by_operator: Vec<(&str, [u64; 3])> = r.operators.iter().map(|o| (o.id.as_str(), codes(&o.figures))).collect();
    assert_eq!(by_operator, [("op-sato", [1, 1, 0]), ("op-suzuki", [0, 1, 0])]);
    assert_eq!(r.lists.len(), 1);
    assert_eq!(r.lists[0].id, list);
    assert_eq!(r.lists[0].name, "春の更新キャンペーン");
    assert_eq!(codes(&r.lists[0].figures), [1, 2, 0]);
}
