//! The geography index a process keeps in memory, rebuilt when another process (or this one) imports
//! or removes geography.

use std::sync::Arc;

use levers_geo::GeoIndex;
use levers_store::StoreError;
use tokio::sync::RwLock;

/// This process's copy of the geography index, with the data version it was built from.
#[derive(Default)]
pub struct GeoCache {
    inner: RwLock<Option<(String, Arc<GeoIndex>)>>,
}

impl GeoCache {
    /// The current index: rebuilt from the store when another process (or this one) imported or
    /// removed geography since it was built.
    pub async fn get(&self, store: &levers_store::Store) -> Result<Arc<GeoIndex>, StoreError> {
        let version = store.geo_version().await?;
        if let Some((v, idx)) = self.inner.read().await.as_ref()
            && *v == version
        {
            return Ok(idx.clone());
        }
        let mut w = self.inner.write().await;
        if let Some((v, idx)) = w.as_ref()
            && *v == version
        {
            return Ok(idx.clone());
        }
        let idx = Arc::new(store.load_geo_index().await?);
        *w = Some((version, idx.clone()));
        Ok(idx)
    }
}
