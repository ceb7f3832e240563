import type { INodeProperties } from 'n8n-workflow';

import { downloadImagesProperties, processingOptionsProperty } from '../shared/run/completion';
import { endpointIds, ENDPOINTS } from '../shared/transport/endpoints';

const getResult = { operation: ['getResult'] };
/** Download Images and Processing Options: for the jobs of Get Result and Wait for Callbacks. */
const jobOperations = { show: { operation: ['getResult', 'waitForCallbacks'] } };

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Get Result',
			value: 'getResult',
			action: 'Get the result of a job',
			description:
				'Get the result of a queued job, waiting for it if needed. An item that already carries its finished result is passed on as it is.',
		},
		{
			name: 'Get Wallet Balance',
			value: 'getWalletBalance',
			action: 'Get wallet balance',
			description:
				'Read the balance of your ModelsLab wallet, free of charge: one item with "balance" and "currency", whatever the number of input items',
		},
		{
			name: 'Wait for Callbacks',
			value: 'waitForCallbacks',
			action: 'Wait for the callbacks of jobs',
			description:
				"Wait, without polling, until ModelsLab has called back for every job of a ModelsLab Inpaint node set to Resume on Callback; the execution is stored until then. ModelsLab must be able to reach n8n's webhook URL (N8N_WEBHOOK_URL or WEBHOOK_URL).",
		},
	],
	default: 'getResult',
};

export const properties: INodeProperties[] = [
	operationProperty,
	{
		displayName:
			'The execution waits, stored by n8n, up to Max Wait (Processing Options). Jobs still running then are passed on unfinished: put a ModelsLab Fetch › Get Result after this node to finish them.',
		name: 'waitForCallbacksNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['waitForCallbacks'] } },
	},
	{
		displayName: 'Find Job By',
		name: 'lookup',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Request ID',
				value: 'requestId',
				description: 'The request ID the ModelsLab Inpaint node output',
			},
			{
				name: 'Fetch URL',
				value: 'fetchUrl',
				description: 'The fetch URL ModelsLab gave for the queued job',
			},
		],
		default: 'requestId',
		displayOptions: { show: getResult },
	},
	{
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		default: '={{ $json.requestId }}',
		required: true,
		description:
			"ID of the ModelsLab job. Taken from the ModelsLab Inpaint node's output unless you change it.",
		displayOptions: { show: { ...getResult, lookup: ['requestId'] } },
	},
	{
		displayName: 'Endpoint',
		name: 'endpoint',
		type: 'options',
		options: [
			{
				name: 'Same as the Input Item',
				value: 'fromInput',
				description:
					'The endpoint named in the input item\'s "endpoint" field, as the ModelsLab Inpaint node outputs it',
			},
			...endpointIds.map((id) => ({ name: ENDPOINTS[id].displayName, value: id })),
		],
		default: 'fromInput',
		description: 'Which ModelsLab endpoint the job was sent to; each has its own fetch address',
		displayOptions: { show: { ...getResult, lookup: ['requestId'] } },
	},
	{
		displayName: 'Fetch URL',
		name: 'fetchUrl',
		type: 'string',
		default: '={{ $json.fetchUrl }}',
		required: true,
		description:
			'The fetch URL of the job. It must be on one of the hosts set in the ModelsLab credential.',
		displayOptions: { show: { ...getResult, lookup: ['fetchUrl'] } },
	},
	{
		displayName: 'Wait for Result',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until a job that is still processing has finished. Off: its current state is output.',
		displayOptions: { show: getResult },
	},
	...downloadImagesProperties(jobOperations),
	processingOptionsProperty(jobOperations),
];
