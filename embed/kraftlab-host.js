// KRaft Lab's host API, protocol version 1 (docs/embedding.md, The host API).
//
// The app loads this script only when it runs inside a frame, so a first visit never fetches
// it. It speaks the protocol with the host page and calls the app through one function the
// app puts on the page, window.__kraftlabHost(kind, text, number), which answers with a plain
// object (the host receives it as JSON-compatible data through postMessage).
//
// - Only origins on the link's allow-list (`origins=`, comma-separated) are obeyed; the
//   default list is empty, so a bare embed accepts no commands.
// - Messages from other origins, malformed messages and unknown types are ignored and counted
//   (`state.ignored`, and `data-kraftlab-ignored` on <html> for tests). Nothing from a message
//   is inserted as HTML, and no message can make this script throw.
// - Events (`ready`, `leader-changed`, `node-crashed`, `node-restarted`, `lesson-step`,
//   `exercise-solved`) are found by reading the state four times a second, and the content's
//   height is posted whenever it changes (`resize`).
(function () {
  'use strict';
  var PROTOCOL = 1;
  var MAX_TEXT = 64 * 1024;
  var call = window.__kraftlabHost;
  if (typeof call !== 'function' || window.__kraftlabHostRunning) return;
  window.__kraftlabHostRunning = true;

  // The allow-list, as the app read it from the link (src/embed/options.rs): http(s) origins.
  var origins = [];
  if (Array.isArray(window.__kraftlabOrigins)) {
    origins = window.__kraftlabOrigins.filter(function (o) { return typeof o === 'string'; });
  }

  var ignored = 0;
  function ignore() {
    ignored += 1;
    document.documentElement.setAttribute('data-kraftlab-ignored', String(ignored));
  }
  document.documentElement.setAttribute('data-kraftlab-ignored', '0');

  // Where events and sizes go: the parent, at its own origin when the browser says which it
  // is and the list allows it; with no list, to any origin (they say nothing a page could not
  // see by looking at the embed).
  var parentOrigin = null;
  try {
    if (location.ancestorOrigins && location.ancestorOrigins.length) parentOrigin = location.ancestorOrigins[0];
  } catch (e) {
    parentOrigin = null;
  }
  function post(message) {
    if (window.parent === window) return;
    message.kraftlab = PROTOCOL;
    try {
      if (origins.length === 0) {
        window.parent.postMessage(message, '*');
      } else if (parentOrigin !== null) {
        if (origins.indexOf(parentOrigin) >= 0) window.parent.postMessage(message, parentOrigin);
      } else {
        origins.forEach(function (o) { window.parent.postMessage(message, o); });
      }
    } catch (e) {
      // A closed or navigated parent: nothing to tell.
    }
  }

  // One call into the app; the answer as an object, or null for a kind it does not know.
  function ask(kind, text, number) {
    var answer;
    try {
      answer = call(kind, text || '', typeof number === 'number' ? number : 0);
    } catch (e) {
      return null;
    }
    return answer && typeof answer === 'object' ? answer : null;
  }

  function state() {
    var s = ask('get-state');
    if (s) s.ignored = ignored;
    return s;
  }

  var KINDS = { command: 1, play: 1, pause: 1, seek: 1, speed: 1, 'get-state': 1 };

  window.addEventListener('message', function (ev) {
    var m = ev.data;
    if (origins.indexOf(ev.origin) < 0 || !m || typeof m !== 'object' || Array.isArray(m)) return ignore();
    if (m.kraftlab !== PROTOCOL || typeof m.type !== 'string' || !KINDS[m.type]) return ignore();
    var text = '';
    var number = 0;
    if (m.type === 'command') {
      if (typeof m.text !== 'string' || m.text.length > MAX_TEXT) return ignore();
      text = m.text;
    } else if (m.type === 'seek') {
      if (typeof m.ms !== 'number' || !isFinite(m.ms) || m.ms < 0) return ignore();
      number = m.ms;
    } else if (m.type === 'speed') {
      if (typeof m.value !== 'number' || !isFinite(m.value) || m.value <= 0) return ignore();
      number = m.value;
    }
    var answer = ask(m.type, text, number);
    if (!answer) return ignore();
    if (m.type === 'command') {
      answer.type = 'result';
    } else {
      answer.type = 'state';
      answer.ignored = ignored;
    }
    answer.kraftlab = PROTOCOL;
    if ('id' in m && (typeof m.id === 'number' || typeof m.id === 'string')) answer.id = m.id;
    try {
      if (ev.source) ev.source.postMessage(answer, ev.origin);
    } catch (e) {
      // The asking window went away.
    }
  });

  // Events: the state's changes, four times a second.
  var last = state();
  function watch() {
    var now = state();
    if (!now || !last) {
      last = now;
      return;
    }
    if (now.leader !== null && (now.leader !== last.leader || now.epoch !== last.epoch)) {
      post({ type: 'event', name: 'leader-changed', leader: now.leader, epoch: now.epoch });
    }
    var before = {};
    last.nodes.forEach(function (n) { before[n.id] = n.status; });
    now.nodes.forEach(function (n) {
      var was = before[n.id];
      if (was === undefined || was === n.status) return;
      if (n.status === 'crashed') post({ type: 'event', name: 'node-crashed', node: n.id });
      else if (was === 'crashed' && n.status === 'up') post({ type: 'event', name: 'node-restarted', node: n.id });
    });
    if (now.lesson && (now.lesson !== last.lesson || now.step !== last.step)) {
      post({ type: 'event', name: 'lesson-step', lesson: now.lesson, step: now.step });
    }
    if (now.solved && !last.solved) post({ type: 'event', name: 'exercise-solved', lesson: now.lesson });
    last = now;
  }
  setInterval(watch, 250);

  // The resize protocol: the app's content height, whenever it changes.
  var height = 0;
  function measure() {
    var app = document.querySelector('.app');
    var h = Math.ceil(app ? app.scrollHeight : document.documentElement.scrollHeight);
    if (h > 0 && h !== height) {
      height = h;
      post({ type: 'resize', height: h });
    }
  }
  if (typeof ResizeObserver === 'function') {
    var observer = new ResizeObserver(measure);
    var target = document.querySelector('.app') || document.body;
    if (target) observer.observe(target);
  }
  measure();

  post({ type: 'event', name: 'ready' });
  if (last && last.leader !== null) {
    post({ type: 'event', name: 'leader-changed', leader: last.leader, epoch: last.epoch });
  }
  if (last && last.lesson) post({ type: 'event', name: 'lesson-step', lesson: last.lesson, step: last.step });
})();
