import type { INodeProperties } from 'n8n-workflow';

import { downloadImagesProperty, processingOptionsProperty } from '../shared/completion';
import { endpointIds, ENDPOINTS } from '../shared/endpoints';

export const properties: INodeProperties[] = [
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
	},
	{
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		default: '={{ $json.requestId }}',
		required: true,
		description:
			"ID of the ModelsLab job. Taken from the ModelsLab Inpaint node's output unless you change it.",
		displayOptions: { show: { lookup: ['requestId'] } },
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
		displayOptions: { show: { lookup: ['requestId'] } },
	},
	{
		displayName: 'Fetch URL',
		name: 'fetchUrl',
		type: 'string',
		default: '={{ $json.fetchUrl }}',
		required: true,
		description:
			'The fetch URL of the job. It must be on one of the hosts set in the ModelsLab credential.',
		displayOptions: { show: { lookup: ['fetchUrl'] } },
	},
	{
		displayName: 'Wait for Result',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until a job that is still processing has finished. Off: its current state is output.',
	},
	downloadImagesProperty(),
	processingOptionsProperty(),
];
