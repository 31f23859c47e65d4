// The live-tail toggle: streams new matching rows from the tail endpoint into the top of the table,
// holding them while the reader is scrolled down, without refetching the page.
import { stream } from './api.js';
import { h, fill } from './dom.js';

/** `opts`: {url(): string, table, onError(err)} */
export function liveTail(opts) {
  let controller = null;
  let held = [];
  const pending = h('button', { type: 'button', class: 'pending', testid: 'live-tail-pending', hidden: true, onclick: () => opts.table.scroller.scrollTo({ top: 0 }) });
  const toggle = h('button', { type: 'button', testid: 'live-tail-toggle', 'aria-pressed': 'false', class: 'toggle', onclick: () => (controller ? stop() : start()) }, '● Live');

  const flush = () => {
    if (!held.length) return;
    opts.table.prepend(held.reverse());
    held = [];
    pending.hidden = true;
  };
  opts.table.scroller.addEventListener('scroll', () => {
    if (opts.table.atTop()) flush();
  });

  const start = () => {
    stop();
    controller = new AbortController();
    const mine = controller;
    toggle.setAttribute('aria-pressed', 'true');
    toggle.classList.add('on');
    stream(opts.url(), (type, data) => {
      if (mine.signal.aborted) return;
      // Tests and people can tell a stream that is listening from one still connecting.
      if (type === 'open') toggle.dataset.state = 'open';
      if (type !== 'row') return;
      held.push(data);
      if (opts.table.atTop()) flush();
      else {
        pending.hidden = false;
        fill(pending, `${held.length} new — back to top`);
      }
    }, mine.signal).catch((err) => {
      if (mine.signal.aborted) return;
      opts.onError(err);
      stop();
    });
  };
  const stop = () => {
    controller?.abort();
    controller = null;
    delete toggle.dataset.state;
    toggle.setAttribute('aria-pressed', 'false');
    toggle.classList.remove('on');
  };
  return {
    el: h('span', { class: 'tail' }, toggle, pending),
    get on() {
      return controller !== null;
    },
    restart: () => controller && start(),
    stop,
  };
}
