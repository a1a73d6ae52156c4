//! Where photos' bytes live, and how an upload becomes a stored photo.
//!
//! One small interface over the `object_store` crate: a folder on this
//! machine (the default, `data/photos/`), or an S3-compatible bucket that
//! several server processes share. Content-addressed: a photo is stored
//! under the SHA-256 of its bytes, so a photo is never stored (nor sent)
//! twice. An upload arrives in chunks ([`Photo::CHUNK_BYTES`]); each chunk
//! is kept as an object of its own (`parts/<hash>/<offset>`) until the
//! last one, so an upload cut off on a weak signal resumes where it
//! stopped, on any server process. The last chunk completes it: the
//! whole is hashed, told by its first bytes and decoded, a thumbnail is
//! made, and only then is the photo stored (`photos/<hash>`,
//! `thumbs/<hash>`) and the parts removed.

use std::{path::Path, sync::Arc};

use anyhow::Context;
use bytes::Bytes;
use futures::TryStreamExt;
use object_store::{
    ObjectStore, ObjectStoreExt, PutPayload, local::LocalFileSystem, memory::InMemory, path,
};
use sha2::{Digest, Sha256};
use tongxin_shared::photo::{Photo, PhotoType};

/// A photo as checked and made ready to store.
pub struct CheckedPhoto {
    pub kind: PhotoType,
    pub width: u32,
    pub height: u32,
    /// A JPEG at most [`Photo::THUMB_EDGE`] pixels on its longest edge.
    pub thumbnail: Vec<u8>,
}

/// Why a whole upload is not a photo.
#[derive(Debug, PartialEq, Eq)]
pub enum NotAPhoto {
    /// Its SHA-256 is another.
    WrongHash,
    /// Not JPEG, WebP or PNG by its first bytes, or not readable as one.
    NotAnImage,
}

/// Checks a whole upload against the hash it was sent under, tells its
/// type by its first bytes and decodes it (within limits, so a small file
/// claiming to be a huge picture is refused, not decoded) to make its
/// thumbnail. CPU work: run it on a blocking thread.
pub fn check(hash: &str, bytes: &[u8]) -> Result<CheckedPhoto, NotAPhoto> {
    if hex(&Sha256::digest(bytes)) != hash {
        return Err(NotAPhoto::WrongHash);
    }
    let kind = PhotoType::sniff(bytes).ok_or(NotAPhoto::NotAnImage)?;
    let format = match kind {
        PhotoType::Jpeg => image::ImageFormat::Jpeg,
        PhotoType::Png => image::ImageFormat::Png,
        PhotoType::Webp => image::ImageFormat::WebP,
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| NotAPhoto::NotAnImage)?;
    let thumbnail = image
        .thumbnail(Photo::THUMB_EDGE, Photo::THUMB_EDGE)
        .to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 75)
        .encode_image(&thumbnail)
        .map_err(|_| NotAPhoto::NotAnImage)?;
    Ok(CheckedPhoto {
        kind,
        width: image.width(),
        height: image.height(),
        thumbnail: jpeg,
    })
}

/// The longest edge a stored photo may have. The phone sends 1,600; this
/// only keeps a decoder from being asked for a gigapixel.
const MAX_EDGE: u32 = 8_000;

pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The photos' bytes, wherever they are kept.
#[derive(Clone, Debug)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
}

