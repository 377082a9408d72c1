//! Reading a file upload (`multipart/form-data`): the one reader every upload form uses, counting
//! bytes as they arrive and stopping at the route's own limit.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, Multipart};

use crate::error::AppError;

/// Spending files (CSV, XLS, XLSX): the default for `WebConfig::max_body_bytes`.
pub const SPEND_FILE_BYTES: usize = 200 * 1024 * 1024;
/// A council's supplier (creditor) file.
pub const SUPPLIER_FILE_BYTES: usize = 50 * 1024 * 1024;
/// A unit cost table or the Unit Cost Database workbook.
pub const UNIT_COST_FILE_BYTES: usize = 10 * 1024 * 1024;
/// An LM3 staff and supplier survey.
pub const LM3_SURVEY_BYTES: usize = 5 * 1024 * 1024;
/// A co-production register CSV.
pub const REGISTER_FILE_BYTES: usize = 10 * 1024 * 1024;
/// A geography file: the whole ONS postcode directory is about 1.4 GB as CSV (a few hundred MB
/// gzip-compressed), so 2 GB, streamed to a temporary file, never held in memory.
pub const GEOGRAPHY_FILE_BYTES: usize = 2 * 1024 * 1024 * 1024;
/// An official statistics (indicator) file, streamed to a temporary file like geography.
pub const INDICATOR_FILE_BYTES: usize = 100 * 1024 * 1024;
/// The geography and indicator upload routes.
pub const GEOGRAPHY_PATH: &str = "/admin/geography/upload";
pub const INDICATORS_PATH: &str = "/admin/indicators/upload";
/// A contract register (CSV, XLSX) or OCDS notices (JSON, JSON Lines), streamed to a temporary
/// file like geography; OCDS is read from it in bounded memory (a register is read whole). Larger
/// notice files (a national bulk download) go through `levers contracts import`.
pub const CONTRACT_FILE_BYTES: usize = 200 * 1024 * 1024;
/// The contracts upload route.
pub const CONTRACTS_PATH: &str = "/procurement/contracts/import";

/// Room for an upload form's fields other than the file.
const FIELDS_BYTES: usize = 64 * 1024;

/// Every upload route and its file limit, the one table of them: the request layer (`identify`
/// in auth.rs) reads the body of any state-changing request once, against this
/// limit (plus room for the other fields) on these paths and against [`crate::FORM_LIMIT_BYTES`]
/// everywhere else; the route's [`limit`] layer tells its multipart reader the same number. The
/// spending upload's limit is configurable (`--max-upload-mb`), given as `spend_file_bytes`.
/// A new upload route adds its line here.
pub(crate) fn route_limit(path: &str, spend_file_bytes: usize) -> Option<usize> {
    let file = match path {
        crate::UPLOAD_PATH => spend_file_bytes,
        "/procurement/suppliers" => SUPPLIER_FILE_BYTES,
        "/procurement/lm3" => LM3_SURVEY_BYTES,
        "/appraisals/unit-costs" => UNIT_COST_FILE_BYTES,
        "/co-production/register/import" => REGISTER_FILE_BYTES,
        GEOGRAPHY_PATH => GEOGRAPHY_FILE_BYTES,
        INDICATORS_PATH => INDICATOR_FILE_BYTES,
        CONTRACTS_PATH => CONTRACT_FILE_BYTES,
        _ => return None,
    };
    Some(file.saturating_add(FIELDS_BYTES))
}

/// Upload routes whose body is streamed to a temporary file rather than read into memory: the
/// request layer reads only as far as the CSRF token (forms send it first) and passes the rest on
/// as it arrives; the route's [`limit`] and [`read_to_file`] count the bytes.
pub(crate) fn streamed(path: &str) -> bool {
    matches!(path, GEOGRAPHY_PATH | INDICATORS_PATH | CONTRACTS_PATH)
}

