//! Building the front end and running its browser tests.

use std::{
    hash::{DefaultHasher, Hasher},
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

use crate::{
    setup::{Browser, WasmToolchain},
    step,
};

const FRONTEND: &str = "tongxin-frontend";
const WASM_FILE: &str = "tongxin_frontend.wasm";

impl WasmToolchain {
    /// A cargo command for the wasm target with this toolchain's settings.
    fn command(&self, subcommand: &str) -> Command {
        self.command_for(subcommand, FRONTEND)
    }

    fn command_for(&self, subcommand: &str, package: &str) -> Command {
        let mut command = Command::new(&self.cargo);
        command
            .arg(subcommand)
            .args(["--target", "wasm32-unknown-unknown", "--package", package])
            .arg("--target-dir")
            .arg(&self.target_dir)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            // Set when xtask runs under rustup's cargo; it must not steer
            // another cargo back to rustup's toolchain.
            .env_remove("RUSTUP_TOOLCHAIN");
        command
    }
}

/// Builds the app in release mode (the small `web` profile), binds it with
/// wasm-bindgen and lays out `target/dist/` as the server serves it.
pub fn build_dist(root: &Path, toolchain: &WasmToolchain) -> Result<PathBuf> {
    step(
        "building the front end (release, wasm32); the first build also compiles std and takes a few minutes",
    );
    let status = toolchain
        .command("build")
        .args(["--profile", "web"])
        .status()?;
    if !status.success() {
        bail!("building the front end failed");
    }
    let wasm = root
        .join(&toolchain.target_dir)
        .join("wasm32-unknown-unknown/web")
        .join(WASM_FILE);
    let dist = root.join("target/dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist)?;
    }
    step("binding the wasm (wasm-bindgen --target web)");
    bind(&wasm, &dist.join("pkg"))?;
    let static_dir = root.join("frontend/static");
    let mut hasher = DefaultHasher::new();
    for file in ["pkg/tongxin_frontend_bg.wasm", "pkg/tongxin_frontend.js"] {
        hasher.write(&std::fs::read(dist.join(file))?);
    }
    std::fs::create_dir_all(dist.join("icons"))?;
    for file in SHELL_FILES {
        let bytes = std::fs::read(static_dir.join(file))
            .with_context(|| format!("cannot read frontend/static/{file}"))?;
        hasher.write(&bytes);
        if file != "sw.js" {
            std::fs::write(dist.join(file), bytes)?;
        }
    }
    // A new build is a new service-worker cache: browsers notice the
    // changed sw.js, install the new shell and drop the old one.
    let version = format!("{:016x}", hasher.finish());
    let sw = std::fs::read_to_string(static_dir.join("sw.js"))?.replace("BUILD_VERSION", &version);
    std::fs::write(dist.join("sw.js"), sw)?;
    step("compressing the front end's files (.br and .gz beside each)");
    precompress(&dist)?;
    step(&format!(
        "front end ready in {} (shell version {version})",
        dist.display()
    ));
    Ok(dist)
}

/// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, best)
/// beside every text and wasm file under `dir`, once at build time, so the
/// server sends each in the encoding the browser accepts without
/// compressing it on every request. Images are compressed already.
fn precompress(dir: &Path) -> Result<()> {
    use std::io::Write;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "html" | "js" | "css" | "wasm" | "webmanifest" | "json"));
        if !compressible {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        std::fs::write(with_suffix(&path, "gz"), gz.finish()?)?;
        let mut br = Vec::new();
        brotli::BrotliCompress(
            &mut &bytes[..],
            &mut br,
            &brotli::enc::BrotliEncoderParams {
                quality: 11,
                ..Default::default()
            },
        )?;
        std::fs::write(with_suffix(&path, "br"), br)?;
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// wasm-bindgen's JS glue for `wasm`, into `out`.
fn bind(wasm: &Path, out: &Path) -> Result<()> {
    let status = Command::new("wasm-bindgen")
        // The name section is most of an unstripped binary; wasm-bindgen drops
        // it here (stripping in the profile would also drop the features
        // section wasm-bindgen reads).
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
        ])
        .arg(out)
        .arg(wasm)
        .status()
        .context("cannot run wasm-bindgen")?;
    if !status.success() {
        bail!("wasm-bindgen failed on {}", wasm.display());
    }
    Ok(())
}

/// Builds the plain Leptos counter (`frontend/counter`) with the app's
/// release profile and binds it the same way, into `target/counter-dist/`:
/// the baseline of the size benchmark. Returns its wasm and JS files.
pub fn build_counter_baseline(root: &Path, toolchain: &WasmToolchain) -> Result<[PathBuf; 2]> {
    step("building the plain Leptos counter with the same profile (size baseline)");
    let status = toolchain
        .command_for("build", "tongxin-counter-baseline")
        .args(["--profile", "web"])
        .status()?;
    if !status.success() {
        bail!("building the counter baseline failed");
    }
    let wasm = root
        .join(&toolchain.target_dir)
        .join("wasm32-unknown-unknown/web/tongxin_counter_baseline.wasm");
    let out = root.join("target/counter-dist");
    bind(&wasm, &out)?;
    Ok([
        out.join("tongxin_counter_baseline_bg.wasm"),
        out.join("tongxin_counter_baseline.js"),
    ])
}

/// The app shell's files besides the wasm and its JS, as laid out in
/// `frontend/static/`. `sw.js` caches the same list.
const SHELL_FILES: [&str; 7] = [
    "index.html",
    "boot.js",
    "style.css",
    "sw.js",
    "manifest.webmanifest",
    "icons/icon-192.png",
    "icons/icon-512.png",
];

/// `wasm-bindgen-test` tests of the front end, in headless Chromium.
pub fn browser_tests(root: &Path, toolchain: &WasmToolchain, browser: &Browser) -> Result<()> {
    let status = toolchain
        .command("test")
        // Doctests would run rustup's rustdoc against the Debian compiler's
        // std; the front end keeps its tests in tests/ and the lib.
        .arg("--tests")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
        .current_dir(root.join("frontend"))
        .status()?;
    if !status.success() {
        bail!("front-end browser tests failed");
    }
    Ok(())
}
