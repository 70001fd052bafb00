//! The messages in flight, drawn on a canvas laid over the picture.
//!
//! Why a canvas: at the default speed a hundred-odd messages a second are sent and delivered,
//! each on screen for a few frames. As SVG elements, every one was built, moved every frame and
//! removed, and the browser restyled, laid out and repainted the picture for it: more than half
//! of the page's main-thread time while playing. On a canvas a frame clears and draws a dozen
//! shapes, and the picture under it is repainted only when a node changes.
//!
//! What the SVG gave for free is done here: the pointer is hit-tested in the picture's own
//! coordinates (a pointer on a message slows the run and names it; a click opens its details),
//! and the canvas follows the picture's size and the screen's pixel density.

use std::cell::Cell;
use std::rc::Rc;

use kraftlab_core::message::Outcome;
use kraftlab_core::sim::view::MessageView;
use kraftlab_core::types::{NodeId, SimTime};
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::layout::{Layout, CONTROLLER_R};
use crate::embed::options::{EmbedOptions, Theme};
use crate::lab::Lab;
use crate::theme::{message_style, MessageShape};

/// How far from its centre a message can be caught (picture units): larger than the shape,
/// since it moves.
const HIT_RADIUS: f64 = 16.0;

/// Where message `m` is drawn at `now` in the picture's coordinates: between the edges of its
/// sender and receiver, requests and responses on slightly different lanes; half way when the
/// reader asked for reduced motion (messages then sit still, mid-link).
fn message_xy(
    m: &MessageView,
    now: SimTime,
    reduced_motion: bool,
    layout: &Layout,
) -> Option<(f64, f64)> {
    let now = if reduced_motion {
        SimTime(m.sent_at.0 + m.deliver_at.0.saturating_sub(m.sent_at.0) / 2)
    } else {
        now
    };
    let (x1, y1) = *layout.pos.get(&m.from)?;
    let (x2, y2) = *layout.pos.get(&m.to)?;
    let span = m.deliver_at.0.saturating_sub(m.sent_at.0).max(1) as f64;
    let t = (now.0.saturating_sub(m.sent_at.0) as f64 / span).clamp(0.0, 1.0);
    // Keep the message off the node bodies.
    let dx = x2 - x1;
    let dy = y2 - y1;
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let pad = CONTROLLER_R / len;
    let f = pad + (1.0 - 2.0 * pad) * t;
    let lane = if m.is_request { 4.0 } else { -4.0 };
    let (nx, ny) = (-dy / len * lane, dx / len * lane);
    Some((x1 + dx * f + nx, y1 + dy * f + ny))
}

/// How the picture's coordinates sit in a box of `w` × `h` CSS pixels: the SVG's
/// `preserveAspectRatio` default (scaled to fit, centred).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Fit {
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Fit {
    fn new(w: f64, h: f64, layout: &Layout) -> Fit {
        let scale = (w / layout.width).min(h / layout.height).max(1e-6);
        Fit {
            scale,
            dx: (w - layout.width * scale) / 2.0,
            dy: (h - layout.height * scale) / 2.0,
        }
    }

    /// A point of the box (CSS pixels from its top left) in picture coordinates.
    fn to_picture(self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.dx) / self.scale, (y - self.dy) / self.scale)
    }
}

/// True when picture point `p` is within reach of message `m` as drawn at `now`.
fn within_reach(
    m: &MessageView,
    now: SimTime,
    reduced_motion: bool,
    layout: &Layout,
    (x, y): (f64, f64),
) -> bool {
    message_xy(m, now, reduced_motion, layout).is_some_and(|(mx, my)| {
        (mx - x) * (mx - x) + (my - y) * (my - y) <= HIT_RADIUS * HIT_RADIUS
    })
}

/// The message under picture point `p`: the topmost (last drawn) within reach.
fn message_at(
    messages: &[MessageView],
    now: SimTime,
    reduced_motion: bool,
    layout: &Layout,
    p: (f64, f64),
) -> Option<u64> {
    messages
        .iter()
        .rev()
        .find(|m| within_reach(m, now, reduced_motion, layout, p))
        .map(|m| m.id)
}

/// What a frame draws besides the messages themselves.
struct Scene<'a> {
    now: SimTime,
    reduced_motion: bool,
    narrow: bool,
    selected: Option<u64>,
    cuts: &'a [(NodeId, NodeId)],
    /// The theme's `--surface` (the inside of a hollow response).
    surface: &'static str,
}

