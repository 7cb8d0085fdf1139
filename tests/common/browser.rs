//! Headless Chromium for the tests that look at pages and pictures: a screenshot, its pixels,
//! and the console's messages.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|b| d.join(b)))
        .find(|p| p.is_file())
}

/// Opens `page` in headless Chromium and takes a screenshot: the PNG and the console messages
/// (every one counts as a failure: the report logs nothing). `None` when Chromium is not
/// installed and `LEAKSCOPE_REQUIRE_CHROMIUM` is unset; `.ci/run` sets it after installing.
pub fn open_in_chromium(page: &Path) -> (Option<PathBuf>, Vec<String>) {
    let Some(browser) = chromium() else {
        if std::env::var_os("LEAKSCOPE_REQUIRE_CHROMIUM").is_some() {
            panic!("chromium is not installed and LEAKSCOPE_REQUIRE_CHROMIUM is set");
        }
        eprintln!(
            "skipping the browser check: chromium is not installed (apt-get install chromium)"
        );
        return (None, Vec::new());
    };
    let png = page.with_extension("png");
    let profile = page.with_extension("chromium-profile");
    let _ = std::fs::remove_file(&png);
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            // Tall enough for a whole report: every picture is in the shot.
            "--window-size=1280,16000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish in 90 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = reader.join().unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    let console: Vec<String> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    assert!(png.is_file(), "no screenshot of {}: {log}", page.display());
    (Some(png), console)
}

/// A screenshot's pixels, RGB.
pub struct Screenshot {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<[u8; 3]>,
}

/// The page's pictures have backgrounds no other part of the page uses: their boxes can be
/// found in a screenshot by colour.
pub const FLAME_BACKGROUND: [u8; 3] = [0xec, 0xef, 0xf1];
pub const CHART_BACKGROUND: [u8; 3] = [0xfa, 0xfb, 0xfc];
pub const CALL_GRAPH_BACKGROUND: [u8; 3] = [0xf5, 0xf7, 0xfa];

impl Screenshot {
    pub fn read(png: &Path) -> Screenshot {
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut buffer).unwrap();
        let step = frame.color_type.samples();
        assert!(step >= 3, "{}: not an RGB screenshot", png.display());
        let pixels = buffer[..frame.buffer_size()]
            .chunks(step)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        Screenshot {
            width: frame.width as usize,
            height: frame.height as usize,
            pixels,
        }
    }

    pub fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.pixels[y * self.width + x]
    }

    /// Fails when the screenshot is one flat colour (nothing rendered) or nearly so.
    pub fn assert_not_blank(&self, name: &str) {
        let background = self.pixels[0];
        let differing = self.pixels.iter().filter(|&&p| p != background).count();
        assert!(
            differing * 100 > self.pixels.len(),
            "{name} is blank: {differing} of {} pixels differ from the background",
            self.pixels.len()
        );
    }

    /// Boxes (x0, y0, x1, y1) whose left edge is a run of `background` five pixels wide in
    /// every row: a picture's margin, which nothing is drawn on.
    pub fn boxes(&self, background: [u8; 3]) -> Vec<(usize, usize, usize, usize)> {
        let left_edge = |y: usize| {
            (0..self.width.saturating_sub(5))
                .find(|&x| (x..x + 5).all(|x| self.at(x, y) == background))
        };
        let mut boxes: Vec<(usize, usize, usize, usize)> = Vec::new();
        let mut open: Option<(usize, usize)> = None;
        for y in 0..=self.height {
            let edge = if y < self.height { left_edge(y) } else { None };
            match (open, edge) {
                (Some((x0, _)), Some(x)) if x == x0 => {}
                (Some((x0, y0)), _) => {
                    let x1 = (y0..y)
                        .filter_map(|row| {
                            (x0..self.width)
                                .rev()
                                .find(|&x| self.at(x, row) == background)
                        })
                        .max()
                        .unwrap_or(x0);
                    boxes.push((x0, y0, x1, y));
                    open = edge.map(|x| (x, y));
                }
                (None, Some(x)) => open = Some((x, y)),
                (None, None) => {}
            }
        }
        // Rows of a picture's own background between two pictures cannot make a box.
        boxes.retain(|&(_, y0, _, y1)| y1 - y0 >= 40);
        boxes
    }

    /// The share of a box's pixels that are not its background: what was drawn in it.
    pub fn painted(
        &self,
        (x0, y0, x1, y1): (usize, usize, usize, usize),
        background: [u8; 3],
    ) -> f64 {
        let mut drawn = 0;
        for y in y0..y1 {
            drawn += (x0..=x1).filter(|&x| self.at(x, y) != background).count();
        }
        drawn as f64 / ((x1 + 1 - x0) * (y1 - y0)) as f64
    }
}
