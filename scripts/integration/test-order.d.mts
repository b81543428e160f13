export function shuffledBySeed<T>(items: readonly T[], seed: number): T[];
export function testOrderSeed(): number | undefined;
