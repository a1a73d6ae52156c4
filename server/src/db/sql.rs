//! Statements built at run time, with each backend's own parameters:
//! numbered (`$1`, `$2` …) for PostgreSQL, plain `?` for SQLite.
//!
//! sqlx's `QueryBuilder` writes `?` for every parameter when the database
//! is only known at run time (the Any driver), and PostgreSQL rejects `?`.
//! SQLite reads `$1` too, but sqlx looks each numbered parameter's name up
//! on every execution, a scan of all of them: a 500-row upsert of 7,000
//! parameters then cost 60 ms more than with `?` (`bench sync` measured
//! ingest at 12× raw SQLite with `$n`, 3× with `?`). Static statements,
//! with a handful of parameters, are written with `$1`, `$2` … by hand.

use sqlx::{
    Any, Arguments, Encode, Executor, Type,
    any::{AnyArguments, AnyQueryResult, AnyRow},
};

use super::Backend;

pub(super) struct Sql<'a> {
    backend: Backend,
    text: String,
    args: AnyArguments<'a>,
    count: usize,
}

impl<'a> Sql<'a> {
    pub(super) fn new(backend: Backend, text: impl Into<String>) -> Sql<'a> {
        Sql {
            backend,
            text: text.into(),
            args: AnyArguments::default(),
            count: 0,
        }
    }

    pub(super) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a parameter holding `value`.
    pub(super) fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'a + Encode<'a, Any> + Type<Any>,
    {
        // Adding to an Any argument list only records the value; it cannot
        // fail for the types the server binds (text, integers, booleans).
        self.args
            .add(value)
            .expect("text, integers and booleans always encode");
        self.count += 1;
        match self.backend {
            Backend::Sqlite => self.text.push('?'),
            Backend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.count.to_string());
            }
        }
        self
    }

    /// Appends `(…, …)`, one parameter per value.
    pub(super) fn list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self
    where
        T: 'a + Encode<'a, Any> + Type<Any>,
    {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }

    /// Appends `VALUES (…), (…)`, one group of parameters per row, written
    /// by `row` into the builder.
    pub(super) fn values<R>(
        &mut self,
        rows: impl IntoIterator<Item = R>,
        mut row: impl FnMut(&mut Values<'_, 'a>, R),
    ) -> &mut Self {
        self.push(" VALUES ");
        for (i, item) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            row(
                &mut Values {
                    sql: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    pub(super) async fn fetch_all<'e, E>(self, executor: E) -> Result<Vec<AnyRow>, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        sqlx::query_with(&self.text, self.args)
            .fetch_all(executor)
            .await
    }

    pub(super) async fn fetch_one<'e, E>(self, executor: E) -> Result<AnyRow, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        sqlx::query_with(&self.text, self.args)
            .fetch_one(executor)
            .await
    }

    pub(super) async fn fetch_optional<'e, E>(
        self,
        executor: E,
    ) -> Result<Option<AnyRow>, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        sqlx::query_with(&self.text, self.args)
            .fetch_optional(executor)
            .await
    }

    pub(super) async fn execute<'e, E>(self, executor: E) -> Result<AnyQueryResult, sqlx::Error>
    where
        E: Executor<'e, Database = Any>,
    {
        sqlx::query_with(&self.text, self.args)
            .execute(executor)
            .await
    }

    /// The statement and its arguments, for a caller that streams rows.
    pub(super) fn into_parts(self) -> (String, AnyArguments<'a>) {
        (self.text, self.args)
    }
}

/// One row of a `VALUES` list.
pub(super) struct Values<'s, 'a> {
    sql: &'s mut Sql<'a>,
    first: bool,
}

impl<'a> Values<'_, 'a> {
    pub(super) fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'a + Encode<'a, Any> + Type<Any>,
    {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.bind(value);
        self
    }
}
