import { readFileSync } from 'fs';
import { join } from 'path';

import { CREDENTIAL_ID, CREDENTIAL_NAME } from './n8n';
import { repoRoot } from './package';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	onError?: string;
	[other: string]: unknown;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: 'main'; index: number }>> }
	>;
	settings?: Record<string, unknown>;
	pinData?: Record<string, unknown>;
	active?: boolean;
}

/**
 * An example workflow exactly as a user imports it from examples/, plus the `id` that importing
 * from the CLI needs. Tests change nothing else unless they say so.
 */
export function loadExample(file: string, id: string): Workflow {
	const workflow = JSON.parse(readFileSync(join(repoRoot, 'examples', file), 'utf8')) as Omit<
		Workflow,
		'id'
	>;
	return { ...workflow, id };
}

export function nodeOfType(workflow: Workflow, type: string): WorkflowNode {
	const nodes = workflow.nodes.filter((candidate) => candidate.type === type);
	if (nodes.length !== 1)
		throw new Error(`workflow "${workflow.name}" has ${nodes.length} nodes of type ${type}`);
	return nodes[0];
}

export const INPAINT = 'n8n-nodes-modelslab.modelsLabInpaint';
export const FETCH = 'n8n-nodes-modelslab.modelsLabFetch';
export const TRIGGER = 'n8n-nodes-modelslab.modelsLabTrigger';
export const INPAINT_TOOL = 'n8n-nodes-modelslab.modelsLabInpaintTool';

const credentials = { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
// Never fetched: the simulator paints results without downloading its inputs.
const imageUrl = 'https://example.com/photo.png';
const maskUrl = 'https://example.com/mask.png';

function manualTrigger(): WorkflowNode {
	return {
		id: 'manual',
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

function inpaintNode(
	name: string,
	index: number,
	parameters: Record<string, unknown>,
): WorkflowNode {
	return {
		id: `inpaint-${index}`,
		name,
		type: INPAINT,
		typeVersion: 1,
		position: [300, index * 200],
		parameters: { initImageUrl: imageUrl, maskImageUrl: maskUrl, ...parameters },
		credentials,
	};
}

/** Start → every given Inpaint node in parallel, so one `n8n execute` (one n8n boot) runs them all. */
export function fanOut(
	id: string,
	name: string,
	nodes: Array<[string, Record<string, unknown>, Partial<WorkflowNode>?]>,
): Workflow {
	const inpaints = nodes.map(([nodeName, parameters, extra], i) => ({
		...inpaintNode(nodeName, i, parameters),
		...extra,
	}));
	return {
		id,
		name,
		nodes: [manualTrigger(), ...inpaints],
		connections: {
			Start: {
				main: [inpaints.map((node) => ({ node: node.name, type: 'main' as const, index: 0 }))],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

/** One Inpaint node per endpoint, each with the fields that endpoint requires. */
export const endpointNodes: Array<[string, Record<string, unknown>]> = [
	['Image Editing', { endpoint: 'imageEditing', prompt: 'a red car' }],
	['Community', { endpoint: 'community', communityModelId: 'pony-realism', prompt: 'a red car' }],
	['Legacy', { endpoint: 'legacy', prompt: 'a red car' }],
	[
		'Enterprise',
		{ endpoint: 'enterprise', enterpriseModelId: 'pony-enterprise', prompt: 'a red car' },
	],
];
