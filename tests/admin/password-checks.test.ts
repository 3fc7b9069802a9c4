import { createPasswordCheckLine } from '../../src/admin/password-checks';
import { ServiceUnavailableError } from '../../src/errors';

// The line password checks wait in, with checks that end when the test says so.

function controllableCheck() {
  const running = { now: 0, most: 0 };
  const pending: (() => void)[] = [];
  const check = () =>
    new Promise<boolean>((resolve) => {
      running.now += 1;
      running.most = Math.max(running.most, running.now);
      pending.push(() => {
        running.now -= 1;
        resolve(false);
      });
    });
  const finishOne = async () => {
    pending.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { running, check, finishOne, pending };
}

const MiB = 1024 * 1024;

it('runs at most two checks at once; the rest wait their turn', async () => {
  const line = createPasswordCheckLine({ slots: 2, maxWaiting: 10 });
  const { running, check, finishOne } = controllableCheck();
  const all = Promise.all(Array.from({ length: 6 }, () => line.run(32 * MiB, check)));
  await new Promise((resolve) => setImmediate(resolve));
  expect(running.now).toBe(2);
  for (let i = 0; i < 6; i += 1) await finishOne();
  await all;
  expect(running.most).toBe(2);
});

it('runs a check that needs more than 32 MiB alone', async () => {
  const line = createPasswordCheckLine({ slots: 2, maxWaiting: 10 });
  const { running, check, finishOne } = controllableCheck();
  const all = Promise.all(Array.from({ length: 3 }, () => line.run(128 * MiB, check)));
  await new Promise((resolve) => setImmediate(resolve));
  expect(running.now).toBe(1);
  for (let i = 0; i < 3; i += 1) await finishOne();
  await all;
  expect(running.most).toBe(1);
});

it('turns a check away at once (503, Retry-After) when the line is full', async () => {
  const line = createPasswordCheckLine({ slots: 2, maxWaiting: 3, retryAfterSeconds: 5 });
  const { check, finishOne } = controllableCheck();
  const admitted = Array.from({ length: 5 }, () => line.run(MiB, check));
  const refused = line.run(MiB, check);
  await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
  await expect(refused).rejects.toMatchObject({ status: 503, code: 'sign_in_busy', retryAfterSeconds: 5 });
  for (let i = 0; i < 5; i += 1) await finishOne();
  await expect(Promise.all(admitted)).resolves.toHaveLength(5);
});
