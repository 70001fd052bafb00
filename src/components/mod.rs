//! The app's components, one concern per file.

pub mod cluster_picture;
pub mod compare_panel;
pub mod console_panel;
pub mod controls;
pub mod dialogs;
pub mod event_feed;
pub mod header;
pub mod legend;
pub mod lesson_index;
pub mod lesson_panel;
pub mod link_error;
pub mod log_view;
pub mod message_panel;
pub mod metadata_panel;
pub mod node_menu;
pub mod orientation;
pub mod quorum_panel;
pub mod safety_panel;
pub mod share_dialog;
