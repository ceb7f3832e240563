import type {
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../shared/transport/transport';
import { nothingToRegister } from '../shared/run/webhookLifecycle';
import { handleCallback } from './incomingCallback';
import { properties } from './triggerDescription';

export class ModelsLabTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Trigger',
		name: 'modelsLabTrigger',
		icon: { light: 'file:trigger.svg', dark: 'file:trigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["statusFilter"] === "both" ? "finished or failed jobs" : $parameter["statusFilter"] + " jobs" }}',
		description: 'Starts the workflow when ModelsLab calls back with a finished inpainting job',
		defaults: { name: 'ModelsLab Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'callback' },
		],
		properties,
	};

	/**
	 * Nothing to register: ModelsLab has no webhook registry, each job carries its own signed URL,
	 * and the signature is derived from the credential, so there is nothing to create or retire.
	 */
	webhookMethods = { default: nothingToRegister };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleCallback(this);
	}
}
