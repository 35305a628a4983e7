import { applyLineEdits, blockEnd, lineAt, sourceText } from '../../../src/compose/source-text';

describe('sourceText', () => {
  it('keeps each line ending, and a last line without one', () => {
    const src = sourceText('a\r\nb\nc');
    expect(src.lines).toEqual([
      { text: 'a', eol: '\r\n' },
      { text: 'b', eol: '\n' },
      { text: 'c', eol: '' },
    ]);
    expect(src.eol).toBe('\r\n');
    expect(src.starts).toEqual([0, 3, 5]);
  });

  it('maps offsets to lines', () => {
    const src = sourceText('ab\ncd\n');
    expect([0, 2, 3, 5].map((o) => lineAt(src, o))).toEqual([0, 0, 1, 1]);
  });
});

describe('applyLineEdits', () => {
  const src = sourceText('one\ntwo\nthree\n');

  it('replaces, inserts and deletes whole lines, new lines taking the file ending', () => {
    const out = applyLineEdits(src, [
      { from: 1, to: 2, lines: ['TWO'] },
      { from: 0, to: 0, lines: ['zero'] },
      { from: 2, to: 3, lines: [] },
    ]);
    expect(out).toBe('zero\none\nTWO\n');
  });

  it('keeps insertions at one place in the order given', () => {
    expect(
      applyLineEdits(src, [
        { from: 3, to: 3, lines: ['a'] },
        { from: 3, to: 3, lines: ['b'] },
      ]),
    ).toBe('one\ntwo\nthree\na\nb\n');
  });

  it('ends without a line ending when the source did, whatever moved', () => {
    const bare = sourceText('one\ntwo');
    expect(applyLineEdits(bare, [{ from: 2, to: 2, lines: ['three'] }])).toBe('one\ntwo\nthree');
    expect(applyLineEdits(bare, [{ from: 1, to: 2, lines: [] }])).toBe('one');
  });

  it('uses CRLF for new lines in a CRLF file', () => {
    expect(applyLineEdits(sourceText('a\r\n'), [{ from: 1, to: 1, lines: ['b'] }])).toBe('a\r\nb\r\n');
  });

  it('refuses overlapping edits', () => {
    expect(() =>
      applyLineEdits(src, [
        { from: 0, to: 2, lines: [] },
        { from: 1, to: 1, lines: ['x'] },
      ]),
    ).toThrow(/overlapping/);
  });
});

describe('blockEnd', () => {
  const lines = [
    '  web:', //            0
    '    image: x', //      1
    '    ports:', //        2
    '    # the public one', // 3
    '    - "80:80"', //     4
    '', //                  5
    '      # deeper comment', // 6
    '    # next key', //    7
    '    expose: []', //    8
    '', //                  9
    '  db:', //             10
  ];
  const src = sourceText(`${lines.join('\n')}\n`);

  it('ends a service before the next line at its indentation, leaving trailing blank lines out', () => {
    expect(blockEnd(src, 0, 2)).toBe(8);
  });

  it("takes `- ` items at the key's own indentation, and comments between them, into the block", () => {
    expect(blockEnd(src, 2, 4)).toBe(6);
  });

  it("leaves a comment at the key's indentation to the key after it", () => {
    expect(blockEnd(src, 1, 4)).toBe(1);
  });
});
