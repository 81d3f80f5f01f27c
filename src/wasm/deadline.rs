//! One call's time budget and cancellation, without Rust closures.
//!
//! A single `AbortController` stands for "stop now": the `timeoutMs` timer
//! and the caller's `AbortSignal` both abort it, each with its own marker
//! reason, so a failure can be told apart as `Timeout` or `Aborted`. Timers
//! and listeners are bound JS functions (`abort.bind(controller, reason)`),
//! so nothing leaks when a call ends early, and `Drop` clears them.

use alloc::string::String;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

use crate::error::{DmsError, Kind};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Why a call was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    Timeout,
    Aborted,
}

impl Stop {
    pub(crate) fn error(self) -> DmsError {
        match self {
            Stop::Timeout => DmsError::new(
                Kind::Timeout,
                "Timeout",
                "no answer within timeoutMs; the rerun may still have happened",
            ),
            Stop::Aborted => DmsError::new(
                Kind::Aborted,
                "Aborted",
                "the call was aborted by its AbortSignal",
            ),
        }
    }
}

/// The budget and cancellation state of one `rerunTaskFlowInstance` call.
pub(crate) struct Deadline {
    controller: AbortController,
    /// Resolves when `controller` aborts; raced against every awaited promise.
    /// (Resolving, not rejecting: an abort before the first race must not
    /// leave an unhandled rejection behind.)
    stopped: Promise,
    timeout_reason: JsValue,
    user_reason: JsValue,
    timer: Option<JsValue>,
    user: Option<(AbortSignal, Function)>,
    ends_at: Option<f64>,
}

impl Deadline {
    /// Starts the clock; fails with `Aborted` if `signal` already fired.
    pub(crate) fn start(
        timeout_ms: u32,
        signal: Option<AbortSignal>,
    ) -> Result<Deadline, DmsError> {
        if signal.as_ref().is_some_and(|s| s.aborted()) {
            return Err(Stop::Aborted.error());
        }
        let controller = AbortController::new().map_err(|_| missing_global("AbortController"))?;
        let own_signal = controller.signal();
        let stopped = Promise::new(&mut |resolve, _reject| {
            let _ = own_signal.add_event_listener_with_callback("abort", &resolve);
        });
        let abort: Function = Reflect::get(&controller, &JsValue::from_str("abort"))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| missing_global("AbortController"))?;
        let timeout_reason: JsValue = Object::new().into();
        let user_reason: JsValue = Object::new().into();
        let mut deadline = Deadline {
            controller,
            stopped,
            timeout_reason,
            user_reason,
            timer: None,
            user: None,
            ends_at: None,
        };
        if timeout_ms > 0 {
            let on_timeout: Function = abort
                .bind1(&deadline.controller, &deadline.timeout_reason)
                .unchecked_into();
            deadline.timer = Some(set_timeout(&on_timeout, f64::from(timeout_ms)));
            deadline.ends_at = Some(js_sys::Date::now() + f64::from(timeout_ms));
        }
        if let Some(signal) = signal {
            let on_abort: Function = abort
                .bind1(&deadline.controller, &deadline.user_reason)
                .unchecked_into();
            let _ = signal.add_event_listener_with_callback("abort", &on_abort);
            deadline.user = Some((signal, on_abort));
        }
        Ok(deadline)
    }

    /// The signal to hand to `fetch`, so the request itself is cancelled.
    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Why the call was stopped, if it was.
    pub(crate) fn stopped(&self) -> Option<Stop> {
        let signal = self.controller.signal();
        if !signal.aborted() {
            return None;
        }
        if signal.reason() == self.timeout_reason {
            Some(Stop::Timeout)
        } else {
            Some(Stop::Aborted)
        }
    }

    /// True if waiting `ms` more still leaves the call inside its budget.
    pub(crate) fn has_room_for(&self, ms: f64) -> bool {
        self.ends_at
            .is_none_or(|end| js_sys::Date::now() + ms < end)
    }

    /// Awaits `promise` unless the call is stopped first.
    pub(crate) async fn race(&self, promise: &Promise) -> Result<JsValue, Raced> {
        if let Some(stop) = self.stopped() {
            return Err(Raced::Stopped(stop));
        }
        let both = Array::of2(promise, &self.stopped);
        let settled = JsFuture::from(Promise::race(&both)).await;
        if let Some(stop) = self.stopped() {
            return Err(Raced::Stopped(stop));
        }
        match settled {
            Ok(value) => Ok(value),
            Err(_) => match self.stopped() {
                Some(stop) => Err(Raced::Stopped(stop)),
                None => Err(Raced::Failed),
            },
        }
    }

    /// Waits `ms` milliseconds, or until the call is stopped.
    pub(crate) async fn sleep(&self, ms: f64) -> Result<(), Stop> {
        let mut timer = JsValue::UNDEFINED;
        let wait = Promise::new(&mut |resolve, _reject| {
            timer = set_timeout(&resolve, ms);
        });
        let result = self.race(&wait).await;
        clear_timeout(&timer);
        match result {
            Ok(_) => Ok(()),
            Err(Raced::Stopped(stop)) => Err(stop),
            Err(Raced::Failed) => Ok(()),
        }
    }
}

/// Why a raced promise did not resolve.
pub(crate) enum Raced {
    /// The call's deadline or the caller's signal fired.
    Stopped(Stop),
    /// The promise itself rejected.
    Failed,
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(timer) = &self.timer {
            clear_timeout(timer);
        }
        if let Some((signal, listener)) = &self.user {
            let _ = signal.remove_event_listener_with_callback("abort", listener);
        }
    }
}

fn missing_global(name: &str) -> DmsError {
    let mut message = String::from("this runtime has no ");
    message.push_str(name);
    DmsError::new(Kind::Network, "UnsupportedRuntime", message)
}
