// A notice as each destination type wants it: webhooks get the notice as JSON, Slack an incoming-webhook
// message (`text` for notifications and clients without blocks, `blocks` for the message itself).
import type { AlertDestination } from '../../storage/meta/store.js';
import type { Notice } from './notice.js';

/** Slack's mrkdwn treats these three as control characters. */
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const HEADLINE: Record<Notice['state'], string> = {
  firing: ':rotating_light: is firing',
  resolved: ':white_check_mark: is resolved',
  not_firing: ':white_check_mark: is not firing',
};

function slackMessage(n: Notice): { text: string; blocks: unknown[] } {
  const value = n.value === null ? 'no value' : String(n.value);
  const condition = `${value} (threshold: ${n.operator} ${n.threshold}, last ${n.window.minutes} min)`;
  const text = `Alert "${escape(n.rule.name)}" ${HEADLINE[n.state]}: ${condition}`;
  const what = n.query !== null ? `\`${escape(n.query || '*')}\`` : `filters \`${escape(JSON.stringify(n.filters ?? {}))}\``;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escape(n.rule.name)}* ${HEADLINE[n.state]}` } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Value*\n${value}` },
          { type: 'mrkdwn', text: `*Threshold*\n${n.operator} ${n.threshold}` },
          { type: 'mrkdwn', text: `*Window*\nlast ${n.window.minutes} min` },
          { type: 'mrkdwn', text: `*State*\n${n.previous_state} → ${n.state}` },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${what} · <${n.link}|Open the query>` }] },
    ],
  };
}

export function bodyFor(type: AlertDestination['type'], notice: Notice): unknown {
  return type === 'slack' ? slackMessage(notice) : notice;
}
