//! Lambda functions the emulator runs in-process: a handler registered under a function name
//! ([`Emulator::serve_function`](super::Emulator::serve_function)) runs for an asynchronous
//! `Invoke` (`InvocationType: Event`) and for the Lambda actions of IoT topic rules, as AWS
//! runs the deployed function.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::mpsc;

use super::lock;

/// The most rule events waiting for one function; further ones are refused (as AWS throttles
/// an asynchronous invocation queue), and the rule records an error.
pub const MAX_QUEUED_EVENTS: usize = 1024;

type Handler = Arc<dyn Fn(Value) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

struct Served {
    handler: Handler,
    runtime: tokio::runtime::Handle,
    /// Rule events, run one after the other in the order the rules saw them.
    queue: mpsc::Sender<Value>,
}

/// The served functions, by name.
#[derive(Default)]
pub(super) struct Functions {
    served: Mutex<BTreeMap<String, Served>>,
}

impl core::fmt::Debug for Functions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Functions")
            .field("served", &lock(&self.served).keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The function name of a name, partial ARN or ARN (without a qualifier).
pub(super) fn function_name(name: &str) -> &str {
    let name = name.split_once(":function:").map_or(name, |(_, rest)| rest);
    name.split_once(':').map_or(name, |(name, _)| name)
}

impl Functions {
    /// Serves `handler` as function `name` on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub(super) fn serve(&self, name: &str, handler: Handler) {
        let runtime = tokio::runtime::Handle::current();
        let (queue, mut events) = mpsc::channel::<Value>(MAX_QUEUED_EVENTS);
        let worker = Arc::clone(&handler);
        runtime.spawn(async move {
            while let Some(event) = events.recv().await {
                worker(event).await;
            }
        });
        lock(&self.served).insert(
            name.to_owned(),
            Served {
                handler,
                runtime,
                queue,
            },
        );
    }

    /// An asynchronous invocation: runs at once, alongside any other.
    pub(super) fn invoke(&self, name: &str, payload: &[u8]) -> bool {
        let served = lock(&self.served);
        let Some(function) = served.get(function_name(name)) else {
            return false;
        };
        let event = serde_json::from_slice(payload).unwrap_or(Value::Null);
        function.runtime.spawn((function.handler)(event));
        true
    }

    /// A rule's invocation: queued behind the function's earlier rule events.
    ///
    /// # Errors
    ///
    /// Why it was not queued: no such function, or its queue is full.
    pub(super) fn invoke_in_order(&self, name: &str, event: &Value) -> Result<(), String> {
        let served = lock(&self.served);
        let function = served
            .get(function_name(name))
            .ok_or_else(|| format!("function {name} is not served by the emulator"))?;
        function
            .queue
            .try_send(event.clone())
            .map_err(|_| format!("{MAX_QUEUED_EVENTS} events already wait for {name}"))
    }
}
