//! The login, needed once per device and again when a session expires.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    ctx::Ctx,
    i18n::{self, t, t_string, use_i18n},
    store::OwnerChange,
    ui::LanguagePicker,
};

/// The login form: the whole screen without a session, a panel above the
/// page when a session expired (the page stays usable under it).
#[component]
pub fn LoginForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let relogin = ctx.relogin.get_untracked();
    let known_user = ctx
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.username.clone()))
        .unwrap_or_default();
    let username = RwSignal::new(known_user);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let store = ctx.store();
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        spawn_local(async move {
            let outcome = match api::login(&name, &secret).await {
                Ok(session) => match store.log_in(&session).await {
                    Ok(OwnerChange::Done) => Ok(session),
                    Ok(OwnerChange::Blocked { owner, pending }) => {
                        api::logout(&session.token).await;
                        Err(i18n::other_users_records(
                            i18n.get_locale_untracked(),
                            &owner,
                            pending,
                        ))
                    }
                    Err(e) => Err(format!("{} {e}", t_string!(i18n, not_saved))),
                },
                Err(e) if e.is_offline() => Err(t_string!(i18n, login_needs_network).to_owned()),
                // A wrong login says so even from a server that names no rule.
                Err(api::ApiError::Server {
                    status: 401,
                    errors,
                    ..
                }) if errors.is_empty() => Err(t_string!(i18n, wrong_credentials).to_owned()),
                Err(e) => Err(i18n::api_error_message(i18n.get_locale_untracked(), &e)),
            };
            busy.set(false);
            match outcome {
                Ok(session) => {
                    password.set(String::new());
                    ctx.session.set(Some(session));
                    ctx.relogin.set(false);
                    ctx.status.last_error.set(None);
                    ctx.changed();
                    ctx.reference_changed();
                    ctx.sync_soon();
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form id="login-form" class="login-form" on:submit=submit>
            <LanguagePicker/>
            <h1>{move || if relogin { t_string!(i18n, relogin_title) } else { t_string!(i18n, login_title) }}</h1>
            <label>
                {t!(i18n, username)}
                <input name="username" type="text" autocomplete="username" autocapitalize="none" required bind:value=username/>
            </label>
            <label>
                {t!(i18n, password)}
                <input name="password" type="password" autocomplete="current-password" required bind:value=password/>
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" id="login-error" role="alert">{e}</p> })}
            <button type="submit" class="save" disabled=move || busy.get()>{t!(i18n, log_in)}</button>
        </form>
    }
}
