//! Forms read once, when submitted: the inputs keep their own values (the browser's, as any
//! HTML form) and the submit handler reads them by name. A form written this way has no
//! signal and no reactive closure per input — each of those costs code in the first load —
//! and reads exactly what the user sees.

use wasm_bindgen::JsCast;

/// A submitted form's values, by input name.
pub struct Fields {
    data: Option<web_sys::FormData>,
    submitter: Option<String>,
}

impl Fields {
    /// The values of the form `ev` submits (and which button submitted it). Stops the
    /// browser's own submission: the page never reloads.
    pub fn of(ev: &web_sys::SubmitEvent) -> Fields {
        ev.prevent_default();
        let data = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|f| web_sys::FormData::new_with_form(&f).ok());
        let submitter = ev.submitter().and_then(|b| b.get_attribute("value"));
        Fields { data, submitter }
    }

    /// The text of the field `name` (`""` if absent).
    pub fn text(&self, name: &str) -> String {
        self.data
            .as_ref()
            .and_then(|d| d.get(name).as_string())
            .unwrap_or_default()
    }

    /// The field `name` as a whole number, clamped to `[min, max]`; `default` if it is not one.
    pub fn number(&self, name: &str, min: u64, max: u64, default: u64) -> u64 {
        self.text(name)
            .trim()
            .parse::<u64>()
            .map(|v| v.clamp(min, max))
            .unwrap_or(default)
    }

    /// True if the checkbox `name` is ticked (or a radio group `name` has a value).
    pub fn checked(&self, name: &str) -> bool {
        self.data.as_ref().is_some_and(|d| d.has(name))
    }

    /// Every ticked value of the checkboxes sharing `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.data
            .as_ref()
            .map(|d| {
                d.get_all(name)
                    .iter()
                    .filter_map(|v| v.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `value` of the button that submitted the form, if it had one.
    pub fn submitter(&self) -> Option<&str> {
        self.submitter.as_deref()
    }
}
