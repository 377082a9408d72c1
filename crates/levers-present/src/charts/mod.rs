//! Hand-made SVG charts. Each is an image with a text alternative, and every page that shows one also
//! shows the same figures as a table.

use std::fmt::Write;

mod map;
pub use map::{Choropleth, MapArea, MapClasses, choropleth};

/// Escapes text for SVG/HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round gridline step (1, 2 or 5 × 10^n) giving at most five lines up to `max`.
fn nice_step(max: u64) -> u64 {
    let raw = max.div_ceil(5).max(1);
    let mut mag = 1u64;
    while mag.saturating_mul(10) <= raw {
        mag *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(mag * 10)
}

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
    let (w, h) = (640.0_f64, 320.0_f64);
    let (left, right, top, bottom) = (56.0, 16.0, 16.0, 56.0);
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
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    let mut g = 0;
    while g <= top_value {
        let yy = y(g);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{g}</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0
        );
        g += step;
    }
    for (i, (label, v)) in labels.iter().zip(values).enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let yy = y(*v);
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{yy:.1}" width="{bar:.1}" height="{:.1}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="13" fill="#0b0c0c">{}</text>"##,
            top + plot_h - yy,
            x + bar / 2.0,
            top + plot_h + 18.0,
            esc(label)
        );
        if *v > 0 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#0b0c0c">{v}</text>"##,
                x + bar / 2.0,
                yy - 4.0
            );
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/><text x="{:.1}" y="{}" text-anchor="middle" font-size="14" fill="#0b0c0c">{}</text><text transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle" font-size="14" fill="#0b0c0c">{}</text></svg>"##,
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

/// A horizontal bar chart with its labels and values written on it; the page shows the same figures
/// in a table beside it.
pub fn hbars(id: &str, title: &str, rows: &[(String, f64)], fmt: &dyn Fn(f64) -> String) -> String {
    let w = 640.0_f64;
    let label_w = 230.0;
    let value_w = 110.0;
    let bar_h = 22.0;
    let gap = 8.0;
    let top = 8.0;
    let h = top * 2.0 + rows.len().max(1) as f64 * (bar_h + gap);
    let max = rows
        .iter()
        .map(|r| r.1)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let plot = w - label_w - value_w - 10.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l}: {}", fmt(*v)))
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let bw = (plot * (v.max(0.0) / max)).max(if *v > 0.0 { 1.0 } else { 0.0 });
        let short: String = if label.chars().count() > 32 {
            format!("{}…", label.chars().take(31).collect::<String>())
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="{bar_h}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">{}</text>"##,
            label_w - 8.0,
            y + bar_h * 0.7,
            esc(&short),
            label_w + bw + 6.0,
            y + bar_h * 0.7,
            esc(&fmt(*v))
        );
    }
    s.push_str("</svg>");
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
        assert_eq!(
            (nice_step(4), nice_step(21), nice_step(122), nice_step(6152)),
            (1, 5, 50, 2000)
        );
    }
}

