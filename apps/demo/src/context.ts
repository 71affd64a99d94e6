/** What every scenario starts from: the family packages found, the names they provide, a fresh kernel. */
import { Kernel } from '@ksock/core';
import type { FamilyPackage } from './families.js';
import { allModules, loadFamilies } from './families.js';
import { Names } from './names.js';
import type { Report } from './report.js';

export interface Context {
  families: FamilyPackage[];
  names: Names;
}

export async function loadContext(): Promise<Context> {
  const families = await loadFamilies();
  return { families, names: new Names(families) };
}

/** A freshly booted kernel with every available family's modules installed (none loaded yet). */
export function bootKernel(ctx: Context): Kernel {
  const kernel = new Kernel({ modules: [] });
  for (const d of allModules(ctx.families)) kernel.modules.add_available(d);
  return kernel;
}

export function familiesSummary(ctx: Context): Report['families'] {
  return ctx.families.map((f) => ({
    pkg: f.pkg,
    available: f.available,
    reason: f.reason,
    modules: f.modules.map((m) => m.name),
  }));
}

export function familyAvailable(ctx: Context, pkg: string): boolean {
  return ctx.families.some((f) => f.pkg === pkg && f.available);
}
