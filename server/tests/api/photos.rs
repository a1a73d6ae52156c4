//! Photos of activities: references that sync like every record, bytes
//! sent apart by their hash, in chunks that resume, checked before they
//! are kept, and shown only to those who may see the activity.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;
use tongxin_server::photos::{Swept, sweep};
use tongxin_shared::{
    account::Role,
    hlc::HlcClock,
    merge::ActivityRecord,
    photo::{Photo, PhotoRecord, PhotoWire},
    wire::Wired,
};
use uuid::Uuid;

use crate::helpers::{TestApp, activity, outcomes, spawn_app};

/// A camera-like JPEG (noise does not compress): about `width` × `height`
/// × 0.4 bytes, so a 1,200 × 900 one needs several chunks.
fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.max(1);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 64) as u8;
        image::Rgb([
            (x % 256) as u8 / 2 + noise,
            (y % 256) as u8 / 2 + noise,
            128 + noise,
        ])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&image)
        .unwrap();
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One device, stamping with its own clock.
struct Device {
    id: Uuid,
    clock: std::cell::RefCell<HlcClock>,
    seq: std::cell::Cell<u64>,
}

impl Device {
    fn new() -> Device {
        let id = Uuid::now_v7();
        Device {
            id,
            clock: HlcClock::new(id).into(),
            seq: 0.into(),
        }
    }

    fn stamp(&self) -> tongxin_shared::hlc::Hlc {
        let now = chrono::Utc::now().timestamp_millis();
        self.clock.borrow_mut().stamp(now as u64)
    }

    fn photo(&self, activity_id: Uuid, bytes: &[u8]) -> PhotoRecord {
        self.photo_named(activity_id, &sha256(bytes), bytes.len() as u32)
    }

    fn photo_named(&self, activity_id: Uuid, hash: &str, bytes: u32) -> PhotoRecord {
        let photo = Photo {
            id: Uuid::now_v7(),
            activity_id,
            hash: hash.into(),
            bytes,
        };
        PhotoRecord::new(&photo, self.stamp())
    }

    /// A push of these changes, each under the device's next number.
    fn push(&self, changes: &[Value]) -> Value {
        let mutations: Vec<Value> = changes
            .iter()
            .map(|change| {
                self.seq.set(self.seq.get() + 1);
                json!({ "seq": self.seq.get(), "change": change })
            })
            .collect();
        json!({
            "protocol": tongxin_shared::sync::PROTOCOL_VERSION,
            "device_id": self.id,
            "mutations": mutations,
        })
    }
}

fn put_activity(record: &ActivityRecord) -> Value {
    json!({ "type": "put_activity", "record": record.to_wire() })
}

fn put_photo(record: &PhotoRecord) -> Value {
    json!({ "type": "put_photo", "record": record.to_wire() })
}

/// Every photo reference `token` pulls from the start.
async fn pulled_photos(app: &TestApp, token: &str) -> Vec<PhotoRecord> {
    let mut cursor = String::new();
    let mut all = Vec::new();
    loop {
        let page = app
            .get_as(token, &format!("/api/sync/pull?cursor={cursor}&limit=2"))
            .await;
        let wire: Vec<PhotoWire> = serde_json::from_value(page["photos"].clone()).unwrap();
        all.extend(wire.into_iter().map(|w| PhotoRecord::from_wire(w).unwrap()));
        cursor = page["cursor"].as_str().unwrap().to_owned();
        if page["more"] == false {
            return all;
        }
    }
}

