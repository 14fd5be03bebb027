//! Scenarios as two CSV files, for people who keep their data in spreadsheets.
//!
//! ```text
//! nodes.csv                     tasks.csv
//! name,cpu,memory,gpu           name,cpu,memory,gpu,priority,duration,depends_on,tenant
//! big,64,256,0                  web,2,4,0,0,10,,a
//! gpu-1,32,128,4                train,8,32,2,5,3600,0,b
//! ```
//!
//! - The header names the columns; every column that is not a reserved name is a resource. The
//!   tasks file names the same resources as the nodes file, in any order.
//! - Reserved, all optional: `name` (both files); `priority` (integer, higher first), `duration`
//!   and `arrival` (seconds), `depends_on` (task indices from 0, separated by `;`), `tenant`,
//!   `allowed_nodes` (node indices separated by `;`; empty: any node; `none`: no node) in the
//!   tasks file. A `priority`, `duration` or `arrival` column needs a value in every row.
//! - Numbers are finite and not negative; spaces around numbers and header names are ignored,
//!   names and tenants are kept as written.
//!
//! Errors name the file, the line (the header is line 1) and the column: see
//! [`crate::Error::Csv`]. Further checks (a dependency cycle) are the model's.

use crate::error::{Error, Result};
use crate::model::{Cluster, Problem, Resources, Workload};
use ndarray::Array2;
use std::path::Path;

/// The reserved columns of a tasks file; `name` is also the nodes file's.
pub const TASK_COLUMNS: [&str; 7] = [
    "name",
    "priority",
    "duration",
    "arrival",
    "depends_on",
    "tenant",
    "allowed_nodes",
];

/// Loads a scenario from a nodes file and a tasks file.
pub fn load(nodes: impl AsRef<Path>, tasks: impl AsRef<Path>) -> Result<Problem> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|source| Error::Io {
            path: p.display().to_string(),
            source,
        })
    };
    let (n, t) = (nodes.as_ref(), tasks.as_ref());
    from_csv(
        &read(n)?,
        &n.display().to_string(),
        &read(t)?,
        &t.display().to_string(),
    )
}

/// Saves a problem as a nodes file and a tasks file.
pub fn save(problem: &Problem, nodes: impl AsRef<Path>, tasks: impl AsRef<Path>) -> Result<()> {
    let (n, t) = to_csv(problem)?;
    for (path, text) in [(nodes.as_ref(), n), (tasks.as_ref(), t)] {
        std::fs::write(path, text).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

/// A CSV file read into cells, each row with its line.
struct Sheet<'a> {
    origin: &'a str,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl<'a> Sheet<'a> {
    fn read(text: &str, origin: &'a str) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| csv_error(origin, &e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let rows = reader
            .records()
            .map(|r| {
                let r = r.map_err(|e| csv_error(origin, &e))?;
                Ok((r.position().map_or(0, csv::Position::line), r))
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            origin,
            headers,
            rows,
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    fn error(&self, line: u64, column: Option<&str>, message: String) -> Error {
        Error::Csv {
            path: self.origin.to_string(),
            line,
            column: column.map(String::from),
            message,
        }
    }

    /// Parses every cell of a column with `parse`, which says what is wrong with a bad cell.
    fn cells<T>(
        &self,
        col: usize,
        parse: impl Fn(&str) -> std::result::Result<T, String>,
    ) -> Result<Vec<T>> {
        self.rows
            .iter()
            .map(|(line, r)| {
                parse(r.get(col).unwrap_or(""))
                    .map_err(|m| self.error(*line, Some(&self.headers[col]), m))
            })
            .collect()
    }

    /// A resource matrix: rows x `resources`, each column found by its header.
    fn matrix(&self, resources: &[String]) -> Result<Array2<f64>> {
        let mut m = Array2::zeros((self.rows.len(), resources.len()));
        for (j, name) in resources.iter().enumerate() {
            let col = self.column(name).ok_or_else(|| {
                self.error(
                    1,
                    None,
                    format!(
                        "no column for resource {name:?} (the nodes file has {})",
                        resources.join(", ")
                    ),
                )
            })?;
            for (i, v) in self.cells(col, amount)?.into_iter().enumerate() {
                m[[i, j]] = v;
            }
        }
        Ok(m)
    }

    /// An optional column, parsed when present.
    fn optional<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> std::result::Result<T, String>,
    ) -> Result<Option<Vec<T>>> {
        self.column(name).map(|c| self.cells(c, parse)).transpose()
    }
}

fn csv_error(origin: &str, e: &csv::Error) -> Error {
    Error::Csv {
        path: origin.to_string(),
        line: e.position().map_or(1, csv::Position::line),
        column: None,
        message: match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields, the header has {expected_len}"),
            _ => e.to_string(),
        },
    }
}

fn amount(text: &str) -> std::result::Result<f64, String> {
    let text = text.trim();
    match text.parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(format!("{text:?} is not a finite number")),
        Ok(v) if v < 0.0 => Err(format!("{text:?} is negative")),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("{text:?} is not a number")),
    }
}

/// `a;b;c` as indices below `limit` (`what`: tasks or nodes); empty is none.
fn indices(text: &str, limit: usize, what: &str) -> std::result::Result<Vec<usize>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<usize>() {
            Ok(i) if i < limit => Ok(i),
            Ok(i) => Err(format!("{what} {i} does not exist (there are {limit})")),
            Err(_) => Err(format!("{s:?} is not a {what} index")),
        })
        .collect()
}

