//! A page only some roles use.

use leptos::prelude::*;
use tongxin_shared::account::Role;

use crate::{
    ctx::Ctx,
    i18n::{self, t, use_i18n},
};

/// A page only `roles` use. Anyone else who reaches it (by typing its
/// address: the nav does not offer it) gets a short message and a way
/// home, never forms whose changes the server would refuse. The page is
/// built once: a session renewed under it changes no role and rebuilds
/// nothing.
#[component]
pub fn ForRoles(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let role = Memo::new(move |_| ctx.role());
    let allowed = move || role.get().is_some_and(|r| roles.contains(&r));
    let refused = move || {
        view! {
            <section class="not-for-role" id="not-for-role">
                <p role="alert">
                    {move || role.get().map(|r| i18n::not_for_your_role(i18n.get_locale(), r))}
                </p>
                // A plain link: home may be in the other bundle.
                <p class="back-home"><a href="/" rel="external">{t!(i18n, back_home)}</a></p>
            </section>
        }
    };
    view! { <Show when=allowed fallback=refused>{children()}</Show> }
}
