//! The admin's view: the filter every figure, table and export obeys, and
//! the shapes of the figures.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Category, ValidationError, error::Rule};

/// Narrows every figure, table and export on the admin's page. Each field
/// left out means "all". Sent as query parameters.
///
/// The date range narrows activities (by their date) and sales (by their
/// session's date) alike; street and category narrow activities, which
/// have them; the partner region narrows sales, which have one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AdminFilter {
    /// First day included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// A partner region's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Uuid>,
}

impl AdminFilter {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(ValidationError::new("to", Rule::EndBeforeStart));
        }
        Ok(())
    }

    /// The filter as a URL query string (without `?`), for the app's
    /// requests and export links.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        if let Some(street) = &self.street {
            parts.push(format!("street={}", percent_encode(street)));
        }
        if let Some(category) = &self.category {
            parts.push(format!("category={}", category.code()));
        }
        if let Some(region) = self.region {
            parts.push(format!("region={region}"));
        }
        parts.join("&")
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so a
/// street name in Chinese survives a query string.
/// Text as it may stand in a query string.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The admin's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSummary {
    pub activities: u64,
    pub people_served: u64,
    pub volunteers: u64,
    pub active_stations: u64,
    pub livestream_sessions: u64,
    pub units_sold: u64,
    pub sales_fen: u64,
    pub orders: u64,
}

/// One row of a sales breakdown: the sales of one partner region, product
/// or session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesRow {
    /// The region's, product's or session's id.
    pub key: String,
    /// A region's or product's name; a session's number.
    pub label: String,
    pub units: u64,
    pub amount_fen: u64,
    pub orders: u64,
}

/// A partner region the filter can choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionChoice {
    pub id: Uuid,
    pub name: String,
}

/// One row of a breakdown: the figures of one street, station, category or
/// month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakdownRow {
    /// What the row is about: a street name, a station id, a category code
    /// or a month (`2026-11`).
    pub key: String,
    /// How to show it (a station's name; otherwise the key).
    pub label: String,
    pub activities: u64,
    pub people_served: u64,
    pub volunteers: u64,
}

/// Everything on the admin's page, under one filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminReport {
    pub filter: AdminFilter,
    pub summary: AdminSummary,
    pub by_street: Vec<BreakdownRow>,
    pub by_station: Vec<BreakdownRow>,
    pub by_category: Vec<BreakdownRow>,
    pub by_month: Vec<BreakdownRow>,
    /// Sales per partner region, largest amount first.
    pub sales_by_region: Vec<SalesRow>,
    /// Sales per product, largest amount first.
    pub sales_by_product: Vec<SalesRow>,
    /// Sales per session, by session number.
    pub sales_by_session: Vec<SalesRow>,
    /// Every partner region, for the filter.
    pub regions: Vec<RegionChoice>,
    /// Every category (retired ones too), for the filter and the labels.
    #[serde(default)]
    pub categories: Vec<crate::CategoryInfo>,
    /// The proposals submitted in the range (and street), and how far
    /// they have got.
    #[serde(default)]
    pub proposals: crate::proposal::ProposalFigures,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_names_every_filter_and_encodes_chinese() {
        let filter = AdminFilter {
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: NaiveDate::from_ymd_opt(2026, 11, 30),
            street: Some("塔子湖街道".into()),
            category: Some(Category::ELDER_CARE),
            region: Some(Uuid::from_u128(7)),
        };
        let query = filter.query_string();
        assert!(query.contains("street=%E5%A1%94"), "{query}");
        assert!(query.contains("category=elder_care"), "{query}");
        assert!(
            query.ends_with("region=00000000-0000-0000-0000-000000000007"),
            "{query}"
        );
        assert_eq!(AdminFilter::default().query_string(), "");
    }

    #[test]
    fn a_range_ending_before_it_starts_is_refused() {
        let filter = AdminFilter {
            from: NaiveDate::from_ymd_opt(2026, 5, 1),
            to: NaiveDate::from_ymd_opt(2026, 4, 1),
            ..AdminFilter::default()
        };
        assert_eq!(filter.validate().unwrap_err().field, "to");
    }
}
