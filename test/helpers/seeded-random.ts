/**
 * A seeded generator of integers below n (a linear congruential one): the random inputs
 * of a test are the same on every run, so a failure can be replayed.
 */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}