impl PhotoStore {
    /// A folder on this machine, created if missing.
    pub fn folder(dir: &Path) -> anyhow::Result<PhotoStore> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the photo folder {}", dir.display()))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("cannot use the photo folder {}", dir.display()))?;
        Ok(PhotoStore {
            store: Arc::new(store),
        })
    }

    /// Where `--photos` says: an S3-compatible bucket (`s3://bucket`, or
    /// `s3://bucket/prefix` to keep every name under a prefix, reached as
    /// the `AWS_*` environment says: `AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`), which
    /// several server processes share, or else a folder on this machine.
    pub fn open(spec: &str) -> anyhow::Result<PhotoStore> {
        let Some(place) = spec.strip_prefix("s3://") else {
            return PhotoStore::folder(Path::new(spec));
        };
        let (bucket, prefix) = place.split_once('/').unwrap_or((place, ""));
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .with_context(|| format!("cannot use the photo bucket {spec}"))?;
        let prefix = prefix.trim_matches('/');
        Ok(PhotoStore {
            store: if prefix.is_empty() {
                Arc::new(store)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
            },
        })
    }

    /// A bucket of the S3-compatible server at `endpoint` (plain HTTP is
    /// allowed: a server on the same machine or network), every name
    /// under `prefix` (several stores in one bucket: the tests').
    pub fn s3(
        endpoint: &str,
        bucket: &str,
        prefix: &str,
        (key, secret): (&str, &str),
    ) -> anyhow::Result<PhotoStore> {
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_allow_http(true)
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_access_key_id(key)
            .with_secret_access_key(secret)
            .build()
            .with_context(|| format!("cannot use the bucket {bucket} at {endpoint}"))?;
        Ok(PhotoStore {
            store: Arc::new(object_store::prefix::PrefixStore::new(store, prefix)),
        })
    }

    /// The name of every object kept (`photos/<hash>`, `thumbs/<hash>`,
    /// `parts/<hash>/<offset>`), sorted.
    pub async fn list_all(&self) -> anyhow::Result<Vec<String>> {
        let mut names: Vec<String> = self
            .store
            .list(None)
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await?;
        names.sort();
        Ok(names)
    }

    /// Kept in memory only: for benchmarks, which measure other things.
    pub fn in_memory() -> PhotoStore {
        PhotoStore {
            store: Arc::new(InMemory::new()),
        }
    }

    fn part(hash: &str, offset: u32) -> path::Path {
        path::Path::from(format!("parts/{hash}/{offset:010}"))
    }

    fn photo(hash: &str) -> path::Path {
        path::Path::from(format!("photos/{hash}"))
    }

    fn thumb(hash: &str) -> path::Path {
        path::Path::from(format!("thumbs/{hash}"))
    }

    /// The parts of an upload under way that follow on from its start,
    /// in order, each with its offset and size; a part that does not
    /// follow on (after a gap) is not counted.
    async fn parts(&self, hash: &str) -> anyhow::Result<Vec<(u32, u32)>> {
        let prefix = path::Path::from(format!("parts/{hash}"));
        let mut parts: Vec<(u32, u32)> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| {
                let offset = meta
                    .location
                    .filename()
                    .and_then(|name| name.parse::<u32>().ok());
                (offset, u32::try_from(meta.size).unwrap_or(u32::MAX))
            })
            .try_collect::<Vec<_>>()
            .await?
            .into_iter()
            .filter_map(|(offset, size)| offset.map(|offset| (offset, size)))
            .collect();
        parts.sort();
        let mut next = 0u32;
        let mut following = Vec::new();
        for (offset, size) in parts {
            if offset == next && size > 0 {
                following.push((offset, size));
                next = next.saturating_add(size);
            }
        }
        Ok(following)
    }

    /// How many bytes of an upload under way have arrived.
    pub async fn received(&self, hash: &str) -> anyhow::Result<u32> {
        Ok(self
            .parts(hash)
            .await?
            .last()
            .map_or(0, |(offset, size)| offset + size))
    }

    /// Keeps one chunk of an upload.
    pub async fn add_part(&self, hash: &str, offset: u32, chunk: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&Self::part(hash, offset), PutPayload::from(chunk))
            .await?;
        Ok(())
    }

    /// The whole upload, its parts in order.
    pub async fn assemble(&self, hash: &str) -> anyhow::Result<Vec<u8>> {
        let mut whole = Vec::new();
        for (offset, _) in self.parts(hash).await? {
            let part = self
                .store
                .get(&Self::part(hash, offset))
                .await?
                .bytes()
                .await?;
            whole.extend_from_slice(&part);
        }
        Ok(whole)
    }

    /// Forgets an upload's parts (it is stored whole, or refused).
    pub async fn drop_parts(&self, hash: &str) -> anyhow::Result<()> {
        let prefix = path::Path::from(format!("parts/{hash}"));
        let locations: Vec<path::Path> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await?;
        for location in locations {
            match self.store.delete(&location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }

    /// Stores a checked photo and its thumbnail.
    pub async fn put(&self, hash: &str, bytes: Vec<u8>, thumbnail: Vec<u8>) -> anyhow::Result<()> {
        self.store
            .put(&Self::thumb(hash), PutPayload::from(thumbnail))
            .await?;
        self.store
            .put(&Self::photo(hash), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// A stored photo's bytes, or its thumbnail's.
    pub async fn get(&self, hash: &str, thumbnail: bool) -> anyhow::Result<Bytes> {
        let location = match thumbnail {
            true => Self::thumb(hash),
            false => Self::photo(hash),
        };
        Ok(self.store.get(&location).await?.bytes().await?)
    }

    /// Removes a stored photo and its thumbnail.
    pub async fn remove(&self, hash: &str) -> anyhow::Result<()> {
        for location in [Self::photo(hash), Self::thumb(hash)] {
            match self.store.delete(&location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }
}

impl PhotoStore {
    /// Uploads under way whose last chunk came before `before`: parts
    /// nobody will finish.
    async fn stale_parts(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<Vec<path::Path>> {
        let prefix = path::Path::from("parts");
        Ok(self
            .store
            .list(Some(&prefix))
            .try_filter(|meta| futures::future::ready(meta.last_modified < before))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await?)
    }
}

/// What a sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub photos: usize,
    pub parts: usize,
}

/// Removes the photos no live reference has named for `grace` (a photo
/// removed from its record, or whose record's reference was refused), and
/// the parts of uploads abandoned as long ago. The grace period lets a
/// phone that removed a photo offline and put it back, or whose reference
/// is still on its way, find the photo still there.
pub async fn sweep(
    db: &crate::db::Db,
    store: &PhotoStore,
    grace: std::time::Duration,
) -> anyhow::Result<Swept> {
    let before = chrono::Utc::now() - chrono::Duration::from_std(grace)?;
    let mut swept = Swept::default();
    for hash in db.unreferenced_photos(&before.to_rfc3339()).await? {
        // The row first: a photo the database no longer names is never
        // served, even if removing its bytes fails half way.
        db.forget_stored_photo(&hash).await?;
        store.remove(&hash).await?;
        swept.photos += 1;
    }
    for part in store.stale_parts(before).await? {
        match store.store.delete(&part).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => swept.parts += 1,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(swept)
}

/// Sweeps every hour, for as long as the server runs.
pub fn sweep_every_hour(db: crate::db::Db, store: PhotoStore, grace: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3_600));
        loop {
            ticks.tick().await;
            match sweep(&db, &store, grace).await {
                Ok(swept) if swept == Swept::default() => {}
                Ok(swept) => tracing::info!(
                    photos = swept.photos,
                    parts = swept.parts,
                    "removed photos no record refers to"
                ),
                Err(error) => tracing::warn!(%error, "sweeping photos failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(image)
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    }

    #[test]
    fn a_photo_is_checked_against_its_hash_and_gets_a_small_thumbnail() {
        let bytes = png(1_000, 500);
        let hash = hex(&Sha256::digest(&bytes));
        let checked = check(&hash, &bytes).unwrap();
        assert_eq!(checked.kind, PhotoType::Png);
        assert_eq!((checked.width, checked.height), (1_000, 500));
        let thumbnail = image::load_from_memory(&checked.thumbnail).unwrap();
        assert_eq!((thumbnail.width(), thumbnail.height()), (320, 160));
        assert_eq!(PhotoType::sniff(&checked.thumbnail), Some(PhotoType::Jpeg));
    }

    #[test]
    fn bytes_under_another_hash_or_not_an_image_are_refused() {
        let bytes = png(10, 10);
        assert_eq!(
            check(&"0".repeat(64), &bytes).err(),
            Some(NotAPhoto::WrongHash)
        );
        let text = b"just some text, named photo.jpg".to_vec();
        assert_eq!(
            check(&hex(&Sha256::digest(&text)), &text).err(),
            Some(NotAPhoto::NotAnImage)
        );
        // JPEG's first bytes, then nothing a decoder can read.
        let fake = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 100]].concat();
        assert_eq!(
            check(&hex(&Sha256::digest(&fake)), &fake).err(),
            Some(NotAPhoto::NotAnImage)
        );
    }

    #[tokio::test]
    async fn an_upload_counts_only_the_parts_that_follow_on_from_its_start() {
        let store = PhotoStore::in_memory();
        let hash = "a".repeat(64);
        assert_eq!(store.received(&hash).await.unwrap(), 0);
        store
            .add_part(&hash, 0, Bytes::from(vec![1; 10]))
            .await
            .unwrap();
        store
            .add_part(&hash, 25, Bytes::from(vec![3; 5]))
            .await
            .unwrap();
        assert_eq!(store.received(&hash).await.unwrap(), 10);
        store
            .add_part(&hash, 10, Bytes::from(vec![2; 15]))
            .await
            .unwrap();
        assert_eq!(store.received(&hash).await.unwrap(), 30);
        let whole = store.assemble(&hash).await.unwrap();
        assert_eq!(whole.len(), 30);
        assert_eq!((whole[0], whole[10], whole[29]), (1, 2, 3));
        store.drop_parts(&hash).await.unwrap();
        assert_eq!(store.received(&hash).await.unwrap(), 0);
    }
}
