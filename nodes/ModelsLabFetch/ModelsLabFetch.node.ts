import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { runPerItem } from '../shared/run/items';
import { actionNodeBase } from '../shared/run/nodeDescription';
import { readParameter } from '../shared/run/parameters';
import { CALLBACK_PATH } from '../shared/callbacks/resumeUrl';
import { operationProperty, properties } from './fetchDescription';
import { fetchItem, readFetchSettings } from './fetch';
import { callbackArrived, startWaiting } from './waitForCallbacks';
import { getWalletBalance } from './walletBalance';
import { nothingToRegister } from '../shared/run/webhookLifecycle';

export class ModelsLabFetch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Fetch',
		name: 'modelsLabFetch',
		icon: { light: 'file:fetch.svg', dark: 'file:fetch.dark.svg' },
		...actionNodeBase,
		subtitle:
			'={{ $parameter["operation"] === "waitForCallbacks" ? "wait for callbacks" : $parameter["operation"] === "getWalletBalance" ? "wallet balance" : $parameter["lookup"] === "fetchUrl" ? "by fetch URL" : "by request ID" }}',
		description:
			'Get the result of a queued ModelsLab job, waiting for it and downloading its images, or read your wallet balance',
		defaults: { name: 'ModelsLab Fetch' },
		usableAsTool: {
			replacements: {
				description:
					'Gets the result of a ModelsLab inpainting job from its request ID: waits until the job is done and returns the links to its images in "output". Set to Get Wallet Balance, reads the ModelsLab wallet balance instead ("balance" and "currency").',
			},
		},
		// What the editor shows on the node while the execution waits.
		waitingNodeTooltip:
			'Waiting for ModelsLab to call back that the jobs are done (at most until Max Wait)',
		// Wait for Callbacks: ModelsLab calls <this execution's resume URL>/modelslab-callback. Only a
		// node declaring this path can take such a call (a later Wait node cannot); restartWebhook
		// means it exists only while this node waits. responseData '' so the node's own answer is sent.
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: CALLBACK_PATH,
				restartWebhook: true,
				isFullPath: true,
			},
		],
		properties,
	};

	// n8n never calls these for a restart webhook (it registers only the others).
	webhookMethods = { default: nothingToRegister };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = readParameter(this, operationProperty, 0);
		if (operation === 'waitForCallbacks') return await startWaiting(this);
		if (operation === 'getWalletBalance') return await getWalletBalance(this);
		return await runPerItem(this, readFetchSettings, fetchItem, { feelForQueue: false });
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await callbackArrived(this);
	}
}
