//! The livestream organisers' room: sessions, products with their partner
//! regions, what each session sold, and the totals, all from the records
//! kept on the device, so every figure is there offline too.

mod catalogue;
mod sessions;

use std::collections::HashMap;

use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{
    LivestreamSession, PartnerRegion, Product, SaleLine, ValidationError,
    error::Rule,
    livestream::{LivestreamRecord, SalesTotals, parse_yuan},
};
use uuid::Uuid;

use self::{
    catalogue::{ProductSection, RegionSection},
    sessions::{RegionTotals, SessionDetail, SessionForm, SessionList},
};
use crate::{
    ctx::Ctx,
    i18n::{t, t_string, use_i18n},
    store::SyncState,
    ui::{discard_button, sync_words},
};

/// The room's records as the device holds them, deleted ones left out.
#[derive(Clone, Default, PartialEq)]
struct Room {
    regions: Vec<(PartnerRegion, SyncState)>,
    products: Vec<(Product, SyncState)>,
    sessions: Vec<(LivestreamSession, SyncState)>,
    lines: Vec<(SaleLine, SyncState)>,
}

impl Room {
    fn from_records(records: Vec<(LivestreamRecord, SyncState)>) -> Room {
        let mut room = Room::default();
        for (record, state) in records {
            match record {
                LivestreamRecord::Region(r) => room.regions.push((r.region(), state)),
                LivestreamRecord::Product(r) => room.products.push((r.product(), state)),
                LivestreamRecord::Session(r) => room.sessions.push((r.session(), state)),
                LivestreamRecord::SaleLine(r) => room.lines.push((r.sale_line(), state)),
            }
        }
        room.regions.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name));
        room.products.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name));
        room.sessions
            .sort_by(|(a, _), (b, _)| b.number.cmp(&a.number).then(b.date.cmp(&a.date)));
        room
    }

    fn product(&self, id: Uuid) -> Option<&Product> {
        self.products.iter().map(|(p, _)| p).find(|p| p.id == id)
    }

    fn region_name(&self, id: Uuid) -> String {
        let i18n = use_i18n();
        self.regions
            .iter()
            .find(|(r, _)| r.id == id)
            .map(|(r, _)| r.name.clone())
            .unwrap_or_else(|| t_string!(i18n, unknown_item).to_owned())
    }

    /// Totals per session.
    fn by_session(&self) -> HashMap<Uuid, SalesTotals> {
        let mut totals: HashMap<Uuid, SalesTotals> = HashMap::new();
        for (line, _) in &self.lines {
            totals.entry(line.session_id).or_default().add(line);
        }
        totals
    }

    /// Totals per partner region (through each line's product), over every
    /// session, largest amount first.
    fn by_region(&self) -> Vec<(Uuid, SalesTotals)> {
        let mut totals: HashMap<Uuid, SalesTotals> = HashMap::new();
        for (line, _) in &self.lines {
            if let Some(product) = self.product(line.product_id) {
                totals.entry(product.region_id).or_default().add(line);
            }
        }
        let mut list: Vec<(Uuid, SalesTotals)> = totals.into_iter().collect();
        list.sort_by_key(|(_, t)| std::cmp::Reverse(t.amount_fen));
        list
    }
}

/// A record's sync state; a refused one also says why and offers to
/// discard the change.
fn state_view(id: Uuid, state: &SyncState) -> impl IntoView + use<> {
    let (code, label, reasons) = sync_words(state);
    view! {
        <span class="sync-state" data-state=code>{label}</span>
        {reasons.map(|r| view! { <span class="reject-reason">{r}</span> " " {discard_button(id)} })}
    }
}

/// Empties a form field once its record is saved, unless the user has
/// typed something else into it while the save was under way: the next
/// record's input is never wiped by the last one's save.
fn reset_unless_retyped(field: RwSignal<String>, saved: &str, empty: &str) {
    if field.get_untracked() == saved {
        field.set(empty.to_owned());
    }
}

