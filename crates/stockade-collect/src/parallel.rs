//! A few requests in flight at once, on plain threads.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// `f` applied to every item by up to `workers` threads; results keep the
/// items' order. A panicking call leaves `None` in its place.
pub fn map<T, R, F>(items: &[T], workers: usize, f: F) -> Vec<Option<R>>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = workers.clamp(1, items.len().max(1));
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else {
                        break;
                    };
                    let result = panic::catch_unwind(AssertUnwindSafe(|| f(item)));
                    if let (Ok(result), Ok(mut slot)) = (result, results[index].lock()) {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..50).collect();
        let doubled = map(&items, 8, |n| n * 2);
        let expected: Vec<Option<u32>> = (0..50).map(|n| Some(n * 2)).collect();
        assert_eq!(doubled, expected);
        assert!(map(&Vec::<u32>::new(), 8, |n| *n).is_empty());
    }
}
