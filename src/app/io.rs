//! What every command shares with the file system: inputs read in parallel, outputs written
//! whole or not at all.

use std::path::{Path, PathBuf};

use crate::analysis::filter::Filters;
use crate::cli::InputArgs;
use crate::error::{Error, Result};
use crate::formats::{self, ReadOptions};
use crate::model::{Contents, Input};

/// The record `capture` keeps in its folder, one JSON object a line.
pub const CAPTURE_LOG: &str = "capture.jsonl";

/// Reads the inputs in parallel, one per core at a time (two cores make a diff of two large
/// inputs twice as fast; more at once would only share the cores and hold more buffers), with
/// the command line's filters applied to each stack profile; a folder stands for the files in
/// it (a capture folder's in the order they were taken). Heap snapshots share one memory
/// budget (`--memory-limit`).
pub fn read_all(paths: &[PathBuf], args: &InputArgs) -> Result<Vec<Input>> {
    let mut expanded = Vec::new();
    for path in paths {
        if path.is_dir() {
            let files = folder_files(path)?;
            if files.is_empty() {
                return Err(Error::Input {
                    path: path.clone(),
                    place: crate::error::Place::Unknown,
                    message: "an empty folder".to_string(),
                });
            }
            expanded.extend(files);
        } else {
            expanded.push(path.clone());
        }
    }
    let paths = &expanded;
    let options = args.options();
    let filters = args.filters.compile().map_err(Error::Usage)?;
    let (options, filters) = (&options, &filters);
    // Snapshots that could not all be held are refused before any is read.
    crate::formats::check_snapshots_fit(paths, &options.memory)?;
    crate::parallel::map_in_order(paths, |path| read_filtered(path, options, filters))
        .into_iter()
        .collect()
}

/// Reads one input with the command line's filters applied.
pub fn read_one(path: &Path, args: &InputArgs) -> Result<Input> {
    let filters = args.filters.compile().map_err(Error::Usage)?;
    read_filtered(path, &args.options(), &filters)
}

fn read_filtered(path: &Path, options: &ReadOptions, filters: &Filters) -> Result<Input> {
    if path.is_dir() {
        return Err(Error::Input {
            path: path.to_path_buf(),
            place: crate::error::Place::Unknown,
            message: "a folder; this command reads one file of it (scan, check, report and \
                      diff read a whole capture folder)"
                .to_string(),
        });
    }
    let mut input = formats::read(path, options)?;
    if filters.is_empty() {
        return Ok(input);
    }
    match input.contents {
        Contents::Stacks(profile) => {
            let (mut filtered, unmatched) = filters.apply(profile);
            for option in unmatched {
                filtered.warnings.push(format!(
                    "{option} matches no frame (or label) of this profile"
                ));
            }
            input.contents = Contents::Stacks(filtered);
            Ok(input)
        }
        Contents::Heap(_) => Err(Error::Usage(format!(
            "{}: is a heap snapshot; --focus, --ignore, --hide, --show, --show-from, --tagfocus \
             and --tagignore filter stack profiles",
            path.display()
        ))),
    }
}

/// Writes a file whole or not at all: a temporary file beside it, then a rename.
pub fn write_atomically(path: &Path, text: &str) -> Result<()> {
    write_bytes_atomically(path, text.as_bytes())
}

/// As `write_atomically`, for bytes.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|e| file.error(e))?;
    file.commit()
}

/// A file written as a stream and seen whole or not at all: the bytes go to a temporary file
/// beside it, renamed into place by `commit`; dropped uncommitted, the temporary file goes.
pub struct AtomicFile {
    path: PathBuf,
    temp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = std::fs::File::create(&temp).map_err(|e| Error::Output {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp,
            file: Some(std::io::BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// An I/O error while writing, as the error of this output.
    pub fn error(&self, e: std::io::Error) -> Error {
        Error::Output {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let writer = self.file.take().expect("an uncommitted file");
        let done = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .and_then(|()| std::fs::rename(&self.temp, &self.path));
        done.map_err(|e| self.error(e))
    }
}

impl std::io::Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.file
            .as_mut()
            .expect("an uncommitted file")
            .write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("an uncommitted file").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() || self.temp.exists() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Appends one whole block to a file other steps also append to (GitHub's job summary).
pub fn append_whole(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::Output {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// Whether two paths name one file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Inputs are read-only: no output may replace one of them.
pub fn refuse_overwriting_inputs(files: &[PathBuf], outputs: &[PathBuf], what: &str) -> Result<()> {
    for output in outputs {
        if files.iter().any(|f| same_file(f, output)) {
            return Err(Error::Usage(format!(
                "{}: is one of the inputs; write the {what} elsewhere",
                output.display()
            )));
        }
    }
    Ok(())
}

/// The files of a capture folder in the order they were taken: capture.jsonl's order when
/// the folder has one, else every file in name order (the readers order them by their clocks).
pub fn folder_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let log = dir.join(CAPTURE_LOG);
    if let Ok(text) = std::fs::read_to_string(&log) {
        let mut files = Vec::new();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let record: serde_json::Value =
                serde_json::from_str(line).map_err(|e| Error::Input {
                    path: log.clone(),
                    place: crate::error::Place::Line(n as u64 + 1),
                    message: e.to_string(),
                })?;
            let name = record["file"].as_str().unwrap_or("");
            // Only plain names within the folder.
            if name.is_empty() || name.contains('/') || name.contains('\\') || name.starts_with('.')
            {
                return Err(Error::Input {
                    path: log.clone(),
                    place: crate::error::Place::Line(n as u64 + 1),
                    message: format!("{name:?} is not a file name in this folder"),
                });
            }
            files.push(dir.join(name));
        }
        return Ok(files);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input {
            path: dir.to_path_buf(),
            place: crate::error::Place::Unknown,
            message: e.to_string(),
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}
