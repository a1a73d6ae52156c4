//! Activities (活动): what volunteers record in the field.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    ValidationError,
    error::{Rule, no_errors, optional_text, past_date, required_text},
};

/// What kind of service an activity was, by its code (`health_clinic`).
/// The district's report has nine ([`Category::BUILT_IN`]), which every
/// database starts with; admins add more, and rename or retire any
/// ([`CategoryInfo`]). The names live with the list, not here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, example = "health_clinic")
)]
pub struct Category(Cow<'static, str>);

impl Category {
    /// 健康义诊
    pub const HEALTH_CLINIC: Category = Category::built_in("health_clinic");
    /// 法律咨询
    pub const LEGAL_CONSULTATION: Category = Category::built_in("legal_consultation");
    /// 心理咨询
    pub const COUNSELLING: Category = Category::built_in("counselling");
    /// 罕见病救治
    pub const RARE_DISEASE_AID: Category = Category::built_in("rare_disease_aid");
    /// 传统文化
    pub const TRADITIONAL_CULTURE: Category = Category::built_in("traditional_culture");
    /// 敬老助老
    pub const ELDER_CARE: Category = Category::built_in("elder_care");
    /// 走访慰问
    pub const HOME_VISIT: Category = Category::built_in("home_visit");
    /// 调研
    pub const FIELD_SURVEY: Category = Category::built_in("field_survey");
    /// 协商议事
    pub const CONSULTATION_MEETING: Category = Category::built_in("consultation_meeting");

    /// The district report's categories, in its order (the migrations that
    /// create the list write the same codes).
    pub const BUILT_IN: [Category; 9] = [
        Category::HEALTH_CLINIC,
        Category::LEGAL_CONSULTATION,
        Category::COUNSELLING,
        Category::RARE_DISEASE_AID,
        Category::TRADITIONAL_CULTURE,
        Category::ELDER_CARE,
        Category::HOME_VISIT,
        Category::FIELD_SURVEY,
        Category::CONSULTATION_MEETING,
    ];

    const fn built_in(code: &'static str) -> Category {
        Category(Cow::Borrowed(code))
    }

    pub fn new(code: impl Into<String>) -> Category {
        Category(Cow::Owned(code.into()))
    }

    /// The stable code used on the wire and in the database.
    pub fn code(&self) -> &str {
        &self.0
    }
}

/// A category as the list holds it: its code, its name in each language,
/// and whether it is retired (no longer offered for new records; records
/// that have it keep it, and still count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryInfo {
    pub code: Category,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 30))]
    pub name_zh: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 30))]
    pub name_en: String,
    #[serde(default)]
    pub retired: bool,
}

impl CategoryInfo {
    pub const CODE_MAX_CHARS: usize = 40;
    pub const NAME_MAX_CHARS: usize = 30;

    /// Every problem at once, each naming its field. The code is typed
    /// once and kept for good, like a station's id.
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        named_code_rules(self.code.code(), &self.name_zh, &self.name_en)
    }

    /// The district report's nine, as every list starts (migration
    /// `0010_categories.sql` writes the same): what a device offers until
    /// its first sync brings the server's list.
    pub fn built_in() -> Vec<CategoryInfo> {
        let names = [
            ("健康义诊", "Health clinic"),
            ("法律咨询", "Legal consultation"),
            ("心理咨询", "Counselling"),
            ("罕见病救治", "Rare-disease aid"),
            ("传统文化", "Traditional culture"),
            ("敬老助老", "Elder care"),
            ("走访慰问", "Home visit"),
            ("调研", "Field survey"),
            ("协商议事", "Consultation meeting"),
        ];
        Category::BUILT_IN
            .into_iter()
            .zip(names)
            .map(|(code, (name_zh, name_en))| CategoryInfo {
                code,
                name_zh: name_zh.into(),
                name_en: name_en.into(),
                retired: false,
            })
            .collect()
    }

    /// The name to show in a language: English or Chinese.
    pub fn name(&self, english: bool) -> &str {
        if english {
            &self.name_en
        } else {
            &self.name_zh
        }
    }
}

/// The rules of an entry of a list admins keep (a category, a proposal
/// group): a code typed once and kept for good, like a station's id, and
/// a name in each language.
pub(crate) fn named_code_rules(
    code: &str,
    name_zh: &str,
    name_en: &str,
) -> Result<(), Vec<ValidationError>> {
    let mut errors = Vec::new();
    crate::station::check_id(&mut errors, "code", code, CategoryInfo::CODE_MAX_CHARS);
    required_text(
        &mut errors,
        "name_zh",
        name_zh,
        CategoryInfo::NAME_MAX_CHARS,
    );
    required_text(
        &mut errors,
        "name_en",
        name_en,
        CategoryInfo::NAME_MAX_CHARS,
    );
    no_errors(errors)
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
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub title: String,
    pub station_id: String,
    pub date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(maximum = 10_000))]
    pub volunteers: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = u32, maximum = 100_000))]
    pub people_served: PeopleServed,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2_000))]
    pub notes: String,
    /// When it started, if the volunteer said.
    #[serde(default)]
    pub time: Option<NaiveTime>,
    /// Who organised it (a party branch, the lawyers' service group …).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 50))]
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
        if self.category.code().trim().is_empty() {
            errors.push(ValidationError::new("category", Rule::Required));
        }
        if self.station_id.trim().is_empty() {
            errors.push(ValidationError::new("station_id", Rule::Required));
        }
        past_date(&mut errors, "date", self.date, today);
        if self.volunteers > Self::VOLUNTEERS_MAX {
            errors.push(ValidationError::new(
                "volunteers",
                Rule::AtMost {
                    max: Self::VOLUNTEERS_MAX,
                },
            ));
        }
        optional_text(
            &mut errors,
            "organising_group",
            &self.organising_group,
            Self::GROUP_MAX_CHARS,
        );
        optional_text(&mut errors, "notes", &self.notes, Self::NOTES_MAX_CHARS);
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
            category: Category::HEALTH_CLINIC,
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
    fn tomorrow_is_let_through_and_the_day_after_is_refused_in_words_that_say_so() {
        let mut a = activity();
        a.date = today() + chrono::Days::new(1);
        assert!(a.validate(today()).is_ok());
        a.date = today() + chrono::Days::new(2);
        let errors = a.validate(today()).unwrap_err();
        assert_eq!(errors[0].message, "date cannot be later than tomorrow");
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
    fn categories_travel_as_their_codes() {
        for c in Category::BUILT_IN {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert_eq!(serde_json::from_str::<Category>(&json).unwrap(), c);
        }
    }

    #[test]
    fn a_category_needs_a_code_of_its_own_characters_and_both_names() {
        let info = |code: &str, zh: &str, en: &str| CategoryInfo {
            code: Category::new(code),
            name_zh: zh.into(),
            name_en: en.into(),
            retired: false,
        };
        assert_eq!(
            info("youth_sports", "青少年体育", "Youth sports").validate(),
            Ok(())
        );
        let fields = |errors: Vec<ValidationError>| -> Vec<(String, Rule)> {
            errors.into_iter().map(|e| (e.field, e.rule)).collect()
        };
        assert_eq!(
            fields(info("青少年", "", " ").validate().unwrap_err()),
            vec![
                ("code".into(), Rule::IdCharacters),
                ("name_zh".into(), Rule::Required),
                ("name_en".into(), Rule::Required),
            ]
        );
    }
}
