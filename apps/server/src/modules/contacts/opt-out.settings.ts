import type { Database, Executor } from '../../platform/db/client.js';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import type { ErrorDetail } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { loadOptOutSettingsRow, saveOptOutSettings } from './contacts.repository.js';
import type { OptOutSettingsInput } from './contacts.schemas.js';
import {
  DEFAULT_START_KEYWORDS,
  DEFAULT_START_REPLY,
  DEFAULT_STOP_KEYWORDS,
  DEFAULT_STOP_REPLY,
  normalizeKeyword,
} from './opt-out.js';

/** What the settings page shows: the workspace's own keywords and texts, and the built-in keywords. */
export async function getOptOutSettings(db: Executor, workspaceId: string) {
  const row = await loadOptOutSettingsRow(db, workspaceId);
  return {
    stopKeywords: row?.stopKeywords ?? [],
    startKeywords: row?.startKeywords ?? [],
    stopReply: row?.stopReply ?? DEFAULT_STOP_REPLY,
    startReply: row?.startReply ?? DEFAULT_START_REPLY,
    sendConfirmation: row?.sendConfirmation ?? true,
    builtInStopKeywords: DEFAULT_STOP_KEYWORDS,
    builtInStartKeywords: DEFAULT_START_KEYWORDS,
  };
}

/**
 * The workspace's own keywords, cleaned: compared the way inbound messages are (opt-out.ts), built-in
 * ones and repeats dropped. A keyword that is empty once normalised, or that would both stop and start,
 * is refused with the field it came from.
 */
export function cleanKeywords(input: Pick<OptOutSettingsInput, 'stopKeywords' | 'startKeywords'>) {
  const problems: ErrorDetail[] = [];
  const builtIn = {
    stop: new Set(DEFAULT_STOP_KEYWORDS.map(normalizeKeyword)),
    start: new Set(DEFAULT_START_KEYWORDS.map(normalizeKeyword)),
  };
  const clean = (field: 'stopKeywords' | 'startKeywords', own: Set<string>, other: Set<string>) => {
    const kept: string[] = [];
    input[field].forEach((keyword, index) => {
      const normalized = normalizeKeyword(keyword);
      const path = `body.${field}.${index}`;
      if (!normalized) problems.push({ path, message: 'a keyword needs a letter or a digit' });
      else if (other.has(normalized)) {
        problems.push({ path, message: `"${keyword}" cannot both opt out and opt in` });
      } else if (!own.has(normalized)) {
        own.add(normalized);
        kept.push(normalized);
      }
    });
    return kept;
  };
  const customStart = new Set(input.startKeywords.map(normalizeKeyword).filter(Boolean));
  const stop = clean('stopKeywords', builtIn.stop, new Set([...builtIn.start, ...customStart]));
  const start = clean('startKeywords', builtIn.start, builtIn.stop);
  return problems.length > 0
    ? { ok: false as const, problems }
    : { ok: true as const, stopKeywords: stop, startKeywords: start };
}

export async function updateOptOutSettings(
  db: Database,
  access: Pick<WorkspaceAccess, 'workspaceId' | 'actor'>,
  input: OptOutSettingsInput,
) {
  const keywords = cleanKeywords(input);
  if (!keywords.ok) return keywords;
  return db.transaction(async (tx) => {
    const before = await getOptOutSettings(tx, access.workspaceId);
    const values = {
      stopKeywords: keywords.stopKeywords,
      startKeywords: keywords.startKeywords,
      stopReply: input.stopReply,
      startReply: input.startReply,
      sendConfirmation: input.sendConfirmation,
    };
    await saveOptOutSettings(tx, access.workspaceId, values);
    const { builtInStopKeywords: _stop, builtInStartKeywords: _start, ...previous } = before;
    await recordAudit(tx, access.actor, {
      workspaceId: access.workspaceId,
      action: 'opt_out_settings.updated',
      resourceType: 'opt_out_settings',
      resourceId: access.workspaceId,
      before: previous,
      after: values,
    });
    return { ok: true as const, settings: await getOptOutSettings(tx, access.workspaceId) };
  });
}