/// A whole number typed in a form, or a `not_a_number` error for `field`.
fn whole_number(field: &str, text: &str, problems: &mut Vec<ValidationError>) -> u32 {
    text.trim().parse::<u32>().unwrap_or_else(|_| {
        problems.push(ValidationError::new(field, Rule::NotANumber));
        0
    })
}

/// Yuan typed in a form, as fen, or a `not_money` error for `field`.
fn money(field: &str, text: &str, problems: &mut Vec<ValidationError>) -> u64 {
    parse_yuan(text).unwrap_or_else(|rule| {
        problems.push(ValidationError::new(field, rule));
        0
    })
}

/// The stored version of a record edited to `value` (only the fields that
/// changed take `stamp`, so another organiser's edit of a different field
/// survives), or a new record when none of this kind is stored under its
/// id.
macro_rules! edited_or_new {
    ($current:expr, $stamp:expr, $kind:ident, $record:ident, $value:expr) => {
        match $current {
            Some(LivestreamRecord::$kind(mut record)) => {
                record.edit($value, $stamp);
                LivestreamRecord::$kind(record)
            }
            _ => LivestreamRecord::$kind($record::new($value, $stamp)),
        }
    };
}
// The sections use it; a `macro_rules!` reaches them only through a `use`.
use edited_or_new;

/// Saves a new record and tells the rest of the app.
fn save(
    ctx: Ctx,
    id: Uuid,
    make: impl FnOnce(tongxin_shared::hlc::Hlc) -> LivestreamRecord + 'static,
    errors: RwSignal<Vec<ValidationError>>,
    done: impl FnOnce() + 'static,
) {
    save_change(ctx, id, move |_, stamp| make(stamp), errors, done)
}

/// Saves a version of a record made from the stored one (if any).
fn save_change(
    ctx: Ctx,
    id: Uuid,
    change: impl FnOnce(Option<LivestreamRecord>, tongxin_shared::hlc::Hlc) -> LivestreamRecord
    + 'static,
    errors: RwSignal<Vec<ValidationError>>,
    done: impl FnOnce() + 'static,
) {
    let i18n = use_i18n();
    let store = ctx.store();
    spawn_local(async move {
        match store.save_livestream(id, change).await {
            Ok(()) => {
                done();
                ctx.saved_locally();
            }
            Err(error) => errors.set(vec![ValidationError::other(
                "form",
                format!("{} {error}", t_string!(i18n, not_saved)),
            )]),
        }
    });
}

#[component]
pub fn LivestreamRoom() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let records = LocalResource::new(move || {
        ctx.status.revision.track();
        let store = ctx.store();
        async move { store.livestream().await.unwrap_or_default() }
    });
    let room = Memo::new(move |_| Room::from_records(records.get().unwrap_or_default()));
    let chosen = RwSignal::new(None::<Uuid>);
    // The session the form is editing; `None` while it plans a new one.
    let editing = RwSignal::new(None::<LivestreamSession>);
    // The session picked (or just saved) is open; before any is picked,
    // the newest. The one shown stays open when a pull brings a newer one.
    // A memo, so the session's page (and the sale-line form in it, with
    // whatever is typed there) is built once per session opened, not again
    // whenever a sync changes a record or its state.
    let open_session = Memo::new(move |shown: Option<&Option<Uuid>>| {
        let shown = shown.copied().flatten();
        room.with(|room| {
            let exists = |id: &Uuid| room.sessions.iter().any(|(s, _)| s.id == *id);
            chosen
                .get()
                .filter(exists)
                .or_else(|| shown.filter(exists))
                .or_else(|| room.sessions.first().map(|(s, _)| s.id))
        })
    });

    view! {
        <section class="livestream" aria-labelledby="room-title">
            <h1 id="room-title">{t!(i18n, room_title)}</h1>
            <SessionList room chosen/>
            {move || open_session.get().map(|id| view! { <SessionDetail room id editing/> })}
            <RegionTotals room/>
            <SessionForm room editing chosen/>
            <ProductSection room/>
            <RegionSection room/>
        </section>
    }
}
