//! The district's work report (工作简报) as a Word document, written from
//! the same figures the admin's page shows for the same filter: the
//! handler reads them through the same queries ([`crate::db::Db`]'s
//! report path) and this module only words and lays them out, with
//! `docx-rs` (Word and WPS both open it).

use chrono::{Datelike, NaiveDate};
use docx_rs::{
    AlignmentType, Docx, Paragraph, Pic, Run, RunFonts, Table, TableCell, TableRow, WidthType,
};
use plotters::prelude::*;
use tongxin_shared::{
    Station, StationKind,
    admin::{AdminFilter, AdminReport, BreakdownRow, SalesRow},
    livestream::{format_yuan, group_digits},
    proposal::{ProposalState, StateCount},
};

/// Everything the report says, read before it is written.
pub struct ReportData {
    pub report: AdminReport,
    pub stations: Vec<Station>,
    /// Proposals submitted in the period, by state.
    pub proposal_states: Vec<StateCount>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

/// The period as the district names it: a year, a quarter, a month, or
/// a range of dates.
pub fn period_words(filter: &AdminFilter, language: Language) -> String {
    let zh = language == Language::Chinese;
    let date = |d: NaiveDate| match zh {
        true => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        false => d.format("%-d %b %Y").to_string(),
    };
    let (from, to) = match (filter.from, filter.to) {
        (Some(from), Some(to)) => (from, to),
        (Some(from), None) => {
            return match zh {
                true => format!("{}以来", date(from)),
                false => format!("since {}", date(from)),
            };
        }
        (None, Some(to)) => {
            return match zh {
                true => format!("截至{}", date(to)),
                false => format!("up to {}", date(to)),
            };
        }
        (None, None) => return (if zh { "全部时间" } else { "all time" }).to_owned(),
    };
    let month_end = |d: NaiveDate| {
        let next = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        };
        next.and_then(|n| n.pred_opt())
    };
    let whole_months = from.day() == 1 && month_end(to) == Some(to) && from.year() == to.year();
    if whole_months && from.month() == 1 && to.month() == 12 {
        return match zh {
            true => format!("{}年", from.year()),
            false => from.year().to_string(),
        };
    }
    if whole_months && from.month() % 3 == 1 && to.month() == from.month() + 2 {
        let quarter = from.month() / 3 + 1;
        return match zh {
            true => format!(
                "{}年第{}季度",
                from.year(),
                ["一", "二", "三", "四"][quarter as usize - 1]
            ),
            false => format!("Q{quarter} {}", from.year()),
        };
    }
    if whole_months && from.month() == to.month() {
        return match zh {
            true => format!("{}年{}月", from.year(), from.month()),
            false => from.format("%B %Y").to_string(),
        };
    }
    match zh {
        true => format!("{}至{}", date(from), date(to)),
        false => format!("{} to {}", date(from), date(to)),
    }
}

fn kind_words(kind: StationKind, zh: bool) -> &'static str {
    match (kind, zh) {
        (StationKind::EducationRoute, true) => "教育路线",
        (StationKind::NewClassBase, true) => "新的社会阶层人士实践基地",
        (StationKind::PartyMembersHome, true) => "党派之家",
        (StationKind::LiaisonStation, true) => "统战联络站",
        (StationKind::SpecialWorkstation, true) => "特色工作站",
        (StationKind::EducationRoute, false) => "Education routes",
        (StationKind::NewClassBase, false) => "New social strata bases",
        (StationKind::PartyMembersHome, false) => "Party members' homes",
        (StationKind::LiaisonStation, false) => "Liaison stations",
        (StationKind::SpecialWorkstation, false) => "Special workstations",
    }
}

fn state_words(state: ProposalState, zh: bool) -> &'static str {
    match (state, zh) {
        (ProposalState::Submitted, true) => "已提交",
        (ProposalState::TakenUp, true) => "已受理",
        (ProposalState::InProgress, true) => "落实中",
        (ProposalState::FeedbackGiven, true) => "已反馈",
        (ProposalState::Closed, true) => "已办结",
        (ProposalState::Declined, true) => "不予采纳",
        (ProposalState::Submitted, false) => "Submitted",
        (ProposalState::TakenUp, false) => "Taken up",
        (ProposalState::InProgress, false) => "In progress",
        (ProposalState::FeedbackGiven, false) => "Feedback given",
        (ProposalState::Closed, false) => "Closed",
        (ProposalState::Declined, false) => "Declined",
    }
}

