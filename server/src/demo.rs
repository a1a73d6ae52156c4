//! The demo data set `tongxin-server --demo` loads into an empty database:
//! stations on the district's real streets, a few activities of the kinds
//! the district reports, and the 7th livestream session with what it sold.

use chrono::{NaiveDate, NaiveTime};
use tongxin_shared::{
    Activity, Category, LivestreamSession, PartnerRegion, PeopleServed, Product, SaleLine, Station,
    StationKind,
    hlc::Hlc,
    livestream::{LivestreamRecord, ProductRecord, RegionRecord, SaleLineRecord, SessionRecord},
};
use uuid::Uuid;

pub fn stations() -> Vec<Station> {
    let station = |id: &str, name: &str, kind, street: &str, community: &str| Station {
        id: id.into(),
        name: name.into(),
        kind,
        street: street.into(),
        community: community.into(),
    };
    vec![
        station(
            "st-xianfeng",
            "先锋社区统战联络站",
            StationKind::LiaisonStation,
            "塔子湖街道",
            "先锋社区",
        ),
        station(
            "st-shangrong",
            "尚荣社区统战联络站",
            StationKind::LiaisonStation,
            "后湖街道",
            "尚荣社区",
        ),
        station(
            "st-dazhi",
            "大智街道统战联络站",
            StationKind::LiaisonStation,
            "大智街道",
            "大智社区",
        ),
        station(
            "st-minge-home",
            "民革党员之家",
            StationKind::PartyMembersHome,
            "一元街道",
            "一元社区",
        ),
        station(
            "st-xinjie-base",
            "新阶联实践基地",
            StationKind::NewClassBase,
            "永清街道",
            "永清社区",
        ),
        station(
            "st-hongshiliu",
            "红石榴工作站",
            StationKind::SpecialWorkstation,
            "塔子湖街道",
            "先锋社区",
        ),
    ]
}

/// Ids are fixed so that loading the demo twice is visibly a mistake (the
/// second insert fails) rather than silently doubling the figures.
pub fn activities() -> Vec<Activity> {
    let activity = |n: u128,
                    category: Category,
                    title: &str,
                    station: &str,
                    date: (i32, u32, u32),
                    volunteers,
                    served: i64| Activity {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n),
        organising_group: organising_group(&category).into(),
        category,
        title: title.into(),
        station_id: station.into(),
        date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).expect("valid demo date"),
        volunteers,
        people_served: PeopleServed::try_from(served).expect("valid demo count"),
        notes: String::new(),
        time: NaiveTime::from_hms_opt(9 + (n % 6) as u32, 0, 0),
    };
    vec![
        activity(
            1,
            Category::HEALTH_CLINIC,
            "先锋社区健康义诊",
            "st-xianfeng",
            (2026, 9, 6),
            8,
            126,
        ),
        activity(
            2,
            Category::LEGAL_CONSULTATION,
            "法律咨询角",
            "st-shangrong",
            (2026, 9, 13),
            3,
            42,
        ),
        activity(
            3,
            Category::ELDER_CARE,
            "同心益事会——雨花敬老",
            "st-dazhi",
            (2026, 9, 27),
            12,
            85,
        ),
        activity(
            4,
            Category::COUNSELLING,
            "心理咨询辅导",
            "st-minge-home",
            (2026, 10, 11),
            4,
            30,
        ),
        activity(
            5,
            Category::TRADITIONAL_CULTURE,
            "传统文化普及讲堂",
            "st-xinjie-base",
            (2026, 10, 18),
            5,
            60,
        ),
        activity(
            6,
            Category::HOME_VISIT,
            "走访慰问困难单亲家庭",
            "st-hongshiliu",
            (2026, 10, 25),
            6,
            18,
        ),
        activity(
            7,
            Category::FIELD_SURVEY,
            "老旧小区改造调研",
            "st-dazhi",
            (2026, 11, 8),
            7,
            0,
        ),
        activity(
            8,
            Category::CONSULTATION_MEETING,
            "社区联席会议",
            "st-shangrong",
            (2026, 11, 15),
            10,
            35,
        ),
    ]
}

