//! The functions' handlers stay thin: they extract a request, call the domain or call control,
//! and map the outcome. Store keys, transactions, write conditions and Twilio REST requests are
//! built in `shared` (the key design in `shared::store::table`, call control in
//! `shared::control`), never in `functions/*/src`. This test reads the handlers' sources and
//! names every line that breaks the rule. The domain and call control, which do build keys,
//! build them only through `shared::store::table`: a key string spelled in
//! `shared/src/domain`, `shared/src/control`, `shared/src/directory` or `shared/src/push` is
//! named too. A handler reads its path as typed ids (`Path<CallSid>`, `Path<(CallListId,
//! TargetId)>`) through `shared::http::Path`, never as text it checks afterwards.

mod sources;

use sources::{repo, rust_files};

/// What a handler must not contain, and why.
struct Rule {
    what: &'static str,
    breaks: fn(&str) -> bool,
}

/// A string literal that is a key attribute's name or starts like a store key (`"CALL#`,
/// `format!("OP#…`).
fn store_key(line: &str) -> bool {
    let key_names = [
        "\"PK\"",
        "\"SK\"",
        "\"GSI1PK\"",
        "\"GSI1SK\"",
        "\"GSI2PK\"",
        "\"GSI2SK\"",
        "\"expires_at\"",
    ];
    key_names.iter().any(|k| line.contains(k))
        || key_string(line)
        || line.contains("Key::new(")
        || line.contains("store::attr")
}

/// A string literal that starts like a store key: capitals, then `#` (`"CALL#`, `"USER_X#`).
fn key_string(line: &str) -> bool {
    line.match_indices('"').any(|(i, _)| {
        let rest = &line[i + 1..];
        let prefix: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        !prefix.is_empty() && rest[prefix.len()..].starts_with('#')
    })
}

/// A path read as text (`Path<String>`, `Path<(ObjectName, String)>`): the handler would have to
/// check the id itself, instead of `shared::http::Path` refusing it with what an id looks like.
fn untyped_path(line: &str) -> bool {
    line.match_indices("Path<").any(|(i, _)| {
        let mut depth = 0;
        let generic: String = line[i + "Path".len()..]
            .chars()
            .take_while(|c| {
                match c {
                    '<' => depth += 1,
                    '>' => depth -= 1,
                    _ => {}
                }
                depth > 0
            })
            .collect();
        words(&generic).any(|w| w == "String" || w == "str")
    })
}

/// A transaction or a write condition built by hand.
fn store_write(line: &str) -> bool {
    line.contains("TxOp::") || line.contains("Cond::")
}

/// The REST request types of `shared/src/twilio/rest.rs`: every public type documented with
/// the HTTP request it is (`` /// `POST /Calls.json` ``), read from the source so a new one is
/// covered without touching this test.
fn rest_request_types() -> Vec<String> {
    let rest = std::fs::read_to_string(repo().join("shared/src/twilio/rest.rs")).expect("read rest.rs");
    let lines: Vec<&str> = rest.lines().collect();
    let mut types = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let documented_as_request = ["GET", "POST", "DELETE", "PUT"]
            .iter()
            .any(|m| line.trim_start().starts_with(&format!("/// `{m} ")));
        if !documented_as_request {
            continue;
        }
        let declaration = lines[i + 1..]
            .iter()
            .find(|l| !l.trim_start().starts_with("///") && !l.trim_start().starts_with("#["));
        if let Some(name) = declaration.and_then(|d| {
            d.trim_start()
                .strip_prefix("pub struct ")
                .or_else(|| d.trim_start().strip_prefix("pub enum "))
        }) {
            types.push(
                name.split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    types
}

fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
}

/// Every line of `source` (named `file`) that breaks a rule, with the rule.
fn violations(file: &str, source: &str, rest_types: &[String]) -> Vec<String> {
    let rules = [
        Rule {
            what: "a store key",
            breaks: store_key,
        },
        Rule {
            what: "a transaction or condition",
            breaks: store_write,
        },
        Rule {
            what: "a path read as text (take a typed id from shared::ids)",
            breaks: untyped_path,
        },
    ];
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        for rule in &rules {
            if (rule.breaks)(code) {
                found.push(format!("{file}:{}: {} in a handler: {}", n + 1, rule.what, line.trim()));
            }
        }
        if code.contains("twilio::rest") || words(code).any(|w| rest_types.iter().any(|t| t == w)) {
            found.push(format!(
                "{file}:{}: a Twilio REST request in a handler: {}",
                n + 1,
                line.trim()
            ));
        }
    }
    found
}

