//! The language picker, in the status bar and on the login screen.

use leptos::prelude::*;

use crate::i18n::{self, t, use_i18n};

/// Chinese or English, for this device from now on. Each language is
/// named in itself (and marked so), so either user finds their own.
#[component]
pub fn LanguagePicker() -> impl IntoView {
    let i18n = use_i18n();
    let choose = move |code: String| {
        let locale = match code.as_str() {
            "en" => i18n::Locale::en,
            _ => i18n::Locale::zh,
        };
        i18n.set_locale(locale);
    };
    let chosen = move |locale: i18n::Locale| move || i18n.get_locale() == locale;
    view! {
        <label class="language">
            <span class="visually-hidden">{t!(i18n, language)}</span>
            <select name="language" on:change:target=move |ev| choose(ev.target().value())>
                <option value="zh" lang="zh" selected=chosen(i18n::Locale::zh)>"中文"</option>
                <option value="en" lang="en" selected=chosen(i18n::Locale::en)>"English"</option>
            </select>
        </label>
    }
}
