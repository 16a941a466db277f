import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError } from '../ui/Field';
import { contactName } from './format';
import { renderQuickReply, useAddNote, useQuickReplies, useSendMessage } from './queries';
import { newIdempotencyKey, type SendMessageRequest } from './send';
import { TemplatePicker } from './TemplatePicker';
import type { Conversation, QuickReply } from './types';

type Mode = 'reply' | 'template' | 'note' | 'attach';

const isSend = (event: KeyboardEvent) => event.key === 'Enter' && (event.ctrlKey || event.metaKey);

/**
 * What the agent may write, as the server's composer state says: free text (with quick replies on
 * `/`, attachments by link and templates) inside the window, templates only outside it, nothing when
 * the contact opted out. Internal notes never reach WhatsApp.
 */
export function Composer({ conversation }: { conversation: Conversation }) {
  const { can } = useWorkspace();
  const mayReply = can('messages.send');
  const mayTemplate = can('messages.send_template');
  const mayNote = can('conversations.notes');
  const state = conversation.composer;
  const [mode, setMode] = useState<Mode>(mayReply || mayTemplate ? 'reply' : 'note');

  if (!mayReply && !mayTemplate && !mayNote) {
    return (
      <p className="composer-locked" role="note">
        Your role can read this conversation but not reply to it.
      </p>
    );
  }

  const replyMode = mode === 'reply' || mode === 'template' || mode === 'attach';
  return (
    <div className="composer">
      <div className="composer-tabs" role="tablist" aria-label="Composer">
        {(mayReply || mayTemplate) && (
          <button type="button" role="tab" aria-selected={replyMode} onClick={() => setMode('reply')}>
            Reply
          </button>
        )}
        {mayNote && (
          <button type="button" role="tab" aria-selected={mode === 'note'} onClick={() => setMode('note')}>
            Internal note
          </button>
        )}
      </div>
      {mode === 'note' && <NoteForm conversation={conversation} />}
      {replyMode && state === 'blocked' && (
        <p className="composer-locked composer-blocked" role="note">
          {contactName(conversation.contact)} opted out of WhatsApp messages. Nothing can be sent until they
          write START.
        </p>
      )}
      {replyMode &&
        state === 'templates_only' &&
        (mayTemplate ? (
          <>
            <p className="composer-hint">
              The 24-hour window is closed: the customer has to write first, or you can send an approved
              template.
            </p>
            <TemplatePicker conversation={conversation} />
          </>
        ) : (
          <p className="composer-locked" role="note">
            The 24-hour window is closed and your role cannot send templates.
          </p>
        ))}
      {replyMode &&
        state === 'free_form' &&
        (mode === 'template' && mayTemplate ? (
          <TemplatePicker conversation={conversation} onCancel={() => setMode('reply')} />
        ) : mode === 'attach' && mayReply ? (
          <AttachForm conversation={conversation} onDone={() => setMode('reply')} />
        ) : mayReply ? (
          <ReplyForm
            conversation={conversation}
            onTemplate={mayTemplate ? () => setMode('template') : undefined}
            onAttach={() => setMode('attach')}
          />
        ) : (
          <TemplatePicker conversation={conversation} />
        ))}
    </div>
  );
}

