// main.ts — runs the CLI from source (in this repository: `npm run ksock -- run -- ip link`).
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
