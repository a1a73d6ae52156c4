//! The admin's office, a wasm bundle of its own: the district's figures,
//! charts and exports under one filter (`/admin`), and the accounts,
//! stations and categories (`/manage`). Online only: it reads the server's
//! merge of every device. `boot.js` loads it instead of the phone's bundle
//! when an office page opens, so a volunteer's phone never fetches it.
//!
//! It shares the context, the widgets, HTTP, the store (for the login) and
//! the catalogues with the phone's bundle through `tongxin-web-common`;
//! the links between the two bundles are full page loads.

mod charts;
mod exports;
mod figures;
mod manage;
mod photos;
mod proposals;

use futures::channel::mpsc;
use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};
use tongxin_shared::account::{LoginResponse, Role};
use wasm_bindgen::prelude::*;

pub use tongxin_web_common::{api, ctx, i18n, store, ui};

use crate::{
    ctx::{Ctx, SyncStatus},
    figures::AdminPage,
    i18n::{t, use_i18n},
    manage::ManagePage,
    proposals::{ProposalBoardPage, ProposalHistoryPage},
    store::Store,
    ui::{ForRoles, LanguagePicker, LogOutButton, LoginForm},
};

/// Entry point called by the generated JS glue.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        match Store::open().await {
            Ok(store) => {
                // The login the phone's bundle keeps on this device.
                let session = store.session().await.ok().flatten();
                leptos::mount::mount_to_body(move || Office(OfficeProps { store, session }))
            }
            Err(error) => leptos::mount::mount_to_body(move || {
                view! { <p class="fatal" role="alert">{error.to_string()}</p> }
            }),
        }
    });
}

/// Who may open the office.
const ADMINS: &[Role] = &[Role::Admin];

#[component]
fn Office(store: Store, session: Option<LoginResponse>) -> impl IntoView {
    let store = StoredValue::new_local(store);
    view! {
        <i18n::I18nContextProvider cookie_options=i18n::remembered_language()>
            <OfficeShell store=store.get_value() session=session.clone()/>
        </i18n::I18nContextProvider>
    }
}

/// The office inside its language provider: the same context the phone's
/// pages read, with no sync loop (the office reads the server directly).
#[component]
fn OfficeShell(store: Store, session: Option<LoginResponse>) -> impl IntoView {
    let i18n = use_i18n();
    let status = SyncStatus::new(true);
    // Nothing listens: a kick from the office has no sync loop to wake.
    let (kick, _) = mpsc::unbounded();
    let ctx = Ctx::new(store, kick, status, session);
    provide_context(ctx);
    // Log-out asks first when this device holds unsent changes. Without a
    // login the office shows the same login form as the phone's pages.
    leptos::task::spawn_local(async move { ctx.recount().await });
    let user_name = move || {
        ctx.session
            .with(|s| s.as_ref().map(|s| s.user.display_name.clone()))
    };
    view! {
        <Router>
            <Show when=move || ctx.session.with(Option::is_some) fallback=|| view! { <main><LoginForm/></main> }>
                <header class="status-bar office-bar">
                    <span class="brand">{t!(i18n, app_name)}</span>
                    <nav>
                        // The phone's pages are the other bundle: full page loads.
                        <a href="/" rel="external">{t!(i18n, nav_records)}</a>
                        <A href="/admin">{t!(i18n, nav_admin)}</A>
                        <A href="/manage">{t!(i18n, manage_title)}</A>
                        <A href="/admin/proposals">{t!(i18n, nav_proposals)}</A>
                        <a href="/room" rel="external">{t!(i18n, nav_room)}</a>
                    </nav>
                    <span class="user" id="user-name" translate="no">{user_name}</span>
                    <LanguagePicker/>
                    <LogOutButton/>
                </header>
                <main class="office">
                    <Routes fallback=|| view! { <ForRoles roles=ADMINS><AdminPage/></ForRoles> }>
                        <Route path=path!("/admin") view=|| view! {
                            <ForRoles roles=ADMINS><AdminPage/></ForRoles>
                        }/>
                        <Route path=path!("/admin/proposals") view=|| view! {
                            <ForRoles roles=ADMINS><ProposalBoardPage/></ForRoles>
                        }/>
                        <Route path=path!("/admin/proposals/:id") view=|| view! {
                            <ForRoles roles=ADMINS><ProposalHistoryPage/></ForRoles>
                        }/>
                        <Route path=path!("/admin/photo/:hash") view=|| view! {
                            <ForRoles roles=ADMINS><photos::PhotoPage/></ForRoles>
                        }/>
                        <Route path=path!("/manage") view=|| view! {
                            <ForRoles roles=ADMINS><ManagePage/></ForRoles>
                        }/>
                    </Routes>
                </main>
            </Show>
        </Router>
    }
}
