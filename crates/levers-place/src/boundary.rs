//! Area boundaries read from GeoJSON in longitude/latitude and projected for drawing.
