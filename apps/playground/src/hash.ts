/**
 * Share links: the program and the ticked families live in the URL hash, so a link needs no server and
 * never changes meaning. `#scenario=seed-000` opens a ready-made program; `#families=…&program=…` a
 * program of one's own. A link that names something this page does not have is refused with a message.
 */
import { FAMILIES } from './families.js';
import { scenario } from './scenarios.js';

export interface PageState {
  families: string[];
  program: string;
  /** The ready-made program it came from, if any. */
  scenario: string | null;
}

export function encodeHash(s: PageState): string {
  const p = new URLSearchParams();
  p.set('families', s.families.join(','));
  p.set('program', s.program);
  return `#${p.toString()}`;
}

/** The state a hash asks for; null for an empty hash; throws Error with a message for a bad link. */
export function decodeHash(hash: string): PageState | null {
  const h = hash.replace(/^#/, '');
  if (h === '') return null;
  const p = new URLSearchParams(h);
  const id = p.get('scenario');
  if (id !== null) {
    const sc = scenario(id);
    if (sc === undefined)
      throw new Error(`This link asks for the scenario "${id}", which this playground does not have.`);
    return { families: [...sc.families], program: sc.program, scenario: sc.id };
  }
  const program = p.get('program');
  if (program === null) throw new Error('This link names neither a scenario nor a program.');
  const fams = (p.get('families') ?? '').split(',').filter((f) => f !== '');
  const unknown = fams.filter((f) => !FAMILIES.some((x) => x.id === f));
  if (unknown.length > 0)
    throw new Error(
      `This link asks for the family package ${unknown.join(', ')}, which this playground does not have.`,
    );
  return { families: fams, program, scenario: null };
}
