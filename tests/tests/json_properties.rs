//! The API's JSON request bodies, generated: valid ones, near-valid ones (a field dropped,
//! added, or given the wrong type, a huge string, unusual Unicode, a number out of range) and
//! any JSON at all, sent through the whole console on a loopback port. Whatever the body, the
//! answer is never a 5xx (nor a dropped connection, which is what a panicking handler gives);
//! a refusal carries a code and a message the page can show; and a valid body is accepted and
//! its effect can be read back.

mod support;

use std::future::Future;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::Console;

/// Cases per property: each is one or two requests over loopback, so a property takes seconds.
const CASES: u32 = 64;

/// Runs a property whose cases talk to the console: proptest drives the cases (and shrinks a
/// failing one) on this worker thread while the console keeps serving on the others.
fn check<S, F, Fut>(strategy: S, case: F)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
    F: Fn(S::Value) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&strategy, |value| {
            handle.block_on(case(value));
            Ok(())
        })
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// Any JSON value, with the values that break careless code weighted up: nulls, numbers at
/// and past the edges of 64 bits, floats, empty and blank strings, control characters,
/// right-to-left overrides, emoji sequences, strings of thousands of characters and one over
/// the API's 400 KB body limit.
fn odd_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        4 => Just(Value::Null),
        2 => any::<bool>().prop_map(Value::from),
        3 => any::<i64>().prop_map(Value::from),
        2 => any::<u64>().prop_map(Value::from),
        2 => any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        2 => prop_oneof![
            Just(json!(-1)),
            Just(json!(0)),
            Just(json!(u64::MAX)),
            Just(json!(i64::MIN)),
            Just(json!(1e308)),
            Just(json!(0.5)),
            Just(json!(-0.0)),
        ],
        4 => "\\PC{0,40}".prop_map(Value::from),
        3 => any::<String>().prop_map(Value::from),
        2 => prop_oneof![
            Just(json!("")),
            Just(json!("   ")),
            Just(json!("\u{0}")),
            Just(json!("\r\n\t")),
            Just(json!("\u{202E}ﾃｽﾄ\u{200B}")),
            Just(json!("👨‍👩‍👧‍👦🇯🇵")),
            Just(json!("０３（１２３４）５６７８")),
            Just(json!("'; DROP TABLE calls; --")),
            Just(json!("<script>alert(1)</script>")),
        ],
        1 => (1usize..40).prop_map(|n| Value::from("長".repeat(n * 500))),
        1 => Just(Value::from("x".repeat(401 * 1024))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The JSON pointers of every member and element of `value`, the root excepted.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(path.clone());
                pointers(child, &path, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let path = format!("{at}/{i}");
                out.push(path.clone());
                pointers(child, &path, out);
            }
        }
        _ => {}
    }
}

fn parent_and_last(pointer: &str) -> (&str, String) {
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer below the root");
    (parent, last.replace("~1", "/").replace("~0", "~"))
}

/// What a near-valid body is made from: one change to a valid body.
#[derive(Debug, Clone)]
enum Change {
    Replace(Index, Value),
    Drop(Index),
    Add(Index, String, Value),
    Whole(Value),
}

fn apply(valid: &Value, change: Change) -> Value {
    let mut body = valid.clone();
    let mut paths = Vec::new();
    pointers(valid, "", &mut paths);
    match change {
        Change::Replace(i, v) if !paths.is_empty() => {
            *body.pointer_mut(&paths[i.index(paths.len())]).expect("the path exists") = v;
        }
        Change::Drop(i) if !paths.is_empty() => {
            let (parent, last) = parent_and_last(&paths[i.index(paths.len())]);
            match body.pointer_mut(parent).expect("the parent exists") {
                Value::Object(map) => {
                    map.remove(&last);
                }
                Value::Array(items) => {
                    items.remove(last.parse::<usize>().expect("an index"));
                }
                _ => unreachable!("a pointer's parent is a container"),
            }
        }
        Change::Add(i, key, v) => {
            let mut objects: Vec<String> = vec![String::new()];
            objects.extend(
                paths
                    .into_iter()
                    .filter(|p| valid.pointer(p).is_some_and(Value::is_object)),
            );
            if let Some(Value::Object(map)) = body.pointer_mut(&objects[i.index(objects.len())]) {
                map.insert(key, v);
            }
        }
        Change::Whole(v) => body = v,
        _ => {}
    }
    body
}

