//! KRaft Lab in someone else's page: the link options an embed is opened with
//! ([`options`]), and the `postMessage` API its host page drives it with ([`host`]).
//! docs/embedding.md is the guide for docs writers; the front door (`embed.html`, a still
//! poster until clicked) and the script that turns a page's `<pre class="kraftlab">` into an
//! embed (`kraftlab-embed.js`) are static files in `embed/`.

pub mod host;
pub mod options;
