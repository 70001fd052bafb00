// Starts the Markdown worker (crates/markdown, built by Trunk as a no-modules worker): loads the
// wasm-bindgen glue, then the module, whose main() installs the message handler.
importScripts('./kraftlab-markdown.js');
wasm_bindgen({ module_or_path: './kraftlab-markdown_bg.wasm' });
