//! Every string the app shows, in one place. Chinese (zh-CN) first; the
//! English catalogue arrives with the language switch.

use tongxin_shared::{Category, ValidationError, error::Rule};

pub const APP_NAME: &str = "同心";
pub const NAV_RECORDS: &str = "我的记录";
pub const NAV_ADMIN: &str = "管理";
pub const ONLINE: &str = "在线";
pub const OFFLINE: &str = "离线";
pub const PENDING: &str = "待同步";
pub const SYNC_NOW: &str = "立即同步";
pub const LAST_SYNC: &str = "上次同步";
pub const SYNC_OFFLINE: &str = "无法连接服务器：记录已保存在本机，恢复联网后自动同步";
pub const STORAGE_FULL: &str = "本机存储已满，记录未保存：请联网同步后清理浏览器存储";
pub const NOT_SAVED: &str = "记录未保存：";
pub const PLEASE_UPDATE: &str =
    "应用版本过旧，服务器拒绝同步：请刷新页面以更新（记录仍保存在本机）";

pub const FORM_TITLE: &str = "记录活动";
pub const FORM_TITLE_EDIT: &str = "修改记录";
pub const EDIT: &str = "修改";
pub const CATEGORY: &str = "类别";
pub const TITLE: &str = "活动名称";
pub const STATION: &str = "阵地";
pub const CHOOSE_STATION: &str = "请选择阵地";
pub const NO_STATIONS: &str = "尚无阵地数据：请先联网同步一次";
pub const DATE: &str = "日期";
pub const VOLUNTEERS: &str = "志愿者人数";
pub const PEOPLE_SERVED: &str = "惠及人次";
pub const NOTES: &str = "备注";
pub const SAVE: &str = "保存";
pub const SAVED: &str = "已保存到本机";

pub const MY_RECORDS: &str = "我的记录";
pub const NO_RECORDS: &str = "还没有记录";
pub const STATE_PENDING: &str = "未同步";
pub const STATE_SYNCED: &str = "已同步";
pub const STATE_REJECTED: &str = "被拒绝";
pub const PEOPLE_UNIT: &str = "人次";
pub const MORE_RECORDS_BEFORE: &str = "另有";
pub const MORE_RECORDS_AFTER: &str = "条较早的记录未显示";

pub const ADMIN_TITLE: &str = "汇总";
pub const ADMIN_OFFLINE: &str = "管理视图需要联网。";
pub const TOTAL_ACTIVITIES: &str = "活动";
pub const TOTAL_PEOPLE_SERVED: &str = "惠及人次";
pub const TOTAL_VOLUNTEERS: &str = "志愿者人次";
pub const ACTIVE_STATIONS: &str = "活跃阵地";
pub const LIVESTREAM_SESSIONS: &str = "直播场次";
pub const STREET: &str = "街道";
pub const LOADING: &str = "加载中…";
pub const STORE_UNAVAILABLE: &str = "无法打开本机数据库，记录无法保存：";

pub fn category(category: Category) -> &'static str {
    category.name_zh()
}

pub const LOGIN_TITLE: &str = "登录";
pub const RELOGIN_TITLE: &str = "登录已过期，请重新输入密码（本机记录不受影响）";
pub const USERNAME: &str = "用户名";
pub const PASSWORD: &str = "密码";
pub const LOG_IN: &str = "登录";
pub const LOG_OUT: &str = "退出登录";
pub const WRONG_CREDENTIALS: &str = "用户名或密码错误";
pub const TOO_MANY_ATTEMPTS: &str = "登录失败次数过多，请稍后再试";
pub const LOGIN_NEEDS_NETWORK: &str = "登录需要联网：请在有信号的地方再试";
pub const ACCOUNT_DISABLED: &str = "该账号已停用，请联系管理员";
pub const SESSION_EXPIRED: &str = "登录已过期：记录仍保存在本机，重新登录后自动同步";
pub const ADMIN_ONLY: &str = "仅管理员可查看汇总。";

/// The confirmation before logging out with unsynced records.
pub fn logout_with_pending(pending: u32) -> String {
    format!(
        "还有 {pending} 条记录未同步。退出后它们仍保存在本机，但要等您再次登录并联网后才会上传；在此之前，其他人无法在本机登录。确定退出吗？"
    )
}

/// Why a login was refused because someone else's records are unsynced.
pub fn other_users_records(owner: &str, pending: usize) -> String {
    format!("本机还有 {owner} 的 {pending} 条记录未同步：请 {owner} 先登录并同步，之后才能换人登录")
}

pub const DELETE: &str = "删除";
pub const DELETED: &str = "已删除";
pub const UNDO: &str = "撤销";
pub const SEARCH: &str = "搜索名称或备注";
pub const ALL_CATEGORIES: &str = "全部类别";
pub const MONTH: &str = "月份";
pub const ALL_MONTHS: &str = "全部月份";
pub const NO_MATCH: &str = "没有符合条件的记录";

pub const FROM_DATE: &str = "开始日期";
pub const TO_DATE: &str = "结束日期";
pub const ALL_STREETS: &str = "全部街道";
pub const EXPORT_XLSX: &str = "导出 Excel";
pub const EXPORT_CSV: &str = "导出 CSV";
pub const EXPORT_FAILED: &str = "导出失败：";
pub const BY_CATEGORY: &str = "按类别";
pub const BY_STREET: &str = "按街道";
pub const BY_STATION: &str = "按阵地";
pub const BY_MONTH: &str = "按月份";
pub const ACTIVITY_LIST: &str = "活动明细（最新 500 条）";

