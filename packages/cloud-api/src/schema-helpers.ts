import { z } from 'zod';

/**
 * Building blocks shared by the schema files. Objects are loose everywhere: Meta adds fields without
 * notice, and a receiver that rejects them would drop real traffic.
 */

/** Unix seconds as Meta writes them in webhooks: a string of digits. */
export const unixSecondsString = z.string().regex(/^\d+$/, 'expected a string of Unix seconds');

/** A timestamp Meta documents inconsistently (number in some pages, string in others); kept as a digit string. */
export const lenientUnixSeconds = z
  .union([z.number().int().nonnegative(), unixSecondsString])
  .transform((value) => String(value));

/**
 * An id Meta sometimes writes as a JSON number (template ids in template webhooks). Kept as a string so
 * large ids keep their digits and callers compare one type.
 */
export const numericOrStringId = z
  .union([z.string().min(1), z.number().int().nonnegative()])
  .transform((value) => String(value));

/** A non-empty string id (wamid, phone number id, WABA id, media id). */
export const idString = z.string().min(1);

/**
 * A string whose known values are listed for editors, but where unknown values still parse: Meta grows
 * these enums (statuses, quality ratings, events) and a new value must not fail a whole webhook batch.
 */
export type OpenEnum<T extends string> = T | (string & {});

export function openEnum<const T extends readonly string[]>(_known: T) {
  return z.string().pipe(z.custom<OpenEnum<T[number]>>());
}

export type KeyedUnionOutput<M extends Record<string, z.ZodType>, F extends z.ZodType> =
  | z.output<M[keyof M]>
  | z.output<F>;

/**
 * Picks a schema by the string at `key` (`type` of a message, `field` of a change) and falls back to
 * `fallback` for values it does not know. Unlike a plain union this reports the issues of the one schema
 * that applies, with full paths, and never lets a malformed known item slip through as an unknown one.
 */
export function keyedUnion<M extends Record<string, z.ZodType>, F extends z.ZodType>(
  key: string,
  schemas: M,
  fallback: F,
) {
  return z.unknown().transform((input, ctx): KeyedUnionOutput<M, F> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.issues.push({ code: 'invalid_type', expected: 'object', input, message: 'expected an object' });
      return z.NEVER;
    }
    const tag = (input as Record<string, unknown>)[key];
    if (typeof tag !== 'string') {
      ctx.issues.push({
        code: 'invalid_type',
        expected: 'string',
        input: tag,
        path: [key],
        message: `expected "${key}" to be a string`,
      });
      return z.NEVER;
    }
    const schema: z.ZodType = Object.hasOwn(schemas, tag) ? (schemas[tag] as z.ZodType) : fallback;
    const result = schema.safeParse(input);
    if (result.success) return result.data as KeyedUnionOutput<M, F>;
    for (const issue of result.error.issues) {
      ctx.issues.push({ code: 'custom', input: undefined, path: issue.path, message: issue.message });
    }
    return z.NEVER;
  });
}

/** A zod path as code would write it: `entry[0].changes[1].value`. */
export function formatPath(path: readonly PropertyKey[]): string {
  const text = path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, '');
  return text || '(root)';
}

/** One readable line per issue: `entry[0].changes[1].value.messages[0].text.body: expected string`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
}
