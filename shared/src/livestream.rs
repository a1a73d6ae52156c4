//! The charity-sales livestream room (同心网络直播间): sessions, the
//! products sold for partner regions, and what each session sold.
//!
//! Organisers create these records offline like volunteers create
//! activities, so each kind has a stamped form that syncs and merges by the
//! same rule ([`crate::merge`]). Money is always an integer count of fen.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    ValidationError,
    error::{Rule, no_errors, optional_text, required_text},
    merge::{Lww, record_kinds, stamped_record},
};

/// A region the room sells for (对口地区), e.g. 博乐市 in 新疆.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerRegion {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub province: String,
}

/// A product and the partner region it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    pub region_id: Uuid,
    /// 件, 斤, 箱 …
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10))]
    pub unit: String,
    #[cfg_attr(feature = "openapi", schema(maximum = 10_000_000))]
    pub price_fen: u64,
}

/// One livestream session, e.g. 第七期 (number 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LivestreamSession {
    pub id: Uuid,
    /// The N of 第N期.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000))]
    pub number: u32,
    pub date: NaiveDate,
    /// 抖音, 快手, 视频号 …
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub platform: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub host: String,
    /// The partner enterprises (新联会企业) taking part, as written.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub partners: String,
    #[cfg_attr(feature = "openapi", schema(maximum = 100_000_000))]
    pub viewers: u32,
}

/// What one session sold of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaleLine {
    pub id: Uuid,
    pub session_id: Uuid,
    pub product_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(maximum = 1_000_000))]
    pub units: u32,
    #[cfg_attr(feature = "openapi", schema(maximum = 1_000_000_000))]
    pub amount_fen: u64,
    #[cfg_attr(feature = "openapi", schema(maximum = 1_000_000))]
    pub orders: u32,
}

/// Bounds that catch a typo of a few extra digits where it is typed.
pub const NAME_MAX_CHARS: usize = 50;
pub const UNIT_MAX_CHARS: usize = 10;
pub const PARTNERS_MAX_CHARS: usize = 200;
pub const SESSION_NUMBER_MAX: u32 = 10_000;
pub const VIEWERS_MAX: u32 = 100_000_000;
pub const UNITS_MAX: u32 = 1_000_000;
pub const ORDERS_MAX: u32 = 1_000_000;
/// ¥100,000 for one unit.
pub const PRICE_MAX_FEN: u64 = 10_000_000;
/// ¥10,000,000 for one sale line.
pub const AMOUNT_MAX_FEN: u64 = 1_000_000_000;
/// Sessions are planned ahead, but not by more than a year.
pub const SESSION_MAX_DAYS_AHEAD: u32 = 366;

impl PartnerRegion {
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        required_text(&mut errors, "name", &self.name, NAME_MAX_CHARS);
        required_text(&mut errors, "province", &self.province, NAME_MAX_CHARS);
        no_errors(errors)
    }
}

impl Product {
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        required_text(
            &mut errors,
            "name",
            &self.name,
            crate::Activity::TITLE_MAX_CHARS,
        );
        if self.region_id.is_nil() {
            errors.push(ValidationError::new("region_id", Rule::Required));
        }
        required_text(&mut errors, "unit", &self.unit, UNIT_MAX_CHARS);
        money(&mut errors, "price_fen", self.price_fen, PRICE_MAX_FEN);
        no_errors(errors)
    }
}

impl LivestreamSession {
    /// `today` is the checking side's own date.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        if self.number == 0 {
            errors.push(ValidationError::new("number", Rule::AtLeast { min: 1 }));
        } else {
            count(&mut errors, "number", self.number, SESSION_NUMBER_MAX);
        }
        if self.date > today + chrono::Days::new(u64::from(SESSION_MAX_DAYS_AHEAD)) {
            errors.push(ValidationError::new(
                "date",
                Rule::TooFarAhead {
                    days: SESSION_MAX_DAYS_AHEAD,
                },
            ));
        }
        if self.date < NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date") {
            errors.push(ValidationError::new("date", Rule::BeforeYear2000));
        }
        required_text(&mut errors, "platform", &self.platform, NAME_MAX_CHARS);
        required_text(&mut errors, "host", &self.host, NAME_MAX_CHARS);
        optional_text(&mut errors, "partners", &self.partners, PARTNERS_MAX_CHARS);
        count(&mut errors, "viewers", self.viewers, VIEWERS_MAX);
        no_errors(errors)
    }
}

