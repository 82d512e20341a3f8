//! Unit tests of the charts.
