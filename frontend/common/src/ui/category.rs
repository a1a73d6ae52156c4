//! The categories as the options of a filter.

use leptos::prelude::*;
use tongxin_shared::CategoryInfo;

use crate::i18n::{Locale, use_i18n};

/// One `<option>` per category (its code the value), named in the page's
/// language; the one `chosen` holds stays selected when the list is
/// rebuilt.
pub fn category_options(categories: Vec<CategoryInfo>, chosen: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    categories
        .into_iter()
        .map(|c| {
            let value = c.code.code().to_owned();
            let selected = chosen.get_untracked() == value;
            view! {
                <option value=value selected=selected>
                    {move || c.name(i18n.get_locale() == Locale::en).to_owned()}
                </option>
            }
        })
        .collect_view()
}
