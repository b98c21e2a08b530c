// jest's order of test files, with the files that mostly wait (on moto, on the handler's real 11 s settle reads, on
// child processes) first: started last, as jest's default order does on a fresh clone (largest files first, no
// timings recorded yet), they are what the run waits for at the end while the other core idles.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

const WAITING_FIRST = [
  'test/existing-repository/moto-bundle.test.ts',
  'test/pull-check/command.test.ts',
  'test/cfn-lint.test.ts',
];

class WaitingFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = test => {
      const index = WAITING_FIRST.findIndex(file => test.path.endsWith(file));
      return index === -1 ? WAITING_FIRST.length : index;
    };
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = WaitingFirstSequencer;
