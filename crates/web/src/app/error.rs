//! One error type for every handler. A handler returns `Result<_, AppError>`; the error knows
//! its status, the catalogue key of what the user is told, and for a server fault its cause.
//! `into_response` logs a server fault once (inside the request's span, so with its request id)
//! and leaves an [`ErrorReport`] on the response; the kernel's `render_errors` layer, which knows
//! the request's language and whether it asked for JSON, turns the report into the page or the
//! JSON body. So a handler never builds an error page by hand and a cause is never thrown away.

use std::borrow::Cow;
use std::error::Error as StdError;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puskesos_domain::cases::StepError;
use puskesos_storage::StorageError;

type Cause = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    key: Cow<'static, str>,
    cause: Option<Cause>,
}

/// What `render_errors` shows for a response that an [`AppError`] made.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub key: Cow<'static, str>,
}

impl AppError {
    /// A refusal or a bad request: shown to the user, not logged as a fault.
    pub fn refused(status: StatusCode, key: impl Into<Cow<'static, str>>) -> AppError {
        AppError {
            status,
            key: key.into(),
            cause: None,
        }
    }

    pub fn forbidden() -> AppError {
        AppError::refused(StatusCode::FORBIDDEN, "web-forbidden")
    }

    pub fn not_found() -> AppError {
        AppError::refused(StatusCode::NOT_FOUND, "web-not-found")
    }

    pub fn csrf() -> AppError {
        AppError::refused(StatusCode::FORBIDDEN, "web-csrf")
    }

    /// A server fault with its cause; the user is told `key`.
    pub fn internal(key: &'static str, cause: impl Into<Cause>) -> AppError {
        AppError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            key: Cow::Borrowed(key),
            cause: Some(cause.into()),
        }
    }

    /// A stored file (letter, attachment, report) that should exist and cannot be read.
    pub fn file(cause: std::io::Error) -> AppError {
        AppError::internal("web-file-missing", cause)
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.key, self.status)?;
        if let Some(c) = &self.cause {
            write!(f, ": {c}")?;
        }
        Ok(())
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> AppError {
        // Only a lost connection is "the database cannot be reached"; anything else is a fault
        // of ours, and says so.
        let (status, key) = if e.is_unavailable() {
            (StatusCode::SERVICE_UNAVAILABLE, "web-db-error")
        } else {
            (StatusCode::INTERNAL_SERVER_ERROR, "web-internal-error")
        };
        AppError {
            status,
            key: Cow::Borrowed(key),
            cause: Some(Box::new(e)),
        }
    }
}

impl From<StepError> for AppError {
    /// A refused case or complaint step: 403 for the wrong role, 422 for a missing note, 409 out
    /// of order, with the reason in the user's language.
    fn from(e: StepError) -> AppError {
        let status = match e {
            StepError::NotPermitted => StatusCode::FORBIDDEN,
            StepError::NoteRequired => StatusCode::UNPROCESSABLE_ENTITY,
            StepError::OutOfOrder => StatusCode::CONFLICT,
        };
        AppError::refused(status, e.key())
    }
}

impl AppError {
    /// Logs a fault once with its chain of causes (as a response would) and returns its
    /// status: for an answer in another shape than the pages' (the DCI API's errors).
    pub fn report(&self) -> StatusCode {
        self.log();
        self.status
    }

    fn log(&self) {
        if self.status.is_server_error() {
            // The one log line of a fault, with the chain of causes.
            let mut chain = String::new();
            let mut next: Option<&(dyn StdError + 'static)> = self
                .cause
                .as_deref()
                .map(|c| c as &(dyn StdError + 'static));
            while let Some(c) = next {
                if !chain.is_empty() {
                    chain.push_str(": ");
                }
                chain.push_str(&c.to_string());
                next = c.source();
            }
            tracing::error!(status = self.status.as_u16(), key = %self.key, cause = %chain, "request failed");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let mut resp = self.status.into_response();
        resp.extensions_mut().insert(ErrorReport { key: self.key });
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_not_reported_as_the_database() {
        let e = AppError::file(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.key(), "web-file-missing");
        let e: AppError = StorageError::Corrupt("cases 1: bad state".into()).into();
        assert_eq!(e.key(), "web-internal-error");
        assert!(e.to_string().contains("bad state"));
    }

    #[test]
    fn the_response_carries_the_report_for_the_renderer() {
        let resp = AppError::refused(StatusCode::CONFLICT, "step-out-of-order").into_response();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        let report = resp.extensions().get::<ErrorReport>().unwrap();
        assert_eq!(report.key, "step-out-of-order");
    }
}
