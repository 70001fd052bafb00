//! The chrome around the run: which dialog is open, the toast, what is selected or under the
//! pointer, and facts about the screen. Nothing here touches the simulation.

use kraftlab_core::types::NodeId;
use leptos::prelude::*;

/// Which dialog is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialog {
    /// None.
    None,
    /// Build a new cluster.
    NewCluster,
    /// Split the nodes into two groups.
    Partition,
    /// Keyboard shortcuts.
    Help,
    /// Share link and embed snippet.
    Share,
}

/// A short message shown after an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    /// The text.
    pub text: String,
    /// True for a refusal.
    pub error: bool,
    /// Distinguishes consecutive toasts with the same text.
    pub serial: u64,
    /// The action changed the past and dropped the recorded future: the toast offers Undo.
    pub undo: bool,
}

/// The UI's own state. All fields are cheap handles.
#[derive(Clone, Copy)]
pub struct Ui {
    /// The node whose menu is open.
    pub selected_node: RwSignal<Option<NodeId>>,
    /// The message whose details are open.
    pub selected_message: RwSignal<Option<u64>>,
    /// The node under the pointer (in the picture or the quorum panel).
    pub hovered_node: RwSignal<Option<NodeId>>,
    /// The open dialog.
    pub dialog: RwSignal<Dialog>,
    /// The last message to show.
    pub toast: RwSignal<Option<Toast>>,
    /// `prefers-reduced-motion`.
    pub reduced_motion: RwSignal<bool>,
    /// A phone-sized screen: the picture uses a narrower coordinate system.
    pub narrow: RwSignal<bool>,
    /// Embedded in an iframe without chrome.
    pub embed: bool,
    /// Why the URL's link was not opened, shown over the picture until dismissed.
    pub link_error: RwSignal<Option<crate::share::LinkError>>,
    /// The message a pointer moved onto: the run goes twentyfold slower until it leaves (the
    /// picture's tooltip names it).
    pub held_message: RwSignal<Option<u64>>,
    /// The "what you are looking at" card is open (a first visit, or asked for again).
    pub orientation: RwSignal<bool>,
}

impl Ui {
    /// Fresh chrome: nothing selected, no dialog.
    pub fn new(embed: bool) -> Ui {
        Ui {
            selected_node: RwSignal::new(None),
            selected_message: RwSignal::new(None),
            hovered_node: RwSignal::new(None),
            dialog: RwSignal::new(Dialog::None),
            toast: RwSignal::new(None),
            reduced_motion: RwSignal::new(false),
            narrow: RwSignal::new(false),
            embed,
            link_error: RwSignal::new(None),
            orientation: RwSignal::new(false),
            held_message: RwSignal::new(None),
        }
    }

    /// Shows a toast.
    pub fn say(&self, text: String, error: bool) {
        self.toast_with(text, error, false);
    }

    /// Shows a toast, with an Undo button when `undo`.
    pub fn toast_with(&self, text: String, error: bool, undo: bool) {
        let serial = self
            .toast
            .with_untracked(|t| t.as_ref().map(|t| t.serial + 1).unwrap_or(0));
        self.toast.set(Some(Toast {
            text,
            error,
            serial,
            undo,
        }));
    }

    /// Closes the node menu and the message details.
    pub fn deselect(&self) {
        self.selected_node.set(None);
        self.selected_message.set(None);
    }
}