/// Bodies one change away from `valid`, and now and then any JSON at all.
fn near(valid: Value) -> impl Strategy<Value = Value> {
    let change = prop_oneof![
        4 => (any::<Index>(), odd_value()).prop_map(|(i, v)| Change::Replace(i, v)),
        2 => any::<Index>().prop_map(Change::Drop),
        2 => (any::<Index>(), "[a-zA-Z_]{1,12}", odd_value()).prop_map(|(i, k, v)| Change::Add(i, k, v)),
        1 => odd_value().prop_map(Change::Whole),
    ];
    change.prop_map(move |c| apply(&valid, c))
}

/// The answer to any body: no server error, and a refusal the page can show.
fn answered_sensibly(what: &str, body: &Value, status: StatusCode, answer: &Value) {
    let shown = body.to_string().chars().take(300).collect::<String>();
    assert!(
        !status.is_server_error(),
        "{what} answered {status} {answer} to {shown}"
    );
    if status.is_client_error() {
        let code = answer["error"]["code"].as_str().unwrap_or_default();
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !code.is_empty() && !message.trim().is_empty(),
            "{what} refused {shown} with {status} and no code or message: {answer}"
        );
    }
}

/// Sends `body` and checks the answer is sensible.
async fn send(console: &Console, token: &str, method: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let (status, answer) = console.api(token, method, path, Some(body.clone())).await;
    answered_sensibly(&format!("{method} {path}"), body, status, &answer);
    (status, answer)
}

/// Text a person may type on one line: any printable characters, at least one not a space.
fn line_of_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[^\\r\\n\\p{{Cc}}]{{0,{}}}", max - 1))
        .expect("a regex")
        .prop_map(|s| format!("{s}件"))
}

