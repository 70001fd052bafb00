// Starts the comparison worker (crates/compare, built by Trunk as a no-modules worker): loads
// the wasm-bindgen glue, then the module, whose main() installs the message handler.
importScripts('./kraftlab-compare.js');
wasm_bindgen({ module_or_path: './kraftlab-compare_bg.wasm' });