/// A run in the document's fonts: 宋体 for Chinese, as the district's
/// documents are set.
fn run(text: impl Into<String>) -> Run {
    Run::new()
        .add_text(text.into())
        .fonts(RunFonts::new().east_asia("宋体").ascii("Times New Roman"))
        .size(24)
}

fn heading(text: &str, size: usize) -> Paragraph {
    Paragraph::new().add_run(run(text).bold().size(size))
}

fn para(text: String) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

/// A table with a bold header row.
fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    let cell = |text: String, bold: bool| {
        let r = run(text).size(21);
        TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
    };
    let mut lines = vec![TableRow::new(
        headers
            .iter()
            .map(|h| cell((*h).to_owned(), true))
            .collect(),
    )];
    lines.extend(
        rows.into_iter()
            .map(|row| TableRow::new(row.into_iter().map(|c| cell(c, false)).collect())),
    );
    Table::new(lines).width(5000, WidthType::Pct)
}

fn breakdown_rows(rows: &[BreakdownRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.label.clone(),
                group_digits(r.activities),
                group_digits(r.people_served),
                group_digits(r.volunteers),
            ]
        })
        .collect()
}

fn sales_rows(rows: &[SalesRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.label.clone(),
                group_digits(r.units),
                format_yuan(r.amount_fen),
                group_digits(r.orders),
            ]
        })
        .collect()
}

/// The charts' size in pixels, and in the document (EMU: 9,525 a pixel
/// at 96 dpi; 6 inches wide).
const CHART: (u32, u32) = (800, 360);
const CHART_EMU: (u32, u32) = (5_486_400, 2_468_880);

/// A bar chart of `values`, one bar a row of the table above it, in its
/// order, as a PNG. Drawn without text (the caption and the table name
/// the bars), so the server needs no fonts.
pub fn bar_chart(values: &[u64]) -> Result<Vec<u8>, String> {
    let (width, height) = CHART;
    let mut pixels = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, CHART).into_drawing_area();
        let margin = 24i32;
        let (w, h) = (width as i32, height as i32);
        let most = values.iter().copied().max().unwrap_or(0).max(1) as f64;
        let slot = (w - 2 * margin) / values.len().max(1) as i32;
        let red = RGBColor(178, 34, 34);
        for (i, value) in values.iter().enumerate() {
            let left = margin + i as i32 * slot + slot / 8;
            let bar = ((h - 2 * margin) as f64 * (*value as f64 / most)).round() as i32;
            root.draw(&Rectangle::new(
                [(left, h - margin - bar), (left + slot * 3 / 4, h - margin)],
                red.filled(),
            ))
            .map_err(|e| e.to_string())?;
        }
        root.draw(&PathElement::new(
            vec![(margin, h - margin), (w - margin, h - margin)],
            BLACK,
        ))
        .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    let image = image::RgbImage::from_raw(width, height, pixels).ok_or("a short buffer")?;
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png.into_inner())
}

/// A chart and its caption.
fn figure(doc: Docx, values: &[u64], caption: String) -> Docx {
    match bar_chart(values) {
        Ok(png) => doc
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_image(Pic::new(&png).size(CHART_EMU.0, CHART_EMU.1)))
                    .align(AlignmentType::Center),
            )
            .add_paragraph(para(caption).align(AlignmentType::Center)),
        // A chart that cannot be drawn leaves the tables, which hold its
        // figures.
        Err(error) => {
            tracing::warn!(%error, "a chart of the work report could not be drawn");
            doc
        }
    }
}

