//! A form field's error message, in the user's language.

use leptos::prelude::*;
use tongxin_shared::ValidationError;

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
