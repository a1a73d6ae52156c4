//! Building the front end and running its browser tests.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use sha2::{Digest, Sha256};

use anyhow::{Context, Result, bail};

use crate::{
    setup::{Browser, WasmToolchain},
    step,
};

/// The phone's bundle: what every user's device runs, offline too.
const PHONE: Bundle = Bundle {
    package: "tongxin-frontend",
    name: "tongxin_frontend",
};
/// The admin's office: fetched only when `/admin` or `/manage` opens.
const OFFICE: Bundle = Bundle {
    package: "tongxin-office",
    name: "tongxin_office",
};

/// One wasm module of the app: a cdylib crate, bound by wasm-bindgen.
struct Bundle {
    package: &'static str,
    /// The crate's name as a file name (`-` made `_`).
    name: &'static str,
}

impl WasmToolchain {
    /// A cargo command for the wasm target with this toolchain's settings.
    fn command(&self, subcommand: &str) -> Command {
        self.command_for(subcommand, PHONE.package)
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

/// Builds both bundles in release mode (the small `web` profile), binds
/// them with wasm-bindgen, shrinks them with `wasm-opt -Oz` and lays out
/// `target/dist/` as the server serves it:
/// - `assets/`: every file a page loads (the bundles' JS and wasm,
///   `boot.js`, `style.css`), each named by a hash of its content, so the
///   server lets browsers keep them for a year (a new release has new
///   names);
/// - `index.html` (naming the hashed `boot.js` and `style.css`), `sw.js`
///   (its cache list names the phone's hashed files), the manifest and the
///   icons, under their own names: browsers ask for these again.
pub fn build_dist(root: &Path, toolchain: &WasmToolchain) -> Result<PathBuf> {
    step(
        "building the front end's two bundles (release, wasm32); the first build also compiles std and takes a few minutes",
    );
    let status = toolchain
        .command("build")
        .args(["--package", OFFICE.package, "--profile", "web"])
        .status()?;
    if !status.success() {
        bail!("building the front end failed");
    }
    // Laid out beside the last build, which stays untouched when nothing
    // changed: the server embeds `target/dist` and would be rebuilt.
    let dist = root.join("target/dist.new");
    if dist.exists() {
        std::fs::remove_dir_all(&dist)?;
    }
    let assets = dist.join("assets");
    std::fs::create_dir_all(&assets)?;
    let built = root
        .join(&toolchain.target_dir)
        .join("wasm32-unknown-unknown/web");
    let wasm_opt = crate::setup::wasm_opt()?;
    let mut names = Vec::new();
    for bundle in [PHONE, OFFICE] {
        let bound = root.join("target/bound").join(bundle.name);
        step(&format!(
            "binding {} (wasm-bindgen) and shrinking it (wasm-opt -Oz)",
            bundle.package
        ));
        bind(&built.join(format!("{}.wasm", bundle.name)), &bound)?;
        let wasm = bound.join(format!("{}_bg.wasm", bundle.name));
        shrink(&wasm_opt, &wasm)?;
        let js = bound.join(format!("{}.js", bundle.name));
        names.push((
            format!("{}_JS", bundle.name.to_uppercase()),
            hashed_copy(&js, &assets)?,
        ));
        names.push((
            format!("{}_WASM", bundle.name.to_uppercase()),
            hashed_copy(&wasm, &assets)?,
        ));
    }
    let static_dir = root.join("frontend/static");
    let read = |file: &str| {
        std::fs::read_to_string(static_dir.join(file))
            .with_context(|| format!("cannot read frontend/static/{file}"))
    };
    // boot.js names the bundles it loads.
    let boot = names.iter().fold(read("boot.js")?, |text, (key, name)| {
        text.replace(key, name)
    });
    let boot_js = hashed_write(&assets, "boot", "js", boot.as_bytes())?;
    let style_css = hashed_write(&assets, "style", "css", read("style.css")?.as_bytes())?;
    let index = read("index.html")?
        .replace("/boot.js", &boot_js)
        .replace("/style.css", &style_css);
    std::fs::write(dist.join("index.html"), index)?;
    std::fs::create_dir_all(dist.join("icons"))?;
    for file in [
        "manifest.webmanifest",
        "icons/icon-192.png",
        "icons/icon-512.png",
    ] {
        std::fs::copy(static_dir.join(file), dist.join(file))
            .with_context(|| format!("cannot copy frontend/static/{file}"))?;
    }
    // The service worker keeps what the phone's pages load, so the app
    // opens with no network; the office is online only and not kept.
    let phone = |key: &str| {
        names
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    let shell = [
        "/".to_owned(),
        boot_js,
        style_css,
        "/manifest.webmanifest".to_owned(),
        "/icons/icon-192.png".to_owned(),
        "/icons/icon-512.png".to_owned(),
        phone("TONGXIN_FRONTEND_JS"),
        phone("TONGXIN_FRONTEND_WASM"),
    ];
    // A new build is a new service-worker cache: browsers notice the
    // changed sw.js, install the new shell and drop the old one.
    let mut hasher = Sha256::new();
    for file in &shell[1..] {
        hasher.update(std::fs::read(dist.join(file.trim_start_matches('/')))?);
    }
    hasher.update(std::fs::read(dist.join("index.html"))?);
    let version = hex16(&hasher.finalize());
    let sw = read("sw.js")?
        .replace("BUILD_VERSION", &version)
        .replace("BUILD_SHELL", &serde_json::to_string(&shell)?);
    std::fs::write(dist.join("sw.js"), sw)?;
    step("compressing the front end's files (.br and .gz beside each)");
    precompress(&dist)?;
    let last = root.join("target/dist");
    if same_files(&dist, &last)? {
        std::fs::remove_dir_all(&dist)?;
    } else {
        if last.exists() {
            std::fs::remove_dir_all(&last)?;
        }
        std::fs::rename(&dist, &last)?;
    }
    step(&format!(
        "front end ready in {} (shell version {version})",
        last.display()
    ));
    Ok(last)
}

/// Whether folders `a` and `b` hold the same files with the same bytes.
fn same_files(a: &Path, b: &Path) -> Result<bool> {
    fn list(dir: &Path, under: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                list(&path, under, out)?;
            } else {
                let name = path.strip_prefix(under)?.to_path_buf();
                out.push((name, std::fs::read(&path)?));
            }
        }
        Ok(())
    }
    if !b.is_dir() {
        return Ok(false);
    }
    let (mut left, mut right) = (Vec::new(), Vec::new());
    list(a, a, &mut left)?;
    list(b, b, &mut right)?;
    left.sort();
    right.sort();
    Ok(left == right)
}

/// `wasm-opt -Oz` over `wasm`, in place.
fn shrink(wasm_opt: &Path, wasm: &Path) -> Result<()> {
    let status = Command::new(wasm_opt)
        .arg("-Oz")
        // What rustc's wasm32 target enables besides reference types,
        // which the build turns off (see `setup::wasm_opt`).
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-multivalue",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(wasm)
        .status()
        .context("cannot run wasm-opt")?;
    if !status.success() {
        bail!("wasm-opt failed on {}", wasm.display());
    }
    Ok(())
}

/// Copies `file` into `dir` as `<stem>-<hash>.<ext>`; returns its URL path.
fn hashed_copy(file: &Path, dir: &Path) -> Result<String> {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .context("a built file without a name")?;
    let ext = file
        .extension()
        .and_then(|s| s.to_str())
        .context("a built file without an extension")?;
    hashed_write(dir, stem, ext, &std::fs::read(file)?)
}

/// Writes `bytes` into `dir` as `<stem>-<hash>.<ext>`, the hash being of
/// the bytes; returns its URL path under `/assets/`.
fn hashed_write(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<String> {
    let name = format!("{stem}-{}.{ext}", hex16(&Sha256::digest(bytes)));
    std::fs::write(dir.join(&name), bytes)?;
    Ok(format!("/assets/{name}"))
}

/// The first 8 bytes of a digest in hex: enough to tell releases apart.
fn hex16(digest: &[u8]) -> String {
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, best)
/// beside every text and wasm file under `dir`, once at build time, so the
/// server sends each in the encoding the browser accepts without
/// compressing it on every request. Images are compressed already.
pub fn precompress(dir: &Path) -> Result<()> {
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
        let (gz, br) = compressed(&std::fs::read(&path)?)?;
        std::fs::write(with_suffix(&path, "gz"), gz)?;
        std::fs::write(with_suffix(&path, "br"), br)?;
    }
    Ok(())
}

/// `bytes` gzipped (best) and brotli-compressed (quality 11), as the
/// server sends them.
pub fn compressed(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let mut br = Vec::new();
    brotli::BrotliCompress(
        &mut &bytes[..],
        &mut br,
        &brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        },
    )?;
    Ok((gz.finish()?, br))
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
/// release profile, binds and shrinks it the same way, into
/// `target/counter-dist/`: the baseline of the size benchmark. Returns its wasm and JS files.
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
    shrink(
        &crate::setup::wasm_opt()?,
        &out.join("tongxin_counter_baseline_bg.wasm"),
    )?;
    Ok([
        out.join("tongxin_counter_baseline_bg.wasm"),
        out.join("tongxin_counter_baseline.js"),
    ])
}

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
