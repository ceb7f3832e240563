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
}

/** Long enough to set up the Inpaint node after activating, short enough to close the window soon. */
export const REVEAL_MINUTES = 15;

const TOKEN_BYTES = 24;

function stored(ctx: IHookFunctions | IWebhookFunctions): CallbackSecret | undefined {
	const secret = (ctx.getWorkflowStaticData('node') as IDataObject).callbackSecret as CallbackSecret | undefined;
	return typeof secret?.token === 'string' && secret.token.length > 0 ? secret : undefined;
}

/** The webhook lifecycle: n8n calls these on activation, at start-up and on deactivation. */
export const callbackSecretMethods = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		// Kept across restarts so that jobs submitted before one can still call back.
		return stored(this) !== undefined;
	},
	async create(this: IHookFunctions): Promise<boolean> {
		const secret: CallbackSecret = {
			token: randomBytes(TOKEN_BYTES).toString('base64url'),
			revealUntil: new Date(Date.now() + REVEAL_MINUTES * 60_000).toISOString(),
		};
		(this.getWorkflowStaticData('node') as IDataObject).callbackSecret = secret as unknown as IDataObject;
		return true;
	},
	async delete(this: IHookFunctions): Promise<boolean> {
		delete (this.getWorkflowStaticData('node') as IDataObject).callbackSecret;
		return true;
	},
};

/** Whether the request's `token` query parameter is this trigger's token (compared in constant time). */
export function hasValidToken(ctx: IWebhookFunctions): boolean {
	const secret = stored(ctx);
	const given = (ctx.getQueryData() as IDataObject).token;
	if (!secret || typeof given !== 'string') return false;
	const expected = Buffer.from(secret.token);
	const actual = Buffer.from(given);
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The URL to paste into the Inpaint node, while the reveal window after activation is open. */
export function revealableCallbackUrl(ctx: IWebhookFunctions): { url?: string; closedAt?: string } {
	const secret = stored(ctx);
	if (!secret) return {};
	if (Date.now() > Date.parse(secret.revealUntil)) return { closedAt: secret.revealUntil };
	const base = ctx.getNodeWebhookUrl('default') ?? '';
	return { url: `${base}${base.includes('?') ? '&' : '?'}token=${secret.token}` };
}
