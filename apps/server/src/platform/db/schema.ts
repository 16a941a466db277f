/**
 * Every table of the platform, for drizzle-kit and for the typed database handle. Each module owns
 * its tables in `modules/<domain>/<domain>.tables.ts` and adds one export line here.
 */
export * from './tables.js';
