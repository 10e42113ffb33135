//! Bench (no harness): lays out and writes the SVG of a 10,000-event trace and prints how
//! long each step took. Run with `cargo bench --bench diagram`; nothing is asserted.

use std::time::Instant;

use smtp_sim::diagram::{layout, to_svg, visible_rows, LayoutOptions, SvgOptions};
use smtp_sim::sim::scenario::builtin;
use smtp_sim::sim::trace::Trace;
use smtp_sim::sim::world;

/// `n` events: happy-path repeated, each copy 10 minutes after the previous one.
fn synthetic(n: usize) -> Trace {
    let base = world::run(&builtin("happy-path").expect("happy-path loads"));
    let mut t = base.clone();
    t.events.clear();
    let mut copy = 0u64;
    while t.events.len() < n {
        for e in base.events.iter().take(n - t.events.len()) {
            let mut e = e.clone();
            e.seq = t.events.len();
            e.time += copy * 600_000;
            e.conn = e.conn.map(|c| c + copy as u32 * 1000);
            t.events.push(e);
        }
        copy += 1;
    }
    t.end = t.events.last().map_or(0, |e| e.time);
    t
}

fn main() {
    let n = 10_000;
    let t = synthetic(n);
    let opts = LayoutOptions::default();
    let svg_opts = SvgOptions::default();
    // Warm up once, then take the best of a few runs.
    let _ = to_svg(&t, &layout(&t, &opts), &svg_opts);
    let (mut best_layout, mut best_svg, mut best_visible) = (f64::MAX, f64::MAX, f64::MAX);
    let mut size = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let d = layout(&t, &opts);
        best_layout = best_layout.min(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        let svg = to_svg(&t, &d, &svg_opts);
        best_svg = best_svg.min(start.elapsed().as_secs_f64() * 1e3);
        size = svg.len();
        let start = Instant::now();
        let mut rows = 0;
        for k in 0..1000 {
            let y0 = d.height * k as f32 / 1000.0;
            rows += visible_rows(&d, y0, y0 + 900.0).len();
        }
        best_visible = best_visible.min(start.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(rows);
    }
    println!("diagram bench, {n} events (best of 5):");
    println!("  layout            {best_layout:8.2} ms");
    println!("  to_svg            {best_svg:8.2} ms  ({:.1} MB)", size as f64 / 1e6);
    println!("  1000 × visible_rows {:6.3} ms", best_visible);
}
