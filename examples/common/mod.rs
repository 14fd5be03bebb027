//! Shared by the examples: a small flag parser and the exit-code convention (2 on bad input).

#![allow(dead_code)]

use std::collections::HashMap;
use std::str::FromStr;

/// Parsed `--flag value` pairs and `--switch`es.
pub struct Args {
    values: HashMap<String, String>,
    switches: Vec<String>,
}

impl Args {
    /// Parses the process arguments against the flags that take a value and the switches.
    pub fn parse(valued: &[&str], switches: &[&str]) -> Result<Self, String> {
        let mut args = Args {
            values: HashMap::new(),
            switches: Vec::new(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            if valued.contains(&flag.as_str()) {
                let value = match inline {
                    Some(v) => v,
                    None => it.next().ok_or_else(|| format!("{flag} needs a value"))?,
                };
                args.values.insert(flag, value);
            } else if switches.contains(&flag.as_str()) && inline.is_none() {
                args.switches.push(flag);
            } else {
                let mut known: Vec<&str> = valued.iter().chain(switches).copied().collect();
                known.sort();
                return Err(format!(
                    "unknown argument {arg:?}; known: {}",
                    known.join(", ")
                ));
            }
        }
        Ok(args)
    }

    /// The value of a flag, if given.
    pub fn get(&self, flag: &str) -> Option<&str> {
        self.values.get(flag).map(String::as_str)
    }

    /// Whether a switch was given.
    pub fn has(&self, switch: &str) -> bool {
        self.switches.iter().any(|s| s == switch)
    }

    /// The value of a flag parsed as `T`, or `default` if absent.
    pub fn parse_or<T: FromStr>(&self, flag: &str, default: T) -> Result<T, String> {
        match self.get(flag) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                format!(
                    "{flag}: cannot read {v:?} as a {}",
                    std::any::type_name::<T>()
                )
            }),
        }
    }

    /// A non-negative, finite number of seconds.
    pub fn seconds_or(&self, flag: &str, default: f64) -> Result<std::time::Duration, String> {
        let s: f64 = self.parse_or(flag, default)?;
        std::time::Duration::try_from_secs_f64(s)
            .map_err(|_| format!("{flag}: {s} is not a number of seconds"))
    }

    /// The output format: `table` (default) or `json`.
    pub fn format(&self) -> Result<Format, String> {
        match self.get("--format").unwrap_or("table") {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            other => Err(format!("--format: {other:?} is not table or json")),
        }
    }
}

/// How a report is printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A text table.
    Table,
    /// JSON.
    Json,
}

/// An example's `main`: parses the flags, answers `--help` with `usage`, runs `run` and prints
/// its output, or fails with one line on stderr and exit code 2.
pub fn main_with(
    valued: &[&str],
    switches: &[&str],
    usage: &str,
    strategies: &[&str],
    run: impl FnOnce(&Args) -> Result<String, String>,
) {
    let args = Args::parse(valued, switches).unwrap_or_else(|e| fail(format!("{e} (see --help)")));
    if args.has("--help") {
        println!("{usage}\nstrategies: {}", strategies.join(", "));
        return;
    }
    match run(&args) {
        Ok(output) => print!("{output}"),
        Err(message) => fail(message),
    }
}

/// Prints one line on stderr and exits with code 2: the examples' answer to bad input.
pub fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

/// The switch that accepts negative demands (published vector-packing instances).
pub const ALLOW_NEGATIVE: &str = "--allow-negative-demand";

/// Loads a scenario file, accepting negative demands only with [`ALLOW_NEGATIVE`]; without it, a
/// negative demand's message says how to accept one.
pub fn load_scenario(args: &Args, path: &str) -> Result<packsched::Problem, String> {
    let options = packsched::scenario::LoadOptions {
        allow_negative_demand: args.has(ALLOW_NEGATIVE),
    };
    packsched::scenario::load_with(path, options).map_err(|e| match &e {
        packsched::Error::Negative { at, .. } if at.field == "demand" => format!(
            "{e} (a scheduler's demand is never negative; published vector-packing instances \
             with a negative item size load with {ALLOW_NEGATIVE})"
        ),
        _ => e.to_string(),
    })
}
