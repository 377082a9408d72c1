//! Hand-made SVG charts. Each is an image with a text alternative, and every page that shows one also
//! shows the same figures as a table.
//!
//! Readable at the edges (issue 20): labels wrap onto several lines (and end in "…" only past three
//! lines; the full label is in the row's `<title>` and in the table beside the chart), and no text
//! shrinks below about 11 px on a 390 px phone. Horizontal bar charts (`stacked.rs`) put each label
//! on its own lines above its bar in a narrow 400-unit drawing; the vertical decile chart is drawn
//! 400 units wide; the quarterly chart keeps its width and scrolls sideways on a phone inside a
//! focusable region. Stylesheets size them with `lv-chart--stacked`, `lv-chart--narrow` and
//! `lv-chart-scroll`.

mod columns;
mod map;
mod signed;
mod stacked;
mod trajectory;

pub use columns::{bar_chart, share_trend_chart};
pub use map::{Choropleth, MapArea, MapClasses, choropleth};
pub use signed::signed_hbar_chart;
pub use stacked::{SupportBar, hbars, share_hbar_chart, support_chart};
pub use trajectory::trajectory_chart;

use std::fmt::Write;

/// Text size of labels in every chart, in drawing units.
pub(crate) const FONT: f64 = 14.0;
/// Smaller text (values on bars, axis ticks).
pub(crate) const FONT_SMALL: f64 = 13.0;

/// Escapes text for SVG/HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round gridline step (1, 2 or 5 × 10^n) giving at most five lines up to `max`.
pub(crate) fn nice_step(max: u64) -> u64 {
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

/// Word-wraps a label into at most `lines` lines of at most `width` characters. A word longer than
/// a line is cut; a label that still does not fit ends in "…" (the full text is in the table).
pub fn wrap(label: &str, width: usize, lines: usize) -> Vec<String> {
    let width = width.max(2);
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut words = label.split_whitespace().peekable();
    let mut cut = false;
    while let Some(word) = words.next() {
        let mut word = word.to_string();
        loop {
            let need = if cur.is_empty() {
                word.chars().count()
            } else {
                cur.chars().count() + 1 + word.chars().count()
            };
            if need <= width {
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(&word);
                break;
            }
            if cur.is_empty() {
                // A word longer than a line: cut it.
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                out.push(head);
            } else {
                out.push(std::mem::take(&mut cur));
            }
            if out.len() == lines {
                cut = true;
                break;
            }
        }
        if cut {
            break;
        }
        if words.peek().is_none() && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() && out.len() < lines {
        out.push(cur);
    }
    if cut && let Some(last) = out.last_mut() {
        let keep: String = last.chars().take(width - 1).collect();
        *last = format!("{}…", keep.trim_end());
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// A `<text>` of several lines (`<tspan>`s), the first baseline at `y`.
pub(crate) fn text_lines(
    s: &mut String,
    x: f64,
    y: f64,
    anchor: &str,
    size: f64,
    line_h: f64,
    lines: &[String],
) {
    let _ = write!(
        s,
        r##"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}" fill="#0b0c0c">"##
    );
    for (i, l) in lines.iter().enumerate() {
        let dy = if i == 0 { 0.0 } else { line_h };
        let _ = write!(s, r#"<tspan x="{x:.1}" dy="{dy}">{}</tspan>"#, esc(l));
    }
    s.push_str("</text>");
}

/// The opening of a chart's `<svg>` with its title and description.
pub(crate) fn open_svg(
    s: &mut String,
    class: &str,
    id: &str,
    w: f64,
    h: f64,
    title: &str,
    desc: &str,
) {
    let _ = write!(
        s,
        r#"<svg class="lv-chart {class}" viewBox="0 0 {w} {h:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_wrap_at_words_and_end_in_an_ellipsis_only_past_the_last_line() {
        assert_eq!(
            wrap(
                "With suppliers in the most deprived 10% of neighbourhoods",
                24,
                3
            ),
            [
                "With suppliers in the",
                "most deprived 10% of",
                "neighbourhoods"
            ]
        );
        assert_eq!(wrap("Short", 24, 3), ["Short"]);
        assert_eq!(wrap("", 24, 3), [""]);
        let long = wrap("one two three four five six seven eight nine ten", 9, 2);
        assert_eq!(long, ["one two", "three…"]);
        assert_eq!(
            wrap("Supercalifragilistic", 8, 3),
            ["Supercal", "ifragili", "stic"]
        );
        for l in wrap(&"word ".repeat(50), 20, 3) {
            assert!(l.chars().count() <= 20);
        }
    }

    #[test]
    fn nice_steps_are_round() {
        assert_eq!(
            (nice_step(4), nice_step(21), nice_step(122), nice_step(6152)),
            (1, 5, 50, 2000)
        );
    }

    /// The smallest text size a chart's text renders at on a 390 px phone (about 350 px of
    /// content width), given its drawing width and the least width the stylesheet gives it.
    fn smallest_px(svg: &str) -> f64 {
        let vb: f64 = svg
            .split("viewBox=\"0 0 ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|w| w.parse().ok())
            .unwrap();
        let shown = if svg.contains("lv-chart--wide") {
            560.0
        } else {
            350.0
        };
        let smallest = svg
            .split("font-size=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next()?.parse::<f64>().ok())
            .fold(f64::INFINITY, f64::min);
        smallest * (shown / vb).min(1.0)
    }

    #[test]
    fn no_chart_text_shrinks_below_eleven_pixels_on_a_phone() {
        let rows = vec![
            (
                "With suppliers in the most deprived 10% of neighbourhoods".to_string(),
                0.1,
            ),
            (
                "With suppliers in the most deprived 20% of neighbourhoods".to_string(),
                0.2,
            ),
        ];
        let charts = [
            hbars("a", "Shares", &rows, &|v| format!("{:.0}%", v * 100.0)),
            share_hbar_chart("b", "Shares", &rows, ""),
            support_chart(
                &[SupportBar {
                    name: "Benches",
                    value: 3,
                    funded: true,
                }],
                "votes",
            ),
            bar_chart(
                "c",
                "Deciles",
                &["1".into(), "10".into()],
                &[3, 4],
                "Decile",
                "LSOAs",
            ),
            share_trend_chart("d", "Quarters", &[("2025 Q1".into(), 0.2, 0.3)]),
            signed_hbar_chart(
                "e",
                "Who pays",
                &["A partner with a long name".into()],
                &[("Pays", &[-10.0]), ("Benefits", &[20.0])],
                &|v| format!("{v:.0}"),
            ),
        ];
        for svg in &charts {
            let px = smallest_px(svg);
            assert!(px >= 11.0, "{px:.1} px in {svg}");
        }
        // The two deprived-area labels stay distinct in full.
        assert!(
            charts[0].contains("most deprived 10% of")
                && charts[0].contains("most deprived 20% of")
        );
    }
}