async fn status(app: &TestApp, token: &str, hash: &str) -> Value {
    let response = app
        .client
        .post(format!("{}/api/photos/status", app.address))
        .bearer_auth(token)
        .json(&json!({ "hashes": [hash] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["photos"][0].clone()
}

async fn send_chunk(
    app: &TestApp,
    token: &str,
    hash: &str,
    offset: usize,
    chunk: &[u8],
) -> reqwest::Response {
    app.client
        .put(format!("{}/api/photos/{hash}?offset={offset}", app.address))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap()
}

/// Sends a whole photo from where the server has it, a chunk at a time;
/// the last answer.
async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> reqwest::Response {
    let hash = sha256(bytes);
    let mut offset = status(app, token, &hash).await["received"]
        .as_u64()
        .unwrap() as usize;
    loop {
        let end = (offset + Photo::CHUNK_BYTES as usize).min(bytes.len());
        let response = send_chunk(app, token, &hash, offset, &bytes[offset..end]).await;
        if response.status() != StatusCode::OK || end == bytes.len() {
            return response;
        }
        offset = end;
    }
}

/// The rule code of a refused request.
async fn rule_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    let rule = body["errors"][0]["rule"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (status, rule)
}

/// What the photo store holds: every object's name.
async fn stored_files(app: &TestApp) -> Vec<String> {
    app.photos.list_all().await.unwrap()
}

#[tokio::test]
async fn a_photo_goes_by_reference_then_in_chunks_resumes_after_a_cut_and_is_never_sent_twice() {
    let app = spawn_app().await;
    let phone = Device::new();
    let record = ActivityRecord::new(&activity(30), phone.stamp());
    let bytes = jpeg(1_200, 900, 7);
    assert!(
        bytes.len() > 2 * Photo::CHUNK_BYTES as usize,
        "{} bytes",
        bytes.len()
    );
    let photo = phone.photo(record.id, &bytes);
    let hash = photo.hash.value.clone();
    // The record and its photo's reference in one push, as the phone
    // sends its outbox.
    let answers = outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[put_activity(&record), put_photo(&photo)]),
    )
    .await;
    assert_eq!(answers, ["accepted", "accepted"]);
    let before = status(&app, &app.volunteer_token, &hash).await;
    assert_eq!(
        before,
        json!({ "hash": hash, "stored": false, "received": 0 })
    );

    // The first chunk arrives; the connection is cut during the second.
    let chunk = Photo::CHUNK_BYTES as usize;
    let first = send_chunk(&app, &app.volunteer_token, &hash, 0, &bytes[..chunk]).await;
    assert_eq!(first.status(), StatusCode::OK);
    // A chunk sent from the wrong place is refused; nothing is kept of it.
    let misplaced = send_chunk(
        &app,
        &app.volunteer_token,
        &hash,
        2 * chunk,
        &bytes[2 * chunk..(3 * chunk).min(bytes.len())],
    )
    .await;
    assert_eq!(misplaced.status(), StatusCode::CONFLICT);
    // The phone asks where to go on and sends only the rest.
    let resumed = status(&app, &app.volunteer_token, &hash).await;
    assert_eq!(resumed["received"], chunk);
    let last = upload(&app, &app.volunteer_token, &bytes).await;
    assert_eq!(last.status(), StatusCode::OK);
    let last: Value = last.json().await.unwrap();
    assert_eq!(last["stored"], true);
    assert_eq!(
        status(&app, &app.volunteer_token, &hash).await,
        json!({ "hash": hash, "stored": true, "received": bytes.len() })
    );
    // Stored once: the photo and its thumbnail, no parts left.
    assert_eq!(
        stored_files(&app).await,
        [format!("photos/{hash}"), format!("thumbs/{hash}")]
    );
    // Sent again (another phone with the same photo): nothing more kept.
    let again = send_chunk(&app, &app.volunteer_token, &hash, 0, &bytes[..chunk]).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(stored_files(&app).await.len(), 2);

    // The volunteer and the admin get the photo as sent, and a thumbnail.
    for token in [&app.volunteer_token, &app.admin_token] {
        let full = app
            .get_raw(Some(token), &format!("/api/photos/{hash}"))
            .await;
        assert_eq!(full.status(), StatusCode::OK);
        assert_eq!(full.headers()["content-type"], "image/jpeg");
        assert_eq!(full.bytes().await.unwrap().as_ref(), bytes.as_slice());
        let thumb = app
            .get_raw(Some(token), &format!("/api/photos/{hash}/thumb"))
            .await;
        assert_eq!(thumb.status(), StatusCode::OK);
        let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 240));
    }
    // Both pull the reference.
    for token in [&app.volunteer_token, &app.admin_token] {
        let pulled = pulled_photos(&app, token).await;
        assert_eq!(pulled, std::slice::from_ref(&photo));
    }
}

