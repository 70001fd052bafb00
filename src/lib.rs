//! KRaft Lab's web app: the simulator running in the page, drawn with Leptos.
//!
//! The simulation is a core [`kraftlab_core::run::Timeline`] kept outside the reactive graph
//! (in [`lab::Lab`]); after every frame or action the app publishes a plain
//! `ClusterView` snapshot, which the components render. The UI never owns protocol logic: it
//! sends `UserAction`s.

pub mod animation;
pub mod compare_client;
pub mod components;
pub mod embed;
pub mod form;
pub mod format;
pub mod html;
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
use components::dialogs::{HelpDialog, NewClusterDialog, PartitionDialog};
use components::event_feed::EventFeed;
use components::header::Header;
use components::legend::{Legend, ModelNotes};
use components::lesson_index::LessonIndex;
use components::lesson_panel::LessonPanel;
use components::link_error::LinkErrorBox;
use components::log_view::LogView;
use components::message_panel::MessagePanel;
use components::metadata_panel::MetadataPanel;
use components::node_menu::NodeMenu;
use components::orientation::{Glossary, Orientation};
use components::quorum_panel::QuorumPanel;
use components::safety_panel::SafetyPanel;
use embed::options::EmbedOptions;
use kraftlab_core::types::SimTime;
use lab::Lab;
use route::Route;
use ui::Dialog;

/// Installs the panic overlay, opens the URL's share link or embedded scenario if it has one
/// (the browser inflates it asynchronously), and mounts the app on the page body.
pub fn start() {
    panic::install();
    js_sys::futures::spawn_local(async {
        let options = EmbedOptions::from_url();
        let start = share::start_from_url(options.current_engine).await;
        leptos::mount::mount_to_body(move || app(start, options));
        // The page's loading notice (index.html) has done its job.
        if let Some(boot) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("boot"))
        {
            boot.remove();
        }
    });
}

/// A toast after an action: what was done, or why it was refused.
#[component]
fn Toast() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        lab.ui.toast.get().map(|t| {
            let class = match (t.error, t.undo) {
                (true, _) => "toast toast-error",
                (false, true) => "toast toast-undo",
                (false, false) => "toast",
            };
            view! {
                <div class=class role="status" data-testid="toast">
                    {t.text}
                    {t.undo.then(|| view! {
                        " " <button class="btn btn-small" data-testid="undo-fork" on:click=move |_| lab.undo_fork()>"Undo"</button>
                    })}
                </div>
            }
        })
    }
}

/// The whole app for the URL's settings, ignoring any share link (which [`start`] opens
/// first): playground (or embed) layout.
#[component]
pub fn App() -> impl IntoView {
    app(share::start_without_link(), EmbedOptions::from_url())
}

/// The whole app, on what the URL asked for: playground (or embed) layout.
fn app(start: share::Start, options: EmbedOptions) -> impl IntoView {
    let embed = options.embed;
    // A link's run needs no introduction.
    let fresh = matches!(start, share::Start::Fresh(_));
    let lab = match start {
        share::Start::Fresh(spec) => Lab::new(spec, embed),
        share::Start::Run(t) => Lab::from_timeline(*t, embed),
        share::Start::Refused(why, spec) => {
            let lab = Lab::new(spec, embed);
            lab.ui.link_error.set(Some(why));
            lab
        }
    };
    if let Some(speed) = options.speed {
        lab.run.speed.set(speed);
    }
    if options.paused {
        lab.run.playing.set(false);
    }
    let at = options.at.unwrap_or(SimTime::ZERO);
    if lab.run.timeline.with_value(|t| t.now() < t.horizon()) {
        // A share link's run: replayed in slices, then shown from `at`.
        replay::start(lab, at);
    } else if at > SimTime::ZERO || lab.run.horizon.get_untracked() > SimTime::ZERO {
        // A recorded scenario (at its end) or a fresh cluster asked to start later.
        lab.show_at(at);
    }
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        if let (Some(class), Some(root)) = (options.theme.class(), document.document_element()) {
            let _ = root.class_list().add_1(class);
        }
        if let Some(title) = &options.title {
            document.set_title(title);
        }
    }
    embed::host::install(lab, embed, &options.origins);
    let panels = options.panels;
    provide_context(options);
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
    components::share_dialog::install(lab);
    keyboard::install(lab);
    lab.route.set(route::current());
    route::install(lab.route);
    // A first visit to a fresh playground starts with the orientation card, the run waiting.
    if !embed
        && fresh
        && lab.route.get_untracked() == Route::Playground
        && components::orientation::first_visit()
    {
        lab.ui.orientation.set(true);
        lab.run.playing.set(false);
    }
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
        // A native <dialog> of its own (components::share_dialog).
        Dialog::Share => None,
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
            // The playground and the lesson player share one layout; an embed shows only the
            // panels its link asks for (`panels=`).
            route @ (Route::Lesson { .. } | Route::Playground) => {
                let lesson = matches!(route, Route::Lesson { .. });
                let full = !embed;
                let show = move |asked: bool| full || asked;
                // Lists of erased views: one instantiation of the renderer for the whole
                // layout instead of one per combination of optional panels (first load).
                let mut side: Vec<AnyView> = Vec::new();
                let push = |list: &mut Vec<AnyView>, on: bool, v: fn() -> AnyView| {
                    if on {
                        list.push(v());
                    }
                };
                push(&mut side, show(panels.quorum), || {
                    view! { <QuorumPanel /> }.into_any()
                });
                push(&mut side, full, || view! { <SafetyPanel /> }.into_any());
                push(&mut side, full && lesson, || {
                    view! { <ConsolePanel /> }.into_any()
                });
                push(&mut side, show(panels.feed), || {
                    view! { <EventFeed /> }.into_any()
                });
                push(&mut side, full && !lesson, || {
                    view! { <ConsolePanel /> }.into_any()
                });
                let mut main: Vec<AnyView> = Vec::new();
                push(&mut main, lesson, || view! { <LessonPanel /> }.into_any());
                main.push(view! { <Stage /> }.into_any());
                if show(!panels.picture_only()) {
                    main.push(view! { <aside class="side">{side}</aside> }.into_any());
                }
                push(&mut main, show(panels.log), || {
                    view! { <LogView /> }.into_any()
                });
                push(&mut main, full, || view! { <MetadataPanel /> }.into_any());
                push(&mut main, full && !lesson, || {
                    view! { <ComparePanel /> }.into_any()
                });
                push(&mut main, full && !lesson, || {
                    view! {
                        <div class="help-row">
                            <Glossary />
                            <Legend />
                            <ModelNotes />
                            <p class="version" data-testid="core-version">"core " {kraftlab_core::VERSION} " · engine v" {kraftlab_core::ENGINE_VERSION}</p>
                        </div>
                    }
                    .into_any()
                });
                view! {
                    <main class="layout" class:with-lesson=lesson class:embed-panels=embed && !panels.picture_only()>
                        {main}
                    </main>
                }
            .into_any()
            }
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
            <Orientation />
            <LinkErrorBox />
        </section>
    }
}
