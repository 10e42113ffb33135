//! Pictures of a run, laid out once as plain data: the sequence diagram and the network view.
//!
//! - [`layout`] turns a [`Trace`](crate::sim::trace::Trace) into a [`Diagram`]: lanes, one row
//!   per event, time gaps and connection spans, in abstract pixel units, plus the drawing numbers
//!   of an arrow and a note (inset, head, dot radius, text offsets). It knows nothing about Yew or
//!   SVG, so the on-screen view and the SVG export draw the same picture from the same numbers.
//! - [`svg`] writes a [`Diagram`] as a standalone, accessible SVG document.
//! - [`network`] places the network view's node boxes, their fitted text, the links and the
//!   envelope's trip, for the screen's row and column.
//!
//! Like `smtp/` and `sim/`, this module uses no UI crate, no real clock and no I/O: it is
//! compiled for the browser and for the native CLI alike.

pub mod layout;
pub mod network;
pub mod svg;

pub use layout::{
    layout, visible_gaps, visible_rows, Arrow, ConnSpan, Diagram, Gap, Item, Lane, LaneRole, LayoutOptions, Note, Row, Stroke, BOUNCE_TAG,
    PULL_TAG,
};
pub use svg::{to_svg, SvgOptions, Theme};
