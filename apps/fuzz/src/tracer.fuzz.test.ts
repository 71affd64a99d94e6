/**
 * Tracing must not change what the kernel does: trace points swap their bindings for recording wrappers
 * while a tracer is on, and table calls go through call_ops. The same random syscall program runs on two
 * kernels, one with its tracer recording; every call must end the same way (success or the same errno)
 * and the kernels must end in the same state.
 */
import { describe } from 'vitest';
import { twinProperty } from './twins.js';

describe('the tracer changes nothing', () => {
  twinProperty(
    'tracer',
    'the same program ends the same way with the tracer recording',
    { name: 'untraced' },
    { name: 'traced', traced: true },
  );
});
