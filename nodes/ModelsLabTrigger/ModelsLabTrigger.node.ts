import type {
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../shared/transport';
import { handleCallback, handleUrlRequest } from './callback';
import { properties } from './description';
import { callbackSecretMethods } from './secret';

const CALLBACK_PATH = 'callback';

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
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: CALLBACK_PATH },
			// A GET of the same URL shows the full callback URL, token included, for a while after activation.
			{
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: CALLBACK_PATH,
				ndvHideUrl: true,
			},
		],
		properties,
	};

	webhookMethods = { default: callbackSecretMethods };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return this.getWebhookName() === 'setup' ? handleUrlRequest(this) : await handleCallback(this);
	}
}
