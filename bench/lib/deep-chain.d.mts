export function writeDeepChain(file: string, n: number, options?: { cycle?: boolean }): void;