/// Parses and validates a scenario from the text of its two files.
pub fn from_csv(
    nodes: &str,
    nodes_origin: &str,
    tasks: &str,
    tasks_origin: &str,
) -> Result<Problem> {
    let n = Sheet::read(nodes, nodes_origin)?;
    let t = Sheet::read(tasks, tasks_origin)?;
    let names: Vec<String> = n.headers.iter().filter(|h| *h != "name").cloned().collect();
    if let Some(extra) = t
        .headers
        .iter()
        .find(|h| !TASK_COLUMNS.contains(&h.as_str()) && !names.contains(h))
    {
        return Err(t.error(
            1,
            Some(extra),
            format!(
                "not a resource of the nodes file ({}) nor one of {}",
                names.join(", "),
                TASK_COLUMNS.join(", ")
            ),
        ));
    }
    let resources = Resources::new(names.clone())?;
    let mut cluster = Cluster::new(resources.clone(), n.matrix(&names)?)?;
    if let Some(node_names) = n.optional("name", |s| Ok(s.to_string()))? {
        cluster = cluster.with_names(node_names)?;
    }
    let (node_count, task_count) = (n.rows.len(), t.rows.len());
    let mut w = Workload::new(resources, t.matrix(&names)?)?;
    if let Some(v) = t.optional("name", |s| Ok(s.to_string()))? {
        w = w.with_names(v)?;
    }
    if let Some(v) = t.optional("priority", |s| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("{s:?} is not an integer"))
    })? {
        w = w.with_priority(v)?;
    }
    if let Some(v) = t.optional("duration", amount)? {
        w = w.with_duration(v)?;
    }
    if let Some(v) = t.optional("arrival", amount)? {
        w = w.with_arrival(v)?;
    }
    if let Some(v) = t.optional("depends_on", |s| indices(s, task_count, "task"))? {
        w = w.with_dependencies(v)?;
    }
    if let Some(v) = t.optional("tenant", |s| Ok(s.to_string()))? {
        w = w.with_tenants(v)?;
    }
    let allowed = t.optional("allowed_nodes", |s| match s.trim() {
        "" => Ok(None),
        "none" => Ok(Some(Vec::new())),
        s => indices(s, node_count, "node").map(Some),
    })?;
    let problem = Problem::new(cluster, w)?;
    match allowed {
        Some(a) => problem.with_allowed_nodes(a),
        None => Ok(problem),
    }
}

/// The text of the nodes file and of the tasks file of a problem. Reading them back with
/// [`from_csv`] gives the same problem (numbers are written in Rust's shortest exact form).
///
/// Errors: a resource named like a reserved column (`name`, `priority`, ...) or with spaces
/// around its name, which a header cannot hold.
pub fn to_csv(problem: &Problem) -> Result<(String, String)> {
    let resources = problem.resources().names();
    if let Some(bad) = resources
        .iter()
        .find(|r| TASK_COLUMNS.contains(&r.as_str()) || r.trim() != r.as_str())
    {
        return Err(Error::Csv {
            path: "nodes".into(),
            line: 1,
            column: Some(bad.clone()),
            message: format!("resource {bad:?} cannot be a CSV header (reserved or padded name)"),
        });
    }
    let cluster = problem.cluster();
    let mut header: Vec<String> = Vec::new();
    if cluster.names().is_some() {
        header.push("name".into());
    }
    header.extend(resources.iter().cloned());
    let nodes = (0..problem.nodes()).map(|n| {
        let mut row: Vec<String> = cluster
            .names()
            .map(|names| names[n].clone())
            .into_iter()
            .collect();
        row.extend(problem.capacity(n).iter().map(f64::to_string));
        row
    });
    let nodes_text = write(&header, nodes);

    let a = problem.workload().attributes();
    let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(";");
    let mut header: Vec<String> = Vec::new();
    if a.names.is_some() {
        header.push("name".into());
    }
    header.extend(resources.iter().cloned());
    let optional = [
        ("priority", a.priority.is_some()),
        ("duration", a.duration.is_some()),
        ("arrival", a.arrival.is_some()),
        ("depends_on", a.depends_on.is_some()),
        ("tenant", a.tenant.is_some()),
        ("allowed_nodes", problem.has_restrictions()),
    ];
    header.extend(
        optional
            .iter()
            .filter(|(_, on)| *on)
            .map(|(c, _)| c.to_string()),
    );
    let tasks = (0..problem.tasks()).map(|t| {
        let mut row: Vec<String> = a.names.map(|names| names[t].clone()).into_iter().collect();
        row.extend(problem.demand(t).iter().map(f64::to_string));
        row.extend(a.priority.map(|p| p[t].to_string()));
        row.extend(a.duration.map(|d| d[t].to_string()));
        row.extend(a.arrival.map(|d| d[t].to_string()));
        row.extend(a.depends_on.map(|d| join(&d[t])));
        row.extend(a.tenant.map(|d| d[t].clone()));
        if problem.has_restrictions() {
            row.push(match problem.allowed_nodes(t) {
                None => String::new(),
                Some([]) => "none".into(),
                Some(list) => join(list),
            });
        }
        row
    });
    Ok((nodes_text, write(&header, tasks)))
}

fn write(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for row in rows {
        w.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}
