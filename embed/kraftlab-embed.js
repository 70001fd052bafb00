/* KRaft Lab embeds for documentation pages (docs/embedding.md).
 *
 *   <script src="https://SITE/kraftlab-embed.js" defer></script>
 *
 * turns every <pre class="kraftlab"> (and every Markdown fence rendered as
 * <pre><code class="language-kraftlab"> or lang-kraftlab) into an iframe of SITE/embed.html playing
 * that scenario: #scenario=v2.<base64url of raw DEFLATE>. The text stays on the page, folded
 * under "Scenario text". window.KRaftLab = { embed, send, scan, version: 1 } lets the page drive
 * its embeds (the embed obeys this page because the script adds origins=<this page's origin>).
 *
 * No dependencies, no requests of its own; nothing from the page or from a message is ever
 * inserted as HTML. */
(function () {
  'use strict';
  if (window.KRaftLab && window.KRaftLab.version) return; // included twice

  // Captured now: document.currentScript is null once the script has run.
  const script = document.currentScript || document.querySelector('script[src*="kraftlab-embed.js"]');
  const FRONT_DOOR = new URL('embed.html', (script && script.src) || location.href);
  const SITE_ORIGIN = FRONT_DOOR.origin;

  const MAX_TEXT = 65536; // bytes of UTF-8, as the app's limit for a scenario link
  const MIN_HEIGHT = 120;
  const MAX_HEIGHT = 4000;
  const DEFAULT_HEIGHT = 420;
  const REPLY_MS = 10000; // how long send() waits for the reply once the embed runs
  const READY_MS = 30000; // how long send() waits for an embed to be running at all
  const OPTIONS = ['speed', 'panels', 'theme', 't', 'title'];
  const BLOCKS = 'pre.kraftlab, pre.language-kraftlab, pre.lang-kraftlab, '
    + 'pre > code.language-kraftlab, pre > code.lang-kraftlab';

  const ours = new Set(); // iframes this script made (their resize messages are obeyed)
  const known = new Set(); // every iframe whose messages are listened to (ours and send()'s)
  const made = new WeakMap(); // pre -> its iframe, or null when it could not be embedded
  const running = new WeakSet(); // iframes whose app said "ready" (or answered)
  const waits = new Map(); // iframe -> { promise, finish } while send() waits for it to run
  const pending = new Map(); // message id -> { frame, resolve }
  let nextId = 1;

  /** The text of a block: its text nodes, with <br> as a line break (Docusaurus draws lines
   *  with <br>) and buttons (copy buttons some generators put inside the pre) left out. */
  function textOf(node) {
    let s = '';
    for (const c of node.childNodes) {
      if (c.nodeType === Node.TEXT_NODE || c.nodeType === Node.CDATA_SECTION_NODE) s += c.data;
      else if (c.nodeName === 'BR') s += '\n';
      else if (c.nodeType === Node.ELEMENT_NODE && c.nodeName !== 'BUTTON') s += textOf(c);
    }
    return s;
  }

  /** Query values keep `,` `:` `/` readable (panels=picture,quorum; origins=https://…). */
  function enc(v) {
    return encodeURIComponent(v).replace(/%(2C|3A|2F)/gi, (m) => decodeURIComponent(m));
  }

  function originOf(frame) {
    if (ours.has(frame)) return SITE_ORIGIN;
    try {
      const o = new URL(frame.getAttribute('src') || '', location.href).origin;
      return o === 'null' ? null : o;
    } catch (e) {
      return null;
    }
  }

  function frameOf(source) {
    if (!source) return null;
    for (const f of known) if (f.contentWindow === source) return f;
    return null;
  }

  /** A visible error in place of an embed (text only). */
  function fail(pre, why) {
    const box = document.createElement('div');
    box.className = 'kraftlab-error';
    box.style.cssText = 'border:2px solid #b91c1c;background:#fef2f2;color:#7f1d1d;'
      + 'padding:.5em .75em;margin:.5em 0;border-radius:4px;font:14px/1.4 system-ui,sans-serif';
    box.textContent = 'KRaft Lab: ' + why;
    pre.after(box);
    made.set(pre, null);
    return null;
  }

  async function pack(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /** Turns one block (a pre, or the code inside a fenced pre) into an embed. Returns the
   *  iframe (its src is set a moment later, once the text is packed), or null with a visible
   *  error box when the text cannot be embedded. Calling it again returns the same iframe. */
  function embed(block) {
    if (!block || !block.tagName) throw new TypeError('KRaftLab.embed: expected a <pre> element');
    const pre = block.tagName === 'PRE' ? block : block.closest('pre');
    if (!pre) throw new TypeError('KRaftLab.embed: expected a <pre> element');
    if (made.has(pre)) return made.get(pre);
    const code = pre.querySelector(':scope > code');
    const fenced = !pre.classList.contains('kraftlab') && code !== null;
    const wrapper = pre.parentElement && pre.parentElement.closest('.kraftlab');
    // Options: data- attributes on the pre, its code, (fenced) the pre's parent, or a wrapper
    // with class "kraftlab" (Markdown cannot put attributes on a fence).
    const holders = [pre, code, fenced ? pre.parentElement : null, wrapper].filter(Boolean);
    const opt = (name) => {
      for (const h of holders) if (h.hasAttribute('data-' + name)) return h.getAttribute('data-' + name);
      return null;
    };

    let text = textOf(fenced ? code : pre).replace(/\s+$/, '') + '\n';
    const engine = opt('engine');
    if (engine !== null && engine.trim() !== '') {
      if (!/^\d+$/.test(engine.trim())) return fail(pre, 'data-engine must be an engine number, not "' + engine + '".');
      text = '# engine ' + engine.trim() + '\n' + text.replace(/^# engine[^\n]*\n/, '');
    }
    const size = new TextEncoder().encode(text).length;
    if (size > MAX_TEXT) {
      return fail(pre, 'this scenario is ' + size.toLocaleString('en') + ' bytes; an embed holds at most '
        + MAX_TEXT.toLocaleString('en') + ' (64 KiB). Shorten it, or link to the scenario file instead.');
    }
    if (typeof CompressionStream !== 'function') {
      return fail(pre, 'this browser cannot pack a scenario for an embed (no CompressionStream).');
    }

    const query = ['start=' + enc(opt('start') || 'click')];
    for (const k of OPTIONS) {
      const v = opt(k);
      if (v !== null && v !== '') query.push(k + '=' + enc(v));
    }
    const paused = opt('paused');
    if (paused !== null && paused !== 'false') query.push('paused');
    if (location.origin && location.origin !== 'null') query.push('origins=' + enc(location.origin));

    const h = parseInt(opt('height'), 10);
    const frame = document.createElement('iframe');
    frame.title = opt('title') || 'KRaft Lab simulation';
    frame.setAttribute('loading', 'lazy');
    frame.style.cssText = 'width:100%;border:0';
    frame.setAttribute('allow', 'clipboard-write');
    frame.height = String(Number.isFinite(h) ? Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, h)) : DEFAULT_HEIGHT);
    frame.className = 'kraftlab-frame';
    const id = opt('id');
    if (id) frame.id = id;

    // The text stays readable and copyable, folded away; the embed follows it.
    const details = document.createElement('details');
    details.className = 'kraftlab-source';
    details.appendChild(document.createElement('summary')).textContent = 'Scenario text';
    pre.before(details);
    details.appendChild(pre);
    details.after(frame);

    ours.add(frame);
    known.add(frame);
    made.set(pre, frame);
    pack(text).then(
      (packed) => { frame.src = FRONT_DOOR.href + '?' + query.join('&') + '#scenario=v2.' + packed; },
      (err) => {
        frame.remove();
        ours.delete(frame);
        known.delete(frame);
        fail(details, 'could not pack the scenario (' + err + ').');
        made.set(pre, null);
      },
    );
    return frame;
  }

  /** Embeds every block under root (default: the document) not embedded yet. */
  function scan(root) {
    const frames = [];
    for (const el of (root || document).querySelectorAll(BLOCKS)) {
      const pre = el.tagName === 'PRE' ? el : el.parentElement;
      if (made.has(pre)) continue;
      const f = embed(pre);
      if (f) frames.push(f);
    }
    return frames;
  }

  /** Resolves once the embed's app is running: its "ready" event, or a reply to a get-state
   *  ping (the app may have been ready before this script listened). */
  function whenRunning(frame) {
    if (running.has(frame)) return Promise.resolve();
    const w = waits.get(frame);
    if (w) return w.promise;
    const wait = {};
    wait.promise = new Promise((resolve, reject) => {
      const pings = [];
      let tick = 0;
      let limit = 0;
      wait.finish = (ok) => {
        clearInterval(tick);
        clearTimeout(limit);
        waits.delete(frame);
        for (const p of pings) pending.delete(p);
        if (ok) {
          running.add(frame);
          resolve();
        } else {
          reject(new Error('KRaft Lab: the embed is not running (not started, still loading, '
            + 'or this page\'s origin is not in its origins= list)'));
        }
      };
      const ping = () => {
        const to = originOf(frame);
        if (!to || !frame.contentWindow) return;
        const id = nextId++;
        pings.push(id);
        pending.set(id, { frame, resolve: () => wait.finish(true) });
        frame.contentWindow.postMessage({ kraftlab: 1, type: 'get-state', id }, to);
      };
      tick = setInterval(ping, 500);
      limit = setTimeout(() => wait.finish(false), READY_MS);
      ping();
    });
    waits.set(frame, wait);
    return wait.promise;
  }

  /** Sends one host message (version 1 of the protocol) to an embed and resolves with its
   *  reply (`result` for a command, `state` for the rest). Waits for the embed to be running
   *  first. `kraftlab: 1` and a fresh numeric `id` are added. */
  function send(frame, message) {
    if (!(frame instanceof HTMLIFrameElement)) {
      return Promise.reject(new TypeError('KRaftLab.send: expected an <iframe> element'));
    }
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') {
      return Promise.reject(new TypeError('KRaftLab.send: expected a message like {type: "play"}'));
    }
    known.add(frame);
    const msg = Object.assign({}, message, { kraftlab: 1, id: nextId++ });
    return whenRunning(frame).then(() => new Promise((resolve, reject) => {
      const to = originOf(frame);
      if (!to || !frame.contentWindow) {
        reject(new Error('KRaft Lab: the iframe is not an embed'));
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(msg.id);
        reject(new Error('KRaft Lab: no reply to "' + msg.type + '"'));
      }, REPLY_MS);
      pending.set(msg.id, { frame, resolve: (data) => { clearTimeout(timer); resolve(data); } });
      frame.contentWindow.postMessage(msg, to);
    }));
  }

  window.addEventListener('message', (e) => {
    const d = e.data;
    if (!d || typeof d !== 'object' || d.kraftlab !== 1 || typeof d.type !== 'string') return;
    const frame = frameOf(e.source);
    if (!frame || e.origin !== originOf(frame)) return;
    if (d.type === 'resize') {
      if (ours.has(frame) && typeof d.height === 'number' && Number.isFinite(d.height)) {
        frame.height = String(Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, d.height))));
      }
    } else if (d.type === 'event' && d.name === 'ready') {
      running.add(frame);
      const w = waits.get(frame);
      if (w) w.finish(true);
    } else if (d.type === 'event' && d.name === 'poster') {
      running.delete(frame);
    }
    if (d.id !== undefined) {
      const key = pending.has(d.id) ? d.id : Number(d.id); // echoed as a string, too
      const p = pending.get(key);
      if (p && p.frame === frame) {
        pending.delete(key);
        p.resolve(d);
      }
    }
    // Hosts may listen: frame.addEventListener('kraftlab', (e) => e.detail)
    frame.dispatchEvent(new CustomEvent('kraftlab', { detail: d }));
  });

  window.KRaftLab = Object.freeze({ embed, send, scan, version: 1 });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => scan());
  else scan();
})();
