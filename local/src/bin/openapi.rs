//! `openapi`: prints the console API's OpenAPI document (every function's routes and schemas,
//! merged as the local runtime serves it at `/api/openapi.json`) as JSON on stdout, without
//! starting a server or opening a store.
//!
//! usage: openapi
//!
//! The page's API types are generated from this output (`static-ui/scripts/api-types.mjs`), and
//! its check fails when the committed types no longer match it.

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: openapi   (prints the API's OpenAPI document as JSON on stdout)";

fn main() -> ExitCode {
    if let Some(arg) = std::env::args().nth(1) {
        match arg.as_str() {
            "-h" | "--help" => eprintln!("{USAGE}"),
            other => eprintln!("unknown argument {other}; {USAGE}"),
        }
        return ExitCode::from(2);
    }
    let json = match local::api_doc().to_pretty_json() {
        Ok(json) => json,
        Err(e) => {
            eprintln!("openapi: the document does not serialise: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{json}").and_then(|()| out.flush()) {
        eprintln!("openapi: cannot write the document: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    fn document() -> Value {
        serde_json::to_value(local::api_doc()).expect("the document serialises")
    }

    /// Every operation of the document as (`METHOD path`, operation).
    fn operations(doc: &Value) -> Vec<(String, &Value)> {
        let paths = doc["paths"].as_object().expect("the document has paths");
        paths
            .iter()
            .flat_map(|(path, item)| {
                let item = item.as_object().expect("a path item is an object");
                item.iter()
                    .map(move |(method, op)| (format!("{} {path}", method.to_uppercase()), op))
            })
            .collect()
    }

    /// Where in `schema` an object is left undescribed: no properties, no value schema for its
    /// keys, no composition (what utoipa writes for a `serde_json::Map` or `Object` field).
    fn undescribed_objects(schema: &Value, at: &str, found: &mut Vec<String>) {
        match schema {
            Value::Object(map) => {
                let is_object = match map.get("type") {
                    Some(Value::String(t)) => t == "object",
                    Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                    _ => false,
                };
                let described = map
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty())
                    || map.get("additionalProperties").is_some_and(Value::is_object)
                    || ["allOf", "oneOf", "anyOf"].iter().any(|k| map.contains_key(*k));
                if is_object && !described {
                    found.push(at.to_owned());
                }
                for (key, value) in map {
                    undescribed_objects(value, &format!("{at}/{key}"), found);
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    undescribed_objects(value, &format!("{at}/{i}"), found);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_operation_has_an_id_of_its_own() {
        let doc = document();
        let mut by_id: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (name, op) in operations(&doc) {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has no operationId"));
            by_id.entry(id).or_default().push(name);
        }
        let shared: Vec<_> = by_id.into_iter().filter(|(_, ops)| ops.len() > 1).collect();
        assert!(
            shared.is_empty(),
            "operation ids name one operation each (the page's generated types key operations by them; \
             give the handlers `operation_id = \"...\"`): {shared:?}"
        );
    }

    #[test]
    fn every_body_the_api_reads_or_answers_has_a_schema() {
        let doc = document();
        let mut missing = Vec::new();
        for (name, op) in operations(&doc) {
            let mut bodies: Vec<(String, &Value)> = Vec::new();
            for (media, content) in op["requestBody"]["content"].as_object().into_iter().flatten() {
                bodies.push((format!("{name} request {media}"), content));
            }
            let responses = op["responses"].as_object().expect("an operation has responses");
            for (status, response) in responses {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    bodies.push((format!("{name} {status} {media}"), content));
                }
            }
            missing.extend(
                bodies
                    .into_iter()
                    .filter(|(_, c)| c.get("schema").is_none())
                    .map(|(what, _)| what),
            );
            if name.starts_with("GET ") && responses.get("200").and_then(|r| r.get("content")).is_none() {
                missing.push(format!("{name} 200 (a read with no body described)"));
            }
        }
        assert!(missing.is_empty(), "bodies without a schema: {missing:?}");
    }

    #[test]
    fn no_object_in_the_document_is_left_undescribed() {
        let doc = document();
        let mut found = Vec::new();
        undescribed_objects(&doc["components"], "#/components", &mut found);
        undescribed_objects(&doc["paths"], "#/paths", &mut found);
        assert!(
            found.is_empty(),
            "objects with neither properties nor a value schema (the page's types would read them as \
             `Record<string, never>`; describe them, e.g. `schema_with`): {found:?}"
        );
    }
}
