//! The admin's charts, drawn with plotters on a canvas: bars where the
//! admin compares categories or regions, a line where they follow the
//! months. Each chart sits beside the table with the same figures, which
//! stays the accessible form of the data.
//!
//! A canvas is drawn at the size it is shown (its CSS size times the
//! device's pixel ratio, `scale`), so its words are [`LABEL_PX`] CSS pixels
//! high whatever the screen. Bars lie across, one row each, so a long name
//! reads on one line beside its bar (shortened with "…" past what the
//! label column holds; the table has it whole); a line's months are
//! thinned out to what fits side by side.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The app's red (`--red` in style.css).
const RED_INK: RGBColor = RGBColor(179, 38, 30);
const FONT: &str = "sans-serif";
/// How high a chart's words are, in CSS pixels.
pub const LABEL_PX: f64 = 14.0;
/// How high one bar's row is, in CSS pixels.
pub const BAR_ROW_PX: f64 = 32.0;
/// The room above and below a bar chart's rows (margins and the value
/// axis), in CSS pixels.
pub const BAR_CHROME_PX: f64 = 56.0;

/// The CSS height a bar chart of `bars` rows is drawn at.
pub fn bars_height(bars: usize) -> f64 {
    (bars.max(1) as f64 * BAR_ROW_PX + BAR_CHROME_PX).max(140.0)
}

fn px(scale: f64, css: f64) -> u32 {
    (css * scale).round() as u32
}

/// `text` shortened with "…" until `fits` says it does.
fn shortened(text: &str, fits: impl Fn(&str) -> bool) -> String {
    if fits(text) {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (1..chars.len()).rev() {
        let short: String = chars[..keep].iter().collect::<String>() + "…";
        if fits(&short) {
            return short;
        }
    }
    "…".to_owned()
}

/// How wide a text is drawn at `font_px` on `canvas`, measured by the
/// canvas itself. Not plotters' `estimate_text_size`: on a canvas that
/// puts a `<span style=…>` in the page, which the content security policy
/// refuses.
fn text_measure(canvas: &HtmlCanvasElement, font_px: f64) -> impl Fn(&str) -> f64 + use<> {
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    if let Some(context) = &context {
        context.set_font(&format!("{font_px}px {FONT}"));
    }
    move |text: &str| {
        context
            .as_ref()
            .and_then(|c| c.measure_text(text).ok())
            .map_or(text.chars().count() as f64 * font_px, |m| m.width())
    }
}

/// Horizontal bars, one row per `(label, value)`, in the order given from
/// the top, each named at its left.
pub fn bars(canvas: HtmlCanvasElement, bars: &[(String, u64)], scale: f64) -> Option<()> {
    let width = f64::from(canvas.width());
    let text_width = text_measure(&canvas, LABEL_PX * scale);
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let style = TextStyle::from((FONT, LABEL_PX * scale).into_font()).color(&BLACK);
    // The label column: as wide as the longest name, at most 40% of the
    // chart; longer names are shortened to fit it.
    let room = (width * 0.4).max(60.0 * scale);
    let labels: Vec<String> = bars
        .iter()
        .map(|(label, _)| shortened(label, |t| text_width(t) <= room))
        .collect();
    let gap = 8.0 * scale;
    let label_area = labels
        .iter()
        .map(|l| text_width(l))
        .fold(0.0, f64::max)
        .min(room)
        + 2.0 * gap;
    let top = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let rows = bars.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .margin(px(scale, 8.0))
        .margin_right(px(scale, 24.0))
        .x_label_area_size(px(scale, 28.0))
        .y_label_area_size(label_area.round() as u32)
        .build_cartesian_2d(0..top + top / 10 + 1, 0.0..rows)
        .ok()?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(224, 224, 224))
        .x_labels(4)
        // The names are drawn below, at each bar's middle (asking plotters
        // for no labels at all never returns).
        .y_labels(1)
        .y_label_formatter(&|_| String::new())
        .label_style(style.clone())
        .draw()
        .ok()?;
    // Row `i` from the top spans `rows - i - 1 ..= rows - i` upwards.
    let middle = |i: usize| rows - i as f64 - 0.5;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, value))| {
            Rectangle::new(
                [(0, middle(i) - 0.32), (*value, middle(i) + 0.32)],
                RED_INK.filled(),
            )
        }))
        .ok()?;
    let name_style = style.pos(Pos::new(HPos::Right, VPos::Center));
    for (i, label) in labels.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(0, middle(i)));
        root.draw(&Text::new(
            label.clone(),
            (x - gap.round() as i32, y),
            &name_style,
        ))
        .ok()?;
    }
    root.present().ok()
}

/// A line through `(label, value)` points, in the order given; as many
/// labels along the bottom as fit side by side.
pub fn line(canvas: HtmlCanvasElement, points: &[(String, u64)], scale: f64) -> Option<()> {
    let width = f64::from(canvas.width());
    let text_width = text_measure(&canvas, LABEL_PX * scale);
    let widest = points
        .iter()
        .map(|p| text_width(&p.0).ceil() as u32)
        .max()
        .unwrap_or(0);
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let style = TextStyle::from((FONT, LABEL_PX * scale).into_font()).color(&BLACK);
    let top = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let last = points.len().saturating_sub(1).max(1);
    let y_area = px(scale, 56.0);
    // Every `step`th month is named: as many as fit with a gap between.
    let plot_width = (width - f64::from(y_area) - 40.0 * scale).max(1.0);
    let slot = f64::from(widest) + 16.0 * scale;
    let fit = ((plot_width / slot).floor() as usize).max(1);
    let step = points.len().div_ceil(fit).max(1);
    let mut chart = ChartBuilder::on(&root)
        .margin(px(scale, 8.0))
        .margin_left(px(scale, 8.0))
        .margin_right(px(scale, 8.0) + widest / 2)
        .x_label_area_size(px(scale, 28.0))
        .y_label_area_size(y_area)
        .build_cartesian_2d(0..last, 0..top + top / 10 + 1)
        .ok()?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(224, 224, 224))
        .x_labels(points.len().max(2))
        .x_label_formatter(&|i| {
            if i % step == 0 {
                points.get(*i).map(|p| p.0.clone()).unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_labels(5)
        .label_style(style.clone())
        .x_label_style(style.pos(Pos::new(HPos::Center, VPos::Top)))
        .draw()
        .ok()?;
    chart
        .draw_series(LineSeries::new(
            points.iter().enumerate().map(|(i, p)| (i, p.1)),
            RED_INK.stroke_width(px(scale, 3.0)),
        ))
        .ok()?;
    chart
        .draw_series(
            points
                .iter()
                .enumerate()
                .map(|(i, p)| Circle::new((i, p.1), px(scale, 4.0), RED_INK.filled())),
        )
        .ok()?;
    root.present().ok()
}
