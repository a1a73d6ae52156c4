//! Widgets more than one page uses: a field's error message, a record's
//! sync state with its "discard" button, the category options, the
//! language picker. They read the context and the catalogues, never a page.

mod category;
mod field;
mod language;
mod sync_state;

pub use category::category_options;
pub use field::field_error;
pub use language::LanguagePicker;
pub use sync_state::{discard_button, sync_words};
