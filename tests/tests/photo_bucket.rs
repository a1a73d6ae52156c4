//! The server binary started with `--photos s3://bucket/prefix` and the
//! `AWS_*` environment, as replicas behind a balancer would be: a photo a
//! volunteer sends is kept in the bucket, under the prefix, and not on the
//! machine, and another process on the same bucket serves it.
//!
//! It needs an S3-compatible server, named by `TONGXIN_TEST_S3`: `cargo
//! xtask test` starts one (SeaweedFS) and runs this test with it.

use std::process::Command;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use tongxin_server::photos::PhotoStore;
use tongxin_shared::{
    Activity, Category, PeopleServed,
    hlc::HlcClock,
    merge::ActivityRecord,
    photo::{Photo, PhotoRecord},
    sync::{Change, Mutation, PROTOCOL_VERSION, PushRequest, PushResponse},
};
use tongxin_tests::{TestServer, built_app, server_binary};
use uuid::Uuid;

/// The bucket `cargo xtask s3` makes; its access checks are off, so any
/// key signs.
const BUCKET: &str = "tongxin-tests";

#[tokio::test(flavor = "multi_thread")]
async fn a_server_started_with_a_bucket_keeps_its_photos_there_for_every_replica() -> Result<()> {
    let Some(endpoint) = std::env::var("TONGXIN_TEST_S3")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        eprintln!(
            "skipped: TONGXIN_TEST_S3 names no S3-compatible server (`cargo xtask test` starts one)"
        );
        return Ok(());
    };
    let data = tempfile::tempdir()?;
    let database = data.path().join("bucket.sqlite");
    let prefix = format!("binary-{}", Uuid::now_v7().simple());
    let start = |name: &str| {
        let mut command = Command::new(server_binary());
        command
            .args(["--listen", "127.0.0.1:0", "--database-url"])
            .arg(format!("sqlite://{}", database.display()))
            .arg("--static-dir")
            .arg(built_app())
            .arg("--demo")
            .arg("--photos")
            .arg(format!("s3://{BUCKET}/{prefix}"))
            .env("AWS_ENDPOINT", &endpoint)
            .env("AWS_ALLOW_HTTP", "true")
            .env("AWS_ACCESS_KEY_ID", "tongxin")
            .env("AWS_SECRET_ACCESS_KEY", "tongxin")
            .env("AWS_REGION", "us-east-1");
        TestServer::spawn(command, data.path().join(name))
    };
    let mut first = start("first.log")?;
    let client = reqwest::Client::new();

    // A volunteer's activity with one photo: its reference is pushed, then
    // its bytes sent in one chunk.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85).encode_image(
        &image::RgbImage::from_fn(400, 300, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }),
    )?;
    let hash: String = Sha256::digest(&jpeg)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let device = Uuid::now_v7();
    let mut clock = HlcClock::new(device);
    let activity = Activity {
        id: Uuid::now_v7(),
        category: Category::HEALTH_CLINIC,
        title: "先锋社区义诊（照片在桶里）".into(),
        station_id: "st-xianfeng".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 20).context("a date")?,
        volunteers: 4,
        people_served: PeopleServed::try_from(30).map_err(anyhow::Error::msg)?,
        notes: String::new(),
        time: None,
        organising_group: String::new(),
    };
    let now = || chrono::Utc::now().timestamp_millis() as u64;
    let photo = Photo {
        id: Uuid::now_v7(),
        activity_id: activity.id,
        hash: hash.clone(),
        bytes: jpeg.len() as u32,
    };
    let push = PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: device,
        mutations: vec![
            Mutation {
                seq: 1,
                change: Change::PutActivity(ActivityRecord::new(&activity, clock.stamp(now()))),
            },
            Mutation {
                seq: 2,
                change: Change::PutPhoto(PhotoRecord::new(&photo, clock.stamp(now()))),
            },
        ],
    };
    let volunteer = first.token("volunteer").await?;
    let answer: PushResponse = client
        .post(first.url("/api/sync/push"))
        .bearer_auth(&volunteer)
        .json(&push)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert_eq!(answer.results.len(), 2);
    assert!(
        answer
            .results
            .iter()
            .all(|r| r.outcome == tongxin_shared::sync::Outcome::Accepted),
        "{answer:?}"
    );
    let sent = client
        .put(first.url(&format!("/api/photos/{hash}?offset=0")))
        .bearer_auth(&volunteer)
        .header("content-type", "application/octet-stream")
        .body(jpeg.clone())
        .send()
        .await?;
    assert!(sent.status().is_success(), "{}", sent.text().await?);

    // The bucket holds the photo and its thumbnail under the prefix;
    // nothing was kept beside the database.
    let bucket = PhotoStore::s3(&endpoint, BUCKET, &prefix, ("tongxin", "tongxin"))?;
    let names = bucket.list_all().await?;
    assert!(names.contains(&format!("photos/{hash}")), "{names:?}");
    assert!(names.contains(&format!("thumbs/{hash}")), "{names:?}");
    assert!(
        !data.path().join("photos").exists(),
        "a photo folder was made beside the database"
    );

    // Another process on the same bucket (a replica, or this one after a
    // restart) serves the photo as it was sent.
    first.terminate()?;
    let second = start("second.log")?;
    let admin = second.token("admin").await?;
    let fetched = client
        .get(second.url(&format!("/api/photos/{hash}")))
        .bearer_auth(&admin)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    assert!(
        fetched.as_ref() == jpeg.as_slice(),
        "the photo came back changed"
    );
    Ok(())
}
