//! Form posts from the pages: read as plain `application/x-www-form-urlencoded` pairs, so that
//! repeated fields (checkboxes) keep every value and a malformed body gets a page, not a bare 4xx.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The decoded fields of a form post, in order.
#[derive(Debug, Default, Clone)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (repeated fields such as checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_keep_every_value_and_plus_is_a_space() {
        let f = FormFields::parse(b"substances=alcohol&substances=cannabis&note=m%C3%A5r+bra&x=");
        assert_eq!(f.all("substances"), ["alcohol", "cannabis"]);
        assert_eq!(f.get("note"), Some("mår bra"));
        assert_eq!(f.get("x"), Some(""));
        assert_eq!(f.get("missing"), None);
    }
}