/// Clears the canvas, fits it to its box and the screen's pixel density, and draws every
/// message: its shape and colour by API, requests filled and responses hollow, a doomed one
/// (lost, or on a cut link) red, the selected one ringed, a reply's "+" or "−".
fn draw(
    canvas: &HtmlCanvasElement,
    layout: &Layout,
    messages: &[MessageView],
    scene: &Scene,
) -> Option<()> {
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let (w, h) = (
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    let dpr = web_sys::window()?.device_pixel_ratio();
    let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    } else {
        ctx.reset_transform().ok()?;
        ctx.clear_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
    }
    if messages.is_empty() {
        return Some(());
    }
    let fit = Fit::new(w, h, layout);
    let s = dpr * fit.scale;
    ctx.set_transform(s, 0.0, 0.0, s, dpr * fit.dx, dpr * fit.dy)
        .ok()?;
    ctx.set_text_align("center");
    ctx.set_font(if scene.narrow {
        "700 13.5px ui-monospace, monospace"
    } else {
        "700 11px ui-monospace, monospace"
    });
    for m in messages {
        let Some((x, y)) = message_xy(m, scene.now, scene.reduced_motion, layout) else {
            continue;
        };
        let style = message_style(m.name);
        let doomed = m.doomed || scene.cuts.contains(&(m.from, m.to));
        // A response is hollow: filled with the page's surface colour.
        let (fill, stroke) = if doomed {
            ("#fecaca", "#dc2626")
        } else if m.is_request {
            (style.colour, style.colour)
        } else {
            (scene.surface, style.colour)
        };
        let selected = scene.selected == Some(m.id);
        ctx.begin_path();
        match style.shape {
            MessageShape::Circle => {
                ctx.arc(x, y, 6.5, 0.0, std::f64::consts::TAU).ok()?;
            }
            MessageShape::Square => ctx.rect(x - 6.0, y - 6.0, 12.0, 12.0),
            MessageShape::Diamond => polygon(
                &ctx,
                x,
                y,
                &[(0.0, -8.0), (8.0, 0.0), (0.0, 8.0), (-8.0, 0.0)],
            ),
            MessageShape::Triangle => polygon(&ctx, x, y, &[(0.0, -8.0), (7.0, 6.0), (-7.0, 6.0)]),
        }
        ctx.set_fill_style_str(fill);
        ctx.fill();
        // The selected message wears the page's focus colour (--focus).
        ctx.set_stroke_style_str(if selected { "#f59e0b" } else { stroke });
        ctx.set_line_width(if selected { 3.5 } else { 2.0 });
        ctx.stroke();
        let glyph = response_glyph(m);
        if !glyph.is_empty() {
            ctx.set_fill_style_str("#111827");
            ctx.fill_text(glyph, x, y + 3.0).ok()?;
        }
    }
    Some(())
}

/// Traces a closed polygon of `points` around (`x`, `y`).
fn polygon(ctx: &CanvasRenderingContext2d, x: f64, y: f64, points: &[(f64, f64)]) {
    for (i, (px, py)) in points.iter().enumerate() {
        if i == 0 {
            ctx.move_to(x + px, y + py);
        } else {
            ctx.line_to(x + px, y + py);
        }
    }
    ctx.close_path();
}

/// RaftScope's reply glyph: "+" granted, "−" refused or failed.
fn response_glyph(m: &MessageView) -> &'static str {
    match m.outcome {
        Some(Outcome::Granted) => "+",
        Some(Outcome::Refused | Outcome::Error(_)) => "−",
        None => "",
    }
}

/// The pointer's place over the picture, in picture coordinates (`None`: elsewhere), shared by
/// the pointer handlers and the drawing, which lets go of a message that has moved on.
#[derive(Clone, Default)]
pub struct Pointer(Rc<Cell<Option<(f64, f64)>>>);

impl Pointer {
    /// Records where the pointer is (`None`: it left the picture).
    pub fn set(&self, at: Option<(f64, f64)>) {
        self.0.set(at);
    }
}

/// The canvas of messages in flight, and what the picture's pointer handlers do with them.
#[derive(Clone, Copy)]
pub struct MessageLayer {
    lab: Lab,
    canvas: NodeRef<Canvas>,
    layout: Memo<Layout>,
}