#[tokio::test]
async fn photos_of_other_stations_are_neither_sent_nor_shown_and_organisers_have_none() {
    let app = spawn_app().await;
    let phone = Device::new();
    let record = ActivityRecord::new(&activity(30), phone.stamp());
    let bytes = jpeg(200, 100, 3);
    let photo = phone.photo(record.id, &bytes);
    let hash = photo.hash.value.clone();
    outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[put_activity(&record), put_photo(&photo)]),
    )
    .await;
    let other = app
        .add_user("other-volunteer", Role::Volunteer, &["st-dazhi"])
        .await;
    let organiser = app.add_user("organiser", Role::Organiser, &[]).await;

    let sent = send_chunk(&app, &other, &hash, 0, &bytes).await;
    assert_eq!(
        rule_of(sent).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    assert!(stored_files(&app).await.is_empty());
    let organisers = send_chunk(&app, &organiser, &hash, 0, &bytes).await;
    assert_eq!(organisers.status(), StatusCode::FORBIDDEN);

    assert_eq!(
        upload(&app, &app.volunteer_token, &bytes).await.status(),
        StatusCode::OK
    );
    for path in [
        format!("/api/photos/{hash}"),
        format!("/api/photos/{hash}/thumb"),
    ] {
        assert_eq!(
            app.get_raw(Some(&other), &path).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get_raw(Some(&organiser), &path).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_raw(None, &path).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert!(pulled_photos(&app, &other).await.is_empty());

    // A photo the volunteer's phone pins on an activity of another
    // station is refused, and so is one on a record that does not exist.
    let admins_phone = Device::new();
    let elsewhere = ActivityRecord::new(
        &tongxin_shared::Activity {
            station_id: "st-dazhi".into(),
            ..activity(10)
        },
        admins_phone.stamp(),
    );
    assert_eq!(
        outcomes(
            &app,
            &app.admin_token,
            &admins_phone.push(&[put_activity(&elsewhere)])
        )
        .await,
        ["accepted"]
    );
    let answers = outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[
            put_photo(&phone.photo(elsewhere.id, &bytes)),
            put_photo(&phone.photo(Uuid::now_v7(), &bytes)),
        ]),
    )
    .await;
    assert_eq!(
        answers,
        ["activity_id:not_your_station", "activity_id:not_found"]
    );
    // An organiser's phone has no activities to pin photos on.
    let organisers_phone = Device::new();
    let answers = outcomes(
        &app,
        &organiser,
        &organisers_phone.push(&[put_photo(&organisers_phone.photo(record.id, &bytes))]),
    )
    .await;
    assert_eq!(answers, ["photo:not_your_role"]);
}

