//! Utilization and queue length over time, in a fixed number of buckets whatever the time
//! simulated: when the clock passes the last bucket, neighbours merge and buckets double in
//! width. Memory is O(points), not O(time).

use serde::Serialize;

/// Time-weighted means per bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Start of each bucket, seconds.
    pub time: Vec<f64>,
    /// Mean utilization in the bucket: used / capacity of the nodes up, averaged over the
    /// resources that have capacity.
    pub utilization: Vec<f64>,
    /// Mean number of tasks waiting (ready, not running) in the bucket.
    pub waiting: Vec<f64>,
}

/// The accumulator behind a [`Series`].
#[derive(Debug, Clone)]
pub(crate) struct Buckets {
    width: f64,
    sums: Vec<[f64; 2]>,
}

impl Buckets {
    /// `points` buckets (rounded up to an even number, at least 2), the first ones about a
    /// millisecond wide.
    pub fn new(points: usize) -> Self {
        Self {
            width: 1.0 / 1024.0,
            sums: vec![[0.0; 2]; points.max(2).next_multiple_of(2)],
        }
    }

    /// Adds the constant values `utilization` and `waiting` over `[from, to)`.
    pub fn add(&mut self, from: f64, to: f64, utilization: f64, waiting: f64) {
        if to <= from {
            return;
        }
        let n = self.sums.len();
        while to > self.width * n as f64 {
            for i in 0..n / 2 {
                let (a, b) = (self.sums[2 * i], self.sums[2 * i + 1]);
                self.sums[i] = [a[0] + b[0], a[1] + b[1]];
            }
            self.sums[n / 2..].fill([0.0; 2]);
            self.width *= 2.0;
        }
        let first = ((from / self.width) as usize).min(n - 1);
        for i in first..n {
            let (start, end) = (i as f64 * self.width, (i + 1) as f64 * self.width);
            let overlap = to.min(end) - from.max(start);
            if overlap > 0.0 {
                self.sums[i][0] += utilization * overlap;
                self.sums[i][1] += waiting * overlap;
            }
            if to <= end {
                break;
            }
        }
    }

    /// The means per bucket up to `end`.
    pub fn finish(&self, end: f64) -> Series {
        let mut series = Series {
            time: Vec::new(),
            utilization: Vec::new(),
            waiting: Vec::new(),
        };
        for (i, sum) in self.sums.iter().enumerate() {
            let start = i as f64 * self.width;
            if start >= end {
                break;
            }
            let span = self.width.min(end - start);
            series.time.push(start);
            series.utilization.push(sum[0] / span);
            series.waiting.push(sum[1] / span);
        }
        series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_buckets_and_keeps_time_weighted_means() {
        let mut b = Buckets::new(4);
        b.add(0.0, 1.0, 1.0, 2.0);
        b.add(1.0, 3.0, 0.5, 0.0);
        let s = b.finish(3.0);
        // Width doubles until 4 buckets cover 3 s: 1 s each.
        assert_eq!(s.time, vec![0.0, 1.0, 2.0]);
        assert_eq!(s.utilization, vec![1.0, 0.5, 0.5]);
        assert_eq!(s.waiting, vec![2.0, 0.0, 0.0]);
        b.add(3.0, 8.0, 0.0, 1.0);
        let s = b.finish(8.0);
        assert_eq!(s.time, vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(s.utilization, vec![0.75, 0.25, 0.0, 0.0]);
        assert_eq!(s.waiting, vec![1.0, 0.5, 1.0, 1.0]);
    }
}