/// A console with a customer's call answered by Sato; returns Sato's token and the call id.
async fn console_with_call() -> (Console, String, String) {
    let console = support::start().await;
    let sato = console.operator("op-sato").await;
    let call = console.answered_call("03-1234-5678", "op-sato").await;
    (console, sato, call)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memo_saves_of_any_shape_get_a_sensible_answer_and_valid_ones_are_kept() {
    // Given Sato on a call
    let (console, sato, call) = console_with_call().await;
    let path = format!("/api/memos/{call}");

    // When any text up to the limit is saved with the current version, then it is kept
    let valid = (
        prop_oneof![
            "\\PC{0,200}",
            any::<String>(),
            (0usize..=10_000).prop_map(|n| "あ".repeat(n))
        ],
        prop::option::of(prop::sample::select(vec!["resolved", "callback", "escalated"])),
    );
    check(valid, |(text, status)| {
        let (console, sato, path) = (&console, &sato, &path);
        async move {
            let (_, current) = console.api(sato, "GET", path, None).await;
            let body = json!({"version": current["version"], "text": text, "response_status": status});
            let (code, saved) = send(console, sato, "PUT", path, &body).await;
            assert_eq!(code, StatusCode::OK, "{saved}");
            let (_, read) = console.api(sato, "GET", path, None).await;
            assert_eq!(read["text"], json!(text));
            assert_eq!(read["response_status"], json!(status));
        }
    });

    // When the body is near-valid or anything at all, then the answer is sensible
    check(
        near(json!({"version": 1, "text": "お問い合わせ内容", "response_status": "resolved"})),
        |body| {
            let (console, sato, path) = (&console, &sato, &path);
            async move {
                send(console, sato, "PUT", path, &body).await;
            }
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inquiries_and_record_changes_of_any_shape_get_a_sensible_answer_and_valid_ones_are_stored() {
    // Given Sato on a call
    let (console, sato, call) = console_with_call().await;

    // When a valid inquiry is registered, then it is stored as sent
    let valid = (
        line_of_text(255),
        prop::sample::select(vec!["product", "billing", "repair", "cancel", "other"]),
        "\\PC{0,500}",
        prop::sample::select(vec!["03-1234-5678", "090-1234-5678", "+81 50 1234 5678", ""]),
    );
    check(valid, |(subject, category, detail, phone)| {
        let (console, sato, call) = (&console, &sato, &call);
        async move {
            let body = json!({
                "fields": {"subject": subject, "category": category, "detail": detail, "phone": phone,
                           "received_at": "2026-04-01T10:00:00+09:00"},
                "call_sid": call,
            });
            let (status, record) = send(console, sato, "POST", "/api/crm/objects/inquiry/records", &body).await;
            assert_eq!(status, StatusCode::CREATED, "{record}");
            let id = record["id"].as_str().expect("an id");
            let (status, read) = console
                .api(sato, "GET", &format!("/api/crm/objects/inquiry/records/{id}"), None)
                .await;
            assert_eq!(status, StatusCode::OK, "{read}");
            assert_eq!(read["fields"]["subject"], json!(subject));
            assert_eq!(read["fields"]["detail"], json!(detail));

            let patch =
                json!({"version": read["version"], "fields": {"detail": format!("{detail} 追記"), "status": "closed"}});
            let path = format!("/api/crm/objects/inquiry/records/{id}");
            let (status, patched) = send(console, sato, "PUT", &path, &patch).await;
            assert_eq!(status, StatusCode::OK, "{patched}");
            assert_eq!(patched["fields"]["status"], json!("closed"));
        }
    });

    // When the body is near-valid or anything at all, then the answer is sensible
    let inquiry = json!({
        "fields": {"subject": "請求書の再発行", "category": "billing", "status": "open", "detail": "先月分",
                   "phone": "03-1234-5678", "received_at": "2026-04-01T10:00:00+09:00"},
        "call_sid": call,
    });
    check(near(inquiry.clone()), |body| {
        let (console, sato) = (&console, &sato);
        async move {
            send(console, sato, "POST", "/api/crm/objects/inquiry/records", &body).await;
        }
    });
    let (status, record) = send(&console, &sato, "POST", "/api/crm/objects/inquiry/records", &inquiry).await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    let path = format!("/api/crm/objects/inquiry/records/{}", record["id"].as_str().unwrap());
    check(
        near(
            json!({"version": record["version"], "fields": {"detail": "折り返し済み", "status": "closed"}, "account_id": null}),
        ),
        |body| {
            let (console, sato, path) = (&console, &sato, &path);
            async move {
                send(console, sato, "PUT", path, &body).await;
            }
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_sections_of_any_shape_get_a_sensible_answer_and_the_current_value_is_accepted() {
    // Given an admin and the current settings
    let console = support::start().await;
    let admin = console.sign_in("admin-watanabe").await;
    let sections = shared::domain::settings::SECTIONS;

    // When a section is written back as read, with its version, then it is accepted
    for section in sections {
        let (_, settings) = console.api(&admin, "GET", "/api/settings", None).await;
        let body = json!({"version": settings["versions"][section].as_u64().unwrap_or(0), "value": settings[section]});
        let (status, answer) = send(&console, &admin, "PUT", &format!("/api/settings/{section}"), &body).await;
        assert_eq!(status, StatusCode::OK, "{section}: {answer}");
    }

    // When a section is near-valid or anything at all, then the answer is sensible
    let (_, settings) = console.api(&admin, "GET", "/api/settings", None).await;
    let strategy = prop::sample::select(sections.to_vec()).prop_flat_map(move |section| {
        let valid = json!({"version": settings["versions"][section].as_u64().unwrap_or(0), "value": settings[section]});
        (Just(section), near(valid))
    });
    check(strategy, |(section, body)| {
        let (console, admin) = (&console, &admin);
        async move {
            send(console, admin, "PUT", &format!("/api/settings/{section}"), &body).await;
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_lists_imports_and_results_of_any_shape_get_a_sensible_answer_and_valid_ones_are_accepted() {
    // Given an admin and an operator
    let console = support::start().await;
    let admin = console.sign_in("admin-watanabe").await;
    let sato = console.sign_in("op-sato").await;

    // When a valid list is created and renamed, then it is, with its name trimmed
    let valid = (
        line_of_text(100),
        prop::option::of("\\PC{0,200}"),
        prop::sample::select(vec!["main", "sales"]),
    );
    check(valid, |(name, description, line)| {
        let (console, admin) = (&console, &admin);
        async move {
            let body = json!({"name": name, "line_id": line, "description": description});
            let (status, list) = send(console, admin, "POST", "/api/call-lists", &body).await;
            assert_eq!(status, StatusCode::CREATED, "{list}");
            assert_eq!(list["name"], json!(name.trim()));
            let path = format!("/api/call-lists/{}", list["id"].as_str().unwrap());
            let new_name: String = name.chars().rev().collect();
            let rename = json!({"version": list["version"], "name": new_name, "line_id": line});
            let (status, renamed) = send(console, admin, "PUT", &path, &rename).await;
            assert_eq!(status, StatusCode::OK, "{renamed}");
            assert_eq!(renamed["name"], json!(new_name.trim()));
        }
    });

    // And given a list with one target leased to Sato
    let (_, list) = console
        .api(
            &admin,
            "POST",
            "/api/call-lists",
            Some(json!({"name": "春の更新", "line_id": "sales"})),
        )
        .await;
    let list = list["id"].as_str().unwrap().to_owned();
    let columns = json!(["会社名", "電話番号", "備考"]);
    let mapping = json!({"account": "会社名", "phone": "電話番号", "notes": "備考"});
    let (status, import) = console
        .api(
            &admin,
            "POST",
            &format!("/api/call-lists/{list}/imports"),
            Some(json!({"columns": columns, "mapping": mapping, "encoding": "utf-8", "file_name": "list.csv"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{import}");
    let chunk = console
        .http
        .post(format!(
            "{}/api/call-lists/{list}/imports/{}/chunks?first_line=2",
            console.url,
            import["id"].as_str().unwrap()
        ))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body("山田商事,03-1234-5678,午後希望\n")
        .send()
        .await
        .unwrap();
    assert_eq!(chunk.status(), StatusCode::OK);
    let (_, targets) = console
        .api(&admin, "GET", &format!("/api/call-lists/{list}/targets"), None)
        .await;
    let target = targets["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, lease) = console
        .api(
            &sato,
            "POST",
            &format!("/api/call-lists/{list}/targets/{target}/lease"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{lease}");

    // When lists, imports and results are near-valid or anything at all, then the answers are
    // sensible
    let imports = format!("/api/call-lists/{list}/imports");
    let result = format!("/api/call-lists/{list}/targets/{target}/result");
    let list_path = format!("/api/call-lists/{list}");
    let bodies = prop_oneof![
        near(json!({"name": "春の更新", "line_id": "sales", "script_id": "outbound", "description": "既存顧客"}))
            .prop_map(|b| ("POST", "/api/call-lists".to_owned(), b)),
        near(json!({"version": 1, "name": "春の更新", "line_id": "main", "script_id": null, "description": "x"}))
            .prop_map({
                let path = list_path.clone();
                move |b| ("PUT", path.clone(), b)
            }),
        near(
            json!({"columns": columns, "mapping": {"account": "会社名", "phone": 2, "notes": "備考", "extra": []},
                    "encoding": "shift_jis", "file_name": "list.csv", "total_rows": 10})
        )
        .prop_map({
            let path = imports.clone();
            move |b| ("POST", path.clone(), b)
        }),
        near(
            json!({"response_status": "callback", "outcome": "callback", "memo": "再度お電話",
                    "callback_at": "2099-04-01T10:00:00+09:00", "call_sid": null})
        )
        .prop_map({
            let path = result.clone();
            move |b| ("POST", path.clone(), b)
        }),
    ];
    check(bodies, |(method, path, body)| {
        let (console, admin, sato) = (&console, &admin, &sato);
        async move {
            let who = if path.ends_with("/result") { sato } else { admin };
            send(console, who, method, &path, &body).await;
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_changes_of_any_shape_get_a_sensible_answer_and_every_offered_status_is_accepted() {
    // Given Tanaka signed in, off any call
    let console = support::start().await;
    let tanaka = console.sign_in("op-tanaka").await;

    // When Tanaka picks any status the page offers, then it is his status
    let statuses = vec!["available", "away", "wrap_up", "break", "offline", "training"];
    check(prop::sample::select(statuses), |status| {
        let (console, tanaka) = (&console, &tanaka);
        async move {
            let (code, me) = send(
                console,
                tanaka,
                "PUT",
                "/api/operators/me/status",
                &json!({"status": status}),
            )
            .await;
            assert_eq!(code, StatusCode::OK, "{me}");
            let (_, me) = console.api(tanaka, "GET", "/api/operators/me", None).await;
            assert_eq!(me["status"], json!(status), "{me}");
        }
    });

    // When the body is near-valid or anything at all, then the answer is sensible
    check(near(json!({"status": "away"})), |body| {
        let (console, tanaka) = (&console, &tanaka);
        async move {
            send(console, tanaka, "PUT", "/api/operators/me/status", &body).await;
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_actions_of_any_shape_get_a_sensible_answer() {
    // Given Sato on a recorded call and a supervisor
    let (console, sato, call) = console_with_call().await;
    let ito = console.sign_in("sv-ito").await;

    // When call actions and monitoring requests are near-valid or anything at all, then the
    // answers are sensible
    let action = |path: &str, valid: Value| {
        let path = format!("/api/calls/{call}/{path}");
        near(valid).prop_map(move |b| (path.clone(), b))
    };
    let bodies = prop_oneof![
        action("consult", json!({"to": "03-9876-5432", "line_id": "sales"})),
        action("recording", json!({"action": "pause"})),
        action(
            "transfer",
            json!({"to_operator": "op-tanaka", "mode": "warm", "screen": {
                "memo": "請求の件", "response_status": "callback",
                "special_notes": [{"label": "注意", "value": "午後のみ"}],
                "inquiry": {"object": "inquiry", "fields": {"subject": "請求書", "category": "billing"}}}})
        ),
        near(json!({"mode": "listen"})).prop_map({
            let path = format!("/api/monitor/calls/{call}");
            move |b| (path.clone(), b)
        }),
    ];
    check(bodies, |(path, body)| {
        let (console, sato, ito) = (&console, &sato, &ito);
        async move {
            let who = if path.starts_with("/api/monitor") { ito } else { sato };
            send(console, who, "POST", &path, &body).await;
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_json_are_refused_with_a_message() {
    // Given Sato and an admin
    let console = support::start().await;
    let sato = console.sign_in("op-sato").await;
    let admin = console.sign_in("admin-watanabe").await;
    let routes = vec![
        ("PUT", "/api/operators/me/status"),
        ("PUT", "/api/settings/lines"),
        ("POST", "/api/crm/objects/inquiry/records"),
        ("POST", "/api/call-lists"),
        ("PUT", "/api/memos/CA0123456789abcdef0123456789abcdef"),
        ("POST", "/api/calls/CA0123456789abcdef0123456789abcdef/transfer"),
    ];

    // When the body is truncated JSON, not UTF-8, or JSON sent without its content type, then it
    // is refused with a message
    let raw = prop_oneof![
        any::<Vec<u8>>().prop_map(|b| (b, "application/json")),
        "\\{\"[a-z]{0,8}\":? ?\\[?\"?[0-9a-z]{0,8}".prop_map(|s| (s.into_bytes(), "application/json")),
        Just((b"{\"status\": \"away\"}".to_vec(), "text/plain")),
        Just((b"\xff\xfe{\"status\": 1}".to_vec(), "application/json")),
    ];
    check(
        (prop::sample::select(routes), raw),
        |((method, path), (bytes, content_type))| {
            let (console, sato, admin) = (&console, &sato, &admin);
            async move {
                let token = if path.starts_with("/api/settings") { admin } else { sato };
                let response = console
                    .http
                    .request(method.parse().unwrap(), format!("{}{path}", console.url))
                    .bearer_auth(token)
                    .header("content-type", content_type)
                    .body(bytes.clone())
                    .send()
                    .await
                    .expect("the console answers");
                let status = response.status();
                let answer = response.json::<Value>().await.unwrap_or(Value::Null);
                let shown = Value::from(String::from_utf8_lossy(&bytes).into_owned());
                answered_sensibly(&format!("{method} {path}"), &shown, status, &answer);
                if serde_json::from_slice::<Value>(&bytes).is_err() || content_type != "application/json" {
                    assert!(
                        status.is_client_error(),
                        "{method} {path} took {shown}: {status} {answer}"
                    );
                }
            }
        },
    );
}
