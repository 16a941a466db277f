/**
 * Opt-out keywords (WhatsApp policy: honour every request to stop). A message opts out or in when its
 * whole text — trimmed, case-folded, surrounding punctuation and repeated spaces removed — is one of
 * the keywords. Defaults cover English and common Hindi / Hinglish forms.
 */
export const DEFAULT_STOP_KEYWORDS = [
  'STOP',
  'STOP ALL',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPT OUT',
  'OPTOUT',
  'BAND',
  'BAND KARO',
  'BAND KAREN',
  'BAND KAREIN',
  'MAT BHEJO',
  'बंद',
  'बंद करो',
  'बंद करें',
  'मत भेजो',
];

export const DEFAULT_START_KEYWORDS = [
  'START',
  'SUBSCRIBE',
  'UNSTOP',
  'OPT IN',
  'OPTIN',
  'SHURU',
  'CHALU KARO',
  'शुरू',
  'शुरू करो',
];

export const DEFAULT_STOP_REPLY =
  'You have been unsubscribed and will not receive further messages from us. Reply START to subscribe again.';
export const DEFAULT_START_REPLY = 'You are subscribed again. Reply STOP at any time to unsubscribe.';

export function normalizeKeyword(text: string): string {
  return text
    .normalize('NFC')
    .trim()
    .replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, '')
    .replace(/\s+/g, ' ')
    .toLocaleUpperCase('en-US');
}

export type OptIntent = 'opt_out' | 'opt_in' | null;

export function matchOptKeyword(
  text: string | undefined,
  keywords: { stop: readonly string[]; start: readonly string[] },
): OptIntent {
  if (!text || text.length > 64) return null;
  const normalized = normalizeKeyword(text);
  if (!normalized) return null;
  if (normalizedSet(keywords.stop).has(normalized)) return 'opt_out';
  if (normalizedSet(keywords.start).has(normalized)) return 'opt_in';
  return null;
}

// A list's normalized forms, computed once per list (a webhook batch checks hundreds of messages).
const normalizedLists = new WeakMap<readonly string[], Set<string>>();
function normalizedSet(keywords: readonly string[]): Set<string> {
  let set = normalizedLists.get(keywords);
  if (!set) {
    set = new Set(keywords.map(normalizeKeyword));
    normalizedLists.set(keywords, set);
  }
  return set;
}
