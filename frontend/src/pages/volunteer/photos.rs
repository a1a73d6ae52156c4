//! Photos on the activity form: taken with the camera or chosen from the
//! gallery, made small on the phone at once, shown as thumbnails, each
//! removable before and after saving.
//!
//! Making a photo small uses the browser's own decoder and encoder
//! (`createImageBitmap`, which turns the picture the right way up by its
//! EXIF orientation, a canvas, and `toBlob`), not an image crate compiled
//! to wasm: the phone's bundle stays small and the decoding happens off
//! the main thread. The JPEG the canvas writes carries no EXIF at all, so
//! a phone's GPS position never leaves the phone.

use leptos::{prelude::*, task::spawn_local};
use sha2::{Digest, Sha256};
use tongxin_shared::photo::Photo;
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, File, HtmlCanvasElement, HtmlInputElement, Url};

use crate::{
    ctx::Ctx,
    i18n::{t, t_string, use_i18n},
};

/// JPEG quality of a photo as the phone keeps and sends it.
const QUALITY: f64 = 0.8;

/// A photo on the form: one saved before (`saved`), or one taken now,
/// with its bytes.
#[derive(Clone)]
pub struct FormPhoto {
    /// Its reference's id: kept for a saved photo, new for a new one.
    pub id: Uuid,
    pub hash: String,
    pub bytes: u32,
    /// What the thumbnail shows: an object URL of the bytes, if they are
    /// here (or were fetched).
    pub url: Option<String>,
    /// The bytes of a photo taken now, to be saved.
    pub blob: Option<Blob>,
    pub saved: bool,
}

impl FormPhoto {
    /// Lets the browser free the object URL's bytes.
    pub fn release(&self) {
        if let Some(url) = &self.url {
            let _ = Url::revoke_object_url(url);
        }
    }
}

