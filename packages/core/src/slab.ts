/**
 * A kmem_cache (mm/slub.c) reduced to what /proc/slabinfo shows: active and total objects, grown and
 * shrunk a slab at a time. ksock's objects live on the JavaScript heap; the cache keeps the kernel's
 * accounting so that leaks show up as they would in Linux.
 */
export class KmemCache {
  active_objs = 0;
  num_objs = 0;
  readonly objperslab: number;
  readonly pagesperslab: number;

  readonly name: string;
  readonly object_size: number;

  constructor(name: string, object_size: number) {
    this.name = name;
    this.object_size = object_size;
    // SLUB's choice of slab order depends on the CPU count; this rule reproduces what a 2-CPU x86-64 host
    // shows in /proc/slabinfo (sock_inode_cache 832 bytes: 19 per 4 pages; filp 192: 21 per page;
    // UDP 1344: 12 per 4 pages; TCPv6 2496: 13 per 8 pages).
    const order = object_size >= 2048 ? 3 : object_size >= 512 ? 2 : 0;
    this.pagesperslab = 1 << order;
    this.objperslab = Math.max(1, Math.floor((4096 << order) / object_size));
  }

  alloc(): void {
    if (++this.active_objs > this.num_objs) this.num_objs += this.objperslab;
  }

  free(): void {
    // An empty slab beyond the last partially used one is returned to the page allocator: there is one
    // exactly when a whole slab's worth of objects is free (num_objs is a multiple of objperslab).
    if (--this.active_objs <= this.num_objs - this.objperslab)
      this.num_objs = Math.ceil(this.active_objs / this.objperslab) * this.objperslab;
  }

  get active_slabs(): number {
    return Math.ceil(this.active_objs / this.objperslab);
  }

  get num_slabs(): number {
    return this.num_objs / this.objperslab;
  }
}
