//! A form field's error message, in the user's language, and after a
//! refused save, the way to the first field in error.

use leptos::prelude::*;
use tongxin_shared::ValidationError;
use wasm_bindgen::JsCast;

use crate::i18n::{self, use_i18n};

/// The message next to an input, if `errors` has one for `field`, with the
/// id `{prefix}{field}-error` that tests and `aria` references use.
pub fn field_error(
    errors: RwSignal<Vec<ValidationError>>,
    prefix: &'static str,
    field: &'static str,
) -> impl Fn() -> Option<AnyView> + Copy {
    move || {
        error_for(&errors.get(), field).map(|message| {
            view! { <span class="field-error" id=format!("{prefix}{field}-error") role="alert">{message}</span> }
                .into_any()
        })
    }
}

fn error_for(errors: &[ValidationError], field: &str) -> Option<String> {
    let i18n = use_i18n();
    let messages: Vec<String> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| i18n::rule_message(i18n.get_locale(), e))
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// `aria-invalid="true"` on a field while `errors` names it; no attribute
/// otherwise.
pub fn invalid(
    errors: RwSignal<Vec<ValidationError>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> + Copy {
    move || {
        errors
            .with(|errors| errors.iter().any(|e| e.field == field))
            .then_some("true")
    }
}

/// After a refused save: once the messages are drawn, the first field in
/// error in the form `form_id` (in page order) is scrolled into view and
/// focused, so the user sees why nothing was saved, even with the form's
/// top far off screen. A group of choices marks itself `data-invalid` and
/// gets its first choice focused.
pub fn focus_first_error(form_id: &'static str) {
    request_animation_frame(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let selector = format!(
            "#{form_id} [aria-invalid=\"true\"], #{form_id} [data-invalid=\"true\"] button"
        );
        let Ok(Some(element)) = document.query_selector(&selector) else {
            return;
        };
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Center);
        element.scroll_into_view_with_scroll_into_view_options(&options);
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    });
}