function ReplyForm({
  conversation,
  onTemplate,
  onAttach,
}: {
  conversation: Conversation;
  onTemplate: (() => void) | undefined;
  onAttach: () => void;
}) {
  const { id: ws } = useWorkspace();
  const send = useSendMessage(ws, conversation.id);
  const [text, setText] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const [error, setError] = useState<string | null>(null);
  const [pick, setPick] = useState(0);
  // "/" at the start opens quick replies filtered by what follows it.
  const slash = /^\/(\S*)$/.exec(text);
  const quick = useQuickReplies(ws, slash ? (slash[1] ?? '') : null);
  const suggestions = slash ? (quick.data?.items ?? []).slice(0, 8) : [];

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const body = text.trim();
    if (!body || send.isPending) return;
    setError(null);
    try {
      await send.mutateAsync({
        key,
        body: {
          type: 'text',
          channelId: conversation.channelId,
          contactId: conversation.contact.id,
          text: { body },
        },
      });
      setText('');
      setKey(newIdempotencyKey());
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  async function applyQuickReply(reply: QuickReply) {
    try {
      const rendered = await renderQuickReply(ws, reply.id, conversation.id);
      setText(rendered.text);
    } catch {
      setText(reply.body);
    }
    setPick(0);
  }

  function onKey(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (isSend(event)) {
      event.preventDefault();
      void submit();
      return;
    }
    if (suggestions.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setPick((pick + step + suggestions.length) % suggestions.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      const chosen = suggestions[pick];
      if (chosen) void applyQuickReply(chosen);
    } else if (event.key === 'Escape') {
      setText('');
    }
  }

  return (
    <form className="reply-form" onSubmit={submit}>
      {suggestions.length > 0 && (
        <ul className="quick-replies" aria-label="Quick replies (arrows to pick, Enter to use)">
          {suggestions.map((reply, i) => (
            <li key={reply.id} className={i === pick ? 'is-picked' : undefined}>
              <button
                type="button"
                tabIndex={-1}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => void applyQuickReply(reply)}
              >
                <span className="mono">/{reply.shortcut.replace(/^\//, '')}</span>{' '}
                <span className="muted">{reply.body}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {slash && quick.isSuccess && suggestions.length === 0 && (
        <p className="muted small">No quick reply starts with “/{slash[1]}”.</p>
      )}
      <label className="sr-only" htmlFor="composer-text">
        Message
      </label>
      <textarea
        id="composer-text"
        className="composer-text"
        rows={3}
        value={text}
        placeholder="Write a reply… ( / for quick replies, Ctrl+Enter to send )"
        onChange={(e) => {
          setText(e.target.value);
          setPick(0);
        }}
        onKeyDown={onKey}
        maxLength={4096}
      />
      <FormError message={error} />
      <div className="composer-actions">
        <div className="composer-tools">
          <button type="button" className="btn btn-ghost btn-small" onClick={onAttach}>
            Attach link
          </button>
          {onTemplate && (
            <button type="button" className="btn btn-ghost btn-small" onClick={onTemplate}>
              Template
            </button>
          )}
        </div>
        <button type="submit" className="btn btn-primary" disabled={!text.trim() || send.isPending}>
          {send.isPending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}

const MEDIA_KINDS = ['image', 'document', 'video', 'audio'] as const;
type MediaKind = (typeof MEDIA_KINDS)[number];

/** The send API takes media by public link (or an id uploaded to Meta), so attachments are links. */
function AttachForm({ conversation, onDone }: { conversation: Conversation; onDone: () => void }) {
  const { id: ws } = useWorkspace();
  const send = useSendMessage(ws, conversation.id);
  const announce = useAnnounce();
  const [kind, setKind] = useState<MediaKind>('image');
  const [link, setLink] = useState('');
  const [caption, setCaption] = useState('');
  const [key] = useState(newIdempotencyKey);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const base = { channelId: conversation.channelId, contactId: conversation.contact.id };
    const withCaption = kind !== 'audio' && caption.trim() ? { caption: caption.trim() } : {};
    const fileName = kind === 'document' ? { filename: link.split('/').pop() || 'document' } : {};
    const body = {
      ...base,
      type: kind,
      [kind]: { link: link.trim(), ...withCaption, ...fileName },
    } as SendMessageRequest;
    try {
      await send.mutateAsync({ key, body });
      announce('Attachment sent');
      onDone();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  return (
    <form className="attach-form" onSubmit={submit} aria-label="Send an attachment">
      <div className="template-picker-row">
        <div className="field">
          <label htmlFor="attach-kind">Kind</label>
          <select id="attach-kind" value={kind} onChange={(e) => setKind(e.target.value as MediaKind)}>
            {MEDIA_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="attach-link">Public HTTPS link to the file</label>
          <input
            id="attach-link"
            type="url"
            required
            value={link}
            onChange={(e) => setLink(e.target.value)}
            placeholder="https://…"
          />
        </div>
      </div>
      {kind !== 'audio' && (
        <div className="field">
          <label htmlFor="attach-caption">Caption (optional)</label>
          <input
            id="attach-caption"
            value={caption}
            onChange={(e) => setCaption(e.target.value)}
            maxLength={1024}
          />
        </div>
      )}
      <FormError message={error} />
      <div className="composer-actions">
        <button type="button" className="btn btn-ghost btn-small" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : `Send ${kind}`}
        </button>
      </div>
    </form>
  );
}

function NoteForm({ conversation }: { conversation: Conversation }) {
  const { id: ws } = useWorkspace();
  const add = useAddNote(ws, conversation.id);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!text.trim() || add.isPending) return;
    setError(null);
    try {
      await add.mutateAsync(text.trim());
      setText('');
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  return (
    <form className="reply-form note-form" onSubmit={submit}>
      <label className="sr-only" htmlFor="note-text">
        Internal note
      </label>
      <textarea
        id="note-text"
        className="composer-text"
        rows={3}
        value={text}
        placeholder="Note for your team (@name to mention) — the customer never sees it"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (isSend(e)) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <FormError message={error} />
      <div className="composer-actions">
        <span className="muted small">Only your team sees notes.</span>
        <button type="submit" className="btn" disabled={!text.trim() || add.isPending}>
          {add.isPending ? 'Saving…' : 'Add note'}
        </button>
      </div>
    </form>
  );
}
