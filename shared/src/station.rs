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
    pub id: String,
    pub name: String,
    pub kind: StationKind,
    pub street: String,
    pub community: String,
}

pub const STATION_ID_MAX_CHARS: usize = 40;
pub const STATION_TEXT_MAX_CHARS: usize = 50;

impl Station {
    /// Every problem at once, each naming its field. The id is typed once,
    /// kept for good and used in URLs: letters, digits and `-` only.
    pub fn validate(&self) -> Result<(), Vec<crate::ValidationError>> {
        use crate::{
            ValidationError,
            error::{Rule, no_errors, required_text},
        };
        let mut errors = Vec::new();
        let id = self.id.chars().count();
        if id == 0 {
            errors.push(ValidationError::new("id", Rule::Required));
        } else if id > STATION_ID_MAX_CHARS {
            errors.push(ValidationError::new(
                "id",
                Rule::TooLong {
                    max: STATION_ID_MAX_CHARS as u32,
                },
            ));
        } else if !self
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.push(ValidationError::new("id", Rule::IdCharacters));
        }
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
