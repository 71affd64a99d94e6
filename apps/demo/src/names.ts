/**
 * Names ↔ numbers for socket()'s arguments: AF_/PF_ and SOCK_ names from @ksock/core, the protocol numbers
 * (IPPROTO_*, NETLINK_*, BTPROTO_*) from the family packages' own exports.
 */
import * as core from '@ksock/core';
import type { FamilyPackage } from './families.js';

/** Netlink protocol names (include/uapi/linux/netlink.h); their values come from @ksock/af-netlink. */
const NETLINK_PROTOCOL_NAMES = [
  'NETLINK_ROUTE',
  'NETLINK_UNUSED',
  'NETLINK_USERSOCK',
  'NETLINK_FIREWALL',
  'NETLINK_SOCK_DIAG',
  'NETLINK_INET_DIAG',
  'NETLINK_NFLOG',
  'NETLINK_XFRM',
  'NETLINK_SELINUX',
  'NETLINK_ISCSI',
  'NETLINK_AUDIT',
  'NETLINK_FIB_LOOKUP',
  'NETLINK_CONNECTOR',
  'NETLINK_NETFILTER',
  'NETLINK_IP6_FW',
  'NETLINK_DNRTMSG',
  'NETLINK_KOBJECT_UEVENT',
  'NETLINK_GENERIC',
  'NETLINK_SCSITRANSPORT',
  'NETLINK_ECRYPTFS',
  'NETLINK_RDMA',
  'NETLINK_CRYPTO',
  'NETLINK_SMC',
];

/** Which exports of which package are protocol numbers, and for which address family. */
const PROTOCOL_SOURCES: ReadonlyArray<{ pkg: string; family: number; test: (name: string) => boolean }> = [
  { pkg: '@ksock/af-netlink', family: core.AF_NETLINK, test: (n) => NETLINK_PROTOCOL_NAMES.includes(n) },
  {
    pkg: '@ksock/af-inet',
    family: core.AF_INET,
    test: (n) => /^IPPROTO_[A-Z0-9_]+$/.test(n) && n !== 'IPPROTO_MAX',
  },
  { pkg: '@ksock/af-bluetooth', family: core.AF_BLUETOOTH, test: (n) => /^BTPROTO_[A-Z0-9_]+$/.test(n) },
];

/** A name a family package would provide, for the message when that package is missing. */
function expectedPackage(name: string): string | null {
  if (NETLINK_PROTOCOL_NAMES.includes(name)) return '@ksock/af-netlink';
  if (name.startsWith('IPPROTO_')) return '@ksock/af-inet';
  if (name.startsWith('BTPROTO_')) return '@ksock/af-bluetooth';
  return null;
}

export interface ProtocolName {
  name: string;
  value: number;
  family: number;
  pkg: string;
}

export class Names {
  readonly families = new Map<string, number>();
  readonly types = new Map<string, number>();
  readonly typeFlags = new Map<string, number>();
  readonly protocols = new Map<string, ProtocolName>();
  private readonly unavailable = new Map<string, string>();

  constructor(packages: readonly FamilyPackage[]) {
    for (const [k, v] of Object.entries(core)) {
      if (typeof v !== 'number') continue;
      if (/^[AP]F_[A-Za-z0-9_]+$/.test(k) && k !== 'AF_MAX' && k !== 'PF_MAX') this.families.set(k, v);
    }
    for (const [v, k] of Object.entries(core.sock_type_names)) this.types.set(k, Number(v));
    this.typeFlags.set('SOCK_CLOEXEC', core.SOCK_CLOEXEC);
    this.typeFlags.set('SOCK_NONBLOCK', core.SOCK_NONBLOCK);
    for (const src of PROTOCOL_SOURCES) {
      const p = packages.find((f) => f.pkg === src.pkg);
      if (p === undefined || !p.available) {
        this.unavailable.set(src.pkg, p?.reason ?? 'not installed');
        continue;
      }
      for (const [k, v] of Object.entries(p.exports)) {
        if (typeof v === 'number' && Number.isInteger(v) && src.test(k))
          this.protocols.set(k, { name: k, value: v, family: src.family, pkg: src.pkg });
      }
    }
  }

  /** The constant `name` of a family package, or undefined when the package does not provide it. */
  protocol(name: string): number | undefined {
    return this.protocols.get(name)?.value;
  }

  /** Why a protocol name is not known, when a missing package would have provided it. */
  missingReason(name: string): string | null {
    const pkg = expectedPackage(name);
    if (pkg === null) return null;
    const why = this.unavailable.get(pkg);
    return why === undefined ? null : `${name} comes from ${pkg}, which is ${why}`;
  }

  familyName(family: number): string {
    const n = core.af_family_names[family];
    return n === undefined ? String(family) : n.replace(/^AF_/, 'PF_');
  }

  typeName(type: number): string {
    const base = type & core.SOCK_TYPE_MASK;
    const parts: string[] = [core.sock_type_names[base] ?? String(base)];
    let rest = type & ~core.SOCK_TYPE_MASK;
    for (const [k, v] of this.typeFlags) {
      if ((rest & v) !== 0) {
        parts.push(k);
        rest &= ~v;
      }
    }
    if (rest !== 0) parts.push(`0x${(rest >>> 0).toString(16)}`);
    return parts.join('|');
  }

  protocolName(family: number, protocol: number): string {
    if (protocol === 0 && family !== core.AF_NETLINK) return '0';
    for (const p of this.protocols.values()) {
      if (p.family === family && p.value === protocol && p.name !== 'NETLINK_UNUSED') return p.name;
    }
    return String(protocol);
  }
}

/** All names a user may type, for "did you mean". */
export function suggest(word: string, candidates: Iterable<string>): string | null {
  const w = word.toUpperCase();
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(w, c.toUpperCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(w.length / 4)) ? best : null;
}

/** Edit distance with adjacent transpositions (optimal string alignment): "UPD" is one step from "UDP". */
function distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push(new Array<number>(b.length + 1).fill(0));
    d[i]![0] = i;
  }
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