impl MessageLayer {
    /// A layer over a picture laid out by `layout`, drawn again whenever the clock, the view,
    /// the selection, the layout or the motion preference changes, and when the window is
    /// resized.
    pub fn new(layout: Memo<Layout>, pointer: Pointer) -> MessageLayer {
        let lab = expect_context::<Lab>();
        let layer = MessageLayer {
            lab,
            canvas: NodeRef::new(),
            layout,
        };
        let dark = use_context::<EmbedOptions>().is_some_and(|o| o.theme == Theme::Dark);
        let surface = if dark { "#1e293b" } else { "#ffffff" };
        let redraw = move || {
            let Some(canvas) = layer.canvas.get_untracked() else {
                return;
            };
            let now = lab.run.now.get_untracked();
            let reduced_motion = lab.ui.reduced_motion.get_untracked();
            let held = lab.ui.held_message.get_untracked();
            let still_held = lab.run.view.with_untracked(|v| {
                layout.with_untracked(|l| {
                    let scene = Scene {
                        now,
                        reduced_motion,
                        narrow: lab.ui.narrow.get_untracked(),
                        selected: lab.ui.selected_message.get_untracked(),
                        cuts: &v.cuts,
                        surface,
                    };
                    draw(&canvas, l, &v.messages, &scene);
                    let at = pointer.0.get();
                    v.messages.iter().any(|m| {
                        Some(m.id) == held
                            && at.is_some_and(|p| within_reach(m, now, reduced_motion, l, p))
                    })
                })
            });
            // The message under a resting pointer moved on (or arrived): the run lets go. (A
            // message passing under a resting pointer catches nothing: only a moving pointer
            // catches, in the picture's pointermove.)
            if held.is_some() && !still_held {
                lab.ui.held_message.set(None);
            }
        };
        let on_resize = redraw.clone();
        Effect::new(move |_| {
            lab.run.now.track();
            lab.run.view.track();
            lab.ui.selected_message.track();
            lab.ui.reduced_motion.track();
            layout.track();
            layer.canvas.track();
            redraw();
        });
        let listener = window_event_listener(leptos::ev::resize, move |_| on_resize());
        SHOWN.with(|s| s.set(Some(layer)));
        on_cleanup(move || {
            listener.remove();
            SHOWN.with(|s| s.set(None));
            // A picture that goes (another route) takes its held message with it.
            lab.ui.held_message.set(None);
        });
        layer
    }

    /// The canvas element's reference, for the view.
    pub fn node_ref(self) -> NodeRef<Canvas> {
        self.canvas
    }

    /// The message under a pointer at (`client_x`, `client_y`) on the page, and where that is in
    /// the picture's coordinates (`None` when the picture is not drawn).
    fn hit(self, client_x: i32, client_y: i32) -> (Option<u64>, Option<(f64, f64)>) {
        let Some(canvas) = self.canvas.get_untracked() else {
            return (None, None);
        };
        let rect = canvas.get_bounding_client_rect();
        let now = self.lab.run.now.get_untracked();
        let reduced = self.lab.ui.reduced_motion.get_untracked();
        self.layout.with_untracked(|l| {
            let at = Fit::new(rect.width(), rect.height(), l).to_picture(
                f64::from(client_x) - rect.left(),
                f64::from(client_y) - rect.top(),
            );
            let id = self
                .lab
                .run
                .view
                .with_untracked(|v| message_at(&v.messages, now, reduced, l, at));
            (id, Some(at))
        })
    }

    /// The pointer moved over the picture: a message under it is caught (the run slows
    /// twentyfold so that it can be read and clicked), or the one caught is let go. Only a
    /// moving pointer catches: a message passing under a resting one slows nothing, and the
    /// drawing lets go of one that has moved on.
    pub fn point(self, pointer: &Pointer, client_x: i32, client_y: i32) {
        let (id, at) = self.hit(client_x, client_y);
        pointer.set(at);
        if id != self.lab.ui.held_message.get_untracked() {
            self.lab.ui.held_message.set(id);
        }
    }

    /// The pointer left the picture: nothing is held.
    pub fn leave(self, pointer: &Pointer) {
        pointer.set(None);
        self.lab.ui.held_message.set(None);
    }

    /// A click on the picture: a message under it opens (messages are drawn over the nodes, so
    /// they win), a click elsewhere closes the open one.
    pub fn click(self, client_x: i32, client_y: i32) {
        let (id, _) = self.hit(client_x, client_y);
        self.lab.ui.selected_message.set(id);
        if id.is_some() {
            self.lab.ui.selected_node.set(None);
        }
    }
}