impl SaleLine {
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        if self.session_id.is_nil() {
            errors.push(ValidationError::new("session_id", Rule::Required));
        }
        if self.product_id.is_nil() {
            errors.push(ValidationError::new("product_id", Rule::Required));
        }
        count(&mut errors, "units", self.units, UNITS_MAX);
        money(&mut errors, "amount_fen", self.amount_fen, AMOUNT_MAX_FEN);
        count(&mut errors, "orders", self.orders, ORDERS_MAX);
        no_errors(errors)
    }
}

fn count(errors: &mut Vec<ValidationError>, field: &str, value: u32, max: u32) {
    if value > max {
        errors.push(ValidationError::new(field, Rule::AtMost { max }));
    }
}

fn money(errors: &mut Vec<ValidationError>, field: &str, fen: u64, max_fen: u64) {
    if fen > max_fen {
        errors.push(ValidationError::new(
            field,
            Rule::AtMostYuan {
                max: format_yuan(max_fen),
            },
        ));
    }
}

/// Reads an amount of yuan as typed ("12", "12.5", "12.50", "1,200.00")
/// into fen, exactly: never through a float.
pub fn parse_yuan(text: &str) -> Result<u64, Rule> {
    let text: String = text.trim().chars().filter(|c| *c != ',').collect();
    let text = text.strip_prefix('¥').unwrap_or(&text).trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || (!fraction.is_empty() && !digits(fraction)) || fraction.len() > 2 {
        return Err(Rule::NotMoney);
    }
    let whole: u64 = whole.parse().map_err(|_| Rule::NotMoney)?;
    let cents: u64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| Rule::NotMoney)?;
    whole
        .checked_mul(100)
        .and_then(|fen| fen.checked_add(cents))
        .ok_or(Rule::NotMoney)
}

/// Fen as yuan with two decimals and thousands separators: 123456 → "1,234.56".
pub fn format_yuan(fen: u64) -> String {
    format!("{}.{:02}", group_digits(fen / 100), fen % 100)
}

/// A count with thousands separators, as both Chinese and English write
/// it: 12800 → "12,800".
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

stamped_record! {
    /// A partner region as replicas hold and exchange it.
    pub struct RegionRecord of PartnerRegion, read by region, sent as RegionWire {
        name: String,
        province: String,
    }
}

stamped_record! {
    /// A product as replicas hold and exchange it.
    pub struct ProductRecord of Product, read by product, sent as ProductWire {
        name: String,
        region_id: Uuid,
        unit: String,
        price_fen: u64,
    }
}

stamped_record! {
    /// A livestream session as replicas hold and exchange it.
    pub struct SessionRecord of LivestreamSession, read by session, sent as SessionWire {
        number: u32,
        date: NaiveDate,
        platform: String,
        host: String,
        partners: String,
        viewers: u32,
    }
}

stamped_record! {
    /// A sale line as replicas hold and exchange it.
    pub struct SaleLineRecord of SaleLine, read by sale_line, sent as SaleLineWire {
        session_id: Uuid,
        product_id: Uuid,
        units: u32,
        amount_fen: u64,
        orders: u32,
    }
}

record_kinds! {
    /// Any livestream record, as pushed, pulled and kept on the device.
    pub enum LivestreamRecord sent as LivestreamWire {
        Region(RegionRecord, RegionWire) as "region",
        Product(ProductRecord, ProductWire) as "product",
        Session(SessionRecord, SessionWire) as "session",
        SaleLine(SaleLineRecord, SaleLineWire) as "sale_line",
    }
}

