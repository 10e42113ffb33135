//! A small std-only static HTTP server for `index.html`, `www/` and `dist/`.
//!
//! Only what a local teaching tool needs: GET and HEAD, correct MIME types, `Cache-Control:
//! no-cache` (a rebuild shows on reload), 404 for anything missing, no path traversal (only three
//! roots are reachable, plus `bench-hello/` → `target/bench-hello/`, the benchmark's baseline
//! page; `..`/dot segments are refused and the final path must stay inside its root after
//! symlinks are resolved). One thread per connection; `Connection: close` after each reply.
//!
//! Every reply for the page (everything but `bench-hello/`, whose baseline page has an inline
//! script) carries the page's [`CONTENT_SECURITY_POLICY`]; `index.html` and `www/docs.html` carry
//! the same policy in a `<meta http-equiv>` so that static hosting keeps it (a test checks that
//! the three agree).

use crate::{build, root, Failure, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The page's Content-Security-Policy: only its own files; scripts from its own origin and no
/// inline script (`www/boot.js` starts the app), `'wasm-unsafe-eval'` so that the browser may
/// compile the wasm, nothing else evaluated. Style sheets from its own origin only; style
/// *attributes* are allowed because the network view places the travelling envelope and the
/// MIME tree indents its parts with per-element values (an attribute cannot run script, and no
/// markup from the model reaches the page). Frames only from its own origin (the docs page's
/// live embeds). No `frame-ancestors`: the embed is meant to be framed by any site, and a
/// `<meta>` policy may not carry it anyway.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'";

/// `cargo xtask serve [ADDR]`: build, serve, rebuild when `src/` changes.
pub fn serve_and_watch(addr: &str) -> Result {
    build::build()?;
    let listener = bind(addr)?;
    let local = listener.local_addr()?;
    println!("\nsmtp-sim is served at http://{local}/  (Ctrl-C stops; edits under src/ rebuild)");
    std::thread::spawn(watch_and_rebuild);
    accept_forever(listener, true);
    Ok(())
}

/// `cargo xtask serve-dist [--port N]`: serve what is already built, on 127.0.0.1.
pub fn serve_dist(port: u16) -> Result {
    if !build::dist().join(format!("{}.js", build::OUT_NAME)).is_file() {
        eprintln!("warning: dist/ has no {}.js yet; run `cargo xtask build`", build::OUT_NAME);
    }
    let listener = bind(&format!("127.0.0.1:{port}"))?;
    println!("listening on http://{}/", listener.local_addr()?);
    accept_forever(listener, false);
    Ok(())
}

/// Starts a quiet server on a free loopback port in a background thread (for the browser tests).
pub fn start_background() -> Result<SocketAddr> {
    let listener = bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || accept_forever(listener, false));
    Ok(addr)
}

fn bind(addr: &str) -> Result<TcpListener> {
    TcpListener::bind(addr).map_err(|e| Failure(format!("cannot listen on {addr}: {e}")))
}

fn accept_forever(listener: TcpListener, log: bool) {
    let roots = Roots::new(&root());
    for stream in listener.incoming().flatten() {
        let roots = roots.clone();
        std::thread::spawn(move || {
            if let Err(e) = handle(stream, &roots, log) {
                if log {
                    eprintln!("connection error: {e}");
                }
            }
        });
    }
}

/// The only folders the server reads from.
#[derive(Clone)]
struct Roots {
    repo: PathBuf,
}

impl Roots {
    fn new(repo: &Path) -> Self {
        Roots { repo: repo.to_path_buf() }
    }

    /// Maps a decoded URL path to a file, or `None` (404). Never leaves index.html, www/, dist/.
    fn resolve(&self, url_path: &str) -> Option<PathBuf> {
        if url_path == "/" || url_path == "/index.html" {
            return Some(self.repo.join("index.html")).filter(|p| p.is_file());
        }
        let rest = url_path.strip_prefix('/')?;
        let (top, rest) = rest.split_once('/')?;
        // `bench-hello/` is the benchmark's hello-world page (`cargo xtask bench browser`), built
        // into target/bench-hello/ so it never lands in dist/.
        let base = match top {
            "www" | "dist" => self.repo.join(top),
            "bench-hello" => self.repo.join("target").join("bench-hello"),
            _ => return None,
        };
        let mut path = base.clone();
        for segment in rest.split('/') {
            let bad = segment.is_empty() || segment.starts_with('.') || segment.contains(['\\', '\0', ':']);
            if bad {
                return None;
            }
            path.push(segment);
        }
        // Symlinks must not lead outside the root either.
        let real = path.canonicalize().ok()?;
        let base = base.canonicalize().ok()?;
        (real.starts_with(&base) && real.is_file()).then_some(real)
    }
}

fn handle(stream: TcpStream, roots: &Roots, log: bool) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers (bounded), we need none of them.
    let mut header_bytes = 0;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        header_bytes += n;
        if n == 0 || line == "\r\n" || line == "\n" || header_bytes > 64 * 1024 {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut out = stream;
    let status = respond(&mut out, roots, method, target)?;
    if log {
        eprintln!("{status} {method} {target}");
    }
    Ok(())
}

