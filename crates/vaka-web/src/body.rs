//! The JSON body extractor: a size limit, 400 for malformed JSON, 422 naming the field whose type is
//! wrong, 415 without a JSON content type — each in the API's error format.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;
use vaka_domain::{FieldError, Msg};

use crate::AppState;
use crate::error::ApiError;

pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = state.config.body_limit;
        let bytes: Bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| ApiError::PayloadTooLarge(limit))?;
        parse(&bytes).map(JsonBody)
    }
}

/// Parses JSON, telling a syntax error (400) from a value of the wrong type (422, with its path).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    if !value.is_object() {
        return Err(ApiError::MalformedJson("expected a JSON object".into()));
    }
    from_value(value)
}

/// Reads a JSON object into a request, naming the field whose value has the wrong type (422).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner().to_string();
        ApiError::Invalid(vec![FieldError::new(
            if field == "." { String::new() } else { field },
            "invalid_type",
            Msg::new(
                format!("Fel typ av värde: {inner}"),
                format!("Wrong type of value: {inner}"),
            ),
        )])
    })
}