/// Writes the report; `categories` in `data.report` name the category rows.
pub fn write(data: &ReportData, language: Language) -> Result<Vec<u8>, docx_rs::DocxError> {
    let zh = language == Language::Chinese;
    let report = &data.report;
    let s = &report.summary;
    let period = period_words(&report.filter, language);
    let mut kinds: Vec<(StationKind, u64)> = Vec::new();
    for station in &data.stations {
        match kinds.iter_mut().find(|(k, _)| *k == station.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((station.kind, 1)),
        }
    }
    let by_category: Vec<BreakdownRow> = report
        .by_category
        .iter()
        .cloned()
        .map(|mut row| {
            if let Some(c) = report.categories.iter().find(|c| c.code.code() == row.key) {
                row.label = c.name(!zh).to_owned();
            }
            row
        })
        .collect();
    let p = &report.proposals;
    let median = p
        .median_days_to_first_measure
        .map(|d| format!("{d:.1}"))
        .unwrap_or_else(|| "–".to_owned());
    let yuan = format_yuan(s.sales_fen);
    let kinds_words = kinds
        .iter()
        .map(|(k, n)| match zh {
            true => format!("{}{}个", kind_words(*k, true), n),
            false => format!("{n} {}", kind_words(*k, false).to_lowercase()),
        })
        .collect::<Vec<_>>()
        .join(if zh { "、" } else { ", " });
    let t =
        |zh_text: &str, en_text: &str| -> String { if zh { zh_text } else { en_text }.to_owned() };
    let (activity_headers, sales_headers, kind_headers, state_headers) = if zh {
        (
            ["名称", "活动场次", "惠及人次", "志愿者人次"],
            ["名称", "销量", "销售额（元）", "订单数"],
            ["阵地类型", "数量"],
            ["状态", "件数"],
        )
    } else {
        (
            ["Name", "Activities", "People served", "Volunteers"],
            ["Name", "Units", "Sales (yuan)", "Orders"],
            ["Kind of station", "Count"],
            ["State", "Proposals"],
        )
    };
    let mut doc = Docx::new()
        .add_paragraph(
            heading(&t("同心服务工作简报", "Tongxin Service Work Report"), 36)
                .align(AlignmentType::Center),
        )
        .add_paragraph(para(period.clone()).align(AlignmentType::Center))
        .add_paragraph(heading(&t("一、总体情况", "1. Overview"), 28))
        .add_paragraph(para(match zh {
            true => format!(
                "{period}，全区共有服务阵地{}个（{kinds_words}）。共开展活动{}场，惠及群众{}人次，参与志愿者{}人次。",
                group_digits(data.stations.len() as u64),
                group_digits(s.activities),
                group_digits(s.people_served),
                group_digits(s.volunteers),
            ),
            false => format!(
                "In {period}, the district had {} stations ({kinds_words}). {} activities were held, serving {} people, with {} volunteers taking part.",
                group_digits(data.stations.len() as u64),
                group_digits(s.activities),
                group_digits(s.people_served),
                group_digits(s.volunteers),
            ),
        }))
        .add_table(table(
            &kind_headers,
            kinds
                .iter()
                .map(|(k, n)| vec![kind_words(*k, zh).to_owned(), group_digits(*n)])
                .collect(),
        ))
        .add_paragraph(heading(&t("二、活动开展情况", "2. Activities"), 28))
        .add_paragraph(para(t("（一）按类别", "By category")))
        .add_table(table(&activity_headers, breakdown_rows(&by_category)));
    doc = figure(
        doc,
        &by_category.iter().map(|r| r.activities).collect::<Vec<_>>(),
        t(
            "图1 各类别活动场次（柱自左至右依次为上表各行）",
            "Figure 1. Activities by category (bars in the order of the table's rows)",
        ),
    );
    doc = doc
        .add_paragraph(para(t("（二）按街道", "By street")))
        .add_table(table(&activity_headers, breakdown_rows(&report.by_street)))
        .add_paragraph(heading(
            &t("三、同心网络直播间", "3. The livestream room"),
            28,
        ))
        .add_paragraph(para(match zh {
            true => format!(
                "共开展公益直播{}场，销售商品{}件，销售额{yuan}元，订单{}笔。",
                group_digits(s.livestream_sessions),
                group_digits(s.units_sold),
                group_digits(s.orders),
            ),
            false => format!(
                "{} charity livestream sessions sold {} units for ¥{yuan} in {} orders.",
                group_digits(s.livestream_sessions),
                group_digits(s.units_sold),
                group_digits(s.orders),
            ),
        }))
        .add_paragraph(para(t("（一）按对口地区", "By partner region")))
        .add_table(table(&sales_headers, sales_rows(&report.sales_by_region)));
    doc = figure(
        doc,
        &report
            .sales_by_region
            .iter()
            .map(|r| r.amount_fen)
            .collect::<Vec<_>>(),
        t(
            "图2 各对口地区销售额（柱自左至右依次为上表各行）",
            "Figure 2. Sales by partner region (bars in the order of the table's rows)",
        ),
    );
    doc = doc
        .add_paragraph(para(t("（二）按商品", "By product")))
        .add_table(table(&sales_headers, sales_rows(&report.sales_by_product)))
        .add_paragraph(heading(&t("四、建言献策", "4. Proposals"), 28))
        .add_paragraph(para(match zh {
            true => format!(
                "共收到建言{}件，已受理{}件，已反馈{}件，已办结{}件；从提交到首项举措用时中位数为{median}天。",
                group_digits(p.submitted),
                group_digits(p.taken_up),
                group_digits(p.with_feedback),
                group_digits(p.closed),
            ),
            false => format!(
                "{} proposals were received: {} taken up, {} with feedback, {} closed; the median time from submission to a first measure was {median} days.",
                group_digits(p.submitted),
                group_digits(p.taken_up),
                group_digits(p.with_feedback),
                group_digits(p.closed),
            ),
        }));
    doc = doc.add_table(table(
        &state_headers,
        data.proposal_states
            .iter()
            .map(|c| vec![state_words(c.state, zh).to_owned(), group_digits(c.count)])
            .collect(),
    ));
    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut bytes)?;
    Ok(bytes.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(from: (i32, u32, u32), to: (i32, u32, u32)) -> AdminFilter {
        AdminFilter {
            from: NaiveDate::from_ymd_opt(from.0, from.1, from.2),
            to: NaiveDate::from_ymd_opt(to.0, to.1, to.2),
            ..AdminFilter::default()
        }
    }

    #[test]
    fn a_chart_is_a_png_with_a_bar_as_tall_as_its_share() {
        let png = bar_chart(&[10, 5, 0]).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(image.dimensions(), CHART);
        let red = |x: u32, y: u32| image.get_pixel(x, y).0 == [178, 34, 34];
        // Bars stand on the axis (24 px up); the first fills the height
        // between the margins, the second half of it, the third none.
        let slot = (CHART.0 - 48) / 3;
        let middle = |i: u32| 24 + i * slot + slot / 2;
        let base = CHART.1 - 26;
        assert!(red(middle(0), 30) && red(middle(0), base));
        assert!(!red(middle(1), 150) && red(middle(1), 200) && red(middle(1), base));
        assert!(!red(middle(2), base));
        // Nothing to draw draws an axis alone.
        assert!(bar_chart(&[]).is_ok());
    }

    #[test]
    fn a_period_is_named_as_the_district_names_it() {
        let zh = Language::Chinese;
        assert_eq!(
            period_words(&filter((2026, 1, 1), (2026, 12, 31)), zh),
            "2026年"
        );
        assert_eq!(
            period_words(&filter((2026, 10, 1), (2026, 12, 31)), zh),
            "2026年第四季度"
        );
        assert_eq!(
            period_words(&filter((2026, 11, 1), (2026, 11, 30)), zh),
            "2026年11月"
        );
        assert_eq!(
            period_words(&filter((2026, 11, 3), (2026, 11, 28)), zh),
            "2026年11月3日至2026年11月28日"
        );
        let en = Language::English;
        assert_eq!(
            period_words(&filter((2026, 4, 1), (2026, 6, 30)), en),
            "Q2 2026"
        );
        assert_eq!(
            period_words(&filter((2026, 2, 1), (2026, 2, 28)), en),
            "February 2026"
        );
        assert_eq!(period_words(&AdminFilter::default(), en), "all time");
    }
}
