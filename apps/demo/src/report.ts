/**
 * What a run produced, as plain data: the text, JSON and HTML renderers all draw from this.
 */
import type { ModuleInfo, TraceEvent } from '@ksock/core';

/** One field of a kernel object as shown: its kernel name and its value written out. */
export interface Field {
  name: string;
  value: string;
  /** Named by the design document the call comes from: shown first and highlighted. */
  seed?: boolean;
}

/** A kernel object as the demo shows it. */
export interface ObjectBox {
  /** Stable id for arrows in the HTML page. */
  id: string;
  /** The C type: 'struct file', 'struct socket', 'struct netlink_sock'… */
  type: string;
  /** A one-line identity: 'socket:[5]', 'NETLINK'… */
  label: string;
  fields: Field[];
}

/** A pointer between two objects (for the drawing). */
export interface Edge {
  from: string;
  to: string;
  /** The field holding the pointer: 'private_data', 'sk', 'sk_socket', 'owner'… */
  label: string;
}

/** What one socket() created, read back from the kernel's own objects. */
export interface ObjectGraph {
  fd: number;
  boxes: ObjectBox[];
  edges: Edge[];
}

export interface CallResult {
  ok: boolean;
  /** The fd on success. */
  fd: number | null;
  errno: number | null;
  code: string | null;
  message: string | null;
}

export interface CallReport {
  /** Which design document the call comes from ('000', '003', '004'), if any. */
  seed: string | null;
  /** The call as C source. */
  c: string;
  /** The same call with every argument written as a name where one is known. */
  named: string;
  family: number;
  type: number;
  protocol: number;
  result: CallResult;
  events: TraceEvent[];
  /** Modules request_module() loaded during the call, in load order. */
  autoloaded: string[];
  objects: ObjectGraph | null;
  modulesBefore: ModuleInfo[];
  modulesAfter: ModuleInfo[];
}

export type Section =
  | { kind: 'heading'; text: string }
  | { kind: 'note'; text: string; tone: 'info' | 'warn' | 'error' | 'ok' }
  /** compact: the text view lists the objects on one line instead of field by field. */
  | { kind: 'call'; call: CallReport; compact?: boolean }
  | { kind: 'modules'; title: string; rows: ModuleInfo[]; changed: string[] }
  | {
      kind: 'step';
      text: string;
      /** The step did what it demonstrates (a refusal counts, when it shows one). */
      ok: boolean;
      /** The syscall returned -1. */
      failed: boolean;
      detail: string | null;
      events: TraceEvent[] | null;
    }
  | { kind: 'events'; title: string; rows: ProcEventRow[] }
  | { kind: 'table'; title: string; header: string[]; rows: string[][] }
  | { kind: 'messages'; title: string; messages: AnnotatedMessage[] };

/** One cn_proc event as the listener decoded it. */
export interface ProcEventRow {
  what: string;
  /** The decoded fields, in struct order. */
  fields: Array<[string, number | string]>;
  /** A sentence for a person. */
  text: string;
  bytes: number;
}

/** A message's bytes with each field marked: offset, length, name, decoded value. */
export interface AnnotatedMessage {
  title: string;
  /** Hex of the whole message. */
  hex: string;
  fields: Array<{ offset: number; length: number; name: string; value: string; depth: number }>;
}

export interface Report {
  command: string;
  title: string;
  /** Which family packages were available. */
  families: Array<{ pkg: string; available: boolean; reason: string | null; modules: string[] }>;
  sections: Section[];
  /** The process exit status the run asks for. */
  exitCode: number;
}
