import * as assert from 'uvu/assert';
/** The `code` of the error `promise` rejects with; fails the case if it resolves. */
export async function rejectionCode(promise) {
    try {
        await promise;
    }
    catch (err) {
        return err.code;
    }
    assert.unreachable('expected a rejection');
}
/** The `code` of the error `run` throws; fails the case if it returns. */
export function throwCode(run) {
    try {
        run();
    }
    catch (err) {
        return err.code;
    }
    assert.unreachable('expected a throw');
}
//# sourceMappingURL=error-codes.js.map