// modules.ts — `--modules a,b`: the named modules and, as modprobe would load them, what they depend on.

import type { ModuleDescriptor } from '@ksock/core/kernel';

/** The descriptors named (by module name) and their dependencies; an unknown name is an error. */
export function select_modules(
  found: readonly ModuleDescriptor[],
  names: readonly string[],
): ModuleDescriptor[] {
  const by = new Map(found.map((d) => [d.name, d]));
  const out = new Map<string, ModuleDescriptor>();
  const add = (name: string, from: string | null) => {
    if (out.has(name)) return;
    const d = by.get(name) ?? by.get(name.replace(/-/g, '_'));
    if (d === undefined)
      throw new Error(
        from === null
          ? `--modules: no installed module named ${name} (installed: ${[...by.keys()].join(', ') || 'none'})`
          : `--modules: ${from} depends on ${name}, which is not installed`,
      );
    out.set(d.name, d);
    for (const dep of d.depends ?? []) add(dep, d.name);
  };
  for (const n of names) if (n.trim() !== '') add(n.trim(), null);
  return [...out.values()];
}
