//! Pictures of a run, laid out once as plain data: the sequence diagram.
//!
//! - [`layout`] turns a [`Trace`](crate::sim::trace::Trace) into a [`Diagram`]: lanes, one row
//!   per event, time gaps and connection spans, in abstract pixel units. It knows nothing about
//!   Yew or SVG, so the on-screen view and every export draw the same picture.
//! - [`svg`] writes a [`Diagram`] as a standalone, accessible SVG document.
//!
//! Like `smtp/` and `sim/`, this module uses no UI crate, no real clock and no I/O: it is
//! compiled for the browser and for the native CLI alike.

pub mod layout;
pub mod svg;

pub use layout::{
    layout, visible_gaps, visible_rows, Arrow, ConnSpan, Diagram, Gap, Item, Lane, LaneRole, LayoutOptions, Note, Row, Stroke,
};
pub use svg::{to_svg, SvgOptions, Theme};
