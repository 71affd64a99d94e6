#!/usr/bin/env node
// ksock — the command-line entry: `ksock run` and `ksock serve` (src/cli.ts).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
