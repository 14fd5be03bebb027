//! The model: named resources, a cluster's capacity matrix, a workload's demand matrix and the
//! dependency graph between tasks, joined and validated in a [`Problem`].

mod cluster;
mod dag;
mod problem;
mod resources;
mod workload;

pub use cluster::Cluster;
pub use dag::{check_acyclic, topological_order};
pub use problem::Problem;
pub use resources::Resources;
pub use workload::Workload;

use crate::error::{Error, Location, Result};
use ndarray::Array2;

/// Checks that every value of a matrix is finite and not negative.
fn check_matrix(field: &'static str, matrix: &Array2<f64>, resources: &Resources) -> Result<()> {
    check_matrix_signed(field, matrix, resources, false)
}

/// Checks that every value of a matrix is finite and, unless `allow_negative`, not negative.
fn check_matrix_signed(
    field: &'static str,
    matrix: &Array2<f64>,
    resources: &Resources,
    allow_negative: bool,
) -> Result<()> {
    if matrix.ncols() != resources.len() {
        return Err(Error::RowLength {
            field,
            row: 0,
            expected: resources.len(),
            found: matrix.ncols(),
        });
    }
    for ((row, col), &value) in matrix.indexed_iter() {
        let at = || Location {
            field,
            row,
            resource: Some(resources.name(col).to_string()),
        };
        if allow_negative {
            check_finite(value, at)?;
        } else {
            check_value(value, at)?;
        }
    }
    Ok(())
}

/// Checks that a per-row list has one finite, non-negative value per row.
fn check_list(field: &'static str, values: &[f64], rows: usize) -> Result<()> {
    check_len(field, "task", values.len(), rows)?;
    for (row, &value) in values.iter().enumerate() {
        check_value(value, || Location {
            field,
            row,
            resource: None,
        })?;
    }
    Ok(())
}

fn check_finite(value: f64, at: impl Fn() -> Location) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::NotFinite { at: at(), value })
    }
}

fn check_value(value: f64, at: impl Fn() -> Location) -> Result<()> {
    check_finite(value, &at)?;
    if value < 0.0 {
        return Err(Error::Negative { at: at(), value });
    }
    Ok(())
}

fn check_len(field: &'static str, per: &'static str, found: usize, expected: usize) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            field,
            per,
            expected,
            found,
        })
    }
}
