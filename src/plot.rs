//! SVG charts of reports (feature `plot`).