/// The SHA-256 of a photo's bytes, as photos are named.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Makes a photo small: the right way up, at most
/// [`Photo::LONGEST_EDGE`] pixels on its longest edge, a JPEG of quality
/// [`QUALITY`] with no EXIF. Gives the JPEG and its bytes.
pub async fn shrink(file: &File) -> Result<(Blob, Vec<u8>), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let options = web_sys::ImageBitmapOptions::new();
    options.set_image_orientation(web_sys::ImageOrientation::FromImage);
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window.create_image_bitmap_with_blob_and_image_bitmap_options(file, &options)?,
    )
    .await?
    .dyn_into()?;
    let (width, height) = (bitmap.width(), bitmap.height());
    let scale = (f64::from(Photo::LONGEST_EDGE) / f64::from(width.max(height).max(1))).min(1.0);
    let to = |edge: u32| ((f64::from(edge) * scale).round() as u32).max(1);
    let (width, height) = (to(width), to(height));
    // The browser scales it (well, and off the main thread) before it is
    // drawn: a canvas scaling a 12-megapixel photo down by four in one
    // step would alias it.
    let resize = web_sys::ImageBitmapOptions::new();
    resize.set_resize_width(width);
    resize.set_resize_height(height);
    resize.set_resize_quality(web_sys::ResizeQuality::High);
    let scaled: web_sys::ImageBitmap = JsFuture::from(
        window.create_image_bitmap_with_image_bitmap_and_image_bitmap_options(&bitmap, &resize)?,
    )
    .await?
    .dyn_into()?;
    bitmap.close();
    let canvas: HtmlCanvasElement = window
        .document()
        .ok_or("no document")?
        .create_element("canvas")?
        .dyn_into()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .dyn_into()?;
    context.draw_image_with_image_bitmap(&scaled, 0.0, 0.0)?;
    scaled.close();
    let (sender, receiver) = futures::channel::oneshot::channel::<JsValue>();
    let callback = Closure::once(move |blob: JsValue| {
        let _ = sender.send(blob);
    });
    canvas.to_blob_with_type_and_encoder_options(
        callback.as_ref().unchecked_ref(),
        "image/jpeg",
        &JsValue::from_f64(QUALITY),
    )?;
    let blob: Blob = receiver
        .await
        .map_err(|_| "the photo was not encoded")?
        .dyn_into()?;
    drop(callback);
    let buffer = JsFuture::from(blob.array_buffer()).await?;
    Ok((blob, js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// The photos of a saved record as the form shows them: from this
/// phone's copy, else the server's thumbnail when it can be reached, else
/// a placeholder.
pub async fn load(ctx: Ctx, activity: Uuid) -> Vec<FormPhoto> {
    let store = ctx.store();
    let mut shown = Vec::new();
    for photo in store.photos_of(activity).await.unwrap_or_default() {
        let url = match store.photo_blob(&photo.hash).await.ok().flatten() {
            Some(blob) => Url::create_object_url_with_blob(&blob).ok(),
            None => {
                crate::api::object_url(&format!("/api/photos/{}/thumb", photo.hash), &ctx.token())
                    .await
            }
        };
        shown.push(FormPhoto {
            id: photo.id,
            hash: photo.hash,
            bytes: photo.bytes,
            url,
            blob: None,
            saved: true,
        });
    }
    shown
}

/// What went wrong with a photo picked, in the user's words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Problem {
    Unreadable,
    TooMany,
}

#[component]
pub fn PhotoPicker(
    photos: RwSignal<Vec<FormPhoto>, LocalStorage>,
    removed: RwSignal<Vec<Uuid>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let working = RwSignal::new(0usize);
    let problem = RwSignal::new(None::<Problem>);
    let take = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(list) = input.files() else {
            return;
        };
        let files: Vec<File> = (0..list.length()).filter_map(|n| list.get(n)).collect();
        // The same photo may be picked again later.
        input.set_value("");
        problem.set(None);
        working.update(|n| *n += files.len());
        spawn_local(async move {
            for file in files {
                if photos.with_untracked(Vec::len) >= Photo::MAX_PER_ACTIVITY {
                    problem.set(Some(Problem::TooMany));
                } else {
                    match shrink(&file).await {
                        Ok((blob, bytes)) => {
                            let hash = sha256_hex(&bytes);
                            // One photo picked twice is kept once.
                            if !photos.with_untracked(|p| p.iter().any(|x| x.hash == hash)) {
                                let photo = FormPhoto {
                                    id: Uuid::now_v7(),
                                    hash,
                                    bytes: bytes.len() as u32,
                                    url: Url::create_object_url_with_blob(&blob).ok(),
                                    blob: Some(blob),
                                    saved: false,
                                };
                                photos.update(|p| p.push(photo));
                            }
                        }
                        Err(_) => problem.set(Some(Problem::Unreadable)),
                    }
                }
                working.update(|n| *n = n.saturating_sub(1));
            }
        });
    };
    let remove = move |id: Uuid| {
        photos.update(|list| {
            if let Some(at) = list.iter().position(|p| p.id == id) {
                let photo = list.remove(at);
                photo.release();
                if photo.saved {
                    removed.update(|r| r.push(photo.id));
                }
            }
        });
    };
    view! {
        <fieldset class="photos" id="photos">
            <legend>
                {t!(i18n, photos_label)} " "
                <span class="photo-count">{move || format!("{}/{}", photos.with(Vec::len), Photo::MAX_PER_ACTIVITY)}</span>
            </legend>
            <ul class="photo-strip">
                <For each=move || photos.get() key=|photo| photo.id let:photo>
                    <li class="photo" data-hash=photo.hash.clone() data-bytes=photo.bytes.to_string()>
                        {match photo.url.clone() {
                            Some(url) => view! { <img src=url alt=move || t_string!(i18n, photos_label)/> }.into_any(),
                            None => view! { <span class="photo-missing">{t!(i18n, photo_not_here)}</span> }.into_any(),
                        }}
                        <button
                            type="button"
                            class="photo-remove"
                            aria-label=move || t_string!(i18n, photo_remove)
                            on:click=move |_| remove(photo.id)
                        >
                            "×"
                        </button>
                    </li>
                </For>
            </ul>
            <div class="photo-buttons">
                <label class="photo-take">
                    {t!(i18n, photo_camera)}
                    <input type="file" name="photo-camera" accept="image/*" capture="environment" on:change=take/>
                </label>
                <label class="photo-choose">
                    {t!(i18n, photo_gallery)}
                    <input type="file" name="photo-gallery" accept="image/*" multiple on:change=take/>
                </label>
            </div>
            <p class="hint">{t!(i18n, photos_hint)}</p>
            <p class="photo-status" role="status">
                {move || {
                    if working.get() > 0 {
                        Some(t_string!(i18n, photo_shrinking).to_owned())
                    } else {
                        problem.get().map(|p| match p {
                            Problem::Unreadable => t_string!(i18n, photo_unreadable).to_owned(),
                            Problem::TooMany => t_string!(i18n, photos_too_many).to_owned(),
                        })
                    }
                }}
            </p>
        </fieldset>
    }
}
