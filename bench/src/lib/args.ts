/** `--name value` from the command line as a number, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The scale-mode services a benchmark needs, or exit with a usage line. */
export function scaleModeEnv(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    console.error('Set DATABASE_URL and REDIS_URL (scale mode).');
    process.exit(2);
  }
  return { databaseUrl, redisUrl };
}