/// Totals of sale lines, as the organiser's screens and the admin show them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesTotals {
    pub units: u64,
    pub amount_fen: u64,
    pub orders: u64,
}

impl SalesTotals {
    pub fn add(&mut self, line: &SaleLine) {
        self.units += u64::from(line.units);
        self.amount_fen += line.amount_fen;
        self.orders += u64::from(line.orders);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{hlc::HlcClock, merge::StampedRecord};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn fields(result: Result<(), Vec<ValidationError>>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn yuan_is_read_into_fen_exactly() {
        assert_eq!(parse_yuan("12"), Ok(1_200));
        assert_eq!(parse_yuan(" 12.5 "), Ok(1_250));
        assert_eq!(parse_yuan("0.07"), Ok(7));
        assert_eq!(parse_yuan("¥1,234.56"), Ok(123_456));
        for bad in ["", "abc", "1.234", "-3", "1.2.3", ".5", "1e3"] {
            assert_eq!(parse_yuan(bad), Err(Rule::NotMoney), "{bad:?}");
        }
        assert_eq!(parse_yuan("99999999999999999999"), Err(Rule::NotMoney));
        assert_eq!(format_yuan(123_456), "1,234.56");
        assert_eq!(format_yuan(7), "0.07");
        assert_eq!(format_yuan(100_000_000), "1,000,000.00");
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(12_800), "12,800");
        assert_eq!(group_digits(1_234_567), "1,234,567");
    }

    #[test]
    fn each_kind_names_the_field_it_refuses() {
        let region = PartnerRegion {
            id: Uuid::now_v7(),
            name: " ".into(),
            province: "新疆".into(),
        };
        assert_eq!(fields(region.validate()), ["name"]);
        let product = Product {
            id: Uuid::now_v7(),
            name: "新疆棉絮".into(),
            region_id: Uuid::nil(),
            unit: "床".into(),
            price_fen: PRICE_MAX_FEN + 1,
        };
        assert_eq!(fields(product.validate()), ["region_id", "price_fen"]);
        let session = LivestreamSession {
            id: Uuid::now_v7(),
            number: 0,
            date: today() + chrono::Days::new(400),
            platform: "抖音".into(),
            host: String::new(),
            partners: String::new(),
            viewers: 10,
        };
        assert_eq!(
            fields(session.validate(today())),
            ["number", "date", "host"]
        );
        let line = SaleLine {
            id: Uuid::now_v7(),
            session_id: Uuid::now_v7(),
            product_id: Uuid::now_v7(),
            units: UNITS_MAX + 1,
            amount_fen: 100,
            orders: 1,
        };
        assert_eq!(fields(line.validate()), ["units"]);
    }

    #[test]
    fn livestream_records_merge_field_by_field_and_travel_tagged() {
        let mut a = HlcClock::new(Uuid::from_u128(1));
        let mut b = HlcClock::new(Uuid::from_u128(2));
        let line = SaleLine {
            id: Uuid::from_u128(7),
            session_id: Uuid::from_u128(8),
            product_id: Uuid::from_u128(9),
            units: 10,
            amount_fen: 1_000,
            orders: 3,
        };
        let base = SaleLineRecord::new(&line, a.stamp(1_000));
        let (mut one, mut two) = (base.clone(), base);
        one.edit(
            &SaleLine {
                units: 12,
                ..line.clone()
            },
            a.stamp(2_000),
        );
        two.edit(
            &SaleLine {
                orders: 5,
                ..line.clone()
            },
            b.stamp(2_500),
        );
        let mut merged = LivestreamRecord::SaleLine(one);
        merged.merge_from(&LivestreamRecord::SaleLine(two));
        let LivestreamRecord::SaleLine(record) = &merged else {
            unreachable!()
        };
        assert_eq!((record.units.value, record.orders.value), (12, 5));
        let json = serde_json::to_value(&merged).unwrap();
        assert_eq!(json["kind"], "sale_line");
        assert_eq!(json["record"]["units"]["value"], 12);
        let back: LivestreamRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, merged);
        assert_eq!(merged.latest_stamp().wall_ms, 2_500);
    }
}
