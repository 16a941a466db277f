import { formatDateTime } from '../ui/format';
import { contactName, initials, whenExact } from './format';
import type { Conversation } from './types';

const HISTORY_VERB: Record<string, string> = {
  status: 'status',
  assigned: 'assignee',
  snoozed: 'snoozed until',
  labels: 'labels',
};

const show = (value: unknown): string => {
  if (value === null || value === undefined || value === '') return 'none';
  if (Array.isArray(value)) return value.map(show).join(', ') || 'none';
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return String(o.name ?? o.email ?? o.id ?? JSON.stringify(o));
  }
  return String(value);
};

/** The right pane: who the customer is, what we know, whether they may be messaged. */
export function ContactPanel({ conversation, onClose }: { conversation: Conversation; onClose: () => void }) {
  const c = conversation.contact;
  const attributes = Object.entries(c.attributes);
  return (
    <aside className="inbox-contact" aria-label="Contact">
      <div className="contact-head">
        <button
          type="button"
          className="btn-icon only-narrow"
          aria-label="Close contact details"
          onClick={onClose}
        >
          ×
        </button>
        <span className="avatar avatar-lg" aria-hidden="true">
          {initials(contactName(c))}
        </span>
        <h2>{contactName(c)}</h2>
        {c.profileName && c.profileName !== c.name && (
          <p className="muted small">WhatsApp name: {c.profileName}</p>
        )}
        <p className="mono small">{c.phone ?? c.waId}</p>
      </div>

      <section className="contact-section" aria-label="Messaging consent">
        {c.optedOutAt ? (
          <p className="consent consent-out">
            <strong>Opted out</strong> of all messages since {formatDateTime(c.optedOutAt)}.
          </p>
        ) : c.marketingOptedOutAt ? (
          <p className="consent consent-partial">
            <strong>Stopped marketing</strong> messages on {formatDateTime(c.marketingOptedOutAt)}; service
            messages are fine.
          </p>
        ) : (
          <p className="consent consent-in">Subscribed: may be messaged.</p>
        )}
      </section>

      <section className="contact-section">
        <h3>Tags</h3>
        {c.tags.length === 0 ? (
          <p className="muted small">No tags</p>
        ) : (
          <ul className="chips">
            {c.tags.map((t) => (
              <li key={t} className="chip">
                {t}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="contact-section">
        <h3>Attributes</h3>
        {attributes.length === 0 ? (
          <p className="muted small">No attributes</p>
        ) : (
          <dl className="kv">
            {attributes.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>

      <section className="contact-section">
        <h3>Conversation</h3>
        <dl className="kv">
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(conversation.createdAt)}</dd>
          </div>
          <div>
            <dt>Customer last wrote</dt>
            <dd>{formatDateTime(conversation.lastInboundAt)}</dd>
          </div>
          {conversation.firstResponseSeconds != null && (
            <div>
              <dt>First response</dt>
              <dd>{Math.round(conversation.firstResponseSeconds / 60)} min</dd>
            </div>
          )}
        </dl>
        {conversation.history.length > 0 && (
          <ol className="history">
            {conversation.history.map((h) => (
              <li key={`${h.at}-${h.kind}`}>
                <span className="muted small">{whenExact(h.at)}</span> {h.actor?.name ?? 'Automation'} changed{' '}
                {HISTORY_VERB[h.kind] ?? h.kind} to {show(h.to)}
              </li>
            ))}
          </ol>
        )}
      </section>
    </aside>
  );
}
