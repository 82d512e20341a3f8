//! Fixed-bin histograms ([`Histogram`]).

use serde::{Deserialize, Serialize};

use super::{StatsError, invalid_state};

/// Counts per fixed bin.
///
/// Bin `i` is `[eᵢ, eᵢ₊₁)`, except the last bin, which is closed on the right
/// (`[e_{n−1}, e_n]`). Values below `e₀` (including −∞) count as underflow, values above
/// `e_n` (including +∞) as overflow, and NaN separately ([`Histogram::nan`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "HistogramRepr")]
pub struct Histogram {
    edges: Vec<f64>,
    counts: Vec<u64>,
    underflow: u64,
    overflow: u64,
    nan: u64,
}

#[derive(Deserialize)]
struct HistogramRepr {
    edges: Vec<f64>,
    counts: Vec<u64>,
    underflow: u64,
    overflow: u64,
    nan: u64,
}

impl TryFrom<HistogramRepr> for Histogram {
    type Error = StatsError;

    fn try_from(r: HistogramRepr) -> Result<Self, StatsError> {
        let mut h = Histogram::new(r.edges)?;
        if r.counts.len() != h.counts.len() {
            return Err(invalid_state(
                "Histogram",
                "counts length != edges length - 1",
            ));
        }
        h.counts = r.counts;
        h.underflow = r.underflow;
        h.overflow = r.overflow;
        h.nan = r.nan;
        Ok(h)
    }
}

impl Histogram {
    /// An empty histogram with the given bin edges (units of the values), which must be
    /// finite, strictly increasing and at least 2 (giving `edges.len() − 1` bins).
    ///
    /// # Errors
    ///
    /// - [`StatsError::TooFewEdges`] if `edges.len() < 2`;
    /// - otherwise [`StatsError::InvalidEdges`] with the index of the first offending
    ///   edge, scanning from index 0: an edge that is not finite (NaN or ±∞), or one
    ///   (index ≥ 1) that is `<=` its predecessor.
    pub fn new(edges: Vec<f64>) -> Result<Self, StatsError> {
        if edges.len() < 2 {
            return Err(StatsError::TooFewEdges { len: edges.len() });
        }
        for (index, &e) in edges.iter().enumerate() {
            if !e.is_finite() {
                return Err(StatsError::InvalidEdges {
                    index,
                    reason: format!("edge {e} is not finite"),
                });
            }
            if index > 0 && e <= edges[index - 1] {
                return Err(StatsError::InvalidEdges {
                    index,
                    reason: format!(
                        "edge {e} does not exceed the previous edge {}",
                        edges[index - 1]
                    ),
                });
            }
        }
        let bins = edges.len() - 1;
        Ok(Histogram {
            edges,
            counts: vec![0; bins],
            underflow: 0,
            overflow: 0,
            nan: 0,
        })
    }

    /// `bins` equal-width bins from `lo` to `hi` (edges `lo + (hi−lo)·i/bins`, the last
    /// exactly `hi`).
    ///
    /// # Errors
    ///
    /// - [`StatsError::InvalidUniformRange`] if `lo` or `hi` is not finite, `lo >= hi`,
    ///   `hi − lo` overflows to ±∞, or `bins == 0`;
    /// - [`StatsError::InvalidEdges`] (from [`Histogram::new`]) if the computed edges
    ///   are not strictly increasing, e.g. when `bins` is so large relative to
    ///   `hi − lo` that adjacent edges round to the same `f64`.
    pub fn uniform(lo: f64, hi: f64, bins: usize) -> Result<Self, StatsError> {
        let width = hi - lo;
        if !(lo.is_finite() && hi.is_finite() && lo < hi && width.is_finite()) || bins == 0 {
            return Err(StatsError::InvalidUniformRange { lo, hi, bins });
        }
        let mut edges: Vec<f64> = (0..bins)
            .map(|i| lo + width * (i as f64 / bins as f64))
            .collect();
        edges.push(hi);
        Self::new(edges)
    }

    /// Counts one value.
    pub fn push(&mut self, x: f64) {
        let (first, last) = match (self.edges.first(), self.edges.last()) {
            (Some(&f), Some(&l)) => (f, l),
            _ => return,
        };
        if x.is_nan() {
            self.nan = self.nan.saturating_add(1);
        } else if x < first {
            self.underflow = self.underflow.saturating_add(1);
        } else if x > last {
            self.overflow = self.overflow.saturating_add(1);
        } else {
            // Number of edges ≤ x is in [1, edges.len()]; x == last maps to the last bin.
            let above = self.edges.partition_point(|&e| e <= x);
            let bin = above
                .saturating_sub(1)
                .min(self.counts.len().saturating_sub(1));
            if let Some(c) = self.counts.get_mut(bin) {
                *c = c.saturating_add(1);
            }
        }
    }

    /// Adds the counts of `other`.
    ///
    /// # Errors
    ///
    /// [`StatsError::EdgesMismatch`], leaving `self` unchanged, if the edges of `self`
    /// and `other` differ (different lengths, or any pair of edges not `==`).
    pub fn merge(&mut self, other: &Histogram) -> Result<(), StatsError> {
        if self.edges != other.edges {
            return Err(StatsError::EdgesMismatch);
        }
        for (a, &b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(b);
        }
        self.underflow = self.underflow.saturating_add(other.underflow);
        self.overflow = self.overflow.saturating_add(other.overflow);
        self.nan = self.nan.saturating_add(other.nan);
        Ok(())
    }

    /// The bin edges.
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// Counts per bin (`edges().len() − 1` of them).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Number of values below the first edge.
    pub fn underflow(&self) -> u64 {
        self.underflow
    }

    /// Number of values above the last edge.
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    /// Number of NaN values pushed (not part of [`Histogram::total`]).
    pub fn nan(&self) -> u64 {
        self.nan
    }

    /// Number of non-NaN values pushed: all bins plus underflow and overflow.
    pub fn total(&self) -> u64 {
        self.counts
            .iter()
            .fold(self.underflow.saturating_add(self.overflow), |a, &c| {
                a.saturating_add(c)
            })
    }
}
