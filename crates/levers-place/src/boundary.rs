//! Area boundaries: read from a GeoJSON FeatureCollection in longitude/latitude (as ONS publishes
//! them, CRS84), simplified, and projected for drawing.
//!
//! Projection: equirectangular at the drawn areas' middle latitude (x = longitude × cos φ₀,
//! y = −latitude), scaled to fit. Over a district or a county (well under 100 km) its distortion is
//! far below a pixel of difference from British National Grid, and it needs no datum shift or
//! transverse Mercator series; it would not do for a map of the whole country.

use levers_core::AreaCode;
use serde::{Deserialize, Serialize};

/// One ring of points, `[longitude, latitude]` (or projected `[x, y]`).
pub type Ring = Vec<[f64; 2]>;
/// A polygon: its outer ring, then any holes.
pub type Polygon = Vec<Ring>;

/// One area's outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    pub code: AreaCode,
    pub name: String,
    /// Polygons in longitude/latitude.
    pub polygons: Vec<Polygon>,
}

/// A feature that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// 1-based position of the feature in the file.
    pub feature: usize,
    pub reason: String,
}

/// What a boundary file held.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BoundaryRead {
    pub features: usize,
    pub areas: Vec<Boundary>,
    pub skipped: Vec<Skipped>,
}

/// Why a boundary file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum BoundaryError {
    #[error(
        "{file}: is {size} bytes; boundary files over {max} bytes are refused (split it by district)"
    )]
    TooBig {
        file: String,
        size: usize,
        max: usize,
    },
    #[error("{file}: not valid JSON at line {line}, column {column}: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{file}: not a GeoJSON FeatureCollection (no \"features\" list): export boundaries as GeoJSON in longitude/latitude"
    )]
    NotFeatureCollection { file: String },
    #[error(
        "{file}: coordinates are not longitude/latitude (saw {x}, {y}): export in WGS84/CRS84, as ONS publishes GeoJSON"
    )]
    NotLonLat { file: String, x: f64, y: f64 },
}

/// Files larger than this are refused (the shared district files are under 1 MB).
pub const MAX_BOUNDARY_BYTES: usize = 64 * 1024 * 1024;

/// Tolerance for simplifying stored outlines, in degrees (about 10 m).
pub const STORE_TOLERANCE: f64 = 0.0001;

/// The area code and name of a feature: the first property ending `cd` holding a GSS code (LSOA11CD,
/// WD13CD, lad24cd …) and the matching `nm` property.
fn code_and_name(props: &serde_json::Map<String, serde_json::Value>) -> Option<(AreaCode, String)> {
    let mut keys: Vec<&String> = props.keys().collect();
    keys.sort();
    for k in keys {
        let lower = k.to_lowercase();
        if !lower.ends_with("cd") {
            continue;
        }
        if let Some(code) = props[k].as_str().and_then(|s| AreaCode::parse(s).ok()) {
            let stem = &k[..k.len() - 2];
            let name = props
                .iter()
                .find(|(n, _)| {
                    n.len() == k.len()
                        && n[..n.len() - 2] == *stem
                        && n.to_lowercase().ends_with("nm")
                })
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("")
                .to_string();
            return Some((code, name));
        }
    }
    None
}

fn ring(v: &serde_json::Value) -> Option<Ring> {
    v.as_array()?
        .iter()
        .map(|p| {
            let a = p.as_array()?;
            Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?])
        })
        .collect()
}

fn polygon(v: &serde_json::Value) -> Option<Polygon> {
    v.as_array()?.iter().map(ring).collect()
}

