//! The pages a user works in, one module per page or area. A page reads
//! the context and calls the store or the API; it never imports another
//! page or the shell (`app.rs` routes between them).

pub mod proposals;
pub mod room;
pub mod volunteer;
