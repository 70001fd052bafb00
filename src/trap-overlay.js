// A page that dies says so. Rust panics show an overlay from the panic hook (src/panic.rs), but
// WebAssembly traps (out of memory, `unreachable` after an abort) bypass it: they surface here,
// as uncaught errors, and get the same overlay, with a way to start a fresh run.
(function () {
  function show(what) {
    if (document.getElementById('panic-overlay')) return;
    var box = document.createElement('div');
    box.id = 'panic-overlay';
    box.setAttribute('role', 'alertdialog');
    box.setAttribute('data-testid', 'panic-overlay');
    var inner = document.createElement('div');
    inner.className = 'panic-box';
    var h = document.createElement('h2');
    h.textContent = 'KRaft Lab stopped';
    var p = document.createElement('p');
    p.textContent = /memory|allocat/i.test(what)
      ? 'The page ran out of memory. The run you opened is too large for this tab; a fresh run starts small.'
      : 'The simulation hit an internal error and cannot go on. A fresh run starts from scratch; your share links still work.';
    var pre = document.createElement('pre');
    pre.textContent = what;
    var a = document.createElement('a');
    a.href = location.pathname;
    a.className = 'btn btn-primary';
    a.textContent = 'Start a fresh run';
    a.setAttribute('data-testid', 'fresh-run');
    inner.append(h, p, pre, a);
    box.append(inner);
    (document.body || document.documentElement).append(box);
  }
  function fatal(err) {
    var isWasm = typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError;
    var text = String(err && err.message ? err.name + ': ' + err.message : err);
    if (isWasm || /out of memory|unreachable|memory access out of bounds/i.test(text)) show(text);
  }
  window.addEventListener('error', function (e) { fatal(e.error || e.message); });
  window.addEventListener('unhandledrejection', function (e) { fatal(e.reason); });
})();
