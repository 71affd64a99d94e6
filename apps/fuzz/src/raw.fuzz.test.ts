/**
 * `task.raw` must be the throwing syscalls without the throw: the same random syscall program runs on two
 * kernels, one making its calls through the raw forms where they exist; every call must end the same way
 * (a negative return is the errno the throwing form threw) and the kernels must end in the same state.
 */
import { describe } from 'vitest';
import { twinProperty } from './twins.js';

describe('the raw syscalls are the throwing ones without the throw', () => {
  twinProperty(
    'raw',
    'the same program ends the same way through task.raw',
    { name: 'thrown' },
    { name: 'through task.raw', raw: true },
  );
});
