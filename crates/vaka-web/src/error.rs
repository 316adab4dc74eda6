//! One error type for the JSON API: `{"error": {"code", "field", "message", ...}}` with the right
//! status, messages in Swedish and English, and never a 500 for bad input.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use vaka_domain::{FieldError, Msg};
use vaka_store::StoreError;

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound,
    Invalid(Vec<FieldError>),
    MalformedJson(String),
    UnsupportedMediaType,
    PayloadTooLarge(usize),
    Conflict(FieldError),
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// Every invalid field, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDetail>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `invalid_check_digit`.
    pub code: String,
    /// The field the error is about, as named in the request; `null` when it is about the request.
    pub field: Option<String>,
    /// English message.
    pub message: String,
    pub message_sv: String,
    pub message_en: String,
}

impl ErrorDetail {
    fn new(code: &str, field: Option<String>, m: Msg) -> Self {
        Self {
            code: code.to_owned(),
            field,
            message: m.en.clone(),
            message_sv: m.sv,
            message_en: m.en,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(vec![e])
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(e: Vec<FieldError>) -> Self {
        ApiError::Invalid(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(what) => ApiError::Conflict(FieldError::new(
                what,
                "already_exists",
                match what {
                    "personal_number" => Msg::new(
                        "En klient med detta nummer är redan registrerad.",
                        "A client with this number is already registered.",
                    ),
                    "username" => Msg::new("Användarnamnet är upptaget.", "The username is taken."),
                    _ => Msg::new(
                        "Det finns redan en post med detta värde.",
                        "A record with this value already exists.",
                    ),
                },
            )),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail, errors) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorDetail::new(
                    "unauthorized",
                    None,
                    Msg::new(
                        "Inloggning krävs (Bearer-token).",
                        "Authentication required (bearer token).",
                    ),
                ),
                vec![],
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                ErrorDetail::new(
                    "forbidden",
                    None,
                    Msg::new(
                        "Din roll får inte göra detta.",
                        "Your role may not do this.",
                    ),
                ),
                vec![],
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorDetail::new("not_found", None, Msg::new("Finns inte.", "Not found.")),
                vec![],
            ),
            ApiError::Invalid(errs) => {
                let all: Vec<ErrorDetail> = errs
                    .into_iter()
                    .map(|e| ErrorDetail::new(e.code, Some(e.field), e.message))
                    .collect();
                let first = all.first().cloned().unwrap_or_else(|| {
                    ErrorDetail::new(
                        "invalid",
                        None,
                        Msg::new("Ogiltiga uppgifter.", "Invalid data."),
                    )
                });
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    first,
                    if all.len() > 1 { all } else { vec![] },
                )
            }
            ApiError::MalformedJson(why) => (
                StatusCode::BAD_REQUEST,
                ErrorDetail::new(
                    "malformed_json",
                    None,
                    Msg::new(
                        format!("Ogiltig JSON: {why}"),
                        format!("Malformed JSON: {why}"),
                    ),
                ),
                vec![],
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorDetail::new(
                    "unsupported_media_type",
                    None,
                    Msg::new(
                        "Skicka JSON med Content-Type: application/json.",
                        "Send JSON with Content-Type: application/json.",
                    ),
                ),
                vec![],
            ),
            ApiError::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorDetail::new(
                    "payload_too_large",
                    None,
                    Msg::new(
                        format!("Förfrågan är större än {limit} byte."),
                        format!("The request is larger than {limit} bytes."),
                    ),
                ),
                vec![],
            ),
            ApiError::Conflict(e) => (
                StatusCode::CONFLICT,
                ErrorDetail::new(e.code, Some(e.field), e.message),
                vec![],
            ),
            ApiError::Internal(why) => {
                tracing::error!(error = %why, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorDetail::new(
                        "internal",
                        None,
                        Msg::new("Ett internt fel uppstod.", "An internal error occurred."),
                    ),
                    vec![],
                )
            }
        };
        (
            status,
            Json(ErrorBody {
                error: detail,
                errors,
            }),
        )
            .into_response()
    }
}