pub const ROOM_TITLE: &str = "同心网络直播间";
pub const SESSIONS: &str = "直播场次";
pub const NO_SESSIONS: &str = "还没有直播场次";
pub const NEW_SESSION: &str = "新建场次";
pub const SESSION_NUMBER: &str = "期数";
pub const PLATFORM: &str = "平台";
pub const SESSION_HOST: &str = "主播";
pub const SESSION_PARTNERS: &str = "合作企业";
pub const VIEWERS: &str = "观看人数";
pub const SALES: &str = "销售明细";
pub const SESSION_TOTAL: &str = "本场合计";
pub const ADD_SALE_LINE: &str = "添加销售记录";
pub const PRODUCT: &str = "商品";
pub const PRODUCTS: &str = "商品";
pub const NEW_PRODUCT: &str = "新建商品";
pub const PRODUCT_NAME: &str = "商品名称";
pub const CHOOSE_PRODUCT: &str = "请选择商品";
pub const UNIT: &str = "单位";
pub const PRICE_YUAN: &str = "单价（元）";
pub const UNITS: &str = "销量";
pub const ORDERS: &str = "订单数";
pub const AMOUNT: &str = "销售额";
pub const AMOUNT_YUAN: &str = "销售额（元）";
pub const AMOUNT_HINT: &str = "留空则按销量 × 单价";
pub const REGION: &str = "对口地区";
pub const REGIONS: &str = "对口地区";
pub const NEW_REGION: &str = "新建对口地区";
pub const REGION_NAME: &str = "地区名称";
pub const PROVINCE: &str = "省份";
pub const CHOOSE_REGION: &str = "请选择对口地区";
pub const BY_REGION: &str = "按对口地区汇总";
pub const STATE: &str = "状态";
pub const UNKNOWN_ITEM: &str = "（未知）";

/// 第N期: how the room names its sessions.
pub fn session_name(number: u32) -> String {
    format!("第{number}期")
}

pub const NEW_VERSION: &str = "同心有新版本。";
pub const RELOAD: &str = "刷新使用新版本";

/// A broken rule in words, next to the input it is about.
pub fn rule_message(error: &ValidationError) -> String {
    let choose = matches!(
        error.field.as_str(),
        "station_id" | "category" | "region_id" | "product_id" | "session_id"
    );
    match &error.rule {
        Rule::Required if choose => format!("请选择{}", field_name(&error.field)),
        Rule::Required => format!("请填写{}", field_name(&error.field)),
        Rule::TooLong { max } => format!("{}最多 {max} 个字", field_name(&error.field)),
        Rule::TooShort { min } => format!("{}至少 {min} 个字符", field_name(&error.field)),
        Rule::AtMost { max } => format!("{}不能超过 {max}", field_name(&error.field)),
        Rule::NotANumber => "请输入 0 或正整数".to_owned(),
        Rule::InTheFuture => "日期不能晚于今天".to_owned(),
        Rule::BeforeYear2000 => "日期不能早于 2000 年".to_owned(),
        Rule::UnknownStation => "服务器上没有这个阵地：请联网同步后重新选择".to_owned(),
        Rule::NotYourStation => "这不是您负责的阵地".to_owned(),
        Rule::EndBeforeStart => "结束日期早于开始日期".to_owned(),
        Rule::NoSpaces => format!("{}不能包含空格", field_name(&error.field)),
        Rule::AtLeast { min } => format!("{}不能小于 {min}", field_name(&error.field)),
        Rule::AtMostYuan { max } => format!("{}不能超过 {max} 元", field_name(&error.field)),
        Rule::NotMoney => "请输入金额，如 12.50".to_owned(),
        Rule::TooFarAhead { days } => format!("日期不能晚于 {days} 天之后"),
        Rule::NotFound => format!("服务器上没有这个{}：请先同步它", field_name(&error.field)),
        Rule::Other => error.message.clone(),
    }
}

fn field_name(field: &str) -> &str {
    match field {
        "title" => TITLE,
        "station_id" => STATION,
        "category" => CATEGORY,
        "date" => DATE,
        "volunteers" => VOLUNTEERS,
        "people_served" => PEOPLE_SERVED,
        "notes" => NOTES,
        "username" => USERNAME,
        "password" => PASSWORD,
        "number" => SESSION_NUMBER,
        "platform" => PLATFORM,
        "host" => SESSION_HOST,
        "partners" => SESSION_PARTNERS,
        "viewers" => VIEWERS,
        "name" => "名称",
        "province" => PROVINCE,
        "unit" => UNIT,
        "price_fen" => "单价",
        "region_id" => REGION,
        "product_id" => PRODUCT,
        "session_id" => "场次",
        "units" => UNITS,
        "orders" => ORDERS,
        "amount_fen" => AMOUNT,
        other => other,
    }
}

pub const CHART_BY_CATEGORY: &str = "各类别惠及人次";
pub const CHART_BY_MONTH: &str = "每月惠及人次";
