/**
 * Template variables ({{1}} or {{first_name}}). Kept free of other imports: the web app's template
 * builder runs the same validation as the server and bundles this file.
 */

export const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The variable names of a text in order of first appearance: ['1','2'] or ['first_name']. */
export function variablesOf(text: string | undefined): string[] {
  if (!text) return [];
  const seen: string[] = [];
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] as string;
    if (!seen.includes(name)) seen.push(name);
  }
  return seen;
}