/// A horizontal bar chart of signed amounts (pounds or ratios), one or two series per row, with a
/// zero line, value labels (formatted by `fmt`) and a legend when there are two series. Negative
/// bars run left of zero. Colours: blue and orange from the GOV.UK palette, which keep 3:1
/// contrast with white and with each other's neighbours.
pub fn signed_hbar_chart(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[(&str, &[f64])],
    fmt: &dyn Fn(f64) -> String,
) -> String {
    const COLOURS: [&str; 2] = ["#1d70b8", "#b65a00"];
    let per_row = series.len().clamp(1, 2);
    let bar_h = 18.0_f64;
    let row_h = bar_h * per_row as f64 + 14.0;
    let (left, right, top) = (220.0_f64, 110.0_f64, if per_row > 1 { 34.0 } else { 12.0 });
    let w = 760.0_f64;
    let h = top + row_h * labels.len().max(1) as f64 + 12.0;
    let plot_w = w - left - right;
    let all = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = all.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let x = |v: f64| left + plot_w * (v - lo) / span;
    let zero = x(0.0);
    let mut desc = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        let parts: Vec<String> = series
            .iter()
            .map(|(name, v)| format!("{name} {}", fmt(v.get(i).copied().unwrap_or(0.0))))
            .collect();
        desc.push(format!("{l}: {}", parts.join(", ")));
    }
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {w} {h:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    if per_row > 1 {
        for (k, (name, _)) in series.iter().enumerate().take(2) {
            let lx = left + 170.0 * k as f64;
            let _ = write!(
                s,
                r##"<rect x="{lx}" y="8" width="14" height="14" fill="{}"/><text x="{}" y="20" font-size="13" fill="#0b0c0c">{}</text>"##,
                COLOURS[k],
                lx + 20.0,
                esc(name)
            );
        }
    }
    for (i, label) in labels.iter().enumerate() {
        let y0 = top + row_h * i as f64;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{}</text>"##,
            left - 8.0,
            y0 + row_h / 2.0 + 2.0,
            esc(&truncate(label, 30))
        );
        for (k, (_, values)) in series.iter().enumerate().take(2) {
            let v = values.get(i).copied().unwrap_or(0.0);
            let v = if v.is_finite() { v } else { 0.0 };
            let (a, b) = if v >= 0.0 { (zero, x(v)) } else { (x(v), zero) };
            let y = y0 + 7.0 + bar_h * k as f64;
            let _ = write!(
                s,
                r##"<rect x="{a:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"##,
                (b - a).max(0.5),
                bar_h - 3.0,
                COLOURS[k]
            );
            let (tx, anchor) = if v >= 0.0 {
                (b + 4.0, "start")
            } else {
                (a - 4.0, "end")
            };
            let _ = write!(
                s,
                r##"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="12" fill="#0b0c0c">{}</text>"##,
                y + bar_h - 7.0,
                esc(&fmt(v))
            );
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{zero:.1}" x2="{zero:.1}" y1="{:.1}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/></svg>"##,
        top - 2.0,
        h - 10.0
    );
    s
}

/// One project's bar in a [`support_chart`].
pub struct SupportBar<'a> {
    pub name: &'a str,
    /// Votes, points or rank score.
    pub value: u64,
    pub funded: bool,
}

/// A horizontal bar chart of support per project (community budget results), funded projects dark
/// and ticked, with a text alternative. The results page shows the same figures as a table.
pub fn support_chart(bars: &[SupportBar], score_label: &str) -> String {
    let w = 720.0_f64;
    let bar_h = 26.0;
    let gap = 10.0;
    let left = 260.0;
    let right = 70.0;
    let top = 10.0;
    let h = top + bars.len() as f64 * (bar_h + gap) + 30.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1) as f64;
    let desc: Vec<String> = bars
        .iter()
        .map(|b| {
            format!(
                "{}: {} {}, {}",
                b.name,
                b.value,
                score_label,
                if b.funded { "funded" } else { "not funded" }
            )
        })
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="support-title support-desc" xmlns="http://www.w3.org/2000/svg"><title id="support-title">Support for each project ({})</title><desc id="support-desc">{}</desc>"#,
        esc(score_label),
        esc(&desc.join("; "))
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let bw = (w - left - right) * b.value as f64 / max;
        let fill = if b.funded { "#1d70b8" } else { "#b1b4b6" };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="14" fill="#0b0c0c">{}</text><rect x="{left}" y="{y:.1}" width="{bw:.1}" height="{bar_h}" fill="{fill}"/><text x="{:.1}" y="{:.1}" font-size="14" fill="#0b0c0c">{}{}</text>"##,
            left - 8.0,
            y + 18.0,
            esc(&truncate(b.name, 34)),
            left + bw + 6.0,
            y + 18.0,
            b.value,
            if b.funded { " ✓" } else { "" }
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" x2="{left}" y1="{top}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="14" fill="#0b0c0c">{} (dark bars and ✓: funded)</text></svg>"##,
        h - 25.0,
        left + (w - left - right) / 2.0,
        h - 8.0,
        esc(score_label)
    );
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// A horizontal bar chart of shares (0.0–1.0, drawn as percentages), one bar per label, with a text
/// alternative; long labels (such as directorates) read better across the page. `note` is added to
/// the description.
pub fn share_hbar_chart(id: &str, title: &str, rows: &[(String, f64)], note: &str) -> String {
    let bar_h = 26.0;
    let gap = 10.0;
    let left = 200.0;
    let width = 640.0;
    let plot = width - left - 60.0;
    let top = 10.0;
    let height = top + rows.len() as f64 * (bar_h + gap) + 30.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l}: {:.0}%", v * 100.0))
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {width} {height:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}{}</desc>"#,
        esc(title),
        esc(&desc.join("; ")),
        esc(note)
    );
    for pc in [0, 25, 50, 75, 100] {
        let x = left + plot * f64::from(pc) / 100.0;
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="13" fill="#0b0c0c">{pc}%</text>"##,
            height - 26.0,
            height - 8.0
        );
    }
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let w = plot * v.clamp(0.0, 1.0);
        let short = truncate(label, 26);
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="14" fill="#0b0c0c">{}</text><rect x="{left}" y="{y:.1}" width="{w:.1}" height="{bar_h}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">{:.0}%</text>"##,
            left - 8.0,
            y + bar_h * 0.68,
            esc(&short),
            left + w + 6.0,
            y + bar_h * 0.68,
            v * 100.0
        );
    }
    s.push_str("</svg>");
    s
}

