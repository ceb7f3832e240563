import type { IHookFunctions } from 'n8n-workflow';

/**
 * The webhook lifecycle of a node that registers nothing anywhere: ModelsLab has no webhook
 * registry (each job carries its own callback URL). n8n's lint rule webhook-lifecycle-complete asks
 * every node with webhooks for these methods, so they exist and report that all is in place.
 */
export const nothingToRegister = {
	async checkExists(this: IHookFunctions): Promise<boolean> {
		return true;
	},
	async create(this: IHookFunctions): Promise<boolean> {
		return true;
	},
	async delete(this: IHookFunctions): Promise<boolean> {
		return true;
	},
};
