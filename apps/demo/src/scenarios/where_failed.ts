/** Where a failed call's errno came from, read off its trace. */
import type { TraceEvent } from '@ksock/core';

/**
 * The function that produced the error the syscall returned: from the top of the trace, follow the
 * child that returned the same value, as far down as it goes. (A request_module() that failed on the
 * way is not it: its caller ignores the result and checks its table again.)
 */
export function whereItFailed(events: readonly TraceEvent[]): TraceEvent | null {
  let i = events.findIndex((e) => !e.note);
  if (i < 0 || events[i]!.errno === null) return null;
  for (;;) {
    const parent = events[i]!;
    let next = -1;
    for (let j = i + 1; j < events.length && events[j]!.depth > parent.depth; j++) {
      const e = events[j]!;
      if (e.depth === parent.depth + 1 && !e.note && e.errno !== null && e.ret === parent.ret) next = j;
    }
    if (next < 0) return parent;
    i = next;
  }
}
