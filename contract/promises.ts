// The promises of CONTRACT.md, read from CONTRACT.md itself so that their ids cannot drift: each
// behavioural promise carries an id in brackets, `[H-ready]` (a capital letter for its area, a
// dash, lowercase words). Checks name the ids they cover in their titles (see checkIdsIn).

/** `[X-words]`, not inside backticks (where the contract only shows the notation). */
const ID = /(?<!`)\[([A-Z]-[a-z0-9]+(?:-[a-z0-9]+)*)\](?!`)/g;

export interface Promise_ {
  id: string;
  /** The text of the promise: the sentence (or table row) the id closes, markdown removed. */
  text: string;
  /** The `##`/`###` heading it sits under. */
  section: string;
  line: number;
}

const plain = (text: string) =>
  text
    .replace(ID, '')
    .replace(/\s\[[a-z, -]+\]/g, '') // the suites named in brackets: [config], [health, resilience]
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*?([^*]+)\*\*?/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();

const MAX_TEXT = 180;

/** Every promise id in `markdown`, in order, with its text. Throws on a repeated id. */
export function parseContractPromises(markdown: string): Promise_[] {
  const promises: Promise_[] = [];
  let section = '';
  // A promise's text starts after the previous id of its paragraph (or bullet), or at its start.
  let paragraph = '';
  let fenced = false;
  markdown.split('\n').forEach((line, index) => {
    const heading = /^#{2,3}\s+(.*)$/.exec(line);
    if (heading) section = plain(heading[1]!);
    if (line.startsWith('```')) fenced = !fenced;
    const table = line.trim().startsWith('|');
    if (line.trim() === '' || heading || fenced || line.startsWith('```') || table || /^\s*- /.test(line)) paragraph = '';
    if (heading || fenced || line.startsWith('```')) return;
    let from = 0;
    for (const match of line.matchAll(ID)) {
      const id = match[1]!;
      if (promises.some((p) => p.id === id)) throw new Error(`CONTRACT.md line ${index + 1}: promise id ${id} is used twice`);
      let text: string;
      if (table) {
        const cells = line.slice(0, match.index).split('|').filter((c) => c.trim());
        text = `${plain(cells[0]!)}: ${plain(cells[cells.length - 1]!)}`;
      } else {
        const lead = /^\s*-\s+\*\*([^*]+)\*\*/.exec(paragraph.trim() ? paragraph : line)?.[1];
        const stretch = plain(`${paragraph} ${line.slice(from, match.index)}`).replace(/^[-,;.\s]+/, '');
        // The sentence the id closes, with the sentences before it while they are short.
        const sentences = stretch.split(/(?<=[.)])\s+(?=[A-Z])/);
        let taken = sentences.pop()!;
        while (sentences.length && taken.length < 100) taken = `${sentences.pop()} ${taken}`;
        text = lead && !taken.startsWith(lead) ? `${lead}: ${taken}` : taken;
      }
      promises.push({ id, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1).replace(/\s\S*$/, '')} …` : text, section, line: index + 1 });
      paragraph = '';
      from = match.index + match[0].length;
    }
    paragraph = `${paragraph} ${line.slice(from)}`;
  });
  return promises;
}

/** Ids named in a test title (or any text): `… [H-ready] [J-states]`. */
export function idsIn(text: string): string[] {
  return [...text.matchAll(ID)].map((m) => m[1]!);
}
