import type { INodeProperties } from 'n8n-workflow';

import { endpointIds, ENDPOINTS } from '../shared/transport/endpoints';

export const properties: INodeProperties[] = [
	{
		displayName:
			"Publish the workflow, then paste the Production URL above into the ModelsLab Inpaint node's Webhook URL option, which signs it with your API key.",
		name: 'callbackUrlNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Status',
		name: 'statusFilter',
		type: 'options',
		options: [
			{
				name: 'Finished or Failed',
				value: 'both',
				description: 'Start the workflow for every finished job',
			},
			{ name: 'Finished', value: 'success', description: 'Only jobs that produced images' },
			{ name: 'Failed', value: 'failed', description: 'Only jobs ModelsLab could not finish' },
		],
		default: 'both',
		description: 'Which job results start the workflow. Use an IF node on "status" to handle both.',
	},
	{
		displayName: 'Track ID',
		name: 'trackId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1042',
		description:
			'Only start for jobs submitted with this Track ID (an option of the ModelsLab Inpaint node). Empty: any job.',
	},
	{
		displayName: 'Verify With ModelsLab',
		name: 'verifyWithApi',
		type: 'boolean',
		default: true,
		description:
			"Whether to fetch the job from ModelsLab before starting, and use that answer instead of the call's body. Someone who got hold of the URL then still cannot inject image links.",
	},
	{
		displayName: 'Endpoint',
		name: 'endpoint',
		type: 'options',
		options: endpointIds.map((id) => ({ name: ENDPOINTS[id].displayName, value: id })),
		default: 'imageEditing',
		description:
			'Only for callback URLs that do not name their endpoint (signed by an earlier version, or pasted by hand): the endpoint such jobs were sent to. The ModelsLab Inpaint node names each job\'s endpoint in the URL it signs, so one trigger serves every endpoint. Output as "endpoint" for the ModelsLab Fetch node.',
	},
];
