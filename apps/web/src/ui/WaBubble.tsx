import type { ReactNode } from 'react';
import './wa-bubble.css';

export interface BubbleButton {
  title: string;
  /** reply / quick_reply buttons can be tapped when onPress is given; url / call ones only show. */
  kind: string;
  onPress?: () => void;
}

export type Ticks = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

const tickText: Record<Ticks, string> = {
  accepted: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not delivered',
};

const BUTTON_ICONS: Record<string, string> = { url: '↗', call: '☏', list: '☰' };

/**
 * A WhatsApp message bubble: header (text or a media placeholder), body with WhatsApp's *bold*,
 * _italic_ and ~strike~ markup, footer, time and ticks, and the buttons under it.
 */
export function WaBubble({
  side,
  header,
  media,
  body,
  footer,
  buttons = [],
  time,
  ticks,
}: {
  /** `in`: received (left, white); `out`: sent by the phone's owner (right, green). */
  side: 'in' | 'out';
  header?: string | null;
  media?: string | null;
  body: ReactNode;
  footer?: string | null;
  buttons?: BubbleButton[];
  time?: string;
  ticks?: Ticks;
}) {
  return (
    <div className={`wa-message wa-${side}`}>
      <div className="wa-bubble">
        {media && <div className="wa-media">{media}</div>}
        {header && <p className="wa-header">{header}</p>}
        <p className="wa-body">{typeof body === 'string' ? formatWhatsApp(body) : body}</p>
        {footer && <p className="wa-footer">{footer}</p>}
        {(time || ticks) && (
          <span className="wa-meta">
            {time}
            {ticks && (
              <span className={`wa-ticks wa-ticks-${ticks}`} title={tickText[ticks]}>
                <span aria-hidden="true">
                  {ticks === 'sent' || ticks === 'accepted' ? '✓' : ticks === 'failed' ? '!' : '✓✓'}
                </span>
                <span className="sr-only">{tickText[ticks]}</span>
              </span>
            )}
          </span>
        )}
      </div>
      {buttons.length > 0 && (
        <div className="wa-buttons">
          {buttons.map((button, index) =>
            button.onPress ? (
              <button
                // biome-ignore lint/suspicious/noArrayIndexKey: buttons have no id and never reorder
                key={index}
                type="button"
                className="wa-button"
                onClick={button.onPress}
              >
                {button.title}
              </button>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: buttons have no id and never reorder
              <span key={index} className="wa-button">
                {BUTTON_ICONS[button.kind] && <span aria-hidden="true">{BUTTON_ICONS[button.kind]} </span>}
                {button.title}
              </span>
            ),
          )}
        </div>
      )}
    </div>
  );
}

const MARKUP = /(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~)/g;

/** WhatsApp's inline markup as elements (never as HTML, so message text cannot inject markup). */
export function formatWhatsApp(text: string): ReactNode[] {
  return text.split(MARKUP).map((part, index) => {
    const inner = part.slice(1, -1);
    // biome-ignore-start lint/suspicious/noArrayIndexKey: parts of one string, in order
    if (/^\*.+\*$/.test(part)) return <strong key={index}>{inner}</strong>;
    if (/^_.+_$/.test(part)) return <em key={index}>{inner}</em>;
    if (/^~.+~$/.test(part)) return <s key={index}>{inner}</s>;
    // biome-ignore-end lint/suspicious/noArrayIndexKey: parts of one string, in order
    return part;
  });
}
