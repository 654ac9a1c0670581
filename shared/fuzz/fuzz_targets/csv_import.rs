//! Call-list CSV import through the call-lists router on the embedded store, with any bytes
//! (UTF-8 with or without a BOM, Shift_JIS as Japanese spreadsheets save it, or garbage): the
//! import never fails with a 5xx or a panic; a chunk is either refused whole with a message
//! saying what to do, or every row of it is imported or reported failed with its line of the
//! file; the counts of the chunk, the import and the list add up; and the targets are the rows
//! that were not reported.

#![no_main]

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use shared::auth::Role;
use shared::domain::Services;
use shared::domain::call_lists::MAX_LISTED_FAILURES;
use shared::phone::PhoneNumber;
use shared::store::embedded::EmbeddedStore;
use shared::testing::{call, json_request, request, signed_in};

/// A file as an admin's spreadsheet saved it. The first byte says how the admin started the
/// import (`auto`, `utf-8` or `shift_jis`) and how the rest was saved (as it is, as UTF-8 with
/// a byte-order mark, or, when it is text, as Shift_JIS with the characters Shift_JIS lacks
/// written as numeric references, as browsers do); the next two bytes are the first line.
struct Input {
    encoding: &'static str,
    first_line: u64,
    bytes: Vec<u8>,
}

impl Input {
    fn read(data: &[u8]) -> Option<Self> {
        let (&[how, high, low], rest) = data.split_first_chunk::<3>()?;
        let bytes = match how / 3 % 3 {
            0 => rest.to_vec(),
            1 => [b"\xEF\xBB\xBF".as_slice(), rest].concat(),
            _ => match std::str::from_utf8(rest) {
                Ok(text) => encoding_rs::SHIFT_JIS.encode(text).0.into_owned(),
                Err(_) => rest.to_vec(),
            },
        };
        Some(Self {
            encoding: ["auto", "utf-8", "shift_jis"][usize::from(how % 3)],
            first_line: 1 + u64::from(u16::from_be_bytes([high, low])),
            bytes,
        })
    }
}

const ADMIN: &str = "admin-watanabe";
const COLUMNS: [&str; 3] = ["氏名", "電話番号", "備考"];

/// Codes of a chunk refused whole; any other 4xx would leave the admin without a row to fix.
const WHOLE_CHUNK_REFUSALS: [&str; 4] = ["empty_file", "not_csv", "unsupported_encoding", "malformed_csv"];
/// Codes of a failed row.
const ROW_FAILURES: [&str; 5] = [
    "wrong_column_count",
    "missing_phone",
    "invalid_phone",
    "too_long",
    "bad_encoding",
];

struct Console {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

fn console() -> &'static Console {
    static CONSOLE: OnceLock<Console> = OnceLock::new();
    CONSOLE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let router = runtime.block_on(async {
            let services = Services::new(Arc::new(EmbeddedStore::in_memory().expect("an in-memory store")));
            services
                .settings
                .put_section(
                    "lines",
                    0,
                    json!([{"id": "main", "number": "03-6800-0001", "label": "代表番号"}]),
                )
                .await
                .expect("a line");
            call_lists::router(services)
        });
        Console { runtime, router }
    })
}

async fn as_admin(router: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    call(router, signed_in(req, ADMIN, Role::Admin)).await
}

fn created(status: StatusCode, body: &Value) -> String {
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().expect("an id").to_owned()
}

/// The lines of a file as a text editor numbers them: CRLF, LF and CR each end one.
fn line_count(bytes: &[u8]) -> u64 {
    let mut lines = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                lines += 1;
                i += 1;
            }
            b'\r' | b'\n' => lines += 1,
            _ => {}
        }
        i += 1;
    }
    lines
}

async fn all_targets(router: &axum::Router, list: &str) -> Vec<Value> {
    let mut targets = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/call-lists/{list}/targets?limit=200&cursor={c}"),
            None => format!("/api/call-lists/{list}/targets?limit=200"),
        };
        let (status, page) = as_admin(router, request("GET", &uri)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        targets.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(form_urlencoded::byte_serialize(c.as_bytes()).collect()),
            None => return targets,
        }
    }
}

