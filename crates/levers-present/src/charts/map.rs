//! The one map helper: a server-rendered SVG choropleth of areas (wards, neighbourhoods) from their
//! boundaries, projected with `levers_place::boundary::Projector`. Every area drawn is a link in the
//! page's tab order with its name and value as its accessible name; the legend is drawn in the map;
//! areas with no boundary are listed rather than drawn wrongly; and every map comes with a text
//! summary (and the page shows the same figures as a table).

use std::fmt::Write;

use levers_place::boundary::{Polygon, Projector};

use super::esc;

/// One area to draw.
#[derive(Debug, Clone)]
pub struct MapArea<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// Its outline in longitude/latitude; `None` when no imported boundary has its code.
    pub polygons: Option<&'a [Polygon]>,
    /// The value that picks its colour; `None` draws it hatched as "no figure".
    pub value: Option<f64>,
    /// The value as people read it ("£12,300", "decile 2").
    pub label: String,
    /// Where following the area goes.
    pub href: Option<String>,
}

/// How values become colours: class upper bounds (inclusive, ascending) with their legend labels.
#[derive(Debug, Clone)]
pub struct MapClasses {
    pub title: String,
    pub bounds: Vec<f64>,
    pub labels: Vec<String>,
    /// Colours, one per class; darker = more of what the map shows.
    pub colours: Vec<&'static str>,
}

/// Five sequential blues (ColorBrewer Blues, colour-blind safe), light to dark.
const BLUES: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
/// Ten purples for deprivation deciles, decile 1 (most deprived) darkest.
const DECILES: [&str; 10] = [
    "#3f007d", "#54278f", "#6a51a3", "#807dba", "#9e9ac8", "#bcbddc", "#dadaeb", "#e7e6f1",
    "#efedf5", "#fcfbfd",
];

impl MapClasses {
    /// IMD deciles 1–10, decile 1 darkest.
    pub fn deciles(title: &str) -> MapClasses {
        MapClasses {
            title: title.to_string(),
            bounds: (1..=10).map(f64::from).collect(),
            labels: (1..=10)
                .map(|d| match d {
                    1 => "1 (most deprived)".to_string(),
                    10 => "10 (least deprived)".to_string(),
                    d => d.to_string(),
                })
                .collect(),
            colours: DECILES.to_vec(),
        }
    }

    /// Up to five classes of equal width from zero to the largest value, labelled by `fmt`.
    pub fn equal(title: &str, values: &[f64], fmt: &dyn Fn(f64) -> String) -> MapClasses {
        let max = values.iter().copied().fold(0.0_f64, f64::max);
        if max <= 0.0 {
            return MapClasses {
                title: title.to_string(),
                bounds: vec![0.0],
                labels: vec!["None".to_string()],
                colours: vec![BLUES[0]],
            };
        }
        let step = max / 5.0;
        let bounds: Vec<f64> = (1..=5).map(|i| step * f64::from(i)).collect();
        let labels = (0..5)
            .map(|i| {
                let lo = step * i as f64;
                if i == 0 {
                    format!("up to {}", fmt(bounds[0]))
                } else {
                    format!("{} to {}", fmt(lo), fmt(bounds[i]))
                }
            })
            .collect();
        MapClasses {
            title: title.to_string(),
            bounds,
            labels,
            colours: BLUES.to_vec(),
        }
    }

    fn class_of(&self, v: f64) -> usize {
        self.bounds
            .iter()
            .position(|b| v <= *b + 1e-9)
            .unwrap_or(self.bounds.len() - 1)
    }
}

/// A drawn map with what the page shows beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Choropleth {
    pub svg: String,
    /// The map in sentences: what is drawn, the highest and lowest, what has no boundary.
    pub summary: String,
    /// Areas with no boundary: (code, name).
    pub missing: Vec<(String, String)>,
}

