//! Installs what the build and the tests need, when it is missing. Every
//! check is cheap, so a machine that has everything pays almost nothing.
//! The recipe is the one seen to work on the project's machines: see
//! `shared/TOOLCHAIN.md` in the steering repository and ARCHITECTURE.md.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::Once,
};

use anyhow::{Context, Result, bail};

use crate::step;

/// How to compile for `wasm32-unknown-unknown` on this machine.
pub struct WasmToolchain {
    /// The cargo to run.
    pub cargo: PathBuf,
    /// Environment for that cargo.
    pub env: Vec<(String, String)>,
    /// Extra arguments (`-Z build-std` when std is built from source).
    pub args: Vec<String>,
    /// Kept apart from the native target dir: the Debian compiler's
    /// artefacts are not the rustup compiler's.
    pub target_dir: PathBuf,
}

pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// axe-core's script, which the browser tests run in pages to check
    /// accessibility.
    pub axe_core: PathBuf,
}

/// The axe-core release the accessibility checks use.
const AXE_CORE_VERSION: &str = "4.14.1";

/// Picks the wasm toolchain, installing the missing parts.
pub fn wasm_toolchain() -> Result<WasmToolchain> {
    let toolchain = if rustup_has_wasm_target() {
        step("using rustup's wasm32-unknown-unknown target");
        WasmToolchain {
            cargo: "cargo".into(),
            env: vec![],
            args: vec![],
            target_dir: std::env::current_dir()?.join("target/web"),
        }
    } else {
        debian_wasm_toolchain()?
    };
    wasm_bindgen_cli()?;
    Ok(toolchain)
}

fn rustup_has_wasm_target() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == "wasm32-unknown-unknown")
        })
        .unwrap_or(false)
}

/// rustup cannot download the wasm target here, but Debian ships a
/// compiler with the standard library's source: std is built for wasm32
/// from source (`-Z build-std`, allowed on a stable compiler by
/// `RUSTC_BOOTSTRAP=1`) and linked with the rustup toolchain's `rust-lld`.
fn debian_wasm_toolchain() -> Result<WasmToolchain> {
    let rustc = Path::new("/usr/bin/rustc");
    let cargo = Path::new("/usr/bin/cargo");
    let std_source = Path::new("/usr/lib/rustlib/src/rust/library");
    if !(rustc.exists() && cargo.exists() && std_source.exists()) {
        apt_install(
            &["rustc-web", "cargo-web", "rust-web-src"],
            "rustup has no wasm32 target here; Debian's compiler can build std for wasm32 from source",
        )?;
    }
    let lld = rust_lld()?;
    step("using Debian's rustc-web with std built from source for wasm32");
    Ok(WasmToolchain {
        cargo: cargo.into(),
        env: vec![
            ("RUSTC_BOOTSTRAP".into(), "1".into()),
            ("RUSTC".into(), rustc.display().to_string()),
            (
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER".into(),
                lld.display().to_string(),
            ),
        ],
        args: vec!["-Z".into(), "build-std=std,panic_abort".into()],
        target_dir: std::env::current_dir()?.join("target/web-debian"),
    })
}

/// Debian's `wasm-opt` (binaryen), which shrinks the built bundles,
/// installed when missing. It is binaryen 108, older than the wasm
/// features rustc turns on by default: `.cargo/config.toml` turns
/// reference types off for the wasm target so that it can read the build.
pub fn wasm_opt() -> Result<PathBuf> {
    let found = Command::new("wasm-opt")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        apt_install(
            &["binaryen"],
            "wasm-opt (binaryen) shrinks the app's wasm bundles",
        )?;
    }
    Ok(PathBuf::from("wasm-opt"))
}

