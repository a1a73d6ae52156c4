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
        21,
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
