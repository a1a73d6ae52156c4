//! `cargo xtask bench photos`: photos, measured with a release server and
//! one phone emulated at 360×740 in headless Chromium.
//!
//! 1. **Shrinking on the phone.** Camera photos of 12 megapixels (4,000 ×
//!    3,000, a gradient under fine noise, as a sensor gives) picked one at
//!    a time: the time from the pick to the thumbnail drawn, and the bytes
//!    before and after. Beside it, the same work natively in this process
//!    with the `image` crate (decode, resize to 1,600, encode at 80): the
//!    baseline the browser's own decoder and encoder are quoted against.
//! 2. **Sending.** 50 such photos on six records, saved while the phone's
//!    connection runs through a proxy of this bench throttled to
//!    1.6 Mbit/s each way: the time until the server holds them all, and
//!    the bytes the phone sent over that connection (HTTP requests whole:
//!    headers, pushes, pings and every chunk) ÷ the bytes of the photos
//!    stored. The goal is ≤ 1.05.
//! 3. **The admin's list.** 100 activities with a photo each: the bytes
//!    and time of the server's thumbnails of the list, beside the same
//!    photos full size.
//!
//! Prints the figures and writes `target/bench/photos.json`.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use fantoccini::Locator;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

/// 1.6 Mbit/s, in bytes per second.
const THROTTLE_BYTES_PER_S: u64 = 200_000;
const SENT_PHOTOS: usize = 50;
const LISTED: usize = 100;

/// A 12-megapixel camera photo: a gradient under fine noise (which JPEG
/// keeps, as it keeps a sensor's), different for each `seed`.
fn camera_jpeg(seed: u32, width: u32, height: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 24) as u8;
        image::Rgb([
            ((x * 200 / width) as u8).wrapping_add(noise),
            ((y * 200 / height) as u8).wrapping_add(noise),
            ((seed * 37 % 200) as u8).wrapping_add(noise),
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode_image(&image)
        .unwrap();
    jpeg
}

/// The native baseline: what the phone does to a photo, with the `image`
/// crate in this process.
fn shrink_natively(jpeg: &[u8]) -> Result<(f64, usize)> {
    let started = Instant::now();
    let image = image::load_from_memory(jpeg)?;
    let small = image
        .resize(1_600, 1_600, image::imageops::FilterType::Triangle)
        .to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small)?;
    Ok((started.elapsed().as_secs_f64() * 1_000.0, out.len()))
}