/// An upload written to a temporary file, removed when this is dropped.
#[derive(Debug)]
pub struct TempFile {
    pub path: std::path::PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What a streamed upload form sent: the file (its own name, where it was written, its size) and
/// the other fields (sent before the file).
#[derive(Debug)]
pub struct FileUpload {
    pub file_name: String,
    pub file: TempFile,
    pub len: u64,
    fields: HashMap<String, String>,
}

impl FileUpload {
    /// A text field, trimmed; "" when the form did not send it.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }
}

/// As [`read`], but the file goes to a temporary file chunk by chunk as it arrives (for files of
/// hundreds of megabytes). More than `max_bytes` is refused with 413 and the partial file removed.
pub async fn read_to_file(
    mut form: Multipart,
    default_name: &str,
    max_bytes: usize,
) -> Result<FileUpload, AppError> {
    use tokio::io::AsyncWriteExt;
    let path = std::env::temp_dir().join(format!(
        "levers-upload-{}-{}",
        std::process::id(),
        levers_app::credentials::random_token()
    ));
    let temp = TempFile { path };
    let mut out = tokio::fs::File::create(&temp.path)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot write the upload: {e}")))?;
    let written =
        |e: std::io::Error| AppError::Internal(anyhow::anyhow!("cannot write the upload: {e}"));
    let mut up = FileUpload {
        file_name: String::new(),
        file: temp,
        len: 0,
        fields: HashMap::new(),
    };
    while let Some(mut field) = form.next_field().await.map_err(|_| AppError::TooLarge)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            up.file_name = base_name(field.file_name().unwrap_or(default_name), default_name);
            while let Some(chunk) = field.chunk().await.map_err(|_| AppError::TooLarge)? {
                up.len += chunk.len() as u64;
                if up.len > max_bytes as u64 {
                    return Err(AppError::TooLarge);
                }
                out.write_all(&chunk).await.map_err(written)?;
            }
        } else {
            let text = field.text().await.map_err(|_| AppError::TooLarge)?;
            if text.len() > 64 * 1024 {
                return Err(AppError::TooLarge);
            }
            up.fields.insert(name, text);
        }
    }
    out.flush().await.map_err(written)?;
    Ok(up)
}

/// The body limit layer for an upload route: `route.layer(upload::limit(SUPPLIER_FILE_BYTES))`, the
/// same limit as the route's line in [`route_limit`]. (The form fields other than the file are
/// small; the limit is the file's.)
pub fn limit(bytes: usize) -> DefaultBodyLimit {
    DefaultBodyLimit::max(bytes.saturating_add(FIELDS_BYTES))
}

/// What an upload form sent: the file (its name without any path, and its bytes) and the other fields.
#[derive(Debug, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    fields: HashMap<String, String>,
}

impl Upload {
    /// A text field, trimmed; "" when the form did not send it.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }
}

/// Reads the form: the part named `file` is the upload (named `default_name` if the browser sent no
/// name), every other part a text field. More than `max_bytes` in the file is refused with 413.
pub async fn read(
    mut form: Multipart,
    default_name: &str,
    max_bytes: usize,
) -> Result<Upload, AppError> {
    let mut up = Upload::default();
    while let Some(mut field) = form.next_field().await.map_err(|_| AppError::TooLarge)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            up.file_name = base_name(field.file_name().unwrap_or(default_name), default_name);
            while let Some(chunk) = field.chunk().await.map_err(|_| AppError::TooLarge)? {
                if up.bytes.len() + chunk.len() > max_bytes {
                    return Err(AppError::TooLarge);
                }
                up.bytes.extend_from_slice(&chunk);
            }
        } else {
            let text = field.text().await.map_err(|_| AppError::TooLarge)?;
            if text.len() > 64 * 1024 {
                return Err(AppError::TooLarge);
            }
            up.fields.insert(name, text);
        }
    }
    Ok(up)
}

/// The file's own name, without any folders a browser may send (`C:\Users\x\spend.csv` → `spend.csv`).
fn base_name(sent: &str, default_name: &str) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() {
        default_name.to_string()
    } else {
        base.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::base_name;

    #[test]
    fn folders_are_dropped_from_file_names() {
        assert_eq!(
            base_name(r"C:\Users\me\spend.csv", "upload.csv"),
            "spend.csv"
        );
        assert_eq!(
            base_name("/tmp/x/suppliers.xlsx", "upload.csv"),
            "suppliers.xlsx"
        );
        assert_eq!(base_name("", "upload.csv"), "upload.csv");
        assert_eq!(base_name("dir/", "upload.csv"), "upload.csv");
    }
}
