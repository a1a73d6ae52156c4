//! Widgets more than one page uses: a field's error message, a record's
//! sync state with its "discard" button, the category options, the
//! language picker, the login form, the log-out button, the refusal of a
//! page not for the user's role. They read the context and the catalogues,
//! never a page.

mod category;
mod field;
mod for_roles;
mod language;
mod log_out;
mod login;
mod sync_state;
mod undo;

pub use category::category_options;
pub use field::{field_error, focus_first_error, invalid};
pub use for_roles::ForRoles;
pub use language::LanguagePicker;
pub use log_out::LogOutButton;
pub use login::LoginForm;
pub use sync_state::{discard_button, sync_words};
pub use undo::{UndoBar, UndoOffer, offer_undo};