#[test]
fn the_rest_request_types_are_read_from_the_rest_client() {
    let types = rest_request_types();
    for expected in [
        "CreateCall",
        "UpdateCall",
        "CreateParticipant",
        "UpdateParticipant",
        "UpdateConference",
    ] {
        assert!(types.iter().any(|t| t == expected), "{expected} not found in {types:?}");
    }
}

#[test]
fn a_handler_building_keys_transactions_or_rest_requests_is_named() {
    let rest_types = rest_request_types();
    let offending = r#"
        async fn hold(State(d): State<CallControl>) {
            let key = Key::new(format!("CALL#{sid}"), "CALL");
            let op = format!("OP#{id}");
            item.insert("PK".into(), key.pk.into());
            let ops = vec![TxOp::Put { item, cond: Some(Cond::NotExists) }];
            let req = CreateParticipant::new(from, to);
            use shared::twilio::rest::ParticipantRef;
        }
        async fn read(Path(list): Path<String>) {}
        async fn target(Path((list, target)): Path<(CallListId, String)>) {}
        async fn named(axum::extract::Path(object): axum::extract::Path<std::string::String>) {}
    "#;
    let found = violations("example.rs", offending, &rest_types);
    assert_eq!(found.len(), 9, "{found:#?}");
    assert_eq!(
        found.iter().filter(|f| f.contains("a path read as text")).count(),
        3,
        "{found:#?}"
    );
    let thin = r#"
        // Keys are built in shared::store::table ("CALL#…"), never here.
        async fn hold(State(c): State<CallControl>, caller: Caller, Path(call): Path<CallSid>) -> ApiResult<StatusCode> {
            c.hold(&caller, &call).await?;
            Ok(StatusCode::NO_CONTENT)
        }
        async fn lease(Path((list, target)): Path<(CallListId, TargetId)>, Query(p): Query<LeaseParams>) {}
        let (axum::extract::Path(path), form) = (axum::extract::Path::<P>::from_request_parts(&mut parts, st), 1);
    "#;
    assert!(violations("thin.rs", thin, &rest_types).is_empty());
}

#[test]
fn handlers_build_no_store_keys_transactions_conditions_or_rest_requests() {
    let rest_types = rest_request_types();
    let mut files = Vec::new();
    for function in std::fs::read_dir(repo().join("functions"))
        .expect("read functions/")
        .flatten()
    {
        let src = function.path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    assert!(files.len() >= 11, "every function's sources are read: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read a handler");
        let name = file.strip_prefix(repo()).unwrap_or(file).display().to_string();
        found.extend(violations(&name, &source, &rest_types));
    }
    assert!(
        found.is_empty(),
        "move these into shared (the key design, the domain or call control):\n{}",
        found.join("\n")
    );
}

/// Every line of `source` (named `file`) outside its test module that spells a store key.
fn key_strings(file: &str, source: &str) -> Vec<String> {
    source
        .lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .enumerate()
        .filter(|(_, line)| key_string(line.split("//").next().unwrap_or_default()))
        .map(|(n, line)| format!("{file}:{}: a store key outside store::table: {}", n + 1, line.trim()))
        .collect()
}

#[test]
fn a_key_spelled_outside_the_key_design_is_named() {
    let offending = r#"
        let pk = format!("PHONE#{p}");
        let sk = "USER_EMAIL#x";
    "#;
    assert_eq!(key_strings("example.rs", offending).len(), 2);
    let through_table = r#"
        // The partition is `PHONE#<e164>` (see store::table).
        let q = Query::partition(phone_pk(p)).begins_with(phone_records_prefix());
        let t = format!("{since}#{operator}");
    "#;
    assert!(key_strings("table.rs", through_table).is_empty());
}

#[test]
fn the_domain_call_control_and_the_live_channel_build_keys_only_through_the_key_design() {
    let mut files = vec![repo().join("shared/src/push.rs")];
    for dir in [
        "shared/src/domain",
        "shared/src/control",
        "shared/src/directory",
        "shared/src/push",
    ] {
        rust_files(&repo().join(dir), &mut files);
    }
    assert!(
        files.len() >= 18,
        "the domain's and call control's sources are read: {files:?}"
    );
    let mut found = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read a source file");
        let name = file.strip_prefix(repo()).unwrap_or(file).display().to_string();
        found.extend(key_strings(&name, &source));
    }
    assert!(
        found.is_empty(),
        "build these keys in shared/src/store/table.rs and call its builders:\n{}",
        found.join("\n")
    );
}
