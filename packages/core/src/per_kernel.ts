/**
 * A module's per-kernel and per-namespace data: what a Linux module keeps in its static variables (one
 * kernel per machine) and in `struct net` (its own field, `net->ipv4`, `net->unx`, or a net_generic() slot,
 * include/net/netns/generic.h). ksock runs several kernels in one process, so that data lives in slots on
 * the `Kernel` and the `Net` themselves: it dies with them, and nothing at module level keeps a dead kernel
 * alive. A slot is a numbered place, as net_generic()'s `ng->ptr[id]` is, so a lookup is an array load
 * and needs no cache in front of it.
 */
import type { Kernel } from './kernel.js';
import type { Net } from './net_namespace.js';

/** The slots of the perKernel() tables on a Kernel (not part of the API). */
export const KERNEL_SLOTS: unique symbol = Symbol('ksock.perKernel');
/** The slots of the perNet() tables on a Net (not part of the API). */
export const NET_SLOTS: unique symbol = Symbol('ksock.perNet');

/** One value per kernel (or per namespace), for as long as that lives, with the calls of a WeakMap. */
export interface StateTable<K, T> {
  /** The value for `key`, or undefined when none was set (the module is not loaded there). */
  get(key: K): T | undefined;
  set(key: K, value: T): void;
  has(key: K): boolean;
  /** Forget the value (module exit, namespace exit). */
  delete(key: K): void;
}

/** A perKernel() table. */
export type PerKernel<T> = StateTable<Kernel, T>;
/** A perNet() table. */
export type PerNet<T> = StateTable<Net, T>;

// One class per table kind, each reading its own symbol as a constant: the property loads in get()
// then see one receiver shape and one key, and stay monomorphic. A single class shared by both, reading
// `key[this.sym]`, makes every load polymorphic in key and receiver, and get() is on the path of every
// socket call.

/** Fill `slots` up to `slot`, so the array stays packed (no holes: fast element loads). */
function fill(slots: unknown[], slot: number): void {
  while (slots.length <= slot) slots.push(undefined);
}

class KernelSlot<T> implements PerKernel<T> {
  private readonly slot: number;

  constructor(slot: number) {
    this.slot = slot;
  }

  get(key: Kernel): T | undefined {
    return key[KERNEL_SLOTS][this.slot] as T | undefined;
  }

  set(key: Kernel, value: T): void {
    const slots = key[KERNEL_SLOTS];
    fill(slots, this.slot);
    slots[this.slot] = value;
  }

  has(key: Kernel): boolean {
    return key[KERNEL_SLOTS][this.slot] !== undefined;
  }

  delete(key: Kernel): void {
    const slots = key[KERNEL_SLOTS];
    if (this.slot < slots.length) slots[this.slot] = undefined;
  }
}

class NetSlot<T> implements PerNet<T> {
  private readonly slot: number;

  constructor(slot: number) {
    this.slot = slot;
  }

  get(key: Net): T | undefined {
    return key[NET_SLOTS][this.slot] as T | undefined;
  }

  set(key: Net, value: T): void {
    const slots = key[NET_SLOTS];
    fill(slots, this.slot);
    slots[this.slot] = value;
  }

  has(key: Net): boolean {
    return key[NET_SLOTS][this.slot] !== undefined;
  }

  delete(key: Net): void {
    const slots = key[NET_SLOTS];
    if (this.slot < slots.length) slots[this.slot] = undefined;
  }
}

let kernel_slots = 0;
let net_slots = 0;

/**
 * A per-kernel table for a module's state: `const states = perKernel<UnixState>()`, then
 * `states.set(kernel, st)` in init, `states.get(kernel)` where it is needed, `states.delete(kernel)` in
 * exit. Call it once, at module level (each call takes a slot on every kernel): a table made per call,
 * such as a test's generated module, is better a `WeakMap` keyed by the kernel.
 */
export function perKernel<T>(): PerKernel<T> {
  return new KernelSlot<T>(kernel_slots++);
}

/**
 * A per-namespace table: net_generic() with a numbered slot, typed. Fill it from the module's pernet
 * operations (`init(net)` sets, `exit(net)` deletes), registered with register_pernet_subsys(), so every
 * namespace has its value while the module is loaded. Call it once, at module level.
 */
export function perNet<T>(): PerNet<T> {
  return new NetSlot<T>(net_slots++);
}
