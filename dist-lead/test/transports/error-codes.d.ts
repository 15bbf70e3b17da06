/** The `code` of the error `promise` rejects with; fails the case if it resolves. */
export declare function rejectionCode(promise: Promise<unknown>): Promise<string | undefined>;
/** The `code` of the error `run` throws; fails the case if it returns. */
export declare function throwCode(run: () => unknown): string | undefined;
