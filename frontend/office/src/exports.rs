//! The admin's exports (XLSX and CSV of the filtered activities or sales),
//! fetched with the session's token and handed to the browser as files.

use wasm_bindgen::JsCast;

use crate::api;

/// Why an export did not reach the user's files.
#[derive(Debug, Clone)]
pub(super) enum ExportError {
    /// Offline, or the server refused (its rules, for the user's words).
    Api(api::ApiError),
    /// The browser would not hand the file on (rare: out of memory); the
    /// details go to the console.
    Browser,
}

impl From<String> for ExportError {
    fn from(error: String) -> Self {
        leptos::logging::error!("export: {error}");
        ExportError::Browser
    }
}

impl From<&str> for ExportError {
    fn from(error: &str) -> Self {
        ExportError::from(error.to_owned())
    }
}

/// Fetches an export with the session's token and hands it to the browser
/// as a download (a plain link could not carry the token).
pub(super) async fn download(url: &str, token: &str, file_name: &str) -> Result<(), ExportError> {
    let bytes = api::bytes(url, token).await.map_err(ExportError::Api)?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&array))
        .map_err(|e| format!("{e:?}"))?;
    let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an anchor")?;
    link.set_href(&href);
    link.set_download(file_name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&href);
    Ok(())
}