/// A proxy between the phone and the server: counts the bytes the phone
/// sends and, while `throttled`, lets them (and the answers) through at
/// [`THROTTLE_BYTES_PER_S`].
struct Proxy {
    port: u16,
    sent: Arc<AtomicU64>,
    throttled: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(server_port: u16) -> Result<Proxy> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let sent = Arc::new(AtomicU64::new(0));
        let throttled = Arc::new(AtomicBool::new(false));
        let (counted, slow) = (sent.clone(), throttled.clone());
        tokio::spawn(async move {
            while let Ok((phone, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", server_port)).await
                else {
                    continue;
                };
                let (phone_read, phone_write) = phone.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pipe(
                    phone_read,
                    server_write,
                    Some(counted.clone()),
                    slow.clone(),
                ));
                tokio::spawn(pipe(server_read, phone_write, None, slow.clone()));
            }
        });
        Ok(Proxy {
            port,
            sent,
            throttled,
        })
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    count: Option<Arc<AtomicU64>>,
    throttled: Arc<AtomicBool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if throttled.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_secs_f64(
                read as f64 / THROTTLE_BYTES_PER_S as f64,
            ))
            .await;
        }
        if let Some(count) = &count {
            count.fetch_add(read as u64, Ordering::Relaxed);
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

async fn photos_on_form(phone: &Browser) -> Result<u64> {
    let drawn = phone
        .client
        .execute(
            "return [...document.querySelectorAll('#photos .photo img')]
                 .filter(img => img.complete && img.naturalWidth > 0).length",
            vec![],
        )
        .await?;
    Ok(drawn.as_u64().unwrap_or(0))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn stored_bytes(photos: &Path) -> Result<(usize, u64)> {
    let mut count = 0;
    let mut bytes = 0;
    if let Ok(entries) = std::fs::read_dir(photos) {
        for entry in entries {
            count += 1;
            bytes += entry?.metadata()?.len();
        }
    }
    Ok((count, bytes))
}

/// Part 3: 100 activities with a photo each, sent over the API.
async fn seed_listed(server: &TestServer, token: &str) -> Result<()> {
    use tongxin_shared::{
        Activity, Category, PeopleServed,
        hlc::HlcClock,
        merge::ActivityRecord,
        photo::{Photo, PhotoRecord},
        wire::Wired,
    };
    let client = reqwest::Client::new();
    let device = uuid::Uuid::now_v7();
    let mut clock = HlcClock::new(device);
    let mut seq = 0u64;
    for n in 0..LISTED as u32 {
        let bytes = camera_jpeg(10_000 + n, 1_600, 1_200);
        let now = || chrono::Utc::now().timestamp_millis() as u64;
        let activity = Activity {
            id: uuid::Uuid::now_v7(),
            category: Category::HEALTH_CLINIC,
            title: format!("照片基准活动 {n}"),
            station_id: "st-xianfeng".into(),
            date: chrono::Local::now().date_naive(),
            volunteers: 3,
            people_served: PeopleServed::try_from(10).unwrap(),
            notes: String::new(),
            time: None,
            organising_group: String::new(),
        };
        let record = ActivityRecord::new(&activity, clock.stamp(now()));
        let photo = PhotoRecord::new(
            &Photo {
                id: uuid::Uuid::now_v7(),
                activity_id: activity.id,
                hash: sha256(&bytes),
                bytes: bytes.len() as u32,
            },
            clock.stamp(now()),
        );
        let push = json!({
            "protocol": tongxin_shared::sync::PROTOCOL_VERSION,
            "device_id": device,
            "mutations": [
                { "seq": seq + 1, "change": { "type": "put_activity", "record": record.to_wire() } },
                { "seq": seq + 2, "change": { "type": "put_photo", "record": photo.to_wire() } },
            ],
        });
        seq += 2;
        client
            .post(server.url("/api/sync/push"))
            .bearer_auth(token)
            .json(&push)
            .send()
            .await?
            .error_for_status()?;
        for (index, chunk) in bytes.chunks(Photo::CHUNK_BYTES as usize).enumerate() {
            let offset = index * Photo::CHUNK_BYTES as usize;
            client
                .put(server.url(&format!("/api/photos/{}?offset={offset}", sha256(&bytes))))
                .bearer_auth(token)
                .body(chunk.to_vec())
                .send()
                .await?
                .error_for_status()?;
        }
    }
    Ok(())
}

/// Fetches every photo of the admin's list, thumbnails or full size, six
/// at a time as a browser does: (bytes, seconds).
async fn fetch_list(
    server: &TestServer,
    token: &str,
    hashes: &[String],
    thumb: bool,
) -> Result<(u64, f64)> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut bytes = 0;
    for batch in hashes.chunks(6) {
        let fetches = batch.iter().map(|hash| {
            let url = match thumb {
                true => server.url(&format!("/api/photos/{hash}/thumb")),
                false => server.url(&format!("/api/photos/{hash}")),
            };
            let client = client.clone();
            async move {
                let body = client
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await?
                    .error_for_status()?
                    .bytes()
                    .await?;
                anyhow::Ok(body.len() as u64)
            }
        });
        for fetched in futures::future::join_all(fetches).await {
            bytes += fetched?;
        }
    }
    Ok((bytes, started.elapsed().as_secs_f64()))
}

#[tokio::main]
async fn main() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("photos.sqlite");
    let server = TestServer::start(&database, None)?;
    let proxy = Proxy::start(server.port).await?;
    let origin = format!("http://127.0.0.1:{}", proxy.port);

    println!("making {SENT_PHOTOS} camera photos of 4,000 × 3,000");
    let mut files = Vec::new();
    for n in 0..SENT_PHOTOS as u32 {
        let path = data.path().join(format!("camera-{n}.jpg"));
        std::fs::write(&path, camera_jpeg(n + 1, 4_000, 3_000))?;
        files.push(path);
    }

    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&format!("{origin}/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_station("st-xianfeng").await?;

    // 1. One photo at a time: pick → thumbnail.
    let mut shrinks = Vec::new();
    for (n, path) in files.iter().take(5).enumerate() {
        let started = Instant::now();
        phone
            .client
            .find(Locator::Css("#photos input[name=photo-gallery]"))
            .await?
            .send_keys(&path.display().to_string())
            .await?;
        wait_until(Duration::from_secs(30), "the thumbnail", || async {
            Ok(photos_on_form(&phone).await? == n as u64 + 1)
        })
        .await?;
        let ms = started.elapsed().as_secs_f64() * 1_000.0;
        let after: u64 = phone
            .client
            .execute(
                "return Number([...document.querySelectorAll('#photos .photo')].at(-1).dataset.bytes)",
                vec![],
            )
            .await?
            .as_u64()
            .context("the photo's size")?;
        let before = std::fs::metadata(path)?.len();
        let (native_ms, native_bytes) = shrink_natively(&std::fs::read(path)?)?;
        println!(
            "shrink on the phone: {before} B → {after} B in {ms:.0} ms (native image crate: {native_bytes} B in {native_ms:.0} ms)"
        );
        shrinks.push(
            json!({ "bytes_before": before, "bytes_after": after, "phone_ms": ms,
            "native_bytes_after": native_bytes, "native_ms": native_ms }),
        );
    }
    phone
        .client
        .execute(
            "document.querySelectorAll('#photos .photo-remove').forEach(b => b.click())",
            vec![],
        )
        .await?;

    // 2. 50 photos on six records, over a throttled connection.
    proxy.throttled.store(true, Ordering::Relaxed);
    proxy.sent.store(0, Ordering::Relaxed);
    let started = Instant::now();
    for (record, batch) in files.chunks(9).enumerate() {
        let paths: Vec<String> = batch.iter().map(|p| p.display().to_string()).collect();
        phone
            .client
            .find(Locator::Css("#photos input[name=photo-gallery]"))
            .await?
            .send_keys(&paths.join("\n"))
            .await?;
        wait_until(Duration::from_secs(60), "the thumbnails", || async {
            Ok(photos_on_form(&phone).await? == batch.len() as u64)
        })
        .await?;
        phone
            .record_activity("health_clinic", &format!("照片上传基准 {record}"), 12)
            .await?;
    }
    let photos_dir = data.path().join("photos/photos");
    wait_until(Duration::from_secs(900), "every photo stored", || async {
        Ok(stored_bytes(&photos_dir)?.0 == SENT_PHOTOS)
    })
    .await?;
    let send_seconds = started.elapsed().as_secs_f64();
    let wire = proxy.sent.load(Ordering::Relaxed);
    proxy.throttled.store(false, Ordering::Relaxed);
    let (_, stored) = stored_bytes(&photos_dir)?;
    let ratio = wire as f64 / stored as f64;
    println!(
        "sending {SENT_PHOTOS} photos at 1.6 Mbit/s: {send_seconds:.1} s; {wire} B sent by the phone ÷ {stored} B stored = {ratio:.3} (goal ≤ 1.05)"
    );
    phone.close().await?;

    // 3. The admin's list of 100 activities with a photo each.
    let volunteer = server.token("volunteer").await?;
    seed_listed(&server, &volunteer).await?;
    let admin = server.token("admin").await?;
    let rows: Value = reqwest::Client::new()
        .get(server.url("/api/admin/activities"))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    let hashes: Vec<String> = rows
        .as_array()
        .context("a list")?
        .iter()
        .filter(|row| {
            row["activity"]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("照片基准活动"))
        })
        .filter_map(|row| row["photos"][0].as_str().map(str::to_owned))
        .collect();
    if hashes.len() != LISTED {
        bail!(
            "the list shows {} of the {LISTED} activities with photos",
            hashes.len()
        );
    }
    let (thumb_bytes, thumb_s) = fetch_list(&server, &admin, &hashes, true).await?;
    let (full_bytes, full_s) = fetch_list(&server, &admin, &hashes, false).await?;
    println!(
        "the admin's list of {LISTED}: thumbnails {thumb_bytes} B in {:.0} ms; the same photos full size {full_bytes} B in {:.0} ms ({:.1}% of the bytes)",
        thumb_s * 1_000.0,
        full_s * 1_000.0,
        thumb_bytes as f64 * 100.0 / full_bytes as f64
    );

    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out)?;
    let path = out.join("photos.json");
    let report = json!({
        "shrink": shrinks,
        "send": { "photos": SENT_PHOTOS, "throttle_bits_per_s": THROTTLE_BYTES_PER_S * 8,
                  "seconds": send_seconds, "bytes_sent_by_phone": wire, "bytes_stored": stored,
                  "ratio": ratio, "goal_ratio": 1.05 },
        "admin_list": { "activities": LISTED, "thumbnail_bytes": thumb_bytes, "thumbnail_seconds": thumb_s,
                        "full_size_bytes": full_bytes, "full_size_seconds": full_s },
    });
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("written to {}", path.display());
    Ok(())
}