#[tokio::test]
async fn a_wrong_hash_a_text_file_named_jpg_and_an_oversize_file_are_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let phone = Device::new();
    let record = ActivityRecord::new(&activity(30), phone.stamp());
    let token = app.volunteer_token.clone();
    assert_eq!(
        outcomes(&app, &token, &phone.push(&[put_activity(&record)])).await,
        ["accepted"]
    );

    // Bytes that are not those the reference names: refused once whole,
    // and what had arrived is dropped.
    let bytes = jpeg(800, 600, 11);
    let mut corrupted = bytes.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0xFF;
    let photo = phone.photo(record.id, &bytes);
    assert_eq!(
        outcomes(&app, &token, &phone.push(&[put_photo(&photo)])).await,
        ["accepted"]
    );
    let hash = sha256(&bytes);
    let mut offset = 0;
    let mut last = None;
    while offset < corrupted.len() {
        let end = (offset + Photo::CHUNK_BYTES as usize).min(corrupted.len());
        last = Some(send_chunk(&app, &token, &hash, offset, &corrupted[offset..end]).await);
        offset = end;
    }
    assert_eq!(
        rule_of(last.unwrap()).await,
        (StatusCode::BAD_REQUEST, "hash_mismatch".into())
    );
    assert_eq!(status(&app, &token, &hash).await["received"], 0);
    assert!(
        stored_files(&app).await.is_empty(),
        "{:?}",
        stored_files(&app).await
    );
    // Sent right, it is kept.
    assert_eq!(upload(&app, &token, &bytes).await.status(), StatusCode::OK);

    // A text file named .jpg, referenced by its own hash.
    let text = "这不是照片 — just text named photo.jpg"
        .repeat(20)
        .into_bytes();
    let text_photo = phone.photo(record.id, &text);
    assert_eq!(
        outcomes(&app, &token, &phone.push(&[put_photo(&text_photo)])).await,
        ["accepted"]
    );
    let refused = send_chunk(&app, &token, &sha256(&text), 0, &text).await;
    assert_eq!(
        rule_of(refused).await,
        (StatusCode::BAD_REQUEST, "not_a_photo".into())
    );
    // A file with a JPEG's first bytes and nothing a decoder reads.
    let fake = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[7u8; 5_000]].concat();
    let fake_photo = phone.photo(record.id, &fake);
    outcomes(&app, &token, &phone.push(&[put_photo(&fake_photo)])).await;
    let refused = send_chunk(&app, &token, &sha256(&fake), 0, &fake).await;
    assert_eq!(
        rule_of(refused).await,
        (StatusCode::BAD_REQUEST, "not_a_photo".into())
    );

    // A reference to more than 4 MB is refused at the push; a chunk over
    // 256 KiB, or past the photo's size, at the upload.
    let oversize = phone.photo_named(record.id, &"b".repeat(64), Photo::MAX_BYTES + 1);
    assert_eq!(
        outcomes(&app, &token, &phone.push(&[put_photo(&oversize)])).await,
        ["bytes:too_large"]
    );
    let small = jpeg(64, 64, 5);
    let declared = phone.photo_named(record.id, &sha256(&small), small.len() as u32);
    outcomes(&app, &token, &phone.push(&[put_photo(&declared)])).await;
    let longer = [small.clone(), vec![0; 10]].concat();
    let refused = send_chunk(&app, &token, &sha256(&small), 0, &longer).await;
    assert_eq!(
        rule_of(refused).await,
        (StatusCode::BAD_REQUEST, "too_large".into())
    );
    let big = vec![0xFF; Photo::CHUNK_BYTES as usize + 1];
    let refused = send_chunk(&app, &token, &sha256(&small), 0, &big).await;
    assert_eq!(
        rule_of(refused).await,
        (StatusCode::BAD_REQUEST, "too_large".into())
    );
    // A name that is not a SHA-256, and a photo no record refers to.
    let refused = send_chunk(&app, &token, "not-a-hash", 0, &small).await;
    assert_eq!(
        rule_of(refused).await,
        (StatusCode::BAD_REQUEST, "hash_mismatch".into())
    );
    let unknown = jpeg(32, 32, 9);
    let refused = send_chunk(&app, &token, &sha256(&unknown), 0, &unknown).await;
    assert_eq!(
        rule_of(refused).await,
        (StatusCode::NOT_FOUND, "not_found".into())
    );

    // Of all that, only the one good photo is kept.
    assert_eq!(
        stored_files(&app).await,
        [format!("photos/{hash}"), format!("thumbs/{hash}")]
    );
}

