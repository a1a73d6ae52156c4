//! Photos of an activity, offline first: a volunteer records an activity
//! with two photos while the server is down (camera photos of 5,120 ×
//! 2,560 pixels, each with an EXIF orientation and a GPS position), the
//! phone shows them after a reload with no signal, sends them when the
//! server is back, and an admin's phone and the office show them. The
//! server holds each made small, the right way up and with no EXIF left.

use std::{path::Path, time::Duration};

use anyhow::{Context, Result};
use fantoccini::Locator;
use tongxin_tests::{Browser, PHONE, TestServer, downloaded, wait_until};

/// A camera's JPEG: `width` × `height` pixels as stored, red on the left
/// half and blue on the right (a grey `mark` in the top left corner tells
/// two apart), with an EXIF block saying "rotate 90° clockwise to show"
/// (orientation 6) and a GPS latitude.
fn camera_jpeg(width: u32, height: u32, mark: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        if x < 200 && y < 200 {
            image::Rgb([mark, mark, mark])
        } else if x < width / 2 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image)
        .unwrap();
    // The EXIF block (a little-endian TIFF): IFD0 with the orientation
    // and a pointer to the GPS IFD, which holds a latitude.
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = Vec::new();
        e.extend(tag.to_le_bytes());
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value);
        e
    };
    let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    let rationals: u32 = gps_ifd + 2 + 2 * 12 + 4;
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, [6, 0, 0, 0]));
    tiff.extend(entry(0x8825, 4, 1, gps_ifd.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, *b"N\0\0\0"));
    tiff.extend(entry(0x0002, 5, 3, rationals.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    for (numerator, denominator) in [(30u32, 1u32), (35, 1), (1234, 100)] {
        tiff.extend(numerator.to_le_bytes());
        tiff.extend(denominator.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let length = (app1.len() + 2) as u16;
    let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
    with_exif.extend(length.to_be_bytes());
    with_exif.extend(app1);
    with_exif.extend(&jpeg[2..]);
    with_exif
}

/// The photos shown on the form, each drawn (its image decoded).
async fn photos_drawn(phone: &Browser) -> Result<u64> {
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

/// Opens the record titled `title` in the form.
async fn edit(phone: &Browser, title: &str) -> Result<()> {
    wait_until(Duration::from_secs(20), "the record listed", || async {
        let tapped = phone
            .client
            .execute(
                "const row = [...document.querySelectorAll('#my-records li')]
                     .find(li => li.querySelector('.record-title')?.textContent === arguments[0]);
                 if (!row) return false;
                 row.querySelector('button.edit').click();
                 return true;",
                vec![serde_json::json!(title)],
            )
            .await?;
        Ok(tapped.as_bool() == Some(true))
    })
    .await
}

fn stored_photos(photos: &Path) -> Result<Vec<Vec<u8>>> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(photos.join("photos")) else {
        return Ok(found);
    };
    for entry in entries {
        found.push(std::fs::read(entry?.path())?);
    }
    Ok(found)
}

#[tokio::test(flavor = "multi_thread")]
async fn photos_taken_offline_are_kept_sent_when_the_server_is_back_small_upright_and_without_gps()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("photos.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let originals = [
        data.path().join("first.jpg"),
        data.path().join("second.jpg"),
    ];
    std::fs::write(&originals[0], camera_jpeg(5_120, 2_560, 60))?;
    std::fs::write(&originals[1], camera_jpeg(4_000, 2_000, 180))?;

    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;
    phone.wait_for_station("st-xianfeng").await?;

    // No signal: two photos from the gallery, then the record.
    server.kill();
    let paths = originals
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    phone
        .client
        .find(Locator::Css("#photos input[name=photo-gallery]"))
        .await?
        .send_keys(&paths)
        .await?;
    let picked = std::time::Instant::now();
    let shown = wait_until(Duration::from_secs(20), "two thumbnails", || async {
        Ok(photos_drawn(&phone).await? == 2)
    })
    .await;
    if let Err(error) = shown {
        let photos = phone
            .client
            .execute(
                "return [...document.querySelectorAll('#photos .photo img')]
                     .map(img => [img.complete, img.naturalWidth, img.naturalHeight])",
                vec![],
            )
            .await?;
        return Err(error.context(format!("the photos on the form: {photos}")));
    }
    eprintln!("two photos made small and shown in {:?}", picked.elapsed());
    assert_eq!(
        phone.text("#photos .photo-count").await?.as_deref(),
        Some("2/9")
    );
    let title = "先锋社区义诊（附照片）";
    phone.record_activity("health_clinic", title, 42).await?;
    // The form is empty for the next record, photos too; the bar counts
    // the two photos waiting beside the record.
    assert_eq!(photos_drawn(&phone).await?, 0);
    wait_until(Duration::from_secs(10), "two photos waiting", || async {
        Ok(phone.text("#photos-waiting").await?.as_deref() == Some("📷 2"))
    })
    .await?;

    // A reload with no signal: the record's photos are still there.
    phone.client.refresh().await?;
    edit(&phone, title).await?;
    wait_until(
        Duration::from_secs(20),
        "the photos after a reload",
        || async { Ok(photos_drawn(&phone).await? == 2) },
    )
    .await?;
    phone.click("button.cancel-edit").await?;

    // The server is back: the photos go, and the count with them.
    server = TestServer::start(&database, Some(port))?;
    wait_until(Duration::from_secs(40), "the photos sent", || async {
        phone.click("button.sync-now").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(phone.text("#photos-waiting").await?.is_none()
            && stored_photos(&data.path().join("photos"))?.len() == 2)
    })
    .await?;

    // Each is kept small, the right way up (portrait, red above blue, as
    // the camera's orientation says), and without EXIF: no GPS position.
    for bytes in stored_photos(&data.path().join("photos"))? {
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "EXIF left in a stored photo"
        );
        let photo = image::load_from_memory(&bytes)?.to_rgb8();
        let (width, height) = photo.dimensions();
        assert_eq!(height, 1_600, "{width} × {height}");
        assert_eq!(width, 800, "{width} × {height}");
        let top = photo.get_pixel(width / 2, height / 8);
        let bottom = photo.get_pixel(width / 2, height * 7 / 8);
        assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
    }

    // An admin's phone shows them, fetched from the server.
    let downloads = tempfile::tempdir()?;
    let admin = Browser::open_downloading_to(PHONE, downloads.path()).await?;
    admin.client.goto(&server.url("/")).await?;
    admin.log_in("admin").await?;
    edit(&admin, title).await?;
    wait_until(
        Duration::from_secs(20),
        "the photos on the admin's phone",
        || async { Ok(photos_drawn(&admin).await? == 2) },
    )
    .await
    .context("the admin's phone fetches the thumbnails")?;

    // The office lists the activity with the server's thumbnails.
    admin.client.goto(&server.url("/admin")).await?;
    wait_until(
        Duration::from_secs(20),
        "the thumbnails in the office",
        || async {
            let drawn = admin
                .client
                .execute(
                    "const row = [...document.querySelectorAll('#admin-activities tbody tr')]
                     .find(tr => tr.textContent.includes(arguments[0]));
                 return row ? [...row.querySelectorAll('.thumbnail img')]
                     .filter(img => img.complete && img.naturalWidth > 0).length : 0;",
                    vec![serde_json::json!(title)],
                )
                .await?;
            Ok(drawn.as_u64() == Some(2))
        },
    )
    .await?;

    // The office's ZIP of the listed activities' photos holds both as the
    // server keeps them, and a list naming their activity.
    admin.click("button.export-photos").await?;
    let zip = downloaded(downloads.path(), "活动照片.zip").await?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip))?;
    let (mut in_zip, mut list) = (Vec::new(), String::new());
    for n in 0..archive.len() {
        let mut file = archive.by_index(n)?;
        let name = file.name()?.into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes)?;
        if name == "照片清单.csv" {
            list = String::from_utf8(bytes)?;
        } else {
            assert!(name.contains(title), "{name} in the ZIP");
            in_zip.push(bytes);
        }
    }
    let mut stored = stored_photos(&data.path().join("photos"))?;
    in_zip.sort();
    stored.sort();
    assert!(
        in_zip == stored,
        "the ZIP's photos differ from those stored"
    );
    assert_eq!(
        list.lines().filter(|line| line.contains(title)).count(),
        2,
        "{list}"
    );

    // The page a photo's link in the Excel export leads to shows it full
    // size.
    let hash = std::fs::read_dir(data.path().join("photos").join("photos"))?
        .next()
        .context("a stored photo")??
        .file_name()
        .into_string()
        .map_err(|name| anyhow::anyhow!("{name:?}"))?;
    admin
        .client
        .goto(&server.url(&format!("/admin/photo/{hash}")))
        .await?;
    wait_until(Duration::from_secs(20), "the photo full size", || async {
        let size = admin
            .client
            .execute(
                "const img = document.querySelector('#photo-full');
                 return img && img.complete ? [img.naturalWidth, img.naturalHeight] : null;",
                vec![],
            )
            .await?;
        Ok(size == serde_json::json!([800, 1600]))
    })
    .await?;

    admin.close().await?;
    phone.close().await
}

