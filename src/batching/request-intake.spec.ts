import { IntakeClosedError, RequestIntake } from './request-intake';

/** Whether `promise` has settled by the end of the current turn's microtasks. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('RequestIntake', () => {
  it('admits jobs while fewer requests than its capacity are held, however large the last job', async () => {
    const intake = new RequestIntake(10);
    await intake.admit(6);
    await intake.admit(500);
    expect(await settledNow(intake.admit(1))).toBe(false);
  });

  it('admits waiting jobs in arrival order as held requests settle', async () => {
    const intake = new RequestIntake(10);
    const first = await intake.admit(12);
    const order: string[] = [];
    const small = intake.admit(1).then((held) => (order.push('small'), held));
    const large = intake.admit(30).then((held) => (order.push('large'), held));

    first.letGo(2);
    expect(await settledNow(small)).toBe(false);
    first.letGo(1);
    expect(await settledNow(small)).toBe(true);
    expect(await settledNow(large)).toBe(false);
    first.end();
    expect(await settledNow(large)).toBe(true);
    expect(order).toEqual(['small', 'large']);
  });

  it('lets go of a job\'s requests once only, however often it is told', async () => {
    const intake = new RequestIntake(2);
    const held = await intake.admit(2);
    held.letGo(5);
    held.end();
    await intake.admit(1);
    await intake.admit(1);
    expect(await settledNow(intake.admit(1))).toBe(false);
  });

  it('refuses the waiting jobs and any later one once closed, admitting none', async () => {
    const intake = new RequestIntake(1);
    const held = await intake.admit(1);
    const waiting = intake.admit(1);
    intake.close();
    await expect(waiting).rejects.toBeInstanceOf(IntakeClosedError);
    held.end();
    await expect(intake.admit(1)).rejects.toBeInstanceOf(IntakeClosedError);
  });
});
