// A failing command is reported once (issue 12, defect 14): from the palette, one
// notification and no rethrow (VS Code would add its modal "Command ... resulted in an
// error"); scripted, a rejection and no notification; an error the trainer already showed,
// never again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardCommand, markReported } from '../../src/extension/commandErrors';

function sink() {
  const shown: string[] = [];
  const logged: string[] = [];
  return { shown, logged, log: (m: string) => logged.push(m), show: (m: string) => shown.push(m) };
}

test('from the palette (no argument): one notification, the command resolves undefined', async () => {
  const s = sink();
  const pretrain = guardCommand(s, 'Pretrain', async (_args?: { steps?: number }) => {
    throw new Error('no text files found in /w');
  });
  assert.equal(await pretrain(), undefined); // does not reject: VS Code shows nothing more
  assert.deepEqual(s.shown, ['ELECTRA: no text files found in /w']);
  assert.deepEqual(s.logged, ['Pretrain: no text files found in /w']);
});

test('an error the trainer already showed (with Show Log) is not shown again', async () => {
  const s = sink();
  const pretrain = guardCommand(s, 'Pretrain', async (_args?: object) => {
    throw markReported(new Error("ELECTRA run 'r' failed"));
  });
  assert.equal(await pretrain(undefined), undefined);
  assert.deepEqual(s.shown, []);
  assert.equal(s.logged.length, 1);
});

test('scripted (with an argument): the caller gets the rejection, nothing is shown', async () => {
  const s = sink();
  const score = guardCommand(s, 'Score Current File', async (_args?: { uri?: string }) => {
    throw new Error('open a file to score');
  });
  await assert.rejects(score({ uri: 'file:///x' }), /open a file to score/);
  assert.deepEqual(s.shown, []);
  const ok = guardCommand(s, 'Stop', async (args?: { all?: boolean }) => (args?.all ? ['a', 'b'] : []));
  assert.deepEqual(await ok({ all: true }), ['a', 'b']);
});
