//! Photos of an activity (活动照片): the evidence an admin asks for first.
//!
//! A photo is two things that travel apart:
//! - its **reference** ([`Photo`]: which activity, which bytes by their
//!   SHA-256, how many bytes) is a stamped record like every other kind,
//!   pushed and pulled with the records. Each photo added is a record of
//!   its own, so two phones adding photos to one activity offline both
//!   keep theirs (two new records, nothing to merge), and removing one is
//!   a tombstone that merges like any delete;
//! - its **bytes** are content-addressed: sent after the reference is
//!   accepted, by their hash, in chunks of [`Photo::CHUNK_BYTES`] that
//!   resume where a cut-off upload stopped, never twice (the server says
//!   which hashes it has), and fetched by a device only when shown.
//!
//! The phone shrinks every photo before storing it (longest edge
//! [`Photo::LONGEST_EDGE`], re-encoded by the browser, which drops EXIF
//! and with it any GPS position), so the bytes that are hashed, kept and
//! sent are the small ones.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    ValidationError,
    error::{Rule, no_errors},
    merge::{Lww, stamped_record},
};

/// One photo of an activity, by the hash of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Photo {
    pub id: Uuid,
    /// The activity it shows; never changes.
    pub activity_id: Uuid,
    /// The SHA-256 of its bytes, 64 lowercase hexadecimal digits; never
    /// changes.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub hash: String,
    /// How many bytes it has: what an upload must add up to.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 4_194_304))]
    pub bytes: u32,
}

impl Photo {
    /// Photos one activity may have.
    pub const MAX_PER_ACTIVITY: usize = 9;
    /// The most bytes a photo may have, after the phone made it small.
    pub const MAX_BYTES: u32 = 4 * 1024 * 1024;
    /// The most bytes one upload request carries: a photo on a weak signal
    /// gets through a chunk at a time, and a cut-off upload loses at most
    /// one chunk.
    pub const CHUNK_BYTES: u32 = 256 * 1024;
    /// The longest edge, in pixels, of a photo as the phone keeps it.
    pub const LONGEST_EDGE: u32 = 1_600;
    /// The longest edge of the server's thumbnails.
    pub const THUMB_EDGE: u32 = 320;

    /// The rules of the reference itself; the server also checks the
    /// activity (that it exists and is the user's) and how many photos it
    /// has.
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        if !is_sha256_hex(&self.hash) {
            errors.push(ValidationError::new("hash", Rule::HashMismatch));
        }
        if self.bytes == 0 {
            errors.push(ValidationError::new("bytes", Rule::AtLeast { min: 1 }));
        } else if self.bytes > Photo::MAX_BYTES {
            errors.push(ValidationError::new(
                "bytes",
                Rule::TooLarge {
                    max_kb: Photo::MAX_BYTES / 1024,
                },
            ));
        }
        no_errors(errors)
    }
}

/// Whether `text` is a SHA-256 as photos are named: 64 lowercase
/// hexadecimal digits (one spelling, so one photo has one name).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The kinds of file a photo may be, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Webp,
    Png,
}

impl PhotoType {
    /// The type the bytes start like, whatever the file was called.
    pub fn sniff(bytes: &[u8]) -> Option<PhotoType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoType::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(PhotoType::Webp)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Webp => "image/webp",
            PhotoType::Png => "image/png",
        }
    }

    pub fn from_mime(mime: &str) -> Option<PhotoType> {
        [PhotoType::Jpeg, PhotoType::Webp, PhotoType::Png]
            .into_iter()
            .find(|kind| kind.mime() == mime)
    }
}

stamped_record! {
    /// A photo's reference as replicas hold and exchange it.
    pub struct PhotoRecord of Photo, read by photo, sent as PhotoWire {
        activity_id: Uuid,
        hash: String,
        bytes: u32,
    }
}

/// Asks which of these photos the server holds: `POST /api/photos/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoStatusRequest {
    /// At most [`PhotoStatusRequest::MAX_HASHES`].
    pub hashes: Vec<String>,
}

impl PhotoStatusRequest {
    pub const MAX_HASHES: usize = 100;
}

/// How far the server has one photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoStatus {
    pub hash: String,
    /// Stored whole and checked: nothing more to send.
    pub stored: bool,
    /// Bytes received so far of an upload under way: the next chunk
    /// starts here (0 for a photo not begun, its size once stored).
    pub received: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoStatusResponse {
    pub photos: Vec<PhotoStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> Photo {
        Photo {
            id: Uuid::from_u128(7),
            activity_id: Uuid::from_u128(42),
            hash: "a".repeat(64),
            bytes: 300_000,
        }
    }

    #[test]
    fn a_photo_is_named_by_64_lowercase_hex_digits() {
        assert!(photo().validate().is_ok());
        for bad in [
            "A".repeat(64),
            "a".repeat(63),
            "g".repeat(64),
            String::new(),
        ] {
            let errors = Photo {
                hash: bad,
                ..photo()
            }
            .validate()
            .unwrap_err();
            assert_eq!(errors[0].rule, Rule::HashMismatch);
        }
    }

    #[test]
    fn a_photo_has_bytes_and_at_most_four_megabytes() {
        let empty = Photo {
            bytes: 0,
            ..photo()
        }
        .validate()
        .unwrap_err();
        assert_eq!(empty[0].rule, Rule::AtLeast { min: 1 });
        let large = Photo {
            bytes: Photo::MAX_BYTES + 1,
            ..photo()
        };
        assert_eq!(
            large.validate().unwrap_err()[0].rule,
            Rule::TooLarge { max_kb: 4096 }
        );
        assert!(
            Photo {
                bytes: Photo::MAX_BYTES,
                ..photo()
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn a_file_is_told_by_its_first_bytes_not_its_name() {
        assert_eq!(
            PhotoType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some(PhotoType::Jpeg)
        );
        assert_eq!(
            PhotoType::sniff(b"\x89PNG\r\n\x1a\n\0\0"),
            Some(PhotoType::Png)
        );
        assert_eq!(
            PhotoType::sniff(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some(PhotoType::Webp)
        );
        assert_eq!(PhotoType::sniff(b"hello, this is text"), None);
        assert_eq!(PhotoType::sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(PhotoType::sniff(&[0xFF, 0xD8]), None);
    }
}
