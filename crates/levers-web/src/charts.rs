//! Hand-made SVG charts. Each is an image with a text alternative, and every page that shows one also
//! shows the same figures as a table.

use std::fmt::Write;

/// Escapes text for SVG/HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A round gridline step (1, 2 or 5 × 10^n) giving at most five lines up to `max`.
fn nice_step(max: u64) -> u64 {
    let raw = max.div_ceil(5).max(1);
    let mut mag = 1u64;
    while mag.saturating_mul(10) <= raw {
        mag *= 10;
    }
    [1, 2, 5, 10].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(mag * 10)
}

/// A vertical bar chart: one bar per label, integer values, labelled axes. `id` makes the title
/// and description ids unique on the page.
pub fn bar_chart(id: &str, title: &str, labels: &[String], values: &[u64], x_label: &str, y_label: &str) -> String {
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
    let desc: Vec<String> = labels.iter().zip(values).map(|(l, v)| format!("{l}: {v}")).collect();
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
            let _ = write!(s, r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#0b0c0c">{v}</text>"##, x + bar / 2.0, yy - 4.0);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_describe_their_data_and_escape_text() {
        let labels: Vec<String> = (1..=3).map(|d| d.to_string()).collect();
        let svg = bar_chart("c", "LSOAs <by> decile", &labels, &[16, 21, 0], "Decile", "LSOAs");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("LSOAs &lt;by&gt; decile"));
        assert!(svg.contains("<desc id=\"c-desc\">1: 16; 2: 21; 3: 0</desc>"));
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!((nice_step(4), nice_step(21), nice_step(122), nice_step(6152)), (1, 5, 50, 2000));
    }
}
