//! Activities (活动): what volunteers record in the field.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    ValidationError,
    error::{Rule, no_errors, required_text},
};

/// What kind of service an activity was. The list follows the district's own
/// report (see `shared/domain/BRIEF.md` in the steering repository).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 健康义诊
    HealthClinic,
    /// 法律咨询
    LegalConsultation,
    /// 心理咨询
    Counselling,
    /// 罕见病救治
    RareDiseaseAid,
    /// 传统文化
    TraditionalCulture,
    /// 敬老助老
    ElderCare,
    /// 走访慰问
    HomeVisit,
    /// 调研
    FieldSurvey,
    /// 协商议事
    ConsultationMeeting,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::HealthClinic,
        Category::LegalConsultation,
        Category::Counselling,
        Category::RareDiseaseAid,
        Category::TraditionalCulture,
        Category::ElderCare,
        Category::HomeVisit,
        Category::FieldSurvey,
        Category::ConsultationMeeting,
    ];

    /// The stable code used on the wire and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Category::HealthClinic => "health_clinic",
            Category::LegalConsultation => "legal_consultation",
            Category::Counselling => "counselling",
            Category::RareDiseaseAid => "rare_disease_aid",
            Category::TraditionalCulture => "traditional_culture",
            Category::ElderCare => "elder_care",
            Category::HomeVisit => "home_visit",
            Category::FieldSurvey => "field_survey",
            Category::ConsultationMeeting => "consultation_meeting",
        }
    }

    /// The category's name as the district's reports write it: the
    /// export's cells and the Chinese screens use it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Category::HealthClinic => "健康义诊",
            Category::LegalConsultation => "法律咨询",
            Category::Counselling => "心理咨询",
            Category::RareDiseaseAid => "罕见病救治",
            Category::TraditionalCulture => "传统文化",
            Category::ElderCare => "敬老助老",
            Category::HomeVisit => "走访慰问",
            Category::FieldSurvey => "调研",
            Category::ConsultationMeeting => "协商议事",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// People served (惠及人次). Never negative, and bounded so a typo of a few
/// extra digits is caught where it is typed rather than in the district's
/// totals. Deserialising checks the bound, so no invalid value gets past the
/// wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "i64", into = "u32")]
pub struct PeopleServed(u32);

impl PeopleServed {
    pub const MAX: u32 = 100_000;

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for PeopleServed {
    type Error = String;

    fn try_from(value: i64) -> Result<Self, Self::Error> {
        if (0..=i64::from(Self::MAX)).contains(&value) {
            Ok(PeopleServed(value as u32))
        } else {
            Err(format!(
                "people served must be between 0 and {}, got {value}",
                Self::MAX
            ))
        }
    }
}

impl From<PeopleServed> for u32 {
    fn from(value: PeopleServed) -> u32 {
        value.0
    }
}

/// One activity as a volunteer records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    /// Made on the device that first recorded the activity (UUID v7), so a
    /// record has its identity before it ever reaches the server.
    pub id: Uuid,
    pub category: Category,
    pub title: String,
    pub station_id: String,
    pub date: NaiveDate,
    pub volunteers: u32,
    pub people_served: PeopleServed,
    #[serde(default)]
    pub notes: String,
    /// When it started, if the volunteer said.
    #[serde(default)]
    pub time: Option<NaiveTime>,
    /// Who organised it (a party branch, the lawyers' service group …).
    #[serde(default)]
    pub organising_group: String,
}

impl Activity {
    pub const TITLE_MAX_CHARS: usize = 100;
    pub const NOTES_MAX_CHARS: usize = 2_000;
    pub const GROUP_MAX_CHARS: usize = 50;
    pub const VOLUNTEERS_MAX: u32 = 10_000;
    /// Devices' clocks are wrong, and a date just past midnight somewhere is
    /// fine; a date further ahead is a typo.
    pub const MAX_DAYS_AHEAD: i64 = 1;

    /// Checks everything the type system does not. `today` is the checking
    /// side's own date, so the server never trusts the device's clock.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        required_text(&mut errors, "title", &self.title, Self::TITLE_MAX_CHARS);
        if self.station_id.trim().is_empty() {
            errors.push(ValidationError::new("station_id", Rule::Required));
        }
        if self.date > today + chrono::Days::new(Self::MAX_DAYS_AHEAD as u64) {
            errors.push(ValidationError::new("date", Rule::InTheFuture));
        }
        if self.date < NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date") {
            errors.push(ValidationError::new("date", Rule::BeforeYear2000));
        }
        if self.volunteers > Self::VOLUNTEERS_MAX {
            errors.push(ValidationError::new(
                "volunteers",
                Rule::AtMost {
                    max: Self::VOLUNTEERS_MAX,
                },
            ));
        }
        if self.organising_group.trim().chars().count() > Self::GROUP_MAX_CHARS {
            errors.push(ValidationError::new(
                "organising_group",
                Rule::TooLong {
                    max: Self::GROUP_MAX_CHARS as u32,
                },
            ));
        }
        if self.notes.chars().count() > Self::NOTES_MAX_CHARS {
            errors.push(ValidationError::new(
                "notes",
                Rule::TooLong {
                    max: Self::NOTES_MAX_CHARS as u32,
                },
            ));
        }
        no_errors(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn activity() -> Activity {
        Activity {
            id: Uuid::now_v7(),
            category: Category::HealthClinic,
            title: "先锋社区健康义诊".into(),
            station_id: "st-xianfeng".into(),
            date: today(),
            volunteers: 6,
            people_served: PeopleServed::try_from(120).unwrap(),
            notes: String::new(),
            time: None,
            organising_group: String::new(),
        }
    }

    fn fields_in_error(a: &Activity) -> Vec<String> {
        match a.validate(today()) {
            Ok(()) => vec![],
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn a_complete_activity_is_valid() {
        assert_eq!(fields_in_error(&activity()), Vec::<String>::new());
    }

    #[test]
    fn each_rule_names_its_field() {
        let check = |edit: fn(&mut Activity), field: &str| {
            let mut a = activity();
            edit(&mut a);
            assert_eq!(fields_in_error(&a), vec![field.to_owned()], "{a:?}");
        };
        check(|a| a.title = "   ".into(), "title");
        check(|a| a.title = "字".repeat(101), "title");
        check(|a| a.station_id = String::new(), "station_id");
        check(|a| a.date = today() + chrono::Days::new(2), "date");
        check(
            |a| a.date = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
            "date",
        );
        check(|a| a.volunteers = 10_001, "volunteers");
        check(|a| a.notes = "x".repeat(2_001), "notes");
        check(|a| a.organising_group = "组".repeat(51), "organising_group");
    }

    #[test]
    fn people_served_refuses_negative_and_absurd_counts_when_decoded() {
        let decode = |n: i64| serde_json::from_str::<PeopleServed>(&n.to_string());
        assert_eq!(decode(0).unwrap().get(), 0);
        assert_eq!(decode(100_000).unwrap().get(), 100_000);
        let negative = decode(-1).unwrap_err().to_string();
        assert!(
            negative.contains("people served must be between 0 and 100000"),
            "{negative}"
        );
        assert!(decode(100_001).is_err());
    }

    #[test]
    fn categories_round_trip_through_their_codes() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
        }
        assert_eq!(Category::from_code("nope"), None);
    }
}