/// A camera photo of noise (which does not compress): made small on the
/// phone it is still several chunks.
fn noisy_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9u32;
    let image = image::RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [r, g, b, _] = state.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&image)
        .unwrap();
    jpeg
}

/// The offsets of the chunks of `hash` the server kept, in the order its
/// log says it kept them.
fn chunks_kept(log: &Path, hash: &str) -> Result<Vec<u64>> {
    // The log may be coloured: its escape sequences go first.
    let mut text = String::new();
    let mut escape = false;
    for c in std::fs::read_to_string(log)?.chars() {
        match (escape, c) {
            (false, '\u{1b}') => escape = true,
            (true, 'm') => escape = false,
            (true, _) => {}
            (false, c) => text.push(c),
        }
    }
    Ok(text
        .lines()
        .filter(|line| line.contains("photo chunk kept") && line.contains(hash))
        .filter_map(|line| {
            let at = line.find("offset=")? + "offset=".len();
            line[at..].split(' ').next()?.parse().ok()
        })
        .collect())
}

/// The DevTools Protocol connection of the phone's page: the test holds a
/// request back there, as a signal lost in the middle of an upload would.
struct PageDevTools {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
}

impl PageDevTools {
    async fn attach(phone: &Browser, origin: &str) -> Result<PageDevTools> {
        let address = phone.debugger_address()?;
        let targets: serde_json::Value = reqwest::get(format!("http://{address}/json"))
            .await?
            .json()
            .await?;
        let url = targets
            .as_array()
            .context("a list of targets")?
            .iter()
            .find(|t| {
                t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(origin))
            })
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .context("the phone's page")?
            .to_owned();
        let (socket, _) = tokio_tungstenite::connect_async(url).await?;
        Ok(PageDevTools { socket, next_id: 0 })
    }

    async fn send(&mut self, method: &str, params: serde_json::Value) -> Result<()> {
        use futures::SinkExt;
        self.next_id += 1;
        let message = serde_json::json!({ "id": self.next_id, "method": method, "params": params });
        self.socket
            .send(tokio_tungstenite::tungstenite::Message::text(
                message.to_string(),
            ))
            .await?;
        Ok(())
    }

    /// Waits for a request the page holds back (`Fetch.requestPaused`);
    /// its id.
    async fn paused(&mut self) -> Result<String> {
        use futures::StreamExt;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(60), self.socket.next())
                .await
                .context("no upload held back")?
                .context("DevTools went away")??;
            // Read as text: the paused request's event carries its body,
            // a photo's bytes, which is not valid JSON text.
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message
                && text.contains("\"Fetch.requestPaused\"")
            {
                let at = text.find("\"requestId\":\"").context("a request id")?
                    + "\"requestId\":\"".len();
                let id = text[at..].split('"').next().context("a request id")?;
                return Ok(id.to_owned());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_cut_off_half_way_goes_on_where_it_stopped() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("resume.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let photo = data.path().join("noise.jpg");
    std::fs::write(&photo, noisy_jpeg(3_000, 2_000))?;

    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_station("st-xianfeng").await?;
    phone
        .client
        .find(Locator::Css("#photos input[name=photo-gallery]"))
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    wait_until(Duration::from_secs(20), "the thumbnail", || async {
        Ok(photos_drawn(&phone).await? == 1)
    })
    .await?;
    let hash = phone
        .attribute("#photos .photo", "data-hash")
        .await?
        .context("the photo's hash")?;

    // The second chunk is held back, and the signal goes while it is.
    let mut devtools = PageDevTools::attach(&phone, &server.url("")).await?;
    devtools
        .send(
            "Fetch.enable",
            serde_json::json!({ "patterns": [{ "urlPattern": "*offset=262144*" }] }),
        )
        .await?;
    phone
        .record_activity("health_clinic", "信号时有时无的义诊", 9)
        .await?;
    let held = devtools.paused().await?;
    server.kill();
    devtools
        .send(
            "Fetch.failRequest",
            serde_json::json!({ "requestId": held, "errorReason": "ConnectionReset" }),
        )
        .await?;
    devtools
        .send("Fetch.disable", serde_json::json!({}))
        .await?;
    let before_the_cut = chunks_kept(&server.log, &hash)?;
    assert_eq!(before_the_cut, [0]);

    // The signal is back: the phone asks where the upload stands and goes
    // on from there; the first chunk is not sent again.
    server = TestServer::start(&database, Some(port))?;
    wait_until(Duration::from_secs(40), "the photo sent", || async {
        phone.click("button.sync-now").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(phone.text("#photos-waiting").await?.is_none()
            && stored_photos(&data.path().join("photos"))?.len() == 1)
    })
    .await?;
    // The restarted server logs to a file of its own.
    let kept = [before_the_cut, chunks_kept(&server.log, &hash)?].concat();
    let size = std::fs::metadata(data.path().join("photos/photos").join(&hash))?.len();
    let expected: Vec<u64> = (0..size.div_ceil(262_144)).map(|n| n * 262_144).collect();
    assert!(
        expected.len() >= 3,
        "only {size} bytes: too few chunks to cut"
    );
    assert_eq!(kept, expected, "each chunk kept once, in order");
    phone.close().await
}
