import { mergeConfig } from 'vitest/config';
import { ksockProject } from '../../vitest.shared.js';

// collect.test.ts calls gc() to see a dropped kernel collected.
export default mergeConfig(ksockProject('fuzz'), { test: { execArgv: ['--expose-gc'] } });
