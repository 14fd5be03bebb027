//! Shared by the integration tests.

#![allow(dead_code)]

use ndarray::Array2;
use packsched::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A problem over the given resources.
pub fn problem(resources: &[&str], capacity: Array2<f64>, demand: Array2<f64>) -> Problem {
    let r = Resources::new(resources.iter().copied()).unwrap();
    Problem::new(
        Cluster::new(r.clone(), capacity).unwrap(),
        Workload::new(r, demand).unwrap(),
    )
    .unwrap()
}

/// A file under `tests/data/`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The scenario files under `tests/data/`, sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// An example's binary, built (or found up to date) once per test process with the profile of
/// the tests, so that a targeted `cargo test --test cli` never runs a stale example.
pub fn example(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut built = BUILT.lock().unwrap();
    if !built.iter().any(|b| b == name) {
        let mut cargo = std::process::Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet", "--example", name]);
        if dir.file_name().is_some_and(|d| d == "release") {
            cargo.arg("--release");
        }
        let status = cargo
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building example {name} failed");
        built.push(name.to_string());
    }
    assert!(path.exists(), "{} not built", path.display());
    path
}

/// Runs an example with arguments: (exit code, stdout, stderr).
pub fn run_example(name: &str, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(example(name))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fresh temporary directory, removed with what it holds when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory named after `label`, this process and a counter.
    pub fn new(label: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("packsched-{label}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A temporary file, removed (with its directory) when dropped; it derefs to its path.
pub struct TempFile {
    path: PathBuf,
    _dir: TempDir,
}

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TempFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// Writes `text` to a fresh temporary file.
pub fn temp_file(name: &str, text: &str) -> TempFile {
    let dir = TempDir::new("test");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    TempFile { path, _dir: dir }
}
