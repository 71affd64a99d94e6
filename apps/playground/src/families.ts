/**
 * The family packages the playground can "install". They are bundled with the page (imported statically);
 * a family the learner leaves unticked is simply not given to the kernel, so its socket() calls fail as
 * on Linux without the module: request_module("net-pf-N") finds nothing and __sock_create returns
 * EAFNOSUPPORT.
 */

import * as bluetooth from '@ksock/af-bluetooth';
import * as inet from '@ksock/af-inet';
import * as netlink from '@ksock/af-netlink';
import * as core from '@ksock/core';
import type { ModuleDescriptor } from '@ksock/core/kernel';
import type { FamilyPackage } from '@ksock/demo/view';

export interface Family {
  /** The short name used in share links: 'af-netlink'. */
  id: string;
  pkg: string;
  family: number;
  /** What a learner reads beside the checkbox. */
  label: string;
  modules: ModuleDescriptor[];
  exports: Record<string, unknown>;
}

function flatten(list: unknown, out: ModuleDescriptor[] = []): ModuleDescriptor[] {
  if (Array.isArray(list)) for (const l of list) flatten(l, out);
  else out.push(list as ModuleDescriptor);
  return out;
}

const family = (id: string, nr: number, label: string, ns: Record<string, unknown>): Family => ({
  id,
  pkg: `@ksock/${id}`,
  family: nr,
  label,
  modules: flatten(ns.default),
  exports: ns,
});

export const FAMILIES: readonly Family[] = [
  family('af-netlink', core.AF_NETLINK, 'PF_NETLINK', netlink),
  family('af-inet', core.AF_INET, 'PF_INET', inet),
  family('af-bluetooth', core.AF_BLUETOOTH, 'PF_BLUETOOTH', bluetooth),
];

/** The families as the demo's name tables expect them. Every package's constants are known whether or
 * not it is ticked (a program compiles against the headers; only the kernel lacks the module). */
export function familyPackages(): FamilyPackage[] {
  return FAMILIES.map((f) => ({
    pkg: f.pkg,
    short: f.id,
    family: f.family,
    available: true,
    reason: null,
    modules: f.modules,
    exports: f.exports,
  }));
}

/** Every constant a program may name: the uapi values of core and of each family package. */
export function constantTable(): Map<string, number> {
  const out = new Map<string, number>();
  for (const ns of [core as Record<string, unknown>, ...FAMILIES.map((f) => f.exports)]) {
    for (const [k, v] of Object.entries(ns)) {
      if (typeof v === 'number' && Number.isInteger(v) && /^[A-Z][A-Za-z0-9_]*$/.test(k) && /[A-Z]_/.test(k))
        out.set(k, v);
    }
  }
  return out;
}