/// Reads a GeoJSON FeatureCollection (at most [`MAX_BOUNDARY_BYTES`]); outlines are simplified to
/// [`STORE_TOLERANCE`]. Features without a GSS code or a (Multi)Polygon are listed as skipped.
pub fn read_geojson(file: &str, bytes: &[u8]) -> Result<BoundaryRead, BoundaryError> {
    if bytes.len() > MAX_BOUNDARY_BYTES {
        return Err(BoundaryError::TooBig {
            file: file.to_string(),
            size: bytes.len(),
            max: MAX_BOUNDARY_BYTES,
        });
    }
    let doc: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| BoundaryError::Json {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    let features = doc
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| BoundaryError::NotFeatureCollection {
            file: file.to_string(),
        })?;
    let mut out = BoundaryRead {
        features: features.len(),
        ..BoundaryRead::default()
    };
    for (i, f) in features.iter().enumerate() {
        let skip = |reason: &str| Skipped {
            feature: i + 1,
            reason: reason.to_string(),
        };
        let Some((code, name)) = f
            .get("properties")
            .and_then(|p| p.as_object())
            .and_then(code_and_name)
        else {
            out.skipped
                .push(skip("no property ending CD holds a GSS area code"));
            continue;
        };
        let geom = f.get("geometry");
        let kind = geom.and_then(|g| g.get("type")).and_then(|t| t.as_str());
        let coords = geom.and_then(|g| g.get("coordinates"));
        let polygons = match (kind, coords) {
            (Some("Polygon"), Some(c)) => polygon(c).map(|p| vec![p]),
            (Some("MultiPolygon"), Some(c)) => c
                .as_array()
                .and_then(|ps| ps.iter().map(polygon).collect::<Option<Vec<_>>>()),
            _ => None,
        };
        let Some(polygons) = polygons.filter(|p| !p.is_empty()) else {
            out.skipped.push(skip(&format!(
                "{code}: the geometry is not a Polygon or MultiPolygon of [longitude, latitude] points"
            )));
            continue;
        };
        if let Some(p) = polygons
            .iter()
            .flatten()
            .flatten()
            .find(|p| !(-180.0..=180.0).contains(&p[0]) || !(-90.0..=90.0).contains(&p[1]))
        {
            return Err(BoundaryError::NotLonLat {
                file: file.to_string(),
                x: p[0],
                y: p[1],
            });
        }
        out.areas.push(Boundary {
            code,
            name,
            polygons: simplify_polygons(&polygons, STORE_TOLERANCE),
        });
    }
    Ok(out)
}

/// Douglas–Peucker on each ring, keeping at least four points (a closed triangle) per ring.
pub fn simplify_polygons(polygons: &[Polygon], tolerance: f64) -> Vec<Polygon> {
    polygons
        .iter()
        .map(|p| p.iter().map(|r| simplify_ring(r, tolerance)).collect())
        .collect()
}

fn simplify_ring(r: &Ring, tolerance: f64) -> Ring {
    if r.len() <= 4 {
        return r.clone();
    }
    let mut keep = vec![false; r.len()];
    keep[0] = true;
    keep[r.len() - 1] = true;
    // A closed ring's ends coincide: split at the point farthest from the start as well.
    let far = (1..r.len() - 1)
        .max_by(|&a, &b| dist2(r[a], r[0]).total_cmp(&dist2(r[b], r[0])))
        .unwrap_or(1);
    keep[far] = true;
    let mut stack = vec![(0, far), (far, r.len() - 1)];
    let tol2 = tolerance * tolerance;
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut best, mut idx) = (0.0, a);
        for i in a + 1..b {
            let d = seg_dist2(r[i], r[a], r[b]);
            if d > best {
                best = d;
                idx = i;
            }
        }
        if best > tol2 {
            keep[idx] = true;
            stack.push((a, idx));
            stack.push((idx, b));
        }
    }
    let out: Ring = r
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| *p)
        .collect();
    if out.len() < 4 { r.clone() } else { out }
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

fn seg_dist2(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * dx, a[1] + t * dy])
}

/// Projects longitude/latitude onto a drawing `width` × `height` (with `margin`), equirectangular
/// at the middle latitude of everything drawn, north up, aspect kept.
#[derive(Debug, Clone, Copy)]
pub struct Projector {
    cos_lat: f64,
    min_x: f64,
    max_y: f64,
    scale: f64,
    off_x: f64,
    off_y: f64,
}

