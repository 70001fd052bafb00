//! Hash routing: `#/` the playground, `#/lessons` the index, `#/lessons/<slug>[/<step>]` the
//! player, `#/compare` the comparison. Hash routes work from any path and any static host
//! (leptos_router has no hash mode — leptos-rs/leptos issue 2184 — so this is a small router on
//! `hashchange`). A share link (`#run=…`) opens in the playground.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Where the page is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The sandbox (also a share link's run).
    Playground,
    /// The list of lessons.
    Lessons,
    /// A lesson, at a 1-based step (`None`: where the learner left off).
    Lesson {
        /// The lesson's slug.
        slug: String,
        /// The step, from 1.
        step: Option<usize>,
    },
    /// ZooKeeper and KRaft side by side.
    Compare,
}

impl Route {
    /// Reads a location hash (`#/lessons/x/2`); anything unknown is the playground.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#');
        let Some(path) = path.strip_prefix('/') else {
            return Route::Playground;
        };
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            ["lessons"] => Route::Lessons,
            ["lessons", slug] => Route::Lesson {
                slug: (*slug).to_string(),
                step: None,
            },
            ["lessons", slug, step, ..] => Route::Lesson {
                slug: (*slug).to_string(),
                step: step.parse().ok().filter(|n| *n >= 1),
            },
            ["compare", ..] => Route::Compare,
            _ => Route::Playground,
        }
    }

    /// The hash that leads here.
    pub fn hash(&self) -> String {
        match self {
            Route::Playground => "#/".into(),
            Route::Lessons => "#/lessons".into(),
            Route::Lesson { slug, step: None } => format!("#/lessons/{slug}"),
            Route::Lesson {
                slug,
                step: Some(n),
            } => format!("#/lessons/{slug}/{n}"),
            Route::Compare => "#/compare".into(),
        }
    }
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The route of the page now.
pub fn current() -> Route {
    Route::parse(&location_hash())
}

/// Goes to `route` (a history entry, so the browser's Back returns).
pub fn go(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&route.hash());
    }
}

/// Shows `route` in the address bar in place of the current entry (no `hashchange`).
pub fn replace(route: &Route) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&route.hash()));
    }
}

/// Keeps `route` in step with the location hash.
pub fn install(route: RwSignal<Route>) {
    let Some(w) = web_sys::window() else {
        return;
    };
    let on_change = Closure::<dyn FnMut()>::new(move || {
        let now = current();
        if route.get_untracked() != now {
            route.set(now);
        }
    });
    let _ = w.add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_change.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip() {
        for r in [
            Route::Playground,
            Route::Lessons,
            Route::Compare,
            Route::Lesson {
                slug: "why-a-quorum".into(),
                step: None,
            },
            Route::Lesson {
                slug: "why-a-quorum".into(),
                step: Some(3),
            },
        ] {
            assert_eq!(Route::parse(&r.hash()), r);
        }
    }

    #[test]
    fn odd_hashes_are_handled() {
        assert_eq!(Route::parse(""), Route::Playground);
        assert_eq!(Route::parse("#run=v2.abc"), Route::Playground);
        assert_eq!(Route::parse("#/nowhere"), Route::Playground);
        assert_eq!(
            Route::parse("#/lessons/x/0"),
            Route::Lesson {
                slug: "x".into(),
                step: None
            }
        );
        assert_eq!(
            Route::parse("#/lessons/x/99999999999999999999999"),
            Route::Lesson {
                slug: "x".into(),
                step: None
            }
        );
        assert_eq!(Route::parse("#/lessons/"), Route::Lessons);
    }
}