thread_local! {
    /// The playground's message layer, for [`message_points`] (called from outside Leptos).
    static SHOWN: Cell<Option<MessageLayer>> = const { Cell::new(None) };
}

/// Where the messages drawn now are, in page coordinates (CSS pixels from the viewport's top
/// left, `[x0, y0, x1, y1, …]`): the e2e tests point at and click messages, which have no
/// elements of their own.
#[wasm_bindgen]
pub fn message_points() -> Vec<f64> {
    let Some(layer) = SHOWN.with(Cell::get) else {
        return Vec::new();
    };
    let lab = layer.lab;
    let Some(canvas) = layer.canvas.get_untracked() else {
        return Vec::new();
    };
    let rect = canvas.get_bounding_client_rect();
    let now = lab.run.now.get_untracked();
    let reduced = lab.ui.reduced_motion.get_untracked();
    lab.run.view.with_untracked(|v| {
        layer.layout.with_untracked(|l| {
            let fit = Fit::new(rect.width(), rect.height(), l);
            v.messages
                .iter()
                .filter_map(|m| message_xy(m, now, reduced, l))
                .flat_map(|(x, y)| {
                    [
                        rect.left() + fit.dx + x * fit.scale,
                        rect.top() + fit.dy + y * fit.scale,
                    ]
                })
                .collect()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        let mut pos = kraftlab_core::flat::FlatMap::default();
        pos.insert(NodeId(1), (100.0, 100.0));
        pos.insert(NodeId(2), (300.0, 100.0));
        Layout {
            pos,
            width: 400.0,
            height: 200.0,
        }
    }

    #[test]
    fn fit_centres_the_picture_like_svg_does() {
        // A box twice as wide as the picture's aspect: scaled by its height, centred across.
        let fit = Fit::new(1000.0, 250.0, &layout());
        assert_eq!(fit.scale, 1.25);
        assert_eq!(fit.dx, 250.0);
        assert_eq!(fit.dy, 0.0);
        assert_eq!(fit.to_picture(250.0 + 125.0, 125.0), (100.0, 100.0));
    }

    fn message(id: u64, from: i32, to: i32, is_request: bool) -> MessageView {
        MessageView {
            id,
            from: NodeId(from),
            to: NodeId(to),
            name: "Fetch",
            detail: String::new(),
            is_request,
            sent_at: SimTime(1_000),
            deliver_at: SimTime(1_020),
            doomed: false,
            outcome: None,
        }
    }

    #[test]
    fn a_message_travels_between_the_node_edges_on_its_lane() {
        let l = layout();
        let m = message(1, 1, 2, true);
        // Leaving: one controller radius out of the sender, 4 units off the line.
        let (x, y) = message_xy(&m, SimTime(1_000), false, &l).unwrap();
        assert_eq!((x, y), (100.0 + CONTROLLER_R, 104.0));
        // Half way at half time; a response runs on the other lane.
        let (x, y) = message_xy(&m, SimTime(1_010), false, &l).unwrap();
        assert_eq!((x, y), (200.0, 104.0));
        let (_, y) = message_xy(&message(2, 1, 2, false), SimTime(1_010), false, &l).unwrap();
        assert_eq!(y, 96.0);
        // Arriving, and after: at the receiver's edge.
        assert_eq!(
            message_xy(&m, SimTime(5_000), false, &l).unwrap().0,
            300.0 - CONTROLLER_R
        );
        // Reduced motion: half way whatever the clock says.
        assert_eq!(
            message_xy(&m, SimTime(1_002), true, &l),
            message_xy(&m, SimTime(1_010), false, &l)
        );
    }

    #[test]
    fn the_pointer_catches_the_topmost_message_within_reach() {
        let l = layout();
        // Two messages crossing at the middle of the link, on their two lanes.
        let both = [message(1, 1, 2, true), message(2, 2, 1, true)];
        let now = SimTime(1_010);
        // Drawn last, on top: message 2 wins where both are in reach.
        assert_eq!(message_at(&both, now, false, &l, (200.0, 100.0)), Some(2));
        // Only message 1 is within 16 units of (200, 118).
        assert_eq!(message_at(&both, now, false, &l, (200.0, 118.0)), Some(1));
        assert_eq!(message_at(&both, now, false, &l, (200.0, 130.0)), None);
        assert_eq!(message_at(&both, now, false, &l, (200.0, 60.0)), None);
    }
}
