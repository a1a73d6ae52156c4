//! The volunteer's page: the activity form above the records kept on this
//! device. The two share only the record being edited (`Ctx::editing`).

mod form;
mod photos;
mod records;

pub use form::ActivityForm;
pub use records::MyRecords;
