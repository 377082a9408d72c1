//! Reading an HTML form (`application/x-www-form-urlencoded`) into a typed struct: the one form
//! convention. Repeated fields (checkboxes, rows of a table) deserialise into `Vec`s, so handlers
//! take `Form<TheirForm>` rather than a list of pairs.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A typed form body. A body that does not fit the struct is a 400 naming the field.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::TooLarge)?;
        parse(&bytes).map(Form)
    }
}

/// The form in `body` as a `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_html_form::from_bytes(body).map_err(|e| AppError::BadRequest(e.to_string()))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Ballot {
        code: String,
        #[serde(default)]
        project: Vec<u32>,
    }

    #[test]
    fn repeated_fields_become_lists() {
        let b: Ballot = super::parse(b"code=ABC&project=3&project=7").unwrap();
        assert_eq!(
            b,
            Ballot {
                code: "ABC".into(),
                project: vec![3, 7]
            }
        );
        let none: Ballot = super::parse(b"code=ABC").unwrap();
        assert!(none.project.is_empty());
    }

    #[test]
    fn a_body_that_does_not_fit_is_refused() {
        assert!(super::parse::<Ballot>(b"project=x").is_err());
    }
}

/// A publish-or-withdraw form (a strategy, the place view): `publish=yes` publishes, anything
/// else withdraws.
#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    publish: String,
}

impl PublishForm {
    /// Whether the form asks to publish (rather than withdraw).
    pub fn publishes(&self) -> bool {
        self.publish == "yes"
    }
}
