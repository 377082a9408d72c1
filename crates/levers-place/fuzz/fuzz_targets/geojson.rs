//! Fuzz target: the GeoJSON boundary reader never panics on any bytes; whatever it accepts projects
//! and draws without panicking.
#![no_main]

use levers_place::boundary::{Projector, read_geojson};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(read) = read_geojson("fuzz", data) {
        assert!(read.areas.len() + read.skipped.len() <= read.features);
        let shapes: Vec<_> = read.areas.iter().map(|a| a.polygons.clone()).collect();
        if let Some(p) = Projector::fit(shapes.iter(), 640.0, 480.0, 8.0) {
            for s in &shapes {
                let _ = p.path(s, 0.5);
            }
        }
    }
});
