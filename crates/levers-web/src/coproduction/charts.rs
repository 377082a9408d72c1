//! Co-production charts (to move into crate::charts).

use std::fmt::Write;

use crate::charts::esc;

// ---------------------------------------------------------------------------------------------
// Charts: horizontal bars (long labels such as directorates read better across the page).

/// A horizontal bar chart of percentages (0–100), one bar per label, with a text alternative.
pub fn hbar_chart(id: &str, title: &str, rows: &[(String, f64)], note: &str) -> String {
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
        let short: String = if label.chars().count() > 26 {
            label.chars().take(25).collect::<String>() + "…"
        } else {
            label.clone()
        };
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

/// A column chart of percentages over quarters (two series: by count and by value).
pub fn trend_chart(id: &str, title: &str, rows: &[(String, f64, f64)]) -> String {
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
