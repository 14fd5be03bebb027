//! `--plot`: utilization and tasks waiting over time, one line per strategy, as an SVG (no
//! system fonts needed: the SVG names a font family and the viewer draws the text).

use packsched::sim::SimReport;
use plotters::prelude::*;

/// Writes the chart to `path`.
pub fn write(path: &str, title: &str, reports: &[SimReport]) -> Result<(), String> {
    let root = SVGBackend::new(path, (1000, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (top, bottom) = root.split_vertically(350);
    let hours = |r: &SimReport| r.series.time.iter().map(|t| t / 3600.0).collect::<Vec<_>>();
    let end = reports
        .iter()
        .map(|r| r.makespan / 3600.0)
        .fold(0.0, f64::max)
        .max(1e-9);
    let most = reports
        .iter()
        .flat_map(|r| r.series.waiting.iter().copied())
        .fold(1.0, f64::max);
    let panels = [
        (
            &top,
            format!("{title}: utilization"),
            1.0,
            "utilization (mean over resources)",
        ),
        (
            &bottom,
            "tasks waiting".to_string(),
            most * 1.05,
            "tasks waiting",
        ),
    ];
    for (i, (area, caption, high, label)) in panels.into_iter().enumerate() {
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..end, 0.0..high)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("hours")
            .y_desc(label)
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, r) in reports.iter().enumerate() {
            let color = Palette99::pick(k).to_rgba();
            let ys = if i == 0 {
                &r.series.utilization
            } else {
                &r.series.waiting
            };
            let points: Vec<(f64, f64)> = hours(r).into_iter().zip(ys.iter().copied()).collect();
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(r.strategy.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}
