/**
 * The playground's program language: one system call a line, in the names a learner knows.
 *
 *   fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)
 *   bind(fd, {nl_pid: 0, nl_groups: CN_IDX_PROC})
 *   send(fd, "hello")
 *   close(fd)
 *   sudo rmmod rfcomm
 *
 * Arguments are numbers (`12`, `0x80`, `-1`), constant names joined with `|`, variables set by an
 * earlier line, strings (`"hello\n"`, sent as their UTF-8 bytes) and socket addresses written as C
 * designated initialisers without the dots. Everything is checked before anything runs: a program
 * either parses whole or the first error is reported with its line and column.
 */

/** An argument after parsing: constants are already numbers, variables are looked up when the line runs. */
export type Arg =
  | { kind: 'num'; value: number; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'str'; value: string }
  | { kind: 'addr'; family: AddrFamily; fields: Record<string, Arg> };

export type AddrFamily = 'nl' | 'in' | 'rc';

export interface Statement {
  /** 1-based line number in the program text. */
  line: number;
  /** The line as written, without its comment. */
  source: string;
  /** The variable the result is assigned to. */
  target: string | null;
  /** A system call name, or a command (`rmmod`, `modprobe`, `cat`). */
  call: string;
  args: Arg[];
  /** Written after `sudo`: the line runs in a task with uid 0 (and every capability). */
  root: boolean;
}

export class ParseError extends Error {
  /** 1-based, as an editor counts. */
  readonly line: number;
  readonly column: number;
  /** The message without its position. */
  readonly detail: string;
  constructor(line: number, column: number, detail: string) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.line = line;
    this.column = column;
    this.detail = detail;
    this.name = 'ParseError';
  }
}

/** What each call takes: the argument names (for messages) and which are optional or of which kind. */
interface Signature {
  params: readonly string[];
  optional?: number;
  /** Parameters that must be a socket address / a string or number of bytes. */
  addr?: readonly number[];
  data?: readonly number[];
  /** The call returns a value worth assigning. */
  returns: boolean;
  about: string;
}

export const SYSCALLS: Readonly<Record<string, Signature>> = {
  socket: { params: ['family', 'type', 'protocol'], returns: true, about: 'create a socket; returns its fd' },
  close: { params: ['fd'], returns: false, about: 'close a file descriptor' },
  bind: { params: ['fd', 'addr'], addr: [1], returns: false, about: 'give a socket a local address' },
  connect: { params: ['fd', 'addr'], addr: [1], returns: false, about: 'connect a socket to an address' },
  listen: { params: ['fd', 'backlog'], returns: false, about: 'accept connections on a socket' },
  accept: { params: ['fd'], returns: true, about: 'take a connection; returns its fd' },
  send: { params: ['fd', 'data', 'flags'], optional: 1, data: [1], returns: true, about: 'send bytes' },
  sendto: {
    params: ['fd', 'data', 'flags', 'addr'],
    data: [1],
    addr: [3],
    returns: true,
    about: 'send bytes to an address',
  },
  recv: { params: ['fd', 'len', 'flags'], optional: 1, returns: true, about: 'receive up to len bytes' },
  recvfrom: {
    params: ['fd', 'len', 'flags'],
    optional: 1,
    returns: true,
    about: 'receive up to len bytes and the sender',
  },
  shutdown: { params: ['fd', 'how'], returns: false, about: 'shut down part of a connection' },
  setsockopt: {
    params: ['fd', 'level', 'optname', 'value'],
    returns: false,
    about: 'set an int socket option',
  },
  getsockopt: { params: ['fd', 'level', 'optname'], returns: true, about: 'read an int socket option' },
  dup: { params: ['oldfd'], returns: true, about: 'duplicate a file descriptor' },
  fork: { params: [], returns: true, about: 'create a child process; returns its pid' },
  getpid: { params: [], returns: true, about: 'the process id' },
};

/** Commands written as in a shell: `rmmod rfcomm`, `modprobe af_inet`, `cat /proc/modules`. */
export const COMMANDS: Readonly<Record<string, string>> = {
  rmmod: 'unload a module (refused while it is in use)',
  modprobe: 'load a module and what it depends on',
  cat: 'print a /proc file',
};

/** The fields each socket address takes, by the prefix of their names (as in the C structs). */
export const ADDR_FIELDS: Readonly<Record<AddrFamily, readonly string[]>> = {
  nl: ['nl_pid', 'nl_groups'],
  in: ['sin_addr', 'sin_port'],
  rc: ['rc_bdaddr', 'rc_channel'],
};

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?![A-Za-z0-9_])/y;

