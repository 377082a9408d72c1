//! Column charts: the vertical bar chart (deciles, stages), drawn narrow so its text stays readable
//! on a phone, and the quarterly share chart, which keeps its width and scrolls sideways.

use super::{FONT, FONT_SMALL, esc, nice_step, open_svg};
use std::fmt::Write;

/// A vertical bar chart: one bar per label, integer values, labelled axes. `id` makes the title
/// and description ids unique on the page.
pub fn bar_chart(
    id: &str,
    title: &str,
    labels: &[String],
    values: &[u64],
    x_label: &str,
    y_label: &str,
) -> String {
    let (w, h) = (400.0_f64, 300.0_f64);
    let (left, right, top, bottom) = (56.0, 12.0, 16.0, 56.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let step = nice_step(max);
    let top_value = max.div_ceil(step) * step;
    let y = |v: u64| top + plot_h - plot_h * (v as f64) / (top_value as f64);
    let n = labels.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = slot * 0.7;
    let desc: Vec<String> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l}: {v}"))
        .collect();
    let mut s = String::new();
    open_svg(
        &mut s,
        "lv-chart--narrow",
        id,
        w,
        h,
        title,
        &desc.join("; "),
    );
    let mut g = 0;
    while g <= top_value {
        let yy = y(g);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end" font-size="{FONT_SMALL}" fill="#0b0c0c">{g}</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0
        );
        g += step;
    }
    // Labels too long for their slot are cut; the table beside the chart has them in full.
    let fit = ((slot / (FONT_SMALL * 0.55)).floor() as usize).max(2);
    for (i, (label, v)) in labels.iter().zip(values).enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let yy = y(*v);
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{yy:.1}" width="{bar:.1}" height="{:.1}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{FONT_SMALL}" fill="#0b0c0c">{}</text>"##,
            top + plot_h - yy,
            x + bar / 2.0,
            top + plot_h + 18.0,
            esc(&super::stacked::truncate(label, fit))
        );
        if *v > 0 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{FONT_SMALL}" fill="#0b0c0c">{v}</text>"##,
                x + bar / 2.0,
                yy - 4.0
            );
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/><text x="{:.1}" y="{}" text-anchor="middle" font-size="{FONT}" fill="#0b0c0c">{}</text><text transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle" font-size="{FONT}" fill="#0b0c0c">{}</text></svg>"##,
        w - right,
        top + plot_h,
        top + plot_h,
        left + plot_w / 2.0,
        h - 10.0,
        esc(x_label),
        top + plot_h / 2.0,
        esc(y_label)
    );
    s
}

/// A column chart of shares over periods (two series per period: by count and by £ value), as
/// percentages. Wide: on a phone it scrolls sideways inside a focusable region rather than shrink.
pub fn share_trend_chart(id: &str, title: &str, rows: &[(String, f64, f64)]) -> String {
    let (width, height) = (640.0_f64, 330.0_f64);
    // Room under the plot for the slanted period labels, then the legend below them.
    let (left, right, top, bottom) = (50.0, 16.0, 16.0, 100.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let n = rows.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.35).min(30.0);
    let y = |v: f64| top + plot_h - plot_h * v.clamp(0.0, 1.0);
    let desc: Vec<String> = rows
        .iter()
        .map(|(q, c, v)| {
            format!(
                "{q}: {:.0}% of activities, {:.0}% of value",
                c * 100.0,
                v * 100.0
            )
        })
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<div class="lv-chart-scroll" role="region" aria-label="{} (scrolls sideways)" tabindex="0">"#,
        esc(title)
    );
    open_svg(
        &mut s,
        "lv-chart--wide",
        id,
        width,
        height,
        title,
        &desc.join("; "),
    );
    for pc in [0, 25, 50, 75, 100] {
        let yy = y(f64::from(pc) / 100.0);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="{FONT_SMALL}" fill="#0b0c0c">{pc}%</text>"##,
            width - right,
            left - 6.0,
            yy + 4.0
        );
    }
    for (i, (q, c, v)) in rows.iter().enumerate() {
        let x = left + slot * i as f64 + slot / 2.0 - bar;
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="#1d70b8"/><rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="#f47738"/><text transform="translate({:.1} {:.1}) rotate(-40)" text-anchor="end" font-size="{FONT_SMALL}" fill="#0b0c0c">{}</text>"##,
            y(*c),
            top + plot_h - y(*c),
            x + bar,
            y(*v),
            top + plot_h - y(*v),
            x + bar,
            top + plot_h + 14.0,
            esc(q)
        );
    }
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{:.1}" width="12" height="12" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="{FONT_SMALL}" fill="#0b0c0c">by count</text><rect x="{:.1}" y="{:.1}" width="12" height="12" fill="#f47738"/><text x="{:.1}" y="{:.1}" font-size="{FONT_SMALL}" fill="#0b0c0c">by £ value</text></svg></div>"##,
        height - 14.0,
        left + 16.0,
        height - 4.0,
        left + 100.0,
        height - 14.0,
        left + 116.0,
        height - 4.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_describe_their_data_and_escape_text() {
        let labels: Vec<String> = (1..=3).map(|d| d.to_string()).collect();
        let svg = bar_chart(
            "c",
            "LSOAs <by> decile",
            &labels,
            &[16, 21, 0],
            "Decile",
            "LSOAs",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("LSOAs &lt;by&gt; decile"));
        assert!(svg.contains("<desc id=\"c-desc\">1: 16; 2: 21; 3: 0</desc>"));
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn share_trend_has_two_columns_a_quarter_and_a_legend_and_scrolls() {
        let svg = share_trend_chart(
            "t",
            "By quarter",
            &[("2025 Q1".into(), 0.25, 0.5), ("2025 Q2".into(), 0.0, 1.0)],
        );
        assert!(svg.contains("2025 Q1: 25% of activities, 50% of value"));
        assert_eq!(svg.matches("<rect").count(), 4 + 2);
        assert!(svg.starts_with("<div class=\"lv-chart-scroll\"") && svg.ends_with("</svg></div>"));
    }
}