#[tokio::test]
async fn two_phones_adding_photos_to_one_activity_offline_both_keep_theirs_up_to_nine() {
    let app = spawn_app().await;
    let (first, second) = (Device::new(), Device::new());
    let record = ActivityRecord::new(&activity(30), first.stamp());
    outcomes(
        &app,
        &app.volunteer_token,
        &first.push(&[put_activity(&record)]),
    )
    .await;
    // Offline, each phone adds four photos; then both sync.
    let ours: Vec<PhotoRecord> = (0..4)
        .map(|n| first.photo(record.id, &jpeg(16, 16, n + 1)))
        .collect();
    let theirs: Vec<PhotoRecord> = (0..4)
        .map(|n| second.photo(record.id, &jpeg(16, 16, n + 100)))
        .collect();
    let changes = |photos: &[PhotoRecord]| photos.iter().map(put_photo).collect::<Vec<_>>();
    outcomes(&app, &app.volunteer_token, &first.push(&changes(&ours))).await;
    outcomes(&app, &app.volunteer_token, &second.push(&changes(&theirs))).await;
    let pulled = pulled_photos(&app, &app.volunteer_token).await;
    assert_eq!(pulled.len(), 8);
    for photo in ours.iter().chain(&theirs) {
        assert!(pulled.contains(photo), "{:?} lost", photo.id);
    }
    // The ninth is taken, a tenth is one too many; removing one makes room.
    let ninth = first.photo(record.id, &jpeg(16, 16, 50));
    let tenth = second.photo(record.id, &jpeg(16, 16, 51));
    assert_eq!(
        outcomes(
            &app,
            &app.volunteer_token,
            &first.push(&[put_photo(&ninth), put_photo(&tenth)])
        )
        .await,
        ["accepted", "photos:at_most"]
    );
    let mut removed = ours[0].clone();
    removed.set_deleted(true, first.stamp());
    assert_eq!(
        outcomes(
            &app,
            &app.volunteer_token,
            &first.push(&[put_photo(&removed), put_photo(&tenth)])
        )
        .await,
        ["accepted", "accepted"]
    );
    // A reference never moves to another activity nor changes its bytes.
    let mut moved = ours[1].clone();
    moved.activity_id.set(Uuid::now_v7(), first.stamp());
    let mut rehashed = ours[2].clone();
    rehashed.hash.set("c".repeat(64), first.stamp());
    assert_eq!(
        outcomes(
            &app,
            &app.volunteer_token,
            &first.push(&[put_photo(&moved), put_photo(&rehashed)])
        )
        .await,
        ["activity_id:unchangeable", "hash:unchangeable"]
    );
}

#[tokio::test]
async fn photos_follow_their_activity_to_a_station_of_another_volunteer() {
    let app = spawn_app().await;
    let phone = Device::new();
    let record = ActivityRecord::new(&activity(30), phone.stamp());
    let photo = phone.photo(record.id, &jpeg(40, 30, 1));
    outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[put_activity(&record), put_photo(&photo)]),
    )
    .await;
    let other = app
        .add_user("dazhi-volunteer", Role::Volunteer, &["st-dazhi"])
        .await;
    // The other volunteer has pulled everything of theirs: nothing.
    assert!(pulled_photos(&app, &other).await.is_empty());
    let page = app.get_as(&other, "/api/sync/pull").await;
    let cursor = page["cursor"].as_str().unwrap().to_owned();

    // The admin moves the activity to the other volunteer's station.
    let admins_phone = Device::new();
    let mut moved = record.clone();
    let mut edited = record.activity();
    edited.station_id = "st-dazhi".into();
    moved.edit(&edited, admins_phone.stamp());
    assert_eq!(
        outcomes(
            &app,
            &app.admin_token,
            &admins_phone.push(&[put_activity(&moved)])
        )
        .await,
        ["accepted"]
    );
    // Their next pull, from where they were, brings the photo with it.
    let page = app
        .get_as(&other, &format!("/api/sync/pull?cursor={cursor}"))
        .await;
    assert_eq!(page["changes"].as_array().unwrap().len(), 1);
    let wire: Vec<PhotoWire> = serde_json::from_value(page["photos"].clone()).unwrap();
    assert_eq!(wire.len(), 1);
    assert_eq!(
        PhotoRecord::from_wire(wire[0].clone()).unwrap().id,
        photo.id
    );
}

