//! The report's charts, drawn as inline SVG: no script and no network when the page is viewed
//! or printed. Every mark carries its number in a `data-count` attribute, so a test in a browser
//! can check what is drawn against the run.

use std::fmt::Write as _;

use super::escape;

/// The colours of the kinds of finding, shared with the page's legend.
pub const VIOLATION: &str = "#c0392b";
pub const OVERDUE: &str = "#e67e22";
pub const OPEN: &str = "#7f8c8d";

/// One bar: an article and its findings by kind (violations, overdue, open).
pub struct Bar {
    pub label: String,
    /// The id of the article's section on the page.
    pub anchor: String,
    pub counts: [usize; 3],
}

const KIND_NAMES: [&str; 3] = ["violation", "overdue", "open"];
const KIND_COLOURS: [&str; 3] = [VIOLATION, OVERDUE, OPEN];

/// A stacked bar per article, each linking to the article's findings.
pub fn bars(bars: &[Bar], title: &str) -> String {
    let (left, top, plot_height, bar_width, gap) = (36.0, 16.0, 180.0, 34.0, 18.0);
    let width = left + bars.len() as f64 * (bar_width + gap) + gap;
    let height = top + plot_height + 34.0;
    let max = bars
        .iter()
        .map(|b| b.counts.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = plot_height / max as f64;
    let base = top + plot_height;
    let mut svg = format!(
        r#"<svg class="chart" role="img" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}"><title>{}</title>"#,
        escape(title)
    );
    axis(&mut svg, left, top, plot_height, width, max);
    for (i, bar) in bars.iter().enumerate() {
        let x = left + gap + i as f64 * (bar_width + gap);
        let total: usize = bar.counts.iter().sum();
        let _ = write!(
            svg,
            r##"<a href="#{}"><g class="bar" data-label="{}" data-count="{total}">"##,
            escape(&bar.anchor),
            escape(&bar.label)
        );
        let mut y = base;
        for (k, &count) in bar.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let h = count as f64 * scale;
            y -= h;
            let _ = write!(
                svg,
                r#"<rect class="{}" data-count="{count}" x="{x:.1}" y="{y:.1}" width="{bar_width:.1}" height="{h:.1}" fill="{}"><title>{}: {count}</title></rect>"#,
                KIND_NAMES[k],
                KIND_COLOURS[k],
                escape(&bar.label),
            );
        }
        let _ = write!(
            svg,
            r#"<text class="total" x="{:.1}" y="{:.1}" text-anchor="middle">{total}</text><text class="label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></g></a>"#,
            x + bar_width / 2.0,
            y - 4.0,
            x + bar_width / 2.0,
            base + 16.0,
            escape(&bar.label),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The left axis: a line and ticks at zero, half and the maximum.
fn axis(svg: &mut String, left: f64, top: f64, plot_height: f64, width: f64, max: usize) {
    let base = top + plot_height;
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555"/><line x1="{left}" y1="{base}" x2="{width:.0}" y2="{base}" stroke="#555"/>"##
    );
    let mut ticks = vec![0, max];
    if max >= 4 {
        ticks.push(max / 2);
    }
    for tick in ticks {
        let y = base - tick as f64 * plot_height / max as f64;
        let _ = write!(
            svg,
            r##"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{tick}</text><line x1="{:.1}" y1="{y:.1}" x2="{left}" y2="{y:.1}" stroke="#555"/>"##,
            left - 6.0,
            y + 4.0,
            left - 3.0,
        );
    }
}

/// One point in time: its label and the findings in it (violations, overdue).
pub struct Point {
    pub label: String,
    pub counts: [usize; 2],
}

/// A line per kind (violations, overdue) over consecutive periods.
pub fn lines(points: &[Point], title: &str) -> String {
    let (left, top, plot_height) = (36.0, 16.0, 160.0);
    // The line spans 440 pixels, however many periods it has (at most 120 pixels apart).
    let step = (440.0 / (points.len().max(2) - 1) as f64).min(120.0);
    let plot_width = (points.len().max(2) - 1) as f64 * step;
    let width = left + plot_width + 40.0;
    let height = top + plot_height + 64.0;
    let max = points
        .iter()
        .flat_map(|p| p.counts)
        .max()
        .unwrap_or(0)
        .max(1);
    let base = top + plot_height;
    let y_of = |n: usize| base - n as f64 * plot_height / max as f64;
    let x_of = |i: usize| left + 12.0 + i as f64 * step;
    let mut svg = format!(
        r#"<svg class="chart" role="img" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}"><title>{}</title>"#,
        escape(title)
    );
    axis(&mut svg, left, top, plot_height, width, max);
    for (k, name) in ["violation", "overdue"].iter().enumerate() {
        let path: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x_of(i), y_of(p.counts[k])))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline class="{name}" points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            path.join(" "),
            KIND_COLOURS[k]
        );
        for (i, p) in points.iter().enumerate() {
            let _ = write!(
                svg,
                r#"<circle class="{name}" data-period="{}" data-count="{}" cx="{:.1}" cy="{:.1}" r="3" fill="{}"><title>{}: {}</title></circle>"#,
                escape(&p.label),
                p.counts[k],
                x_of(i),
                y_of(p.counts[k]),
                KIND_COLOURS[k],
                escape(&p.label),
                p.counts[k],
            );
        }
    }
    // Labels for the first and last periods and about every sixth between.
    let every = points.len().div_ceil(8).max(1);
    for (i, p) in points.iter().enumerate() {
        if i % every == 0 || i + 1 == points.len() {
            let _ = write!(
                svg,
                r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate(-35 {:.1} {:.1})">{}</text>"#,
                x_of(i),
                base + 14.0,
                x_of(i),
                base + 14.0,
                escape(&p.label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}
