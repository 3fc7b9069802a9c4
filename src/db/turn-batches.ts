/**
 * Calls made in one turn of the event loop, sent together: `send` gets their items in the order
 * the calls were made and answers each, in that order. Should the batch fail for one item
 * (`failsAlone(error)`: a constraint refused one statement, say), each item is sent again on its
 * own, so only that one fails, with its own error; any other failure (a database busy or out of
 * reach) fails every call with it, since sending again would only wait again.
 */
export function sentTogetherEachTurn<Item, Result>(
  send: (items: readonly Item[]) => Promise<Result[]>,
  failsAlone: (error: unknown) => boolean,
): (item: Item) => Promise<Result> {
  type Waiting = { item: Item; answer(result: Result): void; refuse(error: unknown): void };
  let waiting: Waiting[] = [];

  async function sendWaiting(): Promise<void> {
    const batch = waiting;
    waiting = [];
    try {
      const results = await send(batch.map(({ item }) => item));
      batch.forEach((call, index) => call.answer(results[index]!));
    } catch (error) {
      if (batch.length === 1 || !failsAlone(error)) {
        for (const call of batch) call.refuse(error);
        return;
      }
      for (const call of batch)
        await send([call.item]).then(
          ([result]) => call.answer(result!),
          (alone: unknown) => call.refuse(alone),
        );
    }
  }

  return (item) =>
    new Promise<Result>((answer, refuse) => {
      if (waiting.length === 0) setImmediate(() => void sendWaiting());
      waiting.push({ item, answer, refuse });
    });
}
