//! `/api/openapi.json` describes the API the server really serves.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

async fn description() -> (crate::helpers::TestApp, Value) {
    let app = spawn_app().await;
    let response = app.get_raw(None, "/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let spec: Value = response.json().await.unwrap();
    (app, spec)
}

#[tokio::test]
async fn every_documented_operation_exists_with_its_method_and_its_security() {
    let (app, spec) = description().await;
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        spec["openapi"]
    );
    let paths = spec["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            operations.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    assert_eq!(
        operations.len(),
        34,
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    for (path, method, operation) in operations {
        let url = format!("{}{path}", app.address);
        let request = match method.as_str() {
            "get" => app.client.get(&url),
            "post" | "put" | "patch" => app
                .client
                .request(method.to_uppercase().parse().unwrap(), &url)
                .header("content-type", "application/json")
                .body("{}"),
            other => panic!("undocumented method {other} on {path}"),
        };
        let status = request.send().await.unwrap().status();
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} answered {status}"
        );
        // An operation documented as needing the session refuses a
        // request without one; one documented as open does not.
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        assert_eq!(
            status == StatusCode::UNAUTHORIZED,
            secured,
            "{method} {path} answered {status}"
        );
    }
}

#[tokio::test]
async fn the_schemas_require_what_the_server_requires() {
    let (_app, spec) = description().await;
    let schemas = &spec["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        let mut fields: Vec<String> =
            serde_json::from_value(schemas[name]["required"].clone()).unwrap_or_default();
        fields.sort();
        fields
    };
    assert_eq!(
        required("PushRequest"),
        ["device_id", "mutations", "protocol"]
    );
    assert_eq!(required("LoginRequest"), ["password", "username"]);
    assert_eq!(required("ValidationError"), ["field", "message"]);
    // Every refusal's rules, by code: optional, so older answers still read.
    assert_eq!(required("ErrorBody"), ["error"]);
    assert_eq!(
        schemas["ErrorBody"]["properties"]["errors"]["items"]["$ref"],
        "#/components/schemas/ValidationError"
    );
    assert_eq!(
        spec["components"]["securitySchemes"]["session"]["scheme"],
        "bearer"
    );
    // The filter's parameters are the ones the admin endpoints read.
    let params: Vec<&str> = spec["paths"]["/api/admin/report"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["from", "to", "street", "category", "region"]);
}

/// Every status an operation answers to a malformed request is one its
/// description lists: asked of the server itself, operation by operation.
#[tokio::test]
async fn every_status_a_malformed_request_gets_is_documented() {
    let (app, spec) = description().await;
    let token = app.admin_token.clone();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let documented: Vec<&str> = operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            // Path parameters get a value that names nothing.
            let url = format!(
                "{}{}",
                app.address,
                path.replace("{username}", "nobody")
                    .replace("{id}", "st-nowhere")
                    .replace("{code}", "nothing")
            );
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let mut requests = vec![(
                "too many headers",
                (0..120).fold(
                    app.client.request(method.clone(), &url).bearer_auth(&token),
                    |request, n| request.header(format!("x-{n}"), "y"),
                ),
            )];
            if operation.get("requestBody").is_some() {
                requests.extend([
                    (
                        "broken JSON",
                        app.client
                            .request(method.clone(), &url)
                            .bearer_auth(&token)
                            .header("content-type", "application/json")
                            .body("{\"a\":"),
                    ),
                    (
                        "not JSON",
                        app.client
                            .request(method.clone(), &url)
                            .bearer_auth(&token)
                            .header("content-type", "text/plain")
                            .body("hello"),
                    ),
                    (
                        "JSON of the wrong shape",
                        app.client
                            .request(method.clone(), &url)
                            .bearer_auth(&token)
                            .json(&serde_json::json!({ "unexpected": [1, 2] })),
                    ),
                ]);
            }
            if operation["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["in"] == "query"))
            {
                requests.push((
                    "a malformed query",
                    app.client
                        .request(
                            method.clone(),
                            format!("{url}?from=yesterday&limit=x&cursor=%00"),
                        )
                        .bearer_auth(&token),
                ));
            }
            for (what, request) in requests {
                let status = request.send().await.unwrap().status();
                assert!(
                    documented.contains(&status.as_str()),
                    "{method} {path} answered {status} to {what}; documented: {documented:?}"
                );
            }
        }
    }
}

/// The limits the server enforces are in the schemas, from the same
/// constants, so a client built from the description sends what is taken.
#[tokio::test]
async fn the_schemas_carry_the_limits_and_formats_the_server_enforces() {
    use tongxin_shared::{Activity, activity::PeopleServed};
    let (_app, spec) = description().await;
    let field = |schema: &str, name: &str| {
        spec["components"]["schemas"][schema]["properties"][name].clone()
    };
    let max_length = |schema: &str, name: &str| field(schema, name)["maxLength"].as_u64();
    assert_eq!(
        max_length("Activity", "title"),
        Some(Activity::TITLE_MAX_CHARS as u64)
    );
    assert_eq!(
        max_length("Activity", "notes"),
        Some(Activity::NOTES_MAX_CHARS as u64)
    );
    assert_eq!(
        max_length("Activity", "organising_group"),
        Some(Activity::GROUP_MAX_CHARS as u64)
    );
    assert_eq!(
        field("Activity", "volunteers")["maximum"].as_u64(),
        Some(u64::from(Activity::VOLUNTEERS_MAX))
    );
    assert_eq!(
        field("Activity", "people_served")["maximum"].as_u64(),
        Some(u64::from(PeopleServed::MAX))
    );
    assert_eq!(field("Activity", "date")["format"], "date");
    assert_eq!(
        max_length("Station", "id"),
        Some(tongxin_shared::station::STATION_ID_MAX_CHARS as u64)
    );
    assert_eq!(
        field("NewAccount", "password")["minLength"].as_u64(),
        Some(tongxin_shared::account::MIN_PASSWORD_CHARS as u64)
    );
    assert_eq!(
        max_length("NewAccount", "username"),
        Some(tongxin_shared::account::MAX_USERNAME_CHARS as u64)
    );
}
