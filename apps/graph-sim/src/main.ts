import { z } from 'zod';
import { startGraphSim } from './index.js';

/** Standalone simulator (`npm run sim`). The environment is read here and nowhere else. */
const env = z
  .object({
    GRAPH_SIM_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
    GRAPH_SIM_HOST: z.string().default('127.0.0.1'),
    GRAPH_SIM_LOG: z.enum(['true', 'false']).default('false'),
  })
  .safeParse(process.env);

if (!env.success) {
  for (const issue of env.error.issues) console.error(`graph-sim: ${issue.path.join('.')}: ${issue.message}`);
  process.exit(1);
}

const running = await startGraphSim({
  port: env.data.GRAPH_SIM_PORT,
  host: env.data.GRAPH_SIM_HOST,
  logger: env.data.GRAPH_SIM_LOG === 'true',
});
console.log(
  `graph-sim listening on ${running.url} (Graph API at ${running.url}/v23.0, control API at ${running.url}/_sim)`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
