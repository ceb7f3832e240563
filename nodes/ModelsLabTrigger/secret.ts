import { randomBytes, timingSafeEqual } from 'crypto';
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

/**
 * ModelsLab signs nothing, so the callback URL itself carries the proof: a random token made when
 * the workflow is activated and kept in the node's static data (saved with the workflow, never
 * shown in the editor). Deactivating the workflow retires it.
 */
interface CallbackSecret {
	token: string;
	/** ISO time until which the callback URL (token included) may be shown on a GET of the webhook. */
	revealUntil: string;
	/** ISO time the workflow was deactivated; the token no longer opens the door. */
	retiredAt?: string;
}

/** Long enough to set up the Inpaint node after activating, short enough to close the window soon. */
export const REVEAL_MINUTES = 15;

/**
 * n8n 1.x saves an active workflow by deactivating and activating it again. A token retired that
 * recently is taken back, so that saving does not break the callback URLs of queued jobs.
 */
const SAVE_GRACE_MS = 60_000;

const TOKEN_BYTES = 24;

function stored(ctx: IHookFunctions | IWebhookFunctions): CallbackSecret | undefined {
	const secret = (ctx.getWorkflowStaticData('node') as IDataObject).callbackSecret as
		| CallbackSecret
		| undefined;
	return typeof secret?.token === 'string' && secret.token.length > 0 ? secret : undefined;
}

/** The webhook lifecycle: n8n calls these on activation, at start-up and on deactivation. */
export const callbackSecretMethods = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		// Kept across restarts so that jobs submitted before one can still call back.
		return stored(this) !== undefined && !stored(this)?.retiredAt;
	},
	async create(this: IHookFunctions): Promise<boolean> {
		const previous = stored(this);
		const justSaved =
			previous?.retiredAt && Date.now() - Date.parse(previous.retiredAt) < SAVE_GRACE_MS;
		const secret: CallbackSecret = justSaved
			? { token: previous.token, revealUntil: previous.revealUntil }
			: {
					token: randomBytes(TOKEN_BYTES).toString('base64url'),
					revealUntil: new Date(Date.now() + REVEAL_MINUTES * 60_000).toISOString(),
				};
		(this.getWorkflowStaticData('node') as IDataObject).callbackSecret =
			secret as unknown as IDataObject;
		return true;
	},
	async delete(this: IHookFunctions): Promise<boolean> {
		const secret = stored(this);
		if (secret) {
			(this.getWorkflowStaticData('node') as IDataObject).callbackSecret = {
				...secret,
				retiredAt: new Date().toISOString(),
			} as unknown as IDataObject;
		}
		return true;
	},
};

/** Whether the request's `token` query parameter is this trigger's token (compared in constant time). */
export function hasValidToken(ctx: IWebhookFunctions): boolean {
	const secret = stored(ctx);
	const given = (ctx.getQueryData() as IDataObject).token;
	if (!secret || secret.retiredAt || typeof given !== 'string') return false;
	const expected = Buffer.from(secret.token);
	const actual = Buffer.from(given);
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The URL to paste into the Inpaint node, while the reveal window after activation is open. */
export function revealableCallbackUrl(ctx: IWebhookFunctions): { url?: string; closedAt?: string } {
	const secret = stored(ctx);
	if (!secret || secret.retiredAt) return {};
	if (Date.now() > Date.parse(secret.revealUntil)) return { closedAt: secret.revealUntil };
	const base = ctx.getNodeWebhookUrl('default') ?? '';
	return { url: `${base}${base.includes('?') ? '&' : '?'}token=${secret.token}` };
}