#[tokio::test]
async fn a_photo_no_record_refers_to_any_longer_is_removed_after_the_grace_period() {
    let app = spawn_app().await;
    let phone = Device::new();
    let record = ActivityRecord::new(&activity(30), phone.stamp());
    let (kept, dropped) = (jpeg(64, 48, 1), jpeg(64, 48, 2));
    let (kept_photo, dropped_photo) = (
        phone.photo(record.id, &kept),
        phone.photo(record.id, &dropped),
    );
    outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[
            put_activity(&record),
            put_photo(&kept_photo),
            put_photo(&dropped_photo),
        ]),
    )
    .await;
    for bytes in [&kept, &dropped] {
        assert_eq!(
            upload(&app, &app.volunteer_token, bytes).await.status(),
            StatusCode::OK
        );
    }
    // An upload begun and abandoned.
    let abandoned = jpeg(600, 400, 3);
    outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[put_photo(&phone.photo(record.id, &abandoned))]),
    )
    .await;
    send_chunk(
        &app,
        &app.volunteer_token,
        &sha256(&abandoned),
        0,
        &abandoned[..1_000],
    )
    .await;
    // The volunteer removes one photo from the record.
    let mut removed = dropped_photo.clone();
    removed.set_deleted(true, phone.stamp());
    outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[put_photo(&removed)]),
    )
    .await;

    let store = app.photos.clone();
    // Within the grace period nothing goes: the phone may put it back.
    let swept = sweep(&app.db, &store, Duration::from_secs(3_600))
        .await
        .unwrap();
    assert_eq!(swept, Swept::default());
    assert_eq!(
        stored_files(&app).await.len(),
        5,
        "{:?}",
        stored_files(&app).await
    );
    // Past it, the photo nobody refers to and the abandoned parts go; the
    // photo the record still has stays.
    let swept = sweep(&app.db, &store, Duration::ZERO).await.unwrap();
    assert_eq!(
        swept,
        Swept {
            photos: 1,
            parts: 1
        }
    );
    let hash = sha256(&kept);
    assert_eq!(
        stored_files(&app).await,
        [format!("photos/{hash}"), format!("thumbs/{hash}")]
    );
    assert_eq!(
        status(&app, &app.volunteer_token, &sha256(&dropped)).await["stored"],
        false
    );
    assert_eq!(
        status(&app, &app.volunteer_token, &hash).await["stored"],
        true
    );
}

