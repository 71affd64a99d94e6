/** The demo with @ksock/af-bluetooth: seed 003's call, and the modules subcommand's two-level unload. */
import { describe, expect, it } from 'vitest';
import type { CallReport, ObjectBox, Report } from './report.js';
import { runModules } from './scenarios/modules.js';
import { runSeeds } from './scenarios/seeds.js';
import { familyContext, fnames, inOrder } from './testing.js';

const calls = (r: Report): CallReport[] => r.sections.flatMap((s) => (s.kind === 'call' ? [s.call] : []));
const box = (c: CallReport, id: string): ObjectBox => c.objects!.boxes.find((b) => b.id === id)!;
const field = (b: ObjectBox, name: string) => b.fields.find((f) => f.name === name)?.value;

describe('seed 003: socket(PF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)', async () => {
  const ctx = await familyContext('@ksock/af-bluetooth');
  const report = runSeeds(ctx);
  const c = calls(report).find((x) => x.seed === '003')!;

  it('succeeds, autoloading bluetooth and then rfcomm', () => {
    expect(c.result).toMatchObject({ ok: true, fd: 3 });
    expect(c.autoloaded).toEqual(['bluetooth', 'rfcomm']);
    const reqs = c.events.filter((e) => e.name === 'request_module').map((e) => e.args);
    expect(reqs).toEqual(['"net-pf-31"', '"bt-proto-3"']);
  });

  it("traces the functions seed 003 names, in the seed's order", () => {
    const want = [
      '__sys_socket',
      'sock_create',
      '__sock_create',
      'sock_alloc',
      'request_module', // net-pf-31
      'try_module_get', // pf->owner
      'bt_sock_create', // pf->create
      'rfcomm_sock_create',
      'sk_alloc',
      'sock_init_data',
      'module_put', // pf->owner, after create
      'sock_map_fd',
      'get_unused_fd_flags',
      'sock_alloc_file',
      'alloc_file_pseudo',
      'fd_install',
    ];
    expect(inOrder(fnames(c.events), want)).toEqual({ missing: null });
    // pf->create runs under __sock_create, sock_map_fd after sock_create returned, at the top level.
    const depth = (n: string) => c.events.find((e) => e.name === n)!.depth;
    expect(depth('bt_sock_create')).toBe(depth('sock_alloc'));
    expect(depth('sock_map_fd')).toBe(depth('sock_create'));
  });

  it('shows the objects read back from the kernel', () => {
    expect(c.objects!.fd).toBe(3);
    expect(c.objects!.boxes.map((b) => b.type)).toEqual([
      'struct fdtable',
      'struct file',
      'struct socket_alloc',
      'struct sock',
      'struct rfcomm_pinfo',
      'struct module',
    ]);
    const file = box(c, 'file');
    expect(file.label).toMatch(/^socket:\[\d+\]$/);
    expect(field(file, 'dentry name')).toBe('"RFCOMM"');
    expect(field(file, 'f_op')).toBe('&socket_file_ops');
    const sa = box(c, 'socket_alloc');
    expect(sa.label).toBe(file.label);
    expect(field(sa, 'vfs_inode.i_ino')).toBe(file.label.slice(8, -1));
    expect(field(sa, 'socket.type')).toBe('1 (SOCK_STREAM)');
    const sk = box(c, 'sock');
    expect(field(sk, 'sk_family')).toBe('31 (PF_BLUETOOTH)');
    expect(field(sk, 'sk_protocol')).toBe('3 (BTPROTO_RFCOMM)');
    expect(field(sk, 'sk_state')).toBe('2 (BT_OPEN)');
    expect(field(sk, 'sk_prot')).toMatch(/^&RFCOMM proto/);
    expect(box(c, 'family_sock').label).toBe('rfcomm_pinfo ⊃ bt_sock');
    expect(box(c, 'module:rfcomm').fields.find((f) => f.name === 'refcnt')!.value).toBe('2');
    expect(c.objects!.edges).toEqual(
      expect.arrayContaining([
        { from: 'fdtable', to: 'file', label: 'fd[3]' },
        { from: 'file', to: 'socket_alloc', label: 'private_data' },
        { from: 'socket_alloc', to: 'sock', label: 'sk' },
        { from: 'sock', to: 'socket_alloc', label: 'sk_socket' },
        { from: 'socket_alloc', to: 'module:rfcomm', label: 'ops->owner' },
        { from: 'sock', to: 'module:rfcomm', label: 'sk_prot->owner' },
      ]),
    );
  });

  it('shows the module table before and after', () => {
    expect(c.modulesBefore).toEqual([]); // the other families are not installed in this test
    expect(c.modulesAfter).toEqual([
      { name: 'rfcomm', refcnt: 2, state: 'Live', usedBy: [] },
      { name: 'bluetooth', refcnt: expect.any(Number), state: 'Live', usedBy: ['rfcomm'] },
    ]);
  });
});

describe('modules subcommand with Bluetooth', async () => {
  const report = runModules(await familyContext('@ksock/af-bluetooth'));
  const steps = report.sections.flatMap((s) => (s.kind === 'step' ? [s] : []));

  it('autoloads, refuses rmmod while in use, unloads after close, autoloads again', () => {
    expect(report.exitCode).toBe(0);
    expect(steps.map((s) => [s.text, s.ok, s.detail])).toEqual([
      [
        'rmmod rfcomm',
        true,
        '-1 EAGAIN (Resource temporarily unavailable)  → rmmod: ERROR: Module rfcomm is in use',
      ],
      [
        'rmmod bluetooth',
        true,
        '-1 EAGAIN (Resource temporarily unavailable)  → rmmod: ERROR: Module bluetooth is in use',
      ],
      ['close(3)', true, '= 0'],
      ['rmmod rfcomm', true, '= 0'],
      ['rmmod bluetooth', true, '= 0'],
      ['close(3)', true, '= 0'],
    ]);
    const [first, again] = calls(report);
    expect(first!.autoloaded).toEqual(['bluetooth', 'rfcomm']);
    expect(again!.autoloaded).toEqual(['bluetooth', 'rfcomm']);
    const tables = report.sections.flatMap((s) => (s.kind === 'modules' ? [s] : []));
    expect(tables.map((t) => t.rows.map((r) => `${r.name}:${r.usedBy.join(',')}`))).toEqual([
      [],
      ['rfcomm:', 'bluetooth:rfcomm'],
      ['rfcomm:', 'bluetooth:rfcomm'],
      [],
      ['rfcomm:', 'bluetooth:rfcomm'],
    ]);
    // after close, nothing holds rfcomm
    expect(tables[2]!.rows[0]!.refcnt).toBe(0);
  });
});