fn respond(out: &mut TcpStream, roots: &Roots, method: &str, target: &str) -> std::io::Result<u16> {
    if method != "GET" && method != "HEAD" {
        send(out, 405, "Method Not Allowed", "text/plain; charset=utf-8", b"405 Method Not Allowed\n", method == "HEAD", true)?;
        return Ok(405);
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else {
        send(out, 400, "Bad Request", "text/plain; charset=utf-8", b"400 Bad Request\n", method == "HEAD", true)?;
        return Ok(400);
    };
    let csp = !decoded.starts_with("/bench-hello/");
    match roots.resolve(&decoded).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
        Some((file, body)) => {
            send(out, 200, "OK", mime_type(&file), &body, method == "HEAD", csp)?;
            Ok(200)
        }
        None => {
            let body = format!("404 Not Found: {decoded}\n");
            send(out, 404, "Not Found", "text/plain; charset=utf-8", body.as_bytes(), method == "HEAD", csp)?;
            Ok(404)
        }
    }
}

fn send(out: &mut TcpStream, code: u16, reason: &str, content_type: &str, body: &[u8], head: bool, csp: bool) -> std::io::Result<()> {
    let policy = if csp { format!("Content-Security-Policy: {CONTENT_SECURITY_POLICY}\r\n") } else { String::new() };
    let header = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n{policy}Connection: close\r\n\r\n",
        body.len()
    );
    out.write_all(header.as_bytes())?;
    if !head {
        out.write_all(body)?;
    }
    out.flush()
}

/// Decodes `%XX` escapes; `None` for malformed escapes or non-UTF-8 results.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by extension.
pub fn mime_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

/// Polls `src/`, `Cargo.toml` and `Cargo.lock`; rebuilds `dist/` when any of them changes.
fn watch_and_rebuild() {
    let mut last = fingerprint();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = fingerprint();
        if now == last {
            continue;
        }
        // Let an editor finish writing before building.
        std::thread::sleep(Duration::from_millis(200));
        last = fingerprint();
        eprintln!("\nchange detected, rebuilding…");
        match build::build() {
            Ok(()) => eprintln!("rebuilt: reload the page"),
            Err(Failure(e)) => eprintln!("build failed, still serving the previous build: {e}"),
        }
    }
}

fn fingerprint() -> (usize, Option<SystemTime>) {
    fn walk(dir: &Path, acc: &mut (usize, Option<SystemTime>)) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, acc);
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                acc.0 += 1;
                acc.1 = acc.1.max(Some(modified));
            }
        }
    }
    let root = root();
    let mut acc = (0, None);
    walk(&root.join("src"), &mut acc);
    for file in ["Cargo.toml", "Cargo.lock"] {
        if let Ok(m) = std::fs::metadata(root.join(file)).and_then(|m| m.modified()) {
            acc.1 = acc.1.max(Some(m));
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots() -> Roots {
        Roots::new(&root())
    }

    #[test]
    fn refuses_traversal_and_other_folders() {
        let r = roots();
        for path in [
            "/../Cargo.toml",
            "/www/../Cargo.toml",
            "/dist/../../etc/passwd",
            "/Cargo.toml",
            "/src/lib.rs",
            "/www/./style.css",
            "/www//style.css",
            "/www/..%2fCargo.toml",
            "/.git/config",
            "/www/.hidden",
            "/www",
        ] {
            let decoded = percent_decode(path).unwrap();
            assert_eq!(r.resolve(&decoded), None, "{path} must be refused");
        }
    }

    #[test]
    fn serves_the_shell_and_its_styles() {
        let r = roots();
        assert!(r.resolve("/").is_some());
        assert!(r.resolve("/index.html").is_some());
        assert!(r.resolve("/www/style.css").is_some());
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(Path::new("a/x_bg.wasm")), "application/wasm");
        assert_eq!(mime_type(Path::new("x.js")), "text/javascript; charset=utf-8");
        assert_eq!(mime_type(Path::new("x.CSS")), "text/css; charset=utf-8");
        assert_eq!(mime_type(Path::new("index.html")), "text/html; charset=utf-8");
        assert_eq!(mime_type(Path::new("i.svg")), "image/svg+xml");
        assert_eq!(mime_type(Path::new("noext")), "application/octet-stream");
    }

    #[test]
    fn the_pages_carry_the_same_policy_as_the_header() {
        for page in ["index.html", "www/docs.html"] {
            let html = std::fs::read_to_string(root().join(page)).unwrap();
            let meta = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">");
            assert!(html.contains(&meta), "{page} must carry {meta}");
            // The meta element must come before anything it governs.
            assert!(html.find(&meta) < html.find("<link"), "{page}: the policy comes first in <head>");
            assert!(!html.contains("<script>") && !html.contains("<script type=\"module\">"), "{page}: no inline script");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/a%2"), None);
        assert_eq!(percent_decode("/a%zz"), None);
    }
}
