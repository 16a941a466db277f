import type { ReactNode } from 'react';
import { useWorkspace } from '../app/workspace';
import { messageMediaUrl } from './queries';
import type { ThreadMessage } from './types';

type Loose = Record<string, unknown>;
const obj = (value: unknown): Loose => (typeof value === 'object' && value !== null ? (value as Loose) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Short kind badges (not emoji: they render the same on every system font). */
const KIND_BADGES: Record<string, string> = {
  image: 'IMG',
  video: 'VID',
  audio: 'AUD',
  document: 'DOC',
  sticker: 'STK',
  location: 'MAP',
  contacts: 'VCF',
};

/** One message of the thread: its content by type, a quoted reply above it, reactions and ticks below. */
export function MessageBubble({
  message,
  quoted,
  reactions,
}: {
  message: ThreadMessage;
  quoted: ThreadMessage | null | undefined;
  reactions: ThreadMessage[];
}) {
  const outbound = message.direction === 'outbound';
  const hasContext = Boolean(message.contextWamid) && message.type !== 'reaction';
  return (
    <li className={`bubble-row ${outbound ? 'is-out' : 'is-in'}`} data-message-id={message.id}>
      <div className={`bubble type-${message.type}`}>
        {hasContext && <Quote message={quoted} />}
        <Content message={message} />
        <div className="bubble-meta">
          <time dateTime={message.occurredAt}>{time.format(new Date(message.occurredAt))}</time>
          {outbound && <Ticks message={message} />}
        </div>
        {reactions.length > 0 && (
          <ul className="reactions" aria-label="Reactions">
            {reactions.map((r) => (
              <li key={r.id} title={r.direction === 'inbound' ? 'Customer' : 'Your team'}>
                {str(obj(r.content.reaction).emoji) ?? ''}
              </li>
            ))}
          </ul>
        )}
      </div>
      {message.status === 'failed' && <FailureReason message={message} />}
    </li>
  );
}

function Quote({ message }: { message: ThreadMessage | null | undefined }) {
  return (
    <blockquote className="quote">
      {message ? (
        <>
          <span className="quote-who">{message.direction === 'inbound' ? 'Customer' : 'You'}</span>
          <span className="quote-text">{message.preview ?? `[${message.type}]`}</span>
        </>
      ) : (
        <span className="quote-text muted">Reply to an earlier message</span>
      )}
    </blockquote>
  );
}

function Content({ message }: { message: ThreadMessage }): ReactNode {
  const c = message.content;
  const body = obj(c[message.type]);
  switch (message.type) {
    case 'text':
      return <p className="bubble-text">{str(body.body) ?? message.preview}</p>;
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return <Media message={message} body={body} />;
    case 'location':
      return <Location body={body} />;
    case 'contacts':
      return <Contacts cards={Array.isArray(c.contacts) ? c.contacts : []} />;
    case 'interactive':
      return <Interactive message={message} body={body} />;
    case 'button':
      return (
        <p className="bubble-text">
          <span className="reply-chip" title="Tapped a template button">
            ↩ {str(body.text) ?? str(body.payload)}
          </span>
        </p>
      );
    case 'template':
      return (
        <div className="template-body">
          <span className="bubble-kicker">Template · {str(body.name)}</span>
          <p className="bubble-text">{message.preview}</p>
        </div>
      );
    case 'reaction':
      return <p className="bubble-text">Reacted {str(body.emoji) ?? ''}</p>;
    default:
      return (
        <p className="bubble-text muted">{message.preview ?? `Unsupported message (${message.type})`}</p>
      );
  }
}

/**
 * Where the file can be read: the platform serves customers' files once copied from Meta and files
 * uploaded here (sent by id); a file sent by public link is read from that link.
 */
function mediaSource(ws: string, message: ThreadMessage, body: Loose): string | undefined {
  if (message.media?.state === 'stored') return messageMediaUrl(ws, message.id);
  if (message.direction === 'outbound' && str(body.id)) return messageMediaUrl(ws, message.id);
  return str(body.link);
}

function Media({ message, body }: { message: ThreadMessage; body: Loose }) {
  const { id: ws } = useWorkspace();
  const src = mediaSource(ws, message, body);
  const caption = str(body.caption);
  const name = message.media?.fileName ?? str(body.filename);
  const kind = message.type;
  const label = name ?? `${kind[0]?.toUpperCase()}${kind.slice(1)}`;
  const state = message.media?.state;
  return (
    <div className="media">
      {src && (kind === 'image' || kind === 'sticker') ? (
        <a href={src} target="_blank" rel="noreferrer" className="media-link">
          <img
            src={src}
            alt={caption ?? (kind === 'sticker' ? 'Sticker' : 'Image')}
            className={kind === 'sticker' ? 'media-sticker' : 'media-image'}
            loading="lazy"
          />
        </a>
      ) : src && kind === 'video' ? (
        // biome-ignore lint/a11y/useMediaCaption: customer media has no caption track
        <video src={src} controls preload="metadata" className="media-image" />
      ) : src && kind === 'audio' ? (
        // biome-ignore lint/a11y/useMediaCaption: customer media has no caption track
        <audio src={src} controls preload="none" />
      ) : (
        <div className="media-card">
          <span className="media-icon" aria-hidden="true">
            {KIND_BADGES[kind] ?? 'FILE'}
          </span>
          <span>
            <span className="media-name">{label}</span>
            <span className="media-sub">
              {message.media?.mimeType ?? str(body.mime_type) ?? kind}
              {state === 'failed'
                ? ' · could not be downloaded'
                : state === 'pending'
                  ? ' · downloading…'
                  : ''}
            </span>
          </span>
          {src && (
            <a href={src} download={name ?? true} className="media-open">
              Download<span className="sr-only"> {label}</span>
            </a>
          )}
        </div>
      )}
      {caption && <p className="bubble-text">{caption}</p>}
    </div>
  );
}

function Location({ body }: { body: Loose }) {
  const lat = Number(body.latitude);
  const lng = Number(body.longitude);
  const valid = Number.isFinite(lat) && Number.isFinite(lng);
  return (
    <div className="location">
      <span className="media-icon" aria-hidden="true">
        {KIND_BADGES.location}
      </span>
      <span>
        <span className="media-name">{str(body.name) ?? 'Location'}</span>
        {str(body.address) && <span className="media-sub">{str(body.address)}</span>}
        {valid && (
          <a
            className="media-sub"
            href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`}
            target="_blank"
            rel="noreferrer"
          >
            {lat.toFixed(5)}, {lng.toFixed(5)} · Open map
          </a>
        )}
      </span>
    </div>
  );
}

function Contacts({ cards }: { cards: unknown[] }) {
  return (
    <ul className="contact-cards">
      {cards.map((card, i) => {
        const c = obj(card);
        const phones = Array.isArray(c.phones) ? c.phones.map((p) => str(obj(p).phone)).filter(Boolean) : [];
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: cards have no id and never reorder
          <li key={i} className="media-card">
            <span className="media-icon" aria-hidden="true">
              {KIND_BADGES.contacts}
            </span>
            <span>
              <span className="media-name">{str(obj(c.name).formatted_name) ?? 'Contact'}</span>
              <span className="media-sub">{phones.join(', ') || 'No phone number'}</span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function Interactive({ message, body }: { message: ThreadMessage; body: Loose }) {
  // The customer's answer to buttons or a list.
  const reply = obj(body.button_reply ?? body.list_reply ?? body.nfm_reply);
  if (Object.keys(reply).length > 0) {
    return (
      <p className="bubble-text">
        <span className="reply-chip" title={body.list_reply ? 'Picked from a list' : 'Tapped a button'}>
          ↩ {str(reply.title) ?? str(reply.body) ?? message.preview}
        </span>
        {str(reply.description) && <span className="media-sub">{str(reply.description)}</span>}
      </p>
    );
  }
  // Buttons or a list the business sent.
  const action = obj(body.action);
  const buttons = Array.isArray(action.buttons)
    ? action.buttons.map((b) => str(obj(obj(b).reply).title))
    : [];
  const sections = Array.isArray(action.sections) ? action.sections.map(obj) : [];
  return (
    <div className="interactive">
      {str(obj(body.header).text) && <p className="bubble-title">{str(obj(body.header).text)}</p>}
      <p className="bubble-text">{str(obj(body.body).text) ?? message.preview}</p>
      {str(obj(body.footer).text) && <p className="media-sub">{str(obj(body.footer).text)}</p>}
      {buttons.length > 0 && (
        <ul className="bubble-buttons">
          {buttons.map((title, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: button order is fixed
            <li key={i}>{title}</li>
          ))}
        </ul>
      )}
      {sections.length > 0 && (
        <details className="bubble-list">
          <summary>{str(action.button) ?? 'Options'}</summary>
          {sections.map((section, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: section order is fixed
            <div key={i}>
              {str(section.title) && <p className="media-sub">{str(section.title)}</p>}
              <ul>
                {(Array.isArray(section.rows) ? section.rows.map(obj) : []).map((row, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: row order is fixed
                  <li key={j}>
                    {str(row.title)}
                    {str(row.description) && <span className="media-sub"> — {str(row.description)}</span>}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </details>
      )}
    </div>
  );
}

const TICKS: Record<string, { mark: string; label: string }> = {
  queued: { mark: '○', label: 'Queued' },
  sending: { mark: '○', label: 'Sending' },
  sent: { mark: '✓', label: 'Sent' },
  delivered: { mark: '✓✓', label: 'Delivered' },
  read: { mark: '✓✓', label: 'Read' },
  failed: { mark: '!', label: 'Failed' },
};

function Ticks({ message }: { message: ThreadMessage }) {
  const tick = TICKS[message.status] ?? { mark: '', label: message.status };
  return (
    <span className={`ticks ticks-${message.status}`} title={tick.label}>
      <span aria-hidden="true">{tick.mark}</span>
      <span className="sr-only">{tick.label}</span>
    </span>
  );
}

function FailureReason({ message }: { message: ThreadMessage }) {
  const e = message.error;
  const reason = e?.reason ?? e?.message ?? e?.title ?? 'WhatsApp did not deliver this message';
  return (
    <p className="bubble-failure" role="note">
      Not delivered: {reason}
      {e?.code ? ` (code ${e.code})` : ''}
    </p>
  );
}
