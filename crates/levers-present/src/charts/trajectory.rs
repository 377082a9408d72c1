//! A strategy measure's trajectory chart: the planned line from baseline to target and the actual
//! values, with a text description of every year.

use super::esc;
use std::fmt::Write;

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