/// The livestream room's demo data: the two partner regions the article
/// names, a product from each, the 7th session and what it sold.
pub fn livestream(stamp: Hlc) -> Vec<LivestreamRecord> {
    let id = |n: u128| Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0001_0000 + n);
    let bole = PartnerRegion {
        id: id(1),
        name: "博乐市".into(),
        province: "新疆".into(),
    };
    let shihezi = PartnerRegion {
        id: id(2),
        name: "石河子市".into(),
        province: "新疆".into(),
    };
    let cotton = Product {
        id: id(3),
        name: "新疆棉絮".into(),
        region_id: bole.id,
        unit: "床".into(),
        price_fen: 19_900,
    };
    let dates = Product {
        id: id(4),
        name: "石河子红枣".into(),
        region_id: shihezi.id,
        unit: "箱".into(),
        price_fen: 5_990,
    };
    let seventh = LivestreamSession {
        id: id(7),
        number: 7,
        date: NaiveDate::from_ymd_opt(2026, 10, 30).expect("valid demo date"),
        platform: "抖音".into(),
        host: "同心网络直播间".into(),
        partners: "新联会企业".into(),
        viewers: 12_800,
    };
    let line = |n: u128, product: &Product, units: u32, orders: u32| SaleLine {
        id: id(n),
        session_id: seventh.id,
        product_id: product.id,
        units,
        amount_fen: u64::from(units) * product.price_fen,
        orders,
    };
    vec![
        LivestreamRecord::Region(RegionRecord::new(&bole, stamp)),
        LivestreamRecord::Region(RegionRecord::new(&shihezi, stamp)),
        LivestreamRecord::Product(ProductRecord::new(&cotton, stamp)),
        LivestreamRecord::Product(ProductRecord::new(&dates, stamp)),
        LivestreamRecord::Session(SessionRecord::new(&seventh, stamp)),
        LivestreamRecord::SaleLine(SaleLineRecord::new(&line(8, &cotton, 320, 296), stamp)),
        LivestreamRecord::SaleLine(SaleLineRecord::new(&line(9, &dates, 540, 412), stamp)),
    ]
}

/// The `n`th of an endless stream of plausible activities, for load tests
/// and benchmarks: categories, stations and counts cycle, and every date
/// lies between January and October 2026, so none is in the future.
pub fn synthetic_activity(n: u64) -> Activity {
    let stations = stations();
    let category = Category::BUILT_IN[(n % Category::BUILT_IN.len() as u64) as usize].clone();
    Activity {
        id: Uuid::now_v7(),
        organising_group: organising_group(&category).into(),
        category,
        title: format!("活动 {n}"),
        station_id: stations[(n % stations.len() as u64) as usize].id.clone(),
        date: NaiveDate::from_ymd_opt(2026, 1 + (n % 10) as u32, 1 + (n % 28) as u32)
            .expect("day 1 to 28 exists in every month"),
        volunteers: (n % 12) as u32,
        people_served: PeopleServed::try_from((n % 200) as i64).expect("within bounds"),
        notes: String::new(),
        time: NaiveTime::from_hms_opt(8 + (n % 10) as u32, (n % 4) as u32 * 15, 0),
    }
}

/// Who runs activities of a kind, after the district's report.
fn organising_group(category: &Category) -> &'static str {
    match category.code() {
        "health_clinic" | "rare_disease_aid" => "医卫专科联盟",
        "legal_consultation" => "同心律师服务团",
        "elder_care" => "同心益事会",
        "counselling" | "traditional_culture" => "新联会",
        _ => "社区主任助理",
    }
}

/// The password of every demo account. Demo data only: real accounts are
/// made with `tongxin-server user add`, which asks for a password.
pub const DEMO_PASSWORD: &str = "tongxin-demo";

/// One account of the demo data set.
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: tongxin_shared::account::Role,
    pub stations: &'static [&'static str],
}

/// An admin, a volunteer at the two 塔子湖街道 stations, a volunteer at
/// 后湖街道, and a livestream organiser.
pub fn accounts() -> Vec<DemoAccount> {
    use tongxin_shared::account::Role;
    vec![
        DemoAccount {
            username: "admin",
            display_name: "区委统战部管理员",
            role: Role::Admin,
            stations: &[],
        },
        DemoAccount {
            username: "volunteer",
            display_name: "志愿者小李",
            role: Role::Volunteer,
            stations: &["st-xianfeng", "st-hongshiliu"],
        },
        DemoAccount {
            username: "volunteer2",
            display_name: "志愿者小王",
            role: Role::Volunteer,
            stations: &["st-shangrong"],
        },
        DemoAccount {
            username: "organiser",
            display_name: "直播间主播",
            role: Role::Organiser,
            stations: &[],
        },
    ]
}
