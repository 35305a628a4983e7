import { parseOptions, SCENARIOS, UsageError } from '../../../bench/options';

describe('bench options', () => {
  it('runs every scenario into bench/results by default', () => {
    expect(parseOptions([])).toEqual({
      scenarios: [...SCENARIOS],
      quick: false,
      profile: false,
      outDir: 'bench/results',
      readme: false,
      render: undefined,
      help: false,
    });
  });

  it.each([
    [['--scenario', 'churn,overhead'], ['overhead', 'churn']],
    [['--scenario', 'slow-replica,routing'], ['routing', 'slow-replica']],
    [['--scenario=memory'], ['memory']],
    [['--scenarios', ' scaling , churn '], ['scaling', 'churn']],
  ])('%j picks %j, always in the canonical order', (argv, expected) => {
    expect(parseOptions(argv).scenarios).toEqual(expected);
  });

  it('sends quick runs elsewhere, so they never replace the committed figures', () => {
    expect(parseOptions(['--quick']).outDir).toBe('bench/results/quick');
    expect(parseOptions(['--quick', '--out', '/tmp/x']).outDir).toBe('/tmp/x');
  });

  it('renders again from a results file without measuring', () => {
    expect(parseOptions(['--render', 'bench/results/latest.json', '--readme'])).toMatchObject({
      render: 'bench/results/latest.json',
      readme: true,
    });
  });

  it('adds the overhead scenario when profiling needs it', () => {
    expect(parseOptions(['--profile', '--scenario', 'memory']).scenarios).toEqual(['overhead', 'memory']);
  });

  it.each([[['--scenario', 'speed']], [['--scenario']], [['--scenario', ',']], [['--fast']], [['--out']]])(
    'refuses %j',
    (argv) => {
      expect(() => parseOptions(argv)).toThrow(UsageError);
    },
  );
});
