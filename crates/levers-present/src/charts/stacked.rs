//! Horizontal bar charts drawn narrow (400 units) with each label on its own lines above its bar,
//! so long labels wrap instead of being cut and the text stays readable on a phone: [`hbars`]
//! (amounts or shares), [`share_hbar_chart`] (shares of 100%) and [`support_chart`] (a vote).

use super::{FONT, FONT_SMALL, esc, open_svg, text_lines, wrap};
use std::fmt::Write;

/// The drawing's width.
const W: f64 = 400.0;
/// Characters of a label line at `FONT` in `W` units.
const LINE_CHARS: usize = 44;
/// Room kept right of the longest bar for its value.
const VALUE_W: f64 = 90.0;
const LINE_H: f64 = 17.0;
const BAR_H: f64 = 18.0;
const GAP: f64 = 14.0;

/// One bar of a stacked chart.
struct Row<'a> {
    label: &'a str,
    value: f64,
    text: String,
    fill: &'static str,
}

/// Draws rows with wrapped labels above their bars; `max` is the value of a full-width bar.
fn stacked(
    class_id: (&str, &str),
    title: &str,
    desc: &str,
    rows: &[Row],
    max: f64,
    foot: &str,
) -> String {
    let (class, id) = class_id;
    let plot = W - VALUE_W;
    let max = max.max(f64::MIN_POSITIVE);
    let labels: Vec<Vec<String>> = rows.iter().map(|r| wrap(r.label, LINE_CHARS, 3)).collect();
    let body: f64 = labels
        .iter()
        .map(|l| l.len() as f64 * LINE_H + 4.0 + BAR_H + GAP)
        .sum();
    let foot_h = if foot.is_empty() { 0.0 } else { 24.0 };
    let h = 6.0 + body.max(BAR_H) + foot_h;
    let mut s = String::new();
    open_svg(&mut s, class, id, W, h, title, desc);
    let mut y = 6.0;
    for (r, lines) in rows.iter().zip(&labels) {
        let whole = lines.join(" ") != r.label.split_whitespace().collect::<Vec<_>>().join(" ");
        s.push_str("<g>");
        if whole {
            // Cut short: the full label as the row's tooltip (and in the table beside the chart).
            let _ = write!(s, "<title>{}</title>", esc(r.label));
        }
        text_lines(&mut s, 1.0, y + FONT - 2.0, "start", FONT, LINE_H, lines);
        let bar_y = y + lines.len() as f64 * LINE_H + 4.0;
        let v = if r.value.is_finite() { r.value } else { 0.0 };
        let bw = (plot * (v.max(0.0) / max))
            .min(plot)
            .max(if v > 0.0 { 1.0 } else { 0.0 });
        let _ = write!(
            s,
            r##"<rect x="1" y="{bar_y:.1}" width="{bw:.1}" height="{BAR_H}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="{FONT_SMALL}" fill="#0b0c0c">{}</text></g>"##,
            r.fill,
            bw + 7.0,
            bar_y + BAR_H - 5.0,
            esc(&r.text)
        );
        y = bar_y + BAR_H + GAP;
    }
    let _ = write!(
        s,
        r##"<line x1="1" x2="1" y1="4" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/>"##,
        y - GAP + 2.0
    );
    if !foot.is_empty() {
        let _ = write!(
            s,
            r##"<text x="1" y="{:.1}" font-size="{FONT_SMALL}" fill="#0b0c0c">{}</text>"##,
            h - 6.0,
            esc(foot)
        );
    }
    s.push_str("</svg>");
    s
}

/// A horizontal bar chart with its labels and values written on it; the page shows the same figures
/// in a table beside it.
pub fn hbars(id: &str, title: &str, rows: &[(String, f64)], fmt: &dyn Fn(f64) -> String) -> String {
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max);
    let desc: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l}: {}", fmt(*v)))
        .collect();
    let bars: Vec<Row> = rows
        .iter()
        .map(|(l, v)| Row {
            label: l,
            value: *v,
            text: fmt(*v),
            fill: "#1d70b8",
        })
        .collect();
    stacked(
        ("lv-chart--stacked", id),
        title,
        &desc.join("; "),
        &bars,
        max,
        "",
    )
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
    let rows: Vec<Row> = bars
        .iter()
        .map(|b| Row {
            label: b.name,
            value: b.value as f64,
            text: format!("{}{}", b.value, if b.funded { " ✓" } else { "" }),
            fill: if b.funded { "#1d70b8" } else { "#b1b4b6" },
        })
        .collect();
    stacked(
        ("lv-chart--stacked", "support"),
        &format!("Support for each project ({score_label})"),
        &desc.join("; "),
        &rows,
        max,
        &format!("{score_label} (dark bars and ✓: funded)"),
    )
}

/// Cuts a label to `n` characters with "…" (for the few places a label must stay on one line).
pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// A horizontal bar chart of shares (0.0–1.0, drawn as percentages of a full-width bar), one bar per
/// label, with a text alternative. `note` is added to the description.
pub fn share_hbar_chart(id: &str, title: &str, rows: &[(String, f64)], note: &str) -> String {
    let desc: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l}: {:.0}%", v * 100.0))
        .collect();
    let bars: Vec<Row> = rows
        .iter()
        .map(|(l, v)| Row {
            label: l,
            value: v.clamp(0.0, 1.0),
            text: format!("{:.0}%", v * 100.0),
            fill: "#1d70b8",
        })
        .collect();
    stacked(
        ("lv-chart--stacked", id),
        title,
        &format!("{}{}", desc.join("; "), note),
        &bars,
        1.0,
        "A full-width bar is 100%",
    )
}

#[cfg(test)]
mod tests {
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
        // The long name wraps rather than being cut.
        assert!(svg.contains(">Benches &amp; bins for the harbour front, with</tspan>"));
        assert!(svg.contains(">planting</tspan>"));
        assert!(svg.contains(">40 ✓</text>") && svg.contains(">10</text>"));
        assert_eq!(svg.matches("fill=\"#1d70b8\"").count(), 1);
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn share_bars_are_percentages_with_labels_in_full() {
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
        assert!(svg.contains(">A directorate with a very long name indeed</tspan>"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn very_long_labels_end_in_an_ellipsis_with_the_full_label_as_a_tooltip() {
        let long = "A supplier name so very long that it cannot possibly fit on three lines of a narrow chart however it wraps, really, not even when the chart is drawn at its widest on a desk";
        let svg = hbars("x", "Top", &[(long.to_string(), 5.0)], &|v| format!("{v}"));
        assert!(svg.contains('…'));
        assert!(svg.contains(&format!("<title>{long}</title>")));
    }
}
