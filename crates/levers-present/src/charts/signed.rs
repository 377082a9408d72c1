//! A horizontal bar chart of signed amounts (who pays and who benefits, variances), drawn narrow
//! with each label on its own lines above its bars, like the other horizontal charts.

use super::{FONT, FONT_SMALL, esc, open_svg, text_lines, wrap};
use std::fmt::Write;

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
    const W: f64 = 400.0;
    const LINE_H: f64 = 17.0;
    let per_row = series.len().clamp(1, 2);
    let bar_h = 18.0_f64;
    let top = if per_row > 1 { 30.0 } else { 6.0 };
    let all = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = all.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Room for the value written beyond each bar's end.
    let left = if lo < 0.0 { 80.0 } else { 1.0 };
    let right = if hi > 0.0 { 80.0 } else { 4.0 };
    let plot_w = W - left - right;
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
    let wrapped: Vec<Vec<String>> = labels.iter().map(|l| wrap(l, 44, 3)).collect();
    let body: f64 = wrapped
        .iter()
        .map(|l| l.len() as f64 * LINE_H + 4.0 + bar_h * per_row as f64 + 12.0)
        .sum();
    let h = top + body + 6.0;
    let mut s = String::new();
    open_svg(
        &mut s,
        "lv-chart--stacked",
        id,
        W,
        h,
        title,
        &desc.join("; "),
    );
    if per_row > 1 {
        for (k, (name, _)) in series.iter().enumerate().take(2) {
            let lx = 1.0 + 170.0 * k as f64;
            let _ = write!(
                s,
                r##"<rect x="{lx}" y="6" width="14" height="14" fill="{}"/><text x="{}" y="18" font-size="{FONT_SMALL}" fill="#0b0c0c">{}</text>"##,
                COLOURS[k],
                lx + 20.0,
                esc(name)
            );
        }
    }
    let mut y0 = top;
    for (i, lines) in wrapped.iter().enumerate() {
        text_lines(&mut s, 1.0, y0 + FONT - 2.0, "start", FONT, LINE_H, lines);
        let bars_y = y0 + lines.len() as f64 * LINE_H + 4.0;
        for (k, (_, values)) in series.iter().enumerate().take(2) {
            let v = values.get(i).copied().unwrap_or(0.0);
            let v = if v.is_finite() { v } else { 0.0 };
            let (a, b) = if v >= 0.0 { (zero, x(v)) } else { (x(v), zero) };
            let y = bars_y + bar_h * k as f64;
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
                r##"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="{FONT_SMALL}" fill="#0b0c0c">{}</text>"##,
                y + bar_h - 7.0,
                esc(&fmt(v))
            );
        }
        y0 = bars_y + bar_h * per_row as f64 + 12.0;
    }
    let _ = write!(
        s,
        r##"<line x1="{zero:.1}" x2="{zero:.1}" y1="{:.1}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/></svg>"##,
        top - 2.0,
        h - 6.0
    );
    s
}

#[cfg(test)]
mod tests {
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
        assert!(svg.contains(r##"text-anchor="end" font-size="13" fill="#0b0c0c">£-100"##));
        assert_eq!(
            svg.matches("<rect").count(),
            4 + 2,
            "four bars and two legend keys"
        );
    }
}
