//! Where uploads wait for their import: an [`ObjectStore`] (a local folder in the embedded
//! default, memory in tests, any S3, GCS or Azure bucket in production), one object per
//! platform and import id, written once and never overwritten.

use std::sync::Arc;

use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::error::StoreError;
use crate::model::ImportId;

/// The uploads of every platform, in an [`ObjectStore`].
///
/// An upload lives at `uploads/<platform>/<import id>/upload`, where the platform and the id
/// are written so that no two ids share an object: every byte outside `A-Z a-z 0-9 -` is
/// written as `_` and two hexadecimal digits (`a.b` is `a_2eb`, `a_b` is `a_5fb`).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::sync::Arc;
/// use user_import::ImportId;
/// use user_import::jobs::{Stored, Uploads};
///
/// let uploads = Uploads::new(Arc::new(user_import::jobs::object_store::memory::InMemory::new()));
/// let id = ImportId::from("spring.intake");
/// assert_eq!(uploads.put("acme", &id, b"first".to_vec()).await?, Stored::New);
/// // Never overwritten: a second file under the same id keeps the first.
/// assert_eq!(uploads.put("acme", &id, b"second".to_vec()).await?, Stored::Kept { same: false });
/// assert_eq!(uploads.get("acme", &id).await?, b"first");
/// // Another platform's upload of the same id is another object.
/// assert_eq!(uploads.put("globex", &id, b"theirs".to_vec()).await?, Stored::New);
/// # Ok::<(), user_import::StoreError>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Uploads {
    store: Arc<dyn ObjectStore>,
}

/// What [`Uploads::put`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The upload was stored.
    New,
    /// An upload was already stored under this id and is kept as it was; `same` tells whether
    /// it holds the same bytes.
    Kept {
        /// Whether the stored upload has the same bytes as the one offered.
        same: bool,
    },
}

impl Uploads {
    /// Uploads kept in `store`.
    pub fn new(store: Arc<dyn ObjectStore>) -> Uploads {
        Uploads { store }
    }

    /// Uploads kept as files under `folder` (created if missing).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the folder cannot be created or opened.
    pub fn in_folder(folder: impl AsRef<std::path::Path>) -> Result<Uploads, StoreError> {
        let folder = folder.as_ref();
        std::fs::create_dir_all(folder)
            .map_err(|error| StoreError::backend("create the uploads folder", error))?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(folder)
            .map_err(|error| StoreError::backend("open the uploads folder", error))?;
        Ok(Uploads::new(Arc::new(local)))
    }

    /// The object store behind these uploads.
    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// Where the upload of `import` on `platform` lives.
    pub fn path(platform: &str, import: &ImportId) -> Path {
        Path::from(format!(
            "uploads/{}/{}/upload",
            path_part(platform),
            path_part(import.as_str())
        ))
    }

    /// Stores `bytes` as the upload of `import` on `platform`, unless one is already stored
    /// (put-if-absent: the first upload of an id is the one imported, whatever comes after).
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the object store fails.
    pub async fn put(
        &self,
        platform: &str,
        import: &ImportId,
        bytes: Vec<u8>,
    ) -> Result<Stored, StoreError> {
        self.put_shared(platform, import, bytes::Bytes::from(bytes))
            .await
    }

    /// [`Uploads::put`] of bytes held once in memory: the object store writes them and the
    /// comparison with a kept upload reads them, without a copy.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the object store fails.
    pub async fn put_shared(
        &self,
        platform: &str,
        import: &ImportId,
        bytes: bytes::Bytes,
    ) -> Result<Stored, StoreError> {
        let path = Uploads::path(platform, import);
        let options = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(&path, PutPayload::from(bytes.clone()), options)
            .await
        {
            Ok(_) => Ok(Stored::New),
            Err(object_store::Error::AlreadyExists { .. }) => {
                let stored = self.get(platform, import).await?;
                Ok(Stored::Kept {
                    same: stored == bytes,
                })
            }
            Err(error) => Err(StoreError::backend("store the upload", error)),
        }
    }

    /// The upload of `import` on `platform`.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`] when there is none; [`StoreError::Backend`] when the object
    /// store fails.
    pub async fn get(&self, platform: &str, import: &ImportId) -> Result<Vec<u8>, StoreError> {
        let path = Uploads::path(platform, import);
        let result = match self.store.get(&path).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(StoreError::NotFound {
                    what: format!("the upload of import {import}"),
                });
            }
            Err(error) => return Err(StoreError::backend("read the upload", error)),
        };
        let bytes = result
            .bytes()
            .await
            .map_err(|error| StoreError::backend("read the upload", error))?;
        // The buffer object_store read into, without a copy when it is the only holder.
        Ok(Vec::from(bytes))
    }

    /// The size in bytes of the upload of `import` on `platform`, or `None` when there is none.
    ///
    /// # Errors
    ///
    /// [`StoreError::Backend`] when the object store fails.
    pub async fn size(&self, platform: &str, import: &ImportId) -> Result<Option<u64>, StoreError> {
        match self.store.head(&Uploads::path(platform, import)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(StoreError::backend("look the upload up", error)),
        }
    }
}

/// A platform or id as one path segment: `A-Z a-z 0-9 -` as they are, every other byte as `_`
/// and two hexadecimal digits, so two different texts never share a segment and no segment is
/// empty, `.` or `..`.
fn path_part(text: &str) -> String {
    if text.is_empty() {
        return "_".to_string();
    }
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("_{byte:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_differ_by_a_dot_or_an_underscore_do_not_share_a_path() {
        assert_eq!(path_part("a.b"), "a_2eb");
        assert_eq!(path_part("a_b"), "a_5fb");
        assert_eq!(path_part(".."), "_2e_2e");
        assert_eq!(path_part(""), "_");
        assert_eq!(path_part("é"), "_c3_a9");
        assert_eq!(
            Uploads::path("acme", &ImportId::from("2024/03")).as_ref(),
            "uploads/acme/2024_2f03/upload"
        );
    }
}