/** Edit distance with adjacent transpositions, for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word.toUpperCase(), c.toUpperCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 4)) ? ` (did you mean ${best}?)` : '';
}

/** Where a comment starts (`#` or `//` outside a string), or the line's length. */
function commentStart(s: string): number {
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '#' || (c === '/' && s[i + 1] === '/')) return i;
  }
  return s.length;
}

class LineParser {
  pos = 0;
  readonly text: string;
  readonly line: number;
  readonly constants: ReadonlyMap<string, number>;
  readonly vars: ReadonlySet<string>;
  constructor(text: string, line: number, constants: ReadonlyMap<string, number>, vars: ReadonlySet<string>) {
    this.text = text;
    this.line = line;
    this.constants = constants;
    this.vars = vars;
  }

  fail(detail: string, at = this.pos): never {
    throw new ParseError(this.line, at + 1, detail);
  }
  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  peek(): string {
    this.ws();
    return this.text[this.pos] ?? '';
  }
  eat(c: string, what: string): void {
    if (this.peek() !== c) this.fail(`expected ${what}${this.found()}`);
    this.pos++;
  }
  found(): string {
    const rest = this.text.slice(this.pos).trim();
    return rest === ''
      ? ' at the end of the line'
      : `, found "${rest.slice(0, 12)}${rest.length > 12 ? '…' : ''}"`;
  }
  ident(): { name: string; at: number } | null {
    this.ws();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.text);
    if (m === null) return null;
    const at = this.pos;
    this.pos += m[0].length;
    return { name: m[0], at };
  }

  term(): Arg {
    this.ws();
    const at = this.pos;
    NUMBER.lastIndex = this.pos;
    const n = NUMBER.exec(this.text);
    if (n !== null) {
      this.pos += n[0].length;
      const t = n[0];
      const neg = t.startsWith('-');
      const body = neg ? t.slice(1) : t;
      const v = /^0[xX]/.test(body)
        ? Number.parseInt(body.slice(2), 16)
        : /^0[0-7]+$/.test(body)
          ? Number.parseInt(body, 8)
          : Number(body);
      return { kind: 'num', value: neg ? -v : v, text: t };
    }
    const id = this.ident();
    if (id === null) this.fail(`expected a number, a name or a variable${this.found()}`);
    if (this.vars.has(id.name)) return { kind: 'var', name: id.name };
    const v = this.constants.get(id.name);
    if (v !== undefined) return { kind: 'num', value: v, text: id.name };
    if (/^[a-z_][a-z0-9_]*$/.test(id.name))
      this.fail(`${id.name} is not set: assign it on an earlier line (${id.name} = socket(…))`, at);
    this.fail(`unknown name ${id.name}${didYouMean(id.name, this.constants.keys())}`, at);
  }

  /** `A | B | 4`: constants or'ed together, as C writes flags. */
  expr(): Arg {
    const first = this.term();
    if (this.peek() !== '|') return first;
    let value = 0;
    const parts: string[] = [];
    let t = first;
    for (;;) {
      if (t.kind !== 'num') this.fail('only numbers and constant names can be joined with |');
      value |= t.value;
      parts.push(t.text);
      if (this.peek() !== '|') break;
      this.pos++;
      t = this.term();
    }
    return { kind: 'num', value: value >>> 0, text: parts.join('|') };
  }

  string(): Arg {
    const at = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      let c = this.text[this.pos]!;
      if (c === '\\') {
        const e = this.text[++this.pos];
        if (e === 'n') c = '\n';
        else if (e === 't') c = '\t';
        else if (e === '0') c = '\0';
        else if (e === '\\' || e === '"') c = e;
        else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(this.text.slice(this.pos + 1, this.pos + 3))) {
          c = String.fromCharCode(Number.parseInt(this.text.slice(this.pos + 1, this.pos + 3), 16));
          this.pos += 2;
        } else this.fail(`unknown escape \\${e ?? ''} in a string`, this.pos - 1);
      }
      out += c;
      this.pos++;
    }
    if (this.pos >= this.text.length) this.fail('the string is not closed with "', at);
    this.pos++;
    return { kind: 'str', value: out };
  }

  addr(): Arg {
    const open = this.pos;
    this.pos++;
    const fields: Record<string, Arg> = {};
    let family: AddrFamily | null = null;
    const all = Object.values(ADDR_FIELDS).flat();
    while (this.peek() !== '}') {
      const id = this.ident();
      if (id === null) this.fail(`expected a field name such as nl_pid or sin_port${this.found()}`);
      const fam = (Object.keys(ADDR_FIELDS) as AddrFamily[]).find((f) => ADDR_FIELDS[f].includes(id.name));
      if (fam === undefined) this.fail(`unknown address field ${id.name}${didYouMean(id.name, all)}`, id.at);
      if (family !== null && fam !== family)
        this.fail(`${id.name} belongs to another address than ${ADDR_FIELDS[family][0]}`, id.at);
      family = fam;
      if (id.name in fields) this.fail(`${id.name} is given twice`, id.at);
      this.eat(':', `":" after ${id.name}`);
      fields[id.name] = this.peek() === '"' ? this.string() : this.expr();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') this.fail(`expected "," or "}"${this.found()}`);
    }
    this.pos++;
    if (family === null) this.fail('an empty address: name its fields, e.g. {nl_pid: 0, nl_groups: 0}', open);
    return { kind: 'addr', family, fields };
  }

  arg(): Arg {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '{') return this.addr();
    return this.expr();
  }
}