/// Draws `areas` as a choropleth `id` (unique on the page) titled `title`. Returns no SVG (and says
/// so) when no area has a boundary.
pub fn choropleth(id: &str, title: &str, areas: &[MapArea], classes: &MapClasses) -> Choropleth {
    let (w, map_h) = (640.0_f64, 420.0_f64);
    // The legend wraps into rows of equal slots wide enough for its longest label.
    let n_items = classes.labels.len() + 1;
    let longest = classes
        .labels
        .iter()
        .map(|l| l.chars().count())
        .chain([9])
        .max()
        .unwrap_or(9) as f64;
    let slot = (longest * 6.4 + 26.0).min(w - 16.0);
    let per_row = (((w - 16.0) / slot).floor() as usize).max(1);
    let rows = n_items.div_ceil(per_row);
    let h = map_h + 30.0 + rows as f64 * 22.0;
    let drawn: Vec<&MapArea> = areas.iter().filter(|a| a.polygons.is_some()).collect();
    let missing: Vec<(String, String)> = areas
        .iter()
        .filter(|a| a.polygons.is_none())
        .map(|a| (a.code.to_string(), a.name.to_string()))
        .collect();
    let shapes: Vec<&[Polygon]> = drawn.iter().filter_map(|a| a.polygons).collect();
    let owned: Vec<Vec<Polygon>> = shapes.iter().map(|s| s.to_vec()).collect();
    let summary = summary(title, &drawn, &missing);
    let Some(proj) = Projector::fit(owned.iter(), w, map_h, 8.0) else {
        return Choropleth {
            svg: String::new(),
            summary,
            missing,
        };
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-map" viewBox="0 0 {w} {h}" role="group" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&summary)
    );
    let _ = write!(
        s,
        r##"<defs><pattern id="{id}-none" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#6f777b" stroke-width="2"/></pattern></defs>"##
    );
    for (a, shape) in drawn.iter().zip(&owned) {
        let fill = match a.value {
            Some(v) => {
                classes.colours[classes.class_of(v).min(classes.colours.len() - 1)].to_string()
            }
            None => format!("url(#{id}-none)"),
        };
        let name = format!("{}: {}", a.name, a.label);
        let path = proj.path(shape, 0.6);
        match &a.href {
            Some(href) => {
                let _ = write!(
                    s,
                    r##"<a href="{}" aria-label="{}"><path d="{path}" fill="{fill}" stroke="#0b0c0c" stroke-width="0.6"><title>{}</title></path></a>"##,
                    esc(href),
                    esc(&name),
                    esc(&name)
                );
            }
            None => {
                let _ = write!(
                    s,
                    r##"<path d="{path}" fill="{fill}" stroke="#0b0c0c" stroke-width="0.6"><title>{}</title></path>"##,
                    esc(&name)
                );
            }
        }
    }
    // The legend under the map.
    let top = map_h + 4.0;
    let _ = write!(
        s,
        r##"<text x="8" y="{:.1}" font-size="13" fill="#0b0c0c">{}</text>"##,
        top + 12.0,
        esc(&classes.title)
    );
    for (i, label) in classes
        .labels
        .iter()
        .map(String::as_str)
        .chain(["No figure"])
        .enumerate()
    {
        let x = 8.0 + slot * (i % per_row) as f64;
        let y = top + 22.0 + 22.0 * (i / per_row) as f64;
        let fill = if i < classes.labels.len() {
            classes.colours[i.min(classes.colours.len() - 1)].to_string()
        } else {
            format!("url(#{id}-none)")
        };
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{y:.1}" width="14" height="14" fill="{fill}" stroke="#0b0c0c" stroke-width="0.6"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#0b0c0c">{}</text>"##,
            x + 18.0,
            y + 11.0,
            esc(label)
        );
    }
    s.push_str("</svg>");
    Choropleth {
        svg: s,
        summary,
        missing,
    }
}

fn summary(title: &str, drawn: &[&MapArea], missing: &[(String, String)]) -> String {
    let mut out = format!("{title}: {} areas drawn.", drawn.len());
    let valued: Vec<&&MapArea> = drawn.iter().filter(|a| a.value.is_some()).collect();
    let hi = valued
        .iter()
        .max_by(|a, b| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0)));
    let lo = valued
        .iter()
        .min_by(|a, b| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0)));
    if let (Some(hi), Some(lo)) = (hi, lo)
        && valued.len() > 1
    {
        let _ = write!(
            out,
            " Highest: {} ({}). Lowest: {} ({}).",
            hi.name, hi.label, lo.name, lo.label
        );
    }
    let none = drawn.len() - valued.len();
    if none > 0 {
        let _ = write!(out, " {none} drawn areas have no figure (hatched).");
    }
    if !missing.is_empty() {
        let names: Vec<String> = missing
            .iter()
            .take(12)
            .map(|(c, n)| format!("{n} ({c})"))
            .collect();
        let _ = write!(
            out,
            " {} areas have no boundary in the imported files and are not drawn (ward codes change; import current boundaries to draw them): {}{}.",
            missing.len(),
            names.join(", "),
            if missing.len() > 12 { ", …" } else { "" }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64) -> Vec<Polygon> {
        vec![vec![vec![
            [x, 53.0],
            [x, 53.01],
            [x + 0.01, 53.01],
            [x + 0.01, 53.0],
            [x, 53.0],
        ]]]
    }

    #[test]
    fn draws_links_legend_and_lists_missing() {
        let (a, b) = (square(-2.3), square(-2.29));
        let areas = vec![
            MapArea {
                code: "E05000001",
                name: "North & South",
                polygons: Some(&a),
                value: Some(1.0),
                label: "decile 1".into(),
                href: Some("/places/E05000001".into()),
            },
            MapArea {
                code: "E05000002",
                name: "East",
                polygons: Some(&b),
                value: None,
                label: "no figure".into(),
                href: None,
            },
            MapArea {
                code: "E05000003",
                name: "Newward",
                polygons: None,
                value: Some(3.0),
                label: "decile 3".into(),
                href: None,
            },
        ];
        let m = choropleth(
            "m",
            "Deprivation",
            &areas,
            &MapClasses::deciles("IMD decile"),
        );
        assert!(
            m.svg.contains(
                r#"<a href="/places/E05000001" aria-label="North &amp; South: decile 1">"#
            )
        );
        assert!(m.svg.contains("url(#m-none)"));
        assert!(m.svg.contains("1 (most deprived)"));
        assert_eq!(
            m.missing,
            vec![("E05000003".to_string(), "Newward".to_string())]
        );
        assert!(m.summary.contains("Newward (E05000003)"), "{}", m.summary);
        assert!(m.summary.contains("2 areas drawn"));
        let none = choropleth("n", "T", &areas[2..], &MapClasses::deciles("d"));
        assert!(none.svg.is_empty());
    }

    #[test]
    fn equal_classes_cover_zero_to_max() {
        let c = MapClasses::equal("£", &[0.0, 50.0, 100.0], &|v| format!("{v:.0}"));
        assert_eq!(c.class_of(0.0), 0);
        assert_eq!(c.class_of(100.0), 4);
        assert_eq!(c.labels[4], "80 to 100");
    }
}
