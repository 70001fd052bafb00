//! KRaft Lab's web app: the simulator running in the page, drawn with Leptos.
//!
//! The simulation is a core [`kraftlab_core::run::Timeline`] kept outside the reactive graph
//! (in [`lab::Lab`]); after every frame or action the app publishes a plain
//! `ClusterView` snapshot, which the components render. The UI never owns protocol logic: it
//! sends `UserAction`s.

pub mod animation;
pub mod compare_client;
pub mod components;
pub mod format;
pub mod keyboard;
pub mod lab;
pub mod lesson;
pub mod math;
pub mod panic;
pub mod replay;
pub mod route;
pub mod run;
pub mod share;
pub mod theme;
pub mod ui;
pub mod worker;

use leptos::prelude::*;

use components::cluster_picture::ClusterPicture;
use components::compare_panel::ComparePanel;
use components::console_panel::ConsolePanel;
use components::controls::Controls;
use components::dialogs::{HelpDialog, NewClusterDialog, PartitionDialog, ShareDialog};
use components::event_feed::EventFeed;
use components::header::Header;
use components::legend::{Legend, ModelNotes};
use components::lesson_index::LessonIndex;
use components::lesson_panel::LessonPanel;
use components::log_view::LogView;
use components::message_panel::MessagePanel;
use components::metadata_panel::MetadataPanel;
use components::node_menu::NodeMenu;
use components::quorum_panel::QuorumPanel;
use components::safety_panel::SafetyPanel;
use lab::Lab;
use route::Route;
use ui::Dialog;

/// Installs the panic overlay, opens the URL's share link if it has one (the browser inflates
/// it asynchronously), and mounts the app on the page body.
pub fn start() {
    panic::install();
    js_sys::futures::spawn_local(async {
        let start = share::start_from_url().await;
        leptos::mount::mount_to_body(move || app(start));
    });
}

/// A toast after an action: what was done, or why it was refused.
#[component]
fn Toast() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        lab.ui.toast.get().map(|t| {
            let class = if t.error {
                "toast toast-error"
            } else {
                "toast"
            };
            view! { <div class=class role="status" data-testid="toast">{t.text}</div> }
        })
    }
}

/// The whole app for the URL's settings, ignoring any share link (which [`start`] opens
/// first): playground (or embed) layout.
#[component]
pub fn App() -> impl IntoView {
    app(share::start_without_link())
}

/// The whole app, on what the URL asked for: playground (or embed) layout.
fn app(start: share::Start) -> impl IntoView {
    let embed = share::embed_mode();
    let mut shared = false;
    let lab = match start {
        share::Start::Fresh(spec) => Lab::new(spec, embed),
        share::Start::Shared(t) => {
            shared = true;
            Lab::from_timeline(*t, embed)
        }
        share::Start::Refused(why, spec) => {
            let lab = Lab::new(spec, embed);
            lab.say(why, true);
            lab
        }
    };
    if let Some(speed) = share::speed_from_url() {
        lab.run.speed.set(speed);
    }
    if share::paused_from_url() {
        lab.run.playing.set(false);
    }
    if shared {
        replay::start(lab);
    }
    provide_context(lab);
    if let Some(mq) = web_sys::window().and_then(|w| {
        w.match_media("(prefers-reduced-motion: reduce)")
            .ok()
            .flatten()
    }) {
        lab.ui.reduced_motion.set(mq.matches());
    }
    if let Some(mq) =
        web_sys::window().and_then(|w| w.match_media("(max-width: 600px)").ok().flatten())
    {
        lab.ui.narrow.set(mq.matches());
    }
    animation::install(lab);
    keyboard::install(lab);
    lab.route.set(route::current());
    route::install(lab.route);
    // The route decides what the lesson player does: follow a lesson, or let the run be.
    Effect::new(move |_| {
        let r = lab.route.get();
        untrack(move || match r {
            Route::Lesson { slug, step } => lab.player.follow(lab, slug, step),
            Route::Lessons | Route::Compare => {
                // No cluster on screen: nothing to animate.
                lab.player.stop();
                lab.run.playing.set(false);
            }
            Route::Playground => lab.player.stop(),
        })
    });
    let dialog = move || match lab.ui.dialog.get() {
        Dialog::None => None,
        Dialog::NewCluster => Some(view! { <NewClusterDialog /> }.into_any()),
        Dialog::Partition => Some(view! { <PartitionDialog /> }.into_any()),
        Dialog::Help => Some(view! { <HelpDialog /> }.into_any()),
        Dialog::Share => Some(view! { <ShareDialog /> }.into_any()),
    };
    let page = move || {
        match lab.route.get() {
        Route::Lessons => view! { <LessonIndex /> }.into_any(),
        Route::Compare => view! {
            <main class="layout layout-single">
                <ComparePanel />
            </main>
        }
        .into_any(),
        Route::Lesson { .. } => view! {
            <main class="layout with-lesson">
                <LessonPanel />
                <Stage />
                <aside class="side">
                    <QuorumPanel />
                    <SafetyPanel />
                    <ConsolePanel />
                    <EventFeed />
                </aside>
                <LogView />
                <MetadataPanel />
            </main>
        }
        .into_any(),
        Route::Playground => view! {
            <main class="layout">
                <Stage />
                {(!embed).then(|| view! {
                    <aside class="side">
                        <QuorumPanel />
                        <SafetyPanel />
                        <EventFeed />
                        <ConsolePanel />
                    </aside>
                    <LogView />
                    <MetadataPanel />
                    <ComparePanel />
                    <div class="help-row">
                        <Legend />
                        <ModelNotes />
                        <p class="version" data-testid="core-version">"core " {kraftlab_core::VERSION} " · engine v" {kraftlab_core::ENGINE_VERSION}</p>
                    </div>
                })}
            </main>
        }
        .into_any(),
    }
    };
    let shows_cluster = move || !matches!(lab.route.get(), Route::Lessons | Route::Compare);
    view! {
        <div class="app" class:embed=embed>
            {(!embed).then(|| view! { <Header /> })}
            {page}
            <Show when=shows_cluster><Controls /></Show>
            {dialog}
            <Toast />
        </div>
    }
}

/// The cluster picture with its node menu and message details.
#[component]
fn Stage() -> impl IntoView {
    view! {
        <section class="panel stage" aria-label="The cluster">
            <ClusterPicture />
            <NodeMenu />
            <MessagePanel />
            <replay::ReplayOverlay />
        </section>
    }
}
