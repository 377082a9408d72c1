//! Password hashing off the async workers: argon2 is deliberately slow (tens of milliseconds of CPU
//! and 19 MB a time), so it runs on tokio's blocking threads, at most as many at once as the machine
//! has cores. A burst of sign-ins then queues for the hashing pool while every other request (pages,
//! votes, `/healthz`) is still served.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

use crate::error::AppError;
use levers_app::credentials;

/// At most this many hashes at once: the number of cores.
fn permits() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn pool() -> &'static Arc<Semaphore> {
    static POOL: OnceLock<Arc<Semaphore>> = OnceLock::new();
    POOL.get_or_init(|| Arc::new(Semaphore::new(permits())))
}

/// Runs `f` on a blocking thread once one of the hashing pool's permits is free.
pub(crate) async fn on_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let permit = pool()
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    tokio::task::spawn_blocking(move || {
        let out = f();
        drop(permit);
        out
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// Whether `password` matches the stored hash (on the hashing pool).
pub(crate) async fn verify_password(password: &str, hash: &str) -> Result<bool, AppError> {
    let (p, h) = (password.to_owned(), hash.to_owned());
    on_pool(move || credentials::verify_password(&p, &h)).await
}

/// Spends a verification's time for an unknown account (on the hashing pool).
pub(crate) async fn verify_dummy(password: &str) -> Result<(), AppError> {
    let p = password.to_owned();
    on_pool(move || credentials::verify_dummy(&p)).await
}

/// A new argon2id hash of `password` (on the hashing pool).
pub(crate) async fn hash_password(password: &str) -> Result<String, AppError> {
    let p = password.to_owned();
    Ok(on_pool(move || credentials::hash_password(&p)).await??)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// On a single-threaded runtime, other work runs while a password is verified: the verification
    /// is not on the async thread.
    #[tokio::test(flavor = "current_thread")]
    async fn verification_leaves_the_async_thread_free() {
        let hash = credentials::hash_password("a long test passphrase").unwrap();
        let order = Mutex::new(Vec::new());
        tokio::join!(
            async {
                let ok = verify_password("a long test passphrase", &hash)
                    .await
                    .unwrap();
                assert!(ok);
                order.lock().unwrap().push("verified");
            },
            async {
                order.lock().unwrap().push("other work");
            }
        );
        assert_eq!(*order.lock().unwrap(), ["other work", "verified"]);
    }

    /// However many ask at once, no more than the pool's permits run together.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_pool_is_bounded() {
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let tasks: Vec<_> = (0..(permits() * 4))
            .map(|_| {
                tokio::spawn(on_pool(|| {
                    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                    MOST.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    RUNNING.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert!(MOST.load(Ordering::SeqCst) <= permits());
        assert!(MOST.load(Ordering::SeqCst) >= 1);
    }
}
