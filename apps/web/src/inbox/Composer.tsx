import { type FormEvent, type KeyboardEvent, useCallback, useId, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError } from '../ui/Field';
import { contactName } from './format';
import {
  announceTyping,
  renderQuickReply,
  uploadMedia,
  useAddNote,
  useQuickReplies,
  useSendMessage,
} from './queries';
import { newIdempotencyKey, type SendMessageRequest } from './send';
import { TemplatePicker } from './TemplatePicker';
import type { Conversation, QuickReply, UploadedMedia } from './types';

type Mode = 'reply' | 'template' | 'note' | 'attach';

const isSend = (event: KeyboardEvent) => event.key === 'Enter' && (event.ctrlKey || event.metaKey);

/** How often, at most, others are told that the agent is still typing (they forget after ~6 s). */
const TYPING_EVERY_MS = 3_000;

function useTypingAnnouncer(ws: string, conversationId: string) {
  const last = useRef(0);
  return useCallback(() => {
    const now = Date.now();
    if (now - last.current < TYPING_EVERY_MS) return;
    last.current = now;
    // Best effort: a lost typing hint is not worth an error on screen.
    announceTyping(ws, conversationId).catch(() => undefined);
  }, [ws, conversationId]);
}

/**
 * What the agent may write, as the server's composer state says: free text (with quick replies on
 * `/`, file attachments and templates) inside the window, templates only outside it, nothing when
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
  const typing = useTypingAnnouncer(ws, conversation.id);
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
          if (e.target.value.trim() && !e.target.value.startsWith('/')) typing();
        }}
        onKeyDown={onKey}
        maxLength={4096}
      />
      <FormError message={error} />
      <div className="composer-actions">
        <div className="composer-tools">
          <button type="button" className="btn btn-ghost btn-small" onClick={onAttach}>
            Attach file
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

/** What WhatsApp accepts (the server checks type and size again; see the media module). */
const ACCEPT = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'audio/aac',
  'audio/amr',
  'audio/mpeg',
  'audio/mp4',
  'audio/ogg',
  'video/mp4',
  'video/3gpp',
  'application/pdf',
  'text/plain',
  '.doc',
  '.docx',
  '.xls',
  '.xlsx',
  '.ppt',
  '.pptx',
].join(',');

/**
 * A file from the agent's device: uploaded to Meta for this number, then sent by its media id. A retry
 * after a failed send reuses the upload and the Idempotency-Key, so nothing goes twice.
 */
function AttachForm({ conversation, onDone }: { conversation: Conversation; onDone: () => void }) {
  const { id: ws } = useWorkspace();
  const send = useSendMessage(ws, conversation.id);
  const announce = useAnnounce();
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [uploaded, setUploaded] = useState<UploadedMedia | null>(null);
  const [uploading, setUploading] = useState(false);
  const [caption, setCaption] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const [error, setError] = useState<string | null>(null);
  // Audio and stickers (webp) go without a caption.
  const captionable = !file || !/^audio\/|^image\/webp$/.test(file.type);

  function choose(next: File | null) {
    setFile(next);
    setUploaded(null);
    setKey(newIdempotencyKey());
    setError(null);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setError(null);
    try {
      let media = uploaded;
      if (!media) {
        setUploading(true);
        media = await uploadMedia(ws, conversation.channelId, file).finally(() => setUploading(false));
        setUploaded(media);
      }
      const withCaption =
        media.kind !== 'audio' && media.kind !== 'sticker' && caption.trim()
          ? { caption: caption.trim() }
          : {};
      const fileName = media.kind === 'document' ? { filename: media.fileName } : {};
      const body = {
        channelId: conversation.channelId,
        contactId: conversation.contact.id,
        type: media.kind,
        [media.kind]: { id: media.id, ...withCaption, ...fileName },
      } as SendMessageRequest;
      await send.mutateAsync({ key, body });
      announce(`${media.fileName} sent`);
      onDone();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  const busy = uploading || send.isPending;
  return (
    <form className="attach-form" onSubmit={submit} aria-label="Send a file">
      <div className="field">
        <label htmlFor={`${id}-file`}>File (image, video, audio or document)</label>
        <input
          id={`${id}-file`}
          type="file"
          accept={ACCEPT}
          required
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
        />
      </div>
      {captionable && (
        <div className="field">
          <label htmlFor={`${id}-caption`}>Caption (optional)</label>
          <input
            id={`${id}-caption`}
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
        <button type="submit" className="btn btn-primary" disabled={!file || busy}>
          {uploading ? 'Uploading…' : send.isPending ? 'Sending…' : 'Send file'}
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
