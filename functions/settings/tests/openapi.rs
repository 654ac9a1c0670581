//! The settings API's OpenAPI document describes every section a client may replace — the
//! queues (窓口) and the waiting audio and callback offer among them — so a client generated
//! from it (the page's types) knows each section's shape.

use serde_json::Value;
use shared::domain::settings::SECTIONS;
use utoipa::OpenApi;

/// Every `$ref` under `v`.
fn refs(v: &Value, into: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => into.push(r.clone()),
                    _ => refs(x, into),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, into)),
        _ => {}
    }
}

#[test]
fn the_section_route_names_every_section_and_the_shape_of_each_value() {
    let doc = serde_json::to_value(settings::ApiDoc::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];

    let named: Vec<&str> = schemas["SettingsSection"]["enum"]
        .as_array()
        .expect("the sections are an enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        named, SECTIONS,
        "the route names exactly the sections the settings have"
    );
    let param = &doc["paths"]["/api/settings/{section}"]["put"]["parameters"][0];
    assert_eq!(
        param["schema"]["$ref"], "#/components/schemas/SettingsSection",
        "{param:#}"
    );

    let value = &schemas["SectionUpdate"]["properties"]["value"];
    let shapes = value["oneOf"].as_array().expect("one of the sections' shapes");
    assert_eq!(shapes.len(), SECTIONS.len(), "{value:#}");
    let queues = &shapes[SECTIONS.iter().position(|s| *s == "queues").unwrap()];
    assert_eq!(queues["type"], "array");
    assert_eq!(queues["items"]["$ref"], "#/components/schemas/Queue");
    let waiting = &shapes[SECTIONS.iter().position(|s| *s == "waiting").unwrap()];
    assert_eq!(waiting["$ref"], "#/components/schemas/Waiting");
    assert!(value["description"].as_str().unwrap().contains("`queues`"), "{value:#}");

    // Every shape it names is described, down to the audio a line plays.
    let mut named_refs = Vec::new();
    refs(value, &mut named_refs);
    refs(&schemas["Waiting"], &mut named_refs);
    refs(&schemas["LineMusic"], &mut named_refs);
    for r in &named_refs {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(schemas.get(name).is_some(), "{r} is not described");
    }
    for name in ["Queue", "Waiting", "LineMusic", "Audio"] {
        let r = format!("#/components/schemas/{name}");
        assert!(named_refs.contains(&r), "{name} is reached from the section's value");
    }
    assert!(
        schemas["Waiting"]["properties"]["callback_after_seconds"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("callback")),
        "{:#}",
        schemas["Waiting"]
    );
    assert!(
        schemas["Queue"]["properties"]["name"]["description"].is_string(),
        "{:#}",
        schemas["Queue"]
    );
}