#[tokio::test]
async fn the_activity_export_counts_each_activitys_photos_and_links_each_one() {
    use calamine::{Data, Reader, Xlsx};
    let app = spawn_app().await;
    let phone = Device::new();
    let with = ActivityRecord::new(&activity(30), phone.stamp());
    let without = ActivityRecord::new(&activity(10), phone.stamp());
    let photos = [
        phone.photo(with.id, &jpeg(40, 30, 1)),
        phone.photo(with.id, &jpeg(40, 30, 2)),
    ];
    let mut removed = phone.photo(with.id, &jpeg(40, 30, 3));
    removed.set_deleted(true, phone.stamp());
    outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[
            put_activity(&with),
            put_activity(&without),
            put_photo(&photos[0]),
            put_photo(&photos[1]),
            put_photo(&removed),
        ]),
    )
    .await;
    let page = format!("{}/admin/photo/", app.address);

    let csv = app
        .get_raw(Some(&app.admin_token), "/api/admin/export/activities.csv")
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!((&headers[12], &headers[13]), ("照片数", "照片"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row_of = |id: Uuid| {
        rows.iter()
            .find(|r| r[11] == id.to_string())
            .unwrap()
            .clone()
    };
    let links: Vec<String> = photos
        .iter()
        .map(|p| format!("{page}{}", p.hash.value))
        .collect();
    let with_row = row_of(with.id);
    assert_eq!(&with_row[12], "2");
    let mut listed: Vec<&str> = with_row[13].split(' ').collect();
    listed.sort();
    let mut expected: Vec<&str> = links.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        (&row_of(without.id)[12], &row_of(without.id)[13]),
        ("0", "")
    );

    let xlsx = app
        .get_raw(Some(&app.admin_token), "/api/admin/export/activities.xlsx")
        .await;
    let bytes = xlsx.bytes().await.unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = workbook.worksheet_range("活动").unwrap();
    let line = (1..sheet.height() as u32)
        .find(|r| sheet.get((*r as usize, 11)) == Some(&Data::String(with.id.to_string())))
        .unwrap() as usize;
    assert_eq!(sheet.get((line, 12)), Some(&Data::Float(2.0)));
    assert_eq!(sheet.get((line, 13)), Some(&Data::String("照片1".into())));
    assert_eq!(sheet.get((line, 14)), Some(&Data::String("照片2".into())));
    assert_eq!(sheet.get((line, 15)), None);
}

#[tokio::test]
async fn the_photos_of_the_filtered_activities_download_as_one_zip() {
    let app = spawn_app().await;
    let phone = Device::new();
    let inside = ActivityRecord::new(&activity(30), phone.stamp());
    let outside = ActivityRecord::new(
        &tongxin_shared::Activity {
            date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            title: "十月的活动".into(),
            ..activity(5)
        },
        phone.stamp(),
    );
    let (first, second, october) = (jpeg(80, 60, 1), jpeg(80, 60, 2), jpeg(80, 60, 3));
    let not_sent = jpeg(80, 60, 4);
    outcomes(
        &app,
        &app.volunteer_token,
        &phone.push(&[
            put_activity(&inside),
            put_activity(&outside),
            put_photo(&phone.photo(inside.id, &first)),
            put_photo(&phone.photo(inside.id, &second)),
            put_photo(&phone.photo(inside.id, &not_sent)),
            put_photo(&phone.photo(outside.id, &october)),
        ]),
    )
    .await;
    for bytes in [&first, &second, &october] {
        assert_eq!(
            upload(&app, &app.volunteer_token, bytes).await.status(),
            StatusCode::OK
        );
    }
    // November only: the October activity's photo stays out, and the photo
    // whose bytes never came is left out.
    let response = app
        .get_raw(
            Some(&app.admin_token),
            "/api/admin/export/photos.zip?from=2026-11-01&to=2026-11-30",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = zip
        .file_names()
        .map(|name| name.unwrap().into_owned())
        .collect();
    names.sort();
    let folder = "2026-11-01 先锋社区健康义诊";
    assert_eq!(
        names,
        [
            format!("{folder}/1.jpg"),
            format!("{folder}/2.jpg"),
            "照片清单.csv".to_owned()
        ]
    );
    let mut read = |name: &str| {
        let mut file = zip.by_name(name).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        bytes
    };
    let mut both = [
        read(&format!("{folder}/1.jpg")),
        read(&format!("{folder}/2.jpg")),
    ];
    both.sort();
    let mut sent = [first.clone(), second.clone()];
    sent.sort();
    assert_eq!(both, sent);
    let list = String::from_utf8(read("照片清单.csv")).unwrap();
    assert!(list.contains(&inside.id.to_string()), "{list}");
    assert!(!list.contains(&outside.id.to_string()), "{list}");
    // Only admins.
    let refused = app
        .get_raw(Some(&app.volunteer_token), "/api/admin/export/photos.zip")
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
