//! An activity's photos in the admin's list: the server's thumbnails,
//! each opening the photo full size. Both are fetched with the session's
//! token (an `<img src>` could not carry it) and shown from object URLs.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    ctx::Ctx,
    i18n::{t_string, use_i18n},
};

/// One thumbnail; tapped, the photo opens full size in a new tab.
#[component]
fn Thumbnail(hash: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let url = RwSignal::new(None::<String>);
    {
        let hash = hash.clone();
        spawn_local(async move {
            url.set(api::object_url(&format!("/api/photos/{hash}/thumb"), &ctx.token()).await);
        });
    }
    on_cleanup(move || {
        if let Some(url) = url.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    let open = move |_| {
        let hash = hash.clone();
        // The tab is opened at the tap (a browser blocks one opened later)
        // and pointed at the photo once it is here.
        let Some(tab) = web_sys::window().and_then(|w| w.open().ok().flatten()) else {
            return;
        };
        spawn_local(async move {
            match api::object_url(&format!("/api/photos/{hash}"), &ctx.token()).await {
                Some(full) => {
                    let _ = tab.location().set_href(&full);
                }
                None => {
                    let _ = tab.close();
                }
            }
        });
    };
    view! {
        <button type="button" class="thumbnail" on:click=open aria-label=move || t_string!(i18n, photo_open)>
            {move || url.get().map(|src| view! { <img src=src alt=""/> })}
        </button>
    }
}

/// One photo full size (`/admin/photo/:hash`): where the links of the
/// XLSX export lead. The photo is fetched with the session's token, so a
/// link opened without a login asks for one first.
#[component]
pub fn PhotoPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let params = leptos_router::hooks::use_params_map();
    let photo = LocalResource::new(move || {
        let hash = params.with(|p| p.get("hash")).unwrap_or_default();
        let token = ctx.token();
        async move { api::object_url(&format!("/api/photos/{hash}"), &token).await }
    });
    view! {
        <h1>{move || t_string!(i18n, photos_label)}</h1>
        {move || photo.get().map(|url| match url {
            Some(src) => view! { <img id="photo-full" class="photo-full" src=src alt=move || t_string!(i18n, photos_label)/> }.into_any(),
            None => view! { <p class="fatal">{t_string!(i18n, photo_not_here)}</p> }.into_any(),
        })}
    }
}

/// The thumbnails of one activity's photos.
#[component]
pub fn Thumbnails(hashes: Vec<String>) -> impl IntoView {
    view! {
        <span class="thumbnails">
            {hashes.into_iter().map(|hash| view! { <Thumbnail hash/> }).collect_view()}
        </span>
    }
}
