#!/usr/bin/env node
/** The only file that touches process exit state: builds the real Io and runs main(). */
import { main } from './main.js';
import { createNodeIo, installShutdownHandlers } from './node-io.js';

const argv = process.argv.slice(2);
const shutdown = installShutdownHandlers(argv, process, (code) => process.exit(code));
const io = createNodeIo({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, shutdown);

process.exitCode = await main(argv, io);