/// Debian's rustc ships no `rust-lld`; the rustup toolchain's one works.
fn rust_lld() -> Result<PathBuf> {
    let out = Command::new("rustup")
        .args(["which", "rustc"])
        .output()
        .context("cannot run rustup: the wasm build needs rustup's rust-lld")?;
    let rustc = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let lld = rustc
        .parent()
        .and_then(Path::parent)
        .map(|toolchain| toolchain.join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"))
        .filter(|lld| lld.exists())
        .with_context(|| {
            format!(
                "no rust-lld beside {}; install a rustup toolchain",
                rustc.display()
            )
        })?;
    Ok(lld)
}

/// The wasm-bindgen CLI must be exactly the version in Cargo.lock, or the JS
/// glue it writes does not match the crate.
fn wasm_bindgen_cli() -> Result<()> {
    let lock = std::fs::read_to_string("Cargo.lock").context("cannot read Cargo.lock")?;
    let version =
        locked_version(&lock, "wasm-bindgen").context("wasm-bindgen is not in Cargo.lock")?;
    let installed = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    if installed == format!("wasm-bindgen {version}") {
        return Ok(());
    }
    step(&format!(
        "installing wasm-bindgen-cli {version} (found {:?}); it must match Cargo.lock (takes a few minutes once)",
        if installed.is_empty() {
            "none"
        } else {
            &installed
        }
    ));
    // Without --locked: one of its locked dependencies is not in the registry.
    let status = Command::new("cargo")
        .args(["install", "wasm-bindgen-cli", "--version", &version])
        .status()?;
    if !status.success() {
        bail!("cargo install wasm-bindgen-cli --version {version} failed");
    }
    Ok(())
}

fn locked_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            let version = lines.next()?;
            return Some(
                version
                    .strip_prefix("version = \"")?
                    .strip_suffix('"')?
                    .to_owned(),
            );
        }
    }
    None
}

/// Headless Chromium, its WebDriver, and a Chinese font (without one,
/// pages render CJK text as empty boxes in screenshots).
pub fn browser() -> Result<Browser> {
    let chromium = PathBuf::from("/usr/bin/chromium");
    let chromedriver = PathBuf::from("/usr/bin/chromedriver");
    let font = Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    if !(chromium.exists() && chromedriver.exists() && font.exists()) {
        apt_install(
            &["chromium", "chromium-driver", "fonts-noto-cjk"],
            "the browser and end-to-end tests drive a real headless Chromium",
        )?;
    }
    Ok(Browser {
        chromium,
        chromedriver,
        axe_core: axe_core()?,
    })
}

/// axe-core from the npm registry, into `target/axe/`, once.
fn axe_core() -> Result<PathBuf> {
    let folder = std::env::current_dir()?.join("target/axe");
    let script = folder.join("node_modules/axe-core/axe.min.js");
    let installed = folder.join(format!("axe-core-{AXE_CORE_VERSION}"));
    if script.exists() && installed.exists() {
        return Ok(script);
    }
    if Command::new("npm").arg("--version").output().is_err() {
        apt_install(
            &["npm"],
            "the browser tests check accessibility with axe-core, from the npm registry",
        )?;
    }
    step(&format!(
        "installing axe-core {AXE_CORE_VERSION} from the npm registry (accessibility checks in the browser tests)"
    ));
    std::fs::create_dir_all(&folder)?;
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--prefix",
        ])
        .arg(&folder)
        .arg(format!("axe-core@{AXE_CORE_VERSION}"))
        .status()
        .context("cannot run npm")?;
    if !status.success() || !script.exists() {
        bail!("installing axe-core with npm failed");
    }
    std::fs::write(installed, "")?;
    Ok(script)
}

pub(crate) fn apt_install(packages: &[&str], why: &str) -> Result<()> {
    let by_hand = format!(
        "install them by hand: apt-get install {}",
        packages.join(" ")
    );
    if !Path::new("/usr/bin/apt-get").exists() {
        bail!("{why}, but this is not a Debian-like system; {by_hand}");
    }
    if !is_root() {
        bail!("{why}, but installing needs root; {by_hand} (as root)");
    }
    static UPDATE: Once = Once::new();
    let mut update_failed = false;
    UPDATE.call_once(|| {
        step("apt-get update (once)");
        update_failed = !Command::new("apt-get")
            .args(["update", "-q"])
            .status()
            .is_ok_and(|s| s.success());
    });
    if update_failed {
        bail!("apt-get update failed; {by_hand}");
    }
    step(&format!("installing {} ({why})", packages.join(" ")));
    let status = Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !status.success() {
        bail!("apt-get install failed; {by_hand}");
    }
    Ok(())
}

pub(crate) fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn finds_the_locked_version_of_a_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "serde"), None);
    }
}