/// A column chart of shares over periods (two series per period: by count and by £ value), as
/// percentages.
pub fn share_trend_chart(id: &str, title: &str, rows: &[(String, f64, f64)]) -> String {
    let (width, height) = (640.0_f64, 300.0_f64);
    let (left, right, top, bottom) = (50.0, 16.0, 16.0, 70.0);
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
        r#"<svg class="lv-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for pc in [0, 25, 50, 75, 100] {
        let yy = y(f64::from(pc) / 100.0);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{pc}%</text>"##,
            width - right,
            left - 6.0,
            yy + 4.0
        );
    }
    for (i, (q, c, v)) in rows.iter().enumerate() {
        let x = left + slot * i as f64 + slot / 2.0 - bar;
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="#1d70b8"/><rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="#f47738"/><text transform="translate({:.1} {:.1}) rotate(-40)" text-anchor="end" font-size="12" fill="#0b0c0c">{}</text>"##,
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
        r##"<rect x="{left}" y="{:.1}" width="12" height="12" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">by count</text><rect x="{:.1}" y="{:.1}" width="12" height="12" fill="#f47738"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">by £ value</text></svg>"##,
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
mod signed_tests {
    use super::*;

    #[test]
    fn signed_bars_run_both_ways_and_describe_themselves() {
        let svg = signed_hbar_chart(
            "t",
            "Who pays & who benefits",
            &["Council".into(), "NHS".into()],
            &[("Pays", &[-100.0, 0.0]), ("Benefits", &[0.0, 250.0])],
            &|v| format!("£{v:.0}"),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Who pays &amp; who benefits"));
        assert!(svg.contains("Council: Pays £-100, Benefits £0; NHS: Pays £0, Benefits £250"));
        assert!(svg.contains(r##"text-anchor="end" font-size="12" fill="#0b0c0c">£-100"##));
        assert_eq!(
            svg.matches("<rect").count(),
            4 + 2,
            "four bars and two legend keys"
        );
    }
}

#[cfg(test)]
mod support_tests {
    use super::*;

    #[test]
    fn support_bars_are_dark_and_ticked_when_funded_and_describe_themselves() {
        let svg = support_chart(
            &[
                SupportBar {
                    name: "Benches & bins for the harbour front, with planting",
                    value: 40,
                    funded: true,
                },
                SupportBar {
                    name: "Skate park",
                    value: 10,
                    funded: false,
                },
            ],
            "points",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("<title id=\"support-title\">Support for each project (points)</title>")
        );
        assert!(svg.contains("Benches &amp; bins for the harbour front, with planting: 40 points, funded; Skate park: 10 points, not funded"));
        assert!(svg.contains(">Benches &amp; bins for the harbour fr…</text>"));
        assert!(svg.contains(">40 ✓</text>") && svg.contains(">10</text>"));
        assert_eq!(svg.matches("fill=\"#1d70b8\"").count(), 1);
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}

#[cfg(test)]
mod share_tests {
    use super::*;

    #[test]
    fn share_bars_are_percentages_with_short_labels() {
        let svg = share_hbar_chart(
            "d",
            "Value co-produced",
            &[
                ("Adults & health".into(), 0.5),
                ("A directorate with a very long name indeed".into(), 1.2),
            ],
            " (two or more stages)",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Adults &amp; health: 50%; A directorate with a very long name indeed: 120% (two or more stages)"));
        assert!(svg.contains("A directorate with a very…"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn share_trend_has_two_columns_a_quarter_and_a_legend() {
        let svg = share_trend_chart(
            "t",
            "By quarter",
            &[("2025 Q1".into(), 0.25, 0.5), ("2025 Q2".into(), 0.0, 1.0)],
        );
        assert!(svg.contains("2025 Q1: 25% of activities, 50% of value"));
        assert_eq!(svg.matches("<rect").count(), 4 + 2);
    }
}

/// A measure's planned trajectory (dashed) and its actual values (solid, with points) over the
/// years, on an axis scaled to the figures. `planned` and `actual` have one entry per year (None
/// where there is no figure); `fmt` writes a value in the measure's unit.
pub fn trajectory_chart(
    id: &str,
    title: &str,
    years: &[String],
    planned: &[Option<f64>],
    actual: &[Option<f64>],
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let (width, height) = (640.0_f64, 280.0_f64);
    let (left, right, top, bottom) = (76.0, 40.0, 16.0, 64.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let values: Vec<f64> = planned
        .iter()
        .chain(actual.iter())
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if lo >= 0.0 && lo < hi * 0.6 {
        lo = 0.0;
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.05).max(1e-9);
    let (lo, hi) = (if lo == 0.0 { 0.0 } else { lo - pad }, hi + pad);
    let n = years.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h - plot_h * (v - lo) / (hi - lo);
    let desc: Vec<String> = years
        .iter()
        .enumerate()
        .filter_map(|(i, yr)| {
            let p = planned.get(i).copied().flatten();
            let a = actual.get(i).copied().flatten();
            (p.is_some() || a.is_some()).then(|| {
                format!(
                    "{yr}: planned {}, actual {}",
                    p.map_or_else(|| "none".into(), fmt),
                    a.map_or_else(|| "none".into(), fmt)
                )
            })
        })
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * f64::from(k) / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" fill="#0b0c0c">{}</text>"##,
            width - right,
            left - 6.0,
            yy + 4.0,
            esc(&fmt(v))
        );
    }
    for (i, yr) in years.iter().enumerate() {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#0b0c0c">{}</text>"##,
            x(i),
            top + plot_h + 18.0,
            esc(yr)
        );
    }
    let path = |series: &[Option<f64>]| {
        let mut d = String::new();
        let mut pen = false;
        for (i, v) in series.iter().enumerate() {
            match v {
                Some(v) if v.is_finite() => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1} ",
                        if pen { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen = true;
                }
                _ => pen = false,
            }
        }
        d
    };
    let planned_d = path(planned);
    if !planned_d.is_empty() {
        let _ = write!(
            s,
            r##"<path d="{}" fill="none" stroke="#505a5f" stroke-width="2" stroke-dasharray="6 4"/>"##,
            planned_d.trim_end()
        );
    }
    let actual_d = path(actual);
    if !actual_d.is_empty() {
        let _ = write!(
            s,
            r##"<path d="{}" fill="none" stroke="#1d70b8" stroke-width="3"/>"##,
            actual_d.trim_end()
        );
    }
    for (i, v) in actual.iter().enumerate() {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#1d70b8"/>"##,
                x(i),
                y(v)
            );
        }
    }
    let ly = height - 14.0;
    let _ = write!(
        s,
        r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#505a5f" stroke-width="2" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">planned trajectory</text><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#1d70b8" stroke-width="3"/><circle cx="{:.1}" cy="{:.1}" r="5" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">actual</text></svg>"##,
        left + 28.0,
        ly,
        ly,
        left + 34.0,
        ly + 4.0,
        left + 190.0,
        left + 218.0,
        ly,
        ly,
        left + 204.0,
        ly,
        left + 224.0,
        ly + 4.0
    );
    s
}

#[cfg(test)]
mod trajectory_tests {
    use super::*;

    #[test]
    fn trajectories_draw_both_series_and_describe_every_year() {
        let svg = trajectory_chart(
            "m1",
            "Local spend <%>",
            &["2023/24".into(), "2024/25".into(), "2025/26".into()],
            &[Some(30.0), Some(35.0), Some(40.0)],
            &[Some(30.0), Some(31.0), None],
            &|v| format!("{v:.1}%"),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Local spend &lt;%&gt;"));
        assert!(
            svg.contains(
                "2024/25: planned 35.0%, actual 31.0%; 2025/26: planned 40.0%, actual none"
            )
        );
        assert_eq!(
            svg.matches("<circle").count(),
            2 + 1,
            "two points and the legend's"
        );
        assert_eq!(svg.matches("<path").count(), 2);
        // No figures at all still draws an empty, described chart.
        let empty = trajectory_chart("e", "Nothing", &[], &[], &[], &|v| format!("{v}"));
        assert!(empty.ends_with("</svg>"));
    }
}
