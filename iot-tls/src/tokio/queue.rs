//! The fixed-capacity queue that carries events from the connection's task to
//! [`Events`](super::Events).
//!
//! tokio's `mpsc` allocates its slots in blocks of 32 whatever the capacity, so a queue of 4
//! events cost 32 slots; this one allocates exactly its capacity once, when the client starts,
//! and never grows. One producer (the task) and one consumer (the `Events` handle): a mutex
//! over a ring, and one [`Notify`] each way (its stored permit means no wake-up is lost).

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use std::sync::{Mutex, MutexGuard, PoisonError};

use ::tokio::sync::Notify;

/// The queue's state, behind its lock.
#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    capacity: usize,
    /// The producer is gone: once the items are taken, the consumer gets `None`.
    closed: bool,
    /// The consumer is gone: pushing is pointless.
    abandoned: bool,
}

/// A bounded single-producer, single-consumer queue.
#[derive(Debug)]
struct Queue<T> {
    state: Mutex<State<T>>,
    /// Wakes the consumer: an item was pushed, or the producer went away.
    pushed: Notify,
    /// Wakes the producer: an item was taken, or the consumer went away.
    taken: Notify,
}

impl<T> Queue<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic elsewhere cannot leave the ring inconsistent: every change is one call.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The task's end of the queue; dropping it closes the queue.
#[derive(Debug)]
pub(super) struct Sender<T>(Arc<Queue<T>>);

/// The consumer's end of the queue; dropping it abandons the queue.
#[derive(Debug)]
pub(super) struct Receiver<T>(Arc<Queue<T>>);

/// A queue of `capacity` items (at least one), allocated now.
pub(super) fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let capacity = capacity.max(1);
    let queue = Arc::new(Queue {
        state: Mutex::new(State {
            items: VecDeque::with_capacity(capacity),
            capacity,
            closed: false,
            abandoned: false,
        }),
        pushed: Notify::new(),
        taken: Notify::new(),
    });
    (Sender(Arc::clone(&queue)), Receiver(queue))
}

impl<T> Sender<T> {
    /// Waits until the queue has room; `false` when the consumer is gone.
    pub(super) async fn room(&self) -> bool {
        loop {
            {
                let state = self.0.lock();
                if state.abandoned {
                    return false;
                }
                if state.items.len() < state.capacity {
                    return true;
                }
            }
            self.0.taken.notified().await;
        }
    }

    /// Adds `item` if there is room, else hands it back.
    pub(super) fn push(&self, item: T) -> Result<(), T> {
        {
            let mut state = self.0.lock();
            if state.abandoned || state.items.len() >= state.capacity {
                return Err(item);
            }
            state.items.push_back(item);
        }
        self.0.pushed.notify_one();
        Ok(())
    }

    /// Waits for room, then adds `item`; hands it back when the consumer is gone.
    pub(super) async fn send(&self, item: T) -> Result<(), T> {
        if self.room().await {
            self.push(item)
        } else {
            Err(item)
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.pushed.notify_one();
    }
}

impl<T> Receiver<T> {
    /// The next item, waiting for one; `None` once the producer is gone and all are taken.
    pub(super) async fn recv(&self) -> Option<T> {
        loop {
            {
                let mut state = self.0.lock();
                if let Some(item) = state.items.pop_front() {
                    drop(state);
                    self.0.taken.notify_one();
                    return Some(item);
                }
                if state.closed {
                    return None;
                }
            }
            self.0.pushed.notified().await;
        }
    }

    /// The next item if one is waiting.
    pub(super) fn try_recv(&self) -> Option<T> {
        let item = self.0.lock().items.pop_front()?;
        self.0.taken.notify_one();
        Some(item)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        {
            let mut state = self.0.lock();
            state.abandoned = true;
            state.items.clear();
        }
        self.0.taken.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[::tokio::test]
    async fn bounded_in_order_and_closed_by_either_end() {
        let (tx, rx) = channel(2);
        assert_eq!(tx.push(1), Ok(()));
        assert_eq!(tx.push(2), Ok(()));
        assert_eq!(tx.push(3), Err(3), "full: never grows");
        assert_eq!(rx.recv().await, Some(1));
        assert!(tx.room().await);
        assert_eq!(tx.send(3).await, Ok(()));
        assert_eq!(rx.try_recv(), Some(2));
        drop(tx);
        assert_eq!(rx.recv().await, Some(3), "what was pushed is still taken");
        assert_eq!(rx.recv().await, None);

        let (tx, rx) = channel::<u8>(1);
        let waiting = ::tokio::spawn(async move { rx.recv().await });
        ::tokio::task::yield_now().await;
        assert_eq!(tx.send(7).await, Ok(()));
        assert_eq!(waiting.await.unwrap(), Some(7));
        assert!(!tx.room().await, "the consumer is gone");
    }
}
