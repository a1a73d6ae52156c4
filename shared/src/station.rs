//! Stations (阵地): the places where activities happen.

use serde::{Deserialize, Serialize};

/// The kinds of position the district's network is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StationKind {
    /// 国情教育路线
    EducationRoute,
    /// 新阶基地
    NewClassBase,
    /// 党派成员之家
    PartyMembersHome,
    /// 基层统战联络站
    LiaisonStation,
    /// 特色工作站, e.g. 红石榴工作站
    SpecialWorkstation,
}

impl StationKind {
    pub const ALL: [StationKind; 5] = [
        StationKind::EducationRoute,
        StationKind::NewClassBase,
        StationKind::PartyMembersHome,
        StationKind::LiaisonStation,
        StationKind::SpecialWorkstation,
    ];

    /// The stable code used on the wire and in the database.
    pub fn code(self) -> &'static str {
        match self {
            StationKind::EducationRoute => "education_route",
            StationKind::NewClassBase => "new_class_base",
            StationKind::PartyMembersHome => "party_members_home",
            StationKind::LiaisonStation => "liaison_station",
            StationKind::SpecialWorkstation => "special_workstation",
        }
    }

    pub fn from_code(code: &str) -> Option<StationKind> {
        StationKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A station, with the street (街道) and community (社区) it belongs to, so
/// admin figures can be broken down by either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Station {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 40, pattern = "^[A-Za-z0-9-]+$")
    )]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub name: String,
    pub kind: StationKind,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub street: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub community: String,
}

pub const STATION_ID_MAX_CHARS: usize = 40;

/// An id typed once by an admin and kept for good (a station's id, a
/// category's code): required, at most `max` characters, ASCII letters,
/// digits, `-` and `_` only, so it is safe in URLs and the same in every
/// language.
pub(crate) fn check_id(
    errors: &mut Vec<crate::ValidationError>,
    field: &str,
    id: &str,
    max: usize,
) {
    use crate::{ValidationError, error::Rule};
    let chars = id.chars().count();
    if chars == 0 {
        errors.push(ValidationError::new(field, Rule::Required));
    } else if chars > max {
        errors.push(ValidationError::new(
            field,
            Rule::TooLong { max: max as u32 },
        ));
    } else if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(ValidationError::new(field, Rule::IdCharacters));
    }
}
pub const STATION_TEXT_MAX_CHARS: usize = 50;

impl Station {
    /// Every problem at once, each naming its field. The id is typed once,
    /// kept for good and used in URLs (see [`check_id`]).
    pub fn validate(&self) -> Result<(), Vec<crate::ValidationError>> {
        use crate::error::{no_errors, required_text};
        let mut errors = Vec::new();
        check_id(&mut errors, "id", &self.id, STATION_ID_MAX_CHARS);
        for (field, value) in [
            ("name", &self.name),
            ("street", &self.street),
            ("community", &self.community),
        ] {
            required_text(&mut errors, field, value, STATION_TEXT_MAX_CHARS);
        }
        no_errors(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn station_kinds_round_trip_through_their_codes() {
        for k in StationKind::ALL {
            assert_eq!(StationKind::from_code(k.code()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
    }
}
