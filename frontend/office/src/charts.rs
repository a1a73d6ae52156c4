//! The admin's charts, drawn with plotters on a canvas: bars where the
//! admin compares categories, a line where they follow the months. Each
//! chart sits beside the table with the same figures, which stays the
//! accessible form of the data.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// The app's red (`--red` in style.css).
const RED_INK: RGBColor = RGBColor(179, 38, 30);
const FONT: &str = "sans-serif";

/// Bars, one per `(label, value)`, in the order given.
pub fn bars(canvas: HtmlCanvasElement, bars: &[(String, u64)]) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let top = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d((0..bars.len()).into_segmented(), 0..top + top / 10 + 1)
        .ok()?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len())
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) => bars.get(*i).map(|b| b.0.clone()).unwrap_or_default(),
            _ => String::new(),
        })
        .label_style((FONT, 13))
        .draw()
        .ok()?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, value))| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0),
                    (SegmentValue::Exact(i + 1), *value),
                ],
                RED_INK.filled(),
            );
            bar.set_margin(0, 0, 6, 6);
            bar
        }))
        .ok()?;
    root.present().ok()
}

/// A line through `(label, value)` points, in the order given.
pub fn line(canvas: HtmlCanvasElement, points: &[(String, u64)]) -> Option<()> {
    let root = CanvasBackend::with_canvas_object(canvas)?.into_drawing_area();
    root.fill(&WHITE).ok()?;
    let top = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let last = points.len().saturating_sub(1).max(1);
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0..last, 0..top + top / 10 + 1)
        .ok()?;
    chart
        .configure_mesh()
        .x_labels(points.len())
        .x_label_formatter(&|i| points.get(*i).map(|p| p.0.clone()).unwrap_or_default())
        .label_style((FONT, 13))
        .draw()
        .ok()?;
    chart
        .draw_series(LineSeries::new(
            points.iter().enumerate().map(|(i, p)| (i, p.1)),
            RED_INK.stroke_width(3),
        ))
        .ok()?;
    chart
        .draw_series(
            points
                .iter()
                .enumerate()
                .map(|(i, p)| Circle::new((i, p.1), 4, RED_INK.filled())),
        )
        .ok()?;
    root.present().ok()
}
