/**
 * n8n 1.x resumes a waiting execution without checking that it is still waiting: two final
 * callbacks that arrive together both resume it, and everything after the node runs twice. The
 * first call that decides to resume claims the execution here; later ones leave it alone. This
 * holds within one n8n process (regular mode, or queue mode with a single main); n8n 2.x claims
 * the execution in its database as well, so this is harmless there.
 */
const claims = new Map<string, number>();

/** Claims are forgotten after this long: by then n8n answers 409 for a finished execution. */
export const CLAIM_LIFETIME_MS = 10 * 60_000;

function prune(now: number) {
	for (const [key, at] of claims) if (now - at > CLAIM_LIFETIME_MS) claims.delete(key);
}

/** True for the first caller for `key` (an execution); false while someone else holds it. */
export function claimResume(key: string, now = Date.now()): boolean {
	prune(now);
	if (claims.has(key)) return false;
	claims.set(key, now);
	return true;
}

/** The resume failed: the next callback may try again. */
export function releaseResume(key: string): void {
	claims.delete(key);
}