impl Projector {
    /// Fits every point of `shapes`; `None` when there is nothing to draw.
    pub fn fit<'a>(
        shapes: impl IntoIterator<Item = &'a Vec<Polygon>> + Clone,
        width: f64,
        height: f64,
        margin: f64,
    ) -> Option<Projector> {
        let pts = || {
            shapes
                .clone()
                .into_iter()
                .flat_map(|ps| ps.iter().flat_map(|p| p.iter().flatten()))
        };
        let (mut lo_lat, mut hi_lat) = (f64::MAX, f64::MIN);
        for p in pts() {
            lo_lat = lo_lat.min(p[1]);
            hi_lat = hi_lat.max(p[1]);
        }
        if lo_lat > hi_lat {
            return None;
        }
        let cos_lat = ((lo_lat + hi_lat) / 2.0).to_radians().cos();
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in pts() {
            let (x, y) = (p[0] * cos_lat, p[1]);
            min_x = min_x.min(x);
            max_x = max_x.max(x);
            min_y = min_y.min(y);
            max_y = max_y.max(y);
        }
        let (w, h) = ((max_x - min_x).max(1e-9), (max_y - min_y).max(1e-9));
        let scale = ((width - 2.0 * margin) / w).min((height - 2.0 * margin) / h);
        Some(Projector {
            cos_lat,
            min_x,
            max_y,
            scale,
            off_x: margin + ((width - 2.0 * margin) - w * scale) / 2.0,
            off_y: margin + ((height - 2.0 * margin) - h * scale) / 2.0,
        })
    }

    pub fn project(&self, p: [f64; 2]) -> [f64; 2] {
        [
            self.off_x + (p[0] * self.cos_lat - self.min_x) * self.scale,
            self.off_y + (self.max_y - p[1]) * self.scale,
        ]
    }

    /// The SVG path of `polygons`, simplified to `px` drawing units, with the even-odd rule in mind
    /// (holes are separate subpaths).
    pub fn path(&self, polygons: &[Polygon], px: f64) -> String {
        let projected: Vec<Polygon> = polygons
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| r.iter().map(|q| self.project(*q)).collect())
                    .collect()
            })
            .collect();
        let mut s = String::new();
        for poly in simplify_polygons(&projected, px) {
            for r in poly {
                for (i, p) in r.iter().enumerate() {
                    s.push(if i == 0 { 'M' } else { 'L' });
                    s.push_str(&format!("{:.1} {:.1}", p[0], p[1]));
                }
                s.push('Z');
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"LSOA11CD":"E01006074","LSOA11NM":"Trafford 025A"},
       "geometry":{"type":"Polygon","coordinates":[[[-2.3,53.4],[-2.3,53.41],[-2.29,53.41],[-2.29,53.4],[-2.3,53.4]]]}},
      {"type":"Feature","properties":{"WD13CD":"E05000819","WD13NM":"Altrincham"},
       "geometry":{"type":"MultiPolygon","coordinates":[[[[-2.3,53.4],[-2.3,53.41],[-2.29,53.4],[-2.3,53.4]]]]}},
      {"type":"Feature","properties":{"name":"no code"},"geometry":null}
    ]}"#;

    #[test]
    fn reads_codes_names_and_shapes() {
        let r = read_geojson("t.json", SQUARE.as_bytes()).unwrap();
        assert_eq!(r.features, 3);
        assert_eq!(r.areas.len(), 2);
        assert_eq!(r.areas[0].code.as_str(), "E01006074");
        assert_eq!(r.areas[0].name, "Trafford 025A");
        assert_eq!(r.areas[1].name, "Altrincham");
        assert_eq!(r.skipped[0].feature, 3);
    }

    #[test]
    fn refuses_projected_coordinates_and_non_geojson() {
        let bng = SQUARE.replace("-2.3,53.4]", "380000,390000]");
        assert!(matches!(
            read_geojson("t.json", bng.as_bytes()),
            Err(BoundaryError::NotLonLat { .. })
        ));
        assert!(matches!(
            read_geojson("t.json", b"{\"type\":\"x\"}"),
            Err(BoundaryError::NotFeatureCollection { .. })
        ));
        let e = read_geojson("t.json", b"{\n,").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn projection_fits_and_keeps_north_up() {
        let r = read_geojson("t.json", SQUARE.as_bytes()).unwrap();
        let shapes: Vec<&Vec<Polygon>> = r.areas.iter().map(|a| &a.polygons).collect();
        let p = Projector::fit(shapes.iter().copied(), 400.0, 400.0, 10.0).unwrap();
        let sw = p.project([-2.3, 53.4]);
        let ne = p.project([-2.29, 53.41]);
        assert!(ne[1] < sw[1], "north is up");
        assert!(ne[0] > sw[0], "east is right");
        for q in [sw, ne] {
            assert!((10.0 - 1e-6..=390.0 + 1e-6).contains(&q[0]));
            assert!((10.0 - 1e-6..=390.0 + 1e-6).contains(&q[1]));
        }
        // A degree of longitude is shorter than one of latitude at 53°N.
        let w = ne[0] - sw[0];
        let h = sw[1] - ne[1];
        assert!((w / h - 53.405_f64.to_radians().cos()).abs() < 1e-3);
        assert!(p.path(&r.areas[0].polygons, 0.5).starts_with('M'));
    }

    #[test]
    fn simplification_keeps_shape_within_tolerance() {
        let ring: Ring = (0..=100)
            .map(|i| {
                let t = i as f64 / 100.0 * std::f64::consts::TAU;
                [t.cos(), t.sin()]
            })
            .collect();
        let s = simplify_ring(&ring, 0.01);
        assert!(s.len() < ring.len() && s.len() >= 4);
        assert_eq!(s.first(), ring.first());
        assert_eq!(s.last(), ring.last());
        for p in &ring {
            let d = s
                .windows(2)
                .map(|w| seg_dist2(*p, w[0], w[1]))
                .fold(f64::MAX, f64::min);
            assert!(d.sqrt() <= 0.01 + 1e-12);
        }
    }
}
