//! Form posts from the pages: read as plain `application/x-www-form-urlencoded` pairs, so that
//! repeated fields (checkboxes) keep every value and a malformed body gets a page, not a bare 4xx.
//! The decoding itself is `vaka_domain::form`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use vaka_domain::form::{Field, Input, anchor, refill, to_json};

/// The decoded fields of a form post, as an extractor.
#[derive(Debug, Default, Clone)]
pub struct FormFields(pub vaka_domain::form::FormFields);

impl FormFields {
    pub fn parse(body: &[u8]) -> Self {
        Self(vaka_domain::form::FormFields::parse(body))
    }
}

impl std::ops::Deref for FormFields {
    type Target = vaka_domain::form::FormFields;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// Why a form post could not be read.
pub struct BadForm(StatusCode);

impl IntoResponse for BadForm {
    fn into_response(self) -> Response {
        let text = match self.0 {
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "Formuläret skickades i fel format. / The form was sent in the wrong format."
            }
            StatusCode::PAYLOAD_TOO_LARGE => "Formuläret är för stort. / The form is too large.",
            _ => "Formuläret kunde inte läsas. / The form could not be read.",
        };
        (
            self.0,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = BadForm;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(BadForm(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            BadForm(match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            })
        })?;
        Ok(Self::parse(&body))
    }
}
