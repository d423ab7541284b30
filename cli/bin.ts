#!/usr/bin/env node
/** The only file that touches process exit state: builds the real Io and runs main(). */
import { createInterface } from 'node:readline/promises';
import { decideColor, type Io } from './io.js';
import { main } from './main.js';

const shutdown = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    // A second signal means "now": the drain is skipped.
    if (shutdown.signal.aborted) process.exit(130);
    shutdown.abort(signal);
  });
}

const isTTY = process.stdout.isTTY === true;
const io: Io = {
  stdout: { write: (text) => void process.stdout.write(text) },
  stderr: { write: (text) => void process.stderr.write(text) },
  readStdin: async () => {
    const parts: Buffer[] = [];
    for await (const part of process.stdin) parts.push(part as Buffer);
    return Buffer.concat(parts);
  },
  env: process.env,
  cwd: process.cwd(),
  isTTY,
  color: decideColor(process.env, isTTY),
  shutdown: shutdown.signal,
  ...(process.stdin.isTTY === true && isTTY
    ? {
        confirm: async (question: string) => {
          const prompt = createInterface({ input: process.stdin, output: process.stdout });
          try {
            const answer = await prompt.question(`${question} [y/N] `);
            return /^y(es)?$/i.test(answer.trim());
          } finally {
            prompt.close();
          }
        },
      }
    : {}),
};

process.exitCode = await main(process.argv.slice(2), io);
