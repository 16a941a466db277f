import { z } from 'zod';

/**
 * Faults the control API can inject. Each is consumed by the code path it names; `count` faults wear
 * off after that many hits, the others last until deleted or reset.
 */
export const faultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('send-error'),
    code: z.number().int(),
    count: z.number().int().positive().default(1),
    phone_number_id: z.string().optional(),
    details: z.string().optional(),
    subcode: z.number().int().optional(),
    http_status: z.number().int().min(400).max(599).optional(),
  }),
  z.object({
    kind: z.literal('failed-status'),
    code: z.number().int(),
    count: z.number().int().positive().default(1),
    phone_number_id: z.string().optional(),
    details: z.string().optional(),
  }),
  z.object({
    kind: z.literal('latency'),
    ms: z.number().int().min(0).max(120_000),
    count: z.number().int().positive().optional(),
  }),
  z.object({
    kind: z.literal('server-error'),
    status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(500),
    count: z.number().int().positive().default(1),
  }),
  z.object({ kind: z.literal('drop-webhooks'), count: z.number().int().positive().default(1) }),
  z.object({ kind: z.literal('callback-down'), app_id: z.string().optional() }),
]);

export type FaultInput = z.input<typeof faultSchema>;
export type Fault = z.infer<typeof faultSchema> & { id: string; hits: number };
type Kind = Fault['kind'];
type OfKind<K extends Kind> = Extract<Fault, { kind: K }>;

export class Faults {
  private list: Fault[] = [];
  private seq = 0;

  add(input: unknown): Fault {
    const parsed = faultSchema.parse(input);
    this.seq += 1;
    const fault = { ...parsed, id: `fault_${this.seq}`, hits: 0 } as Fault;
    this.list.push(fault);
    return fault;
  }

  all(): Fault[] {
    return [...this.list];
  }

  remove(id: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((f) => f.id !== id);
    return this.list.length < before;
  }

  reset(): void {
    this.list = [];
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Finds the first matching fault of a kind and consumes one of its uses. */
  take<K extends Kind>(kind: K, match: (f: OfKind<K>) => boolean = () => true): OfKind<K> | undefined {
    if (this.list.length === 0) return undefined;
    const fault = this.list.find((f): f is OfKind<K> => f.kind === kind && match(f as OfKind<K>));
    if (!fault) return undefined;
    fault.hits += 1;
    const count = 'count' in fault ? fault.count : undefined;
    if (count !== undefined && fault.hits >= count) this.remove(fault.id);
    return fault;
  }

  /** Checks a lasting fault without consuming it. */
  has<K extends Kind>(kind: K, match: (f: OfKind<K>) => boolean = () => true): boolean {
    return this.list.some((f) => f.kind === kind && match(f as OfKind<K>));
  }
}
