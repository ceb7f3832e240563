import type { INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../transport/transport';

/** What the package's action nodes (Inpaint, Fetch) have in common. */
export const actionNodeBase: Pick<
	INodeTypeDescription,
	'group' | 'version' | 'inputs' | 'outputs' | 'credentials'
> = {
	group: ['transform'],
	version: 1,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [{ name: CREDENTIAL_TYPE, required: true }],
};