async fn import(router: &axum::Router, input: &Input) {
    let (encoding, first_line, bytes) = (input.encoding, input.first_line, &input.bytes);

    let (status, list) = as_admin(
        router,
        json_request("POST", "/api/call-lists", &json!({"name": "fuzz", "line_id": "main"})),
    )
    .await;
    let list = created(status, &list);
    let (status, started) = as_admin(
        router,
        json_request(
            "POST",
            &format!("/api/call-lists/{list}/imports"),
            &json!({
                "columns": COLUMNS,
                "mapping": {"name": "氏名", "phone": "電話番号", "notes": "備考"},
                "encoding": encoding,
            }),
        ),
    )
    .await;
    let import = created(status, &started);

    let chunk_request = Request::builder()
        .method("POST")
        .uri(format!(
            "/api/call-lists/{list}/imports/{import}/chunks?first_line={first_line}"
        ))
        .header("content-type", "text/csv")
        .body(Body::from(bytes.clone()))
        .expect("a request");
    let (status, body) = as_admin(router, chunk_request).await;
    assert!(!status.is_server_error(), "{status}: {body}");
    if status != StatusCode::OK {
        let code = body["error"]["code"].as_str().unwrap_or_default();
        let whole = status == StatusCode::PAYLOAD_TOO_LARGE
            || (status == StatusCode::UNPROCESSABLE_ENTITY && WHOLE_CHUNK_REFUSALS.contains(&code));
        assert!(whole, "the chunk was refused whole: {status} {body}");
        assert!(
            !body["error"]["message"].as_str().unwrap_or_default().is_empty(),
            "{body}"
        );
        delete(router, &list).await;
        return;
    }

    let chunk = &body["chunk"];
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k} in {v}"));
    let (rows, imported, failed_count) = (n(chunk, "rows"), n(chunk, "imported"), n(chunk, "failed_count"));
    assert_eq!(rows, imported + failed_count, "every row is imported or failed: {body}");
    let failed = chunk["failed"].as_array().expect("failed rows");
    assert_eq!(
        failed.len() as u64,
        failed_count.min(MAX_LISTED_FAILURES as u64),
        "{body}"
    );

    let last_line = first_line + line_count(bytes) - 1;
    let mut failed_lines = BTreeSet::new();
    for failure in failed {
        let line = n(failure, "line");
        assert!(
            (first_line..=last_line).contains(&line),
            "line {line} is within the chunk's lines {first_line}..={last_line}: {body}"
        );
        assert!(failed_lines.insert(line), "line {line} is reported once: {body}");
        let code = failure["code"].as_str().unwrap_or_default();
        assert!(ROW_FAILURES.contains(&code), "{failure}");
        let reason = failure["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains(&format!("line {line}")),
            "the reason names the line: {failure}"
        );
    }

    let progress = &body["import"];
    assert_eq!(n(progress, "rows_imported"), imported, "{body}");
    assert_eq!(n(progress, "rows_failed"), failed_count, "{body}");
    assert_eq!(n(progress, "chunks"), 1, "{body}");

    let targets = all_targets(router, &list).await;
    assert_eq!(targets.len() as u64, imported, "every imported row is a target");
    let mut target_lines = BTreeSet::new();
    for target in &targets {
        let line = n(target, "source_line");
        assert!((first_line..=last_line).contains(&line), "{target}");
        assert!(target_lines.insert(line), "one target per line: {target}");
        assert!(!failed_lines.contains(&line), "line {line} both imported and failed");
        let phone = target["phone"].as_str().expect("a phone");
        assert_eq!(
            PhoneNumber::parse(phone).map(|p| p.as_str().to_owned()).as_deref(),
            Ok(phone)
        );
    }

    let (status, read) = as_admin(router, request("GET", &format!("/api/call-lists/{list}"))).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["counts"]["total"].as_u64(), Some(imported), "{read}");
    assert_eq!(read["counts"]["not_called"].as_u64(), Some(imported), "{read}");

    delete(router, &list).await;
}

/// Deletes the list, so the store stays small however long the fuzzer runs.
async fn delete(router: &axum::Router, list: &str) {
    loop {
        let (status, body) = as_admin(router, request("DELETE", &format!("/api/call-lists/{list}"))).await;
        match status {
            StatusCode::NO_CONTENT => return,
            StatusCode::ACCEPTED => continue,
            other => panic!("deleting the list: {other} {body}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::read(data) else {
        return;
    };
    let console = console();
    console.runtime.block_on(import(&console.router, &input));
});