/** Parse a whole program. Throws ParseError at the first line it cannot read. */
export function parseProgram(text: string, constants: ReadonlyMap<string, number>): Statement[] {
  const out: Statement[] = [];
  const vars = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const source = raw.slice(0, commentStart(raw)).trimEnd();
    if (source.trim() === '') continue;
    const p: LineParser = new LineParser(source, i + 1, constants, vars);
    const sudo = /^\s*sudo\s+/.exec(source);
    const root = sudo !== null;
    if (sudo !== null) p.pos = sudo[0].length;
    const first = p.ident();
    if (first === null) p.fail(`expected a system call such as socket(…)${p.found()}`);
    // A shell command: `rmmod rfcomm`, `cat /proc/modules`.
    if (first.name in COMMANDS && p.peek() !== '(' && p.peek() !== '=') {
      p.ws();
      const word = p.text.slice(p.pos).trim();
      if (word === '' || /\s/.test(word))
        p.fail(
          `${first.name} takes one ${first.name === 'cat' ? 'path' : 'module name'}, e.g. ${first.name === 'cat' ? 'cat /proc/modules' : `${first.name} rfcomm`}`,
        );
      out.push({
        line: i + 1,
        source: source.trim(),
        target: null,
        call: first.name,
        args: [{ kind: 'str', value: word }],
        root,
      });
      continue;
    }
    let target: string | null = null;
    let name = first;
    if (p.peek() === '=') {
      p.pos++;
      if (!/^[a-z_][a-z0-9_]*$/.test(first.name))
        p.fail(`a variable is written in lower case (${first.name} looks like a constant)`, first.at);
      target = first.name;
      const n = p.ident();
      if (n === null) p.fail(`expected a system call after "="${p.found()}`);
      name = n;
    }
    const sig = SYSCALLS[name.name];
    if (sig === undefined)
      p.fail(
        `unknown system call ${name.name}${didYouMean(name.name, [...Object.keys(SYSCALLS), ...Object.keys(COMMANDS)])}`,
        name.at,
      );
    if (target !== null && !sig.returns)
      p.fail(`${name.name}() returns nothing to assign to ${target}`, first.at);
    p.eat('(', `"(" after ${name.name}`);
    const args: Arg[] = [];
    while (p.peek() !== ')') {
      if (p.peek() === '') p.fail(`expected ")"${p.found()}`);
      const at = p.pos;
      const idx = args.length;
      const a = p.arg();
      if (idx < sig.params.length) {
        const wantAddr = sig.addr?.includes(idx) ?? false;
        const wantData = sig.data?.includes(idx) ?? false;
        if (wantAddr && a.kind !== 'addr' && !(a.kind === 'num' && a.value === 0))
          p.fail(
            `${sig.params[idx]} is a socket address: {nl_pid: …}, {sin_addr: "127.0.0.1", sin_port: …} or {rc_channel: …}`,
            at,
          );
        if (!wantAddr && a.kind === 'addr') p.fail(`${sig.params[idx]} is not an address`, at);
        if (!wantData && a.kind === 'str') p.fail(`${sig.params[idx]} is not a string`, at);
      }
      args.push(a);
      if (p.peek() === ',') p.pos++;
      else if (p.peek() !== ')') p.fail(`expected "," or ")"${p.found()}`);
    }
    p.pos++;
    const min = sig.params.length - (sig.optional ?? 0);
    if (args.length < min || args.length > sig.params.length)
      p.fail(
        `${name.name}() takes ${min === sig.params.length ? min : `${min} to ${sig.params.length}`} argument${sig.params.length === 1 ? '' : 's'} (${sig.params.join(', ')}), not ${args.length}`,
        name.at,
      );
    if (p.peek() !== '') p.fail(`unexpected text after the call${p.found()}`);
    if (target !== null) vars.add(target);
    out.push({ line: i + 1, source: source.trim(), target, call: name.name, args, root });
  }
  return out;
}
