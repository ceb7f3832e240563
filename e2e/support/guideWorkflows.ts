import { publicModels } from '../../simulator';
import { INPAINT_CATEGORIES } from '../../nodes/ModelsLabInpaint/modelSearch';
import { CREDENTIAL_ID, CREDENTIAL_NAME } from './n8n';
import { FETCH, INPAINT, type Workflow, type WorkflowNode } from './workflows';

/**
 * The workflows the editor guide (suites/editorGuide.ts) opens in the editor to show, and to
 * screenshot for the README, what a user sees.
 */

const credentials = { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };

const start: WorkflowNode = {
	id: 'guide-start',
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** Nodes one after the other, left to right. */
function chain(id: string, name: string, ...nodes: WorkflowNode[]): Workflow {
	const placed = nodes.map((node, i) => ({ ...node, position: [i * 260, 0] as [number, number] }));
	const connections: Workflow['connections'] = {};
	for (let i = 1; i < placed.length; i++)
		connections[placed[i - 1].name] = {
			main: [[{ node: placed[i].name, type: 'main', index: 0 }]],
		};
	return { id, name, nodes: placed, connections, settings: { executionOrder: 'v1' } };
}

const inpaint = (name: string, parameters: Record<string, unknown>): WorkflowNode => ({
	id: `guide-${name.toLowerCase().replace(/\W+/g, '-')}`,
	name,
	type: INPAINT,
	typeVersion: 1.1,
	position: [0, 0],
	parameters,
	credentials,
});

/** The guide's mask (Inpaint 1.1): one rectangle over the middle of the photo, in percent. */
export const guideShapes = {
	maskImageSource: 'shapes',
	maskShapes: { rectangle: [{ left: 30, top: 25, width: 40, height: 50 }] },
	maskShapeUnit: 'percent',
};

/**
 * One workflow per test: n8n shows a workflow read-only ("Editing in another tab") for a while to
 * a tab that opens it after another tab had it open, so no test reopens one an earlier test opened.
 */
export const guideIds = {
	completion: 'e2eGuideComplete',
	shapes: 'e2eGuideShapes01',
	wallet: 'e2eGuideWallet01',
	models: 'e2eGuideModels01',
	maskOnly: 'e2eGuideMaskOnly',
	firstInpaint: 'e2eGuideFirstInp',
};

/** Start → ModelsLab Fetch › Get Wallet Balance. */
export const walletWorkflow = (): Workflow =>
	chain(guideIds.wallet, 'Guide: wallet balance', start, {
		id: 'guide-wallet',
		name: 'Wallet Balance',
		type: FETCH,
		typeVersion: 1,
		position: [0, 0],
		parameters: { operation: 'getWalletBalance' },
		credentials,
	});

/** Start → Inpaint with the guide's mask, Completion still at its default. */
const drawnMaskWorkflow = (id: string, name: string): Workflow =>
	chain(
		id,
		name,
		start,
		inpaint('ModelsLab Inpaint', {
			endpoint: 'imageEditing',
			prompt: 'a red kite',
			initImageUrl: 'https://example.com/photo.png',
			...guideShapes,
		}),
	);

export const completionWorkflow = () =>
	drawnMaskWorkflow(guideIds.completion, 'Guide: choose the Completion');
export const shapesWorkflow = () => drawnMaskWorkflow(guideIds.shapes, 'Guide: draw the mask');

/** Start → Inpaint on Community Models, its Model ID to pick From List. */
export const modelsWorkflow = (): Workflow =>
	chain(
		guideIds.models,
		'Guide: pick a community model',
		start,
		inpaint('Community Inpaint', {
			endpoint: 'community',
			communityModelId: { __rl: true, mode: 'id', value: '' },
			prompt: 'a red car',
			initImageUrl: 'https://example.com/photo.png',
			maskImageUrl: 'https://example.com/mask.png',
		}),
	);

/**
 * Start → Convert to File → Inpaint › Mask Only with a drawn mask. The photo is pinned on Start
 * (base64) and made a file in n8n: no link, so nothing at all reaches the simulator.
 */
export const maskOnlyWorkflow = (photo: Buffer): Workflow => ({
	...chain(
		guideIds.maskOnly,
		'Guide: preview the mask',
		start,
		{
			id: 'guide-photo',
			name: 'Photo',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			position: [0, 0],
			parameters: {
				operation: 'toBinary',
				sourceProperty: 'photo',
				binaryPropertyName: 'data',
				options: { fileName: 'photo.png', mimeType: 'image/png' },
			},
		},
		inpaint('ModelsLab Inpaint', {
			endpoint: 'imageEditing',
			prompt: 'a red kite',
			initImageSource: 'binary',
			initImageBinaryProperty: 'data',
			...guideShapes,
			completion: 'maskOnly',
		}),
	),
	pinData: { [start.name]: [{ json: { photo: photo.toString('base64') } }] },
});

/** The README's first inpaint: a form uploads the photo and the prompt, a drawn mask, the result. */
export const firstInpaintForm = { webhookId: 'e2e-guide-first-inpaint', trigger: 'Upload a Photo' };

export const firstInpaintWorkflow = (): Workflow =>
	chain(
		guideIds.firstInpaint,
		'Form upload → ModelsLab Inpaint',
		{
			id: 'guide-form',
			name: firstInpaintForm.trigger,
			type: 'n8n-nodes-base.formTrigger',
			typeVersion: 2.2,
			position: [0, 0],
			webhookId: firstInpaintForm.webhookId,
			parameters: {
				formTitle: 'Repaint part of a photo',
				formFields: {
					values: [
						{
							fieldLabel: 'Photo',
							fieldType: 'file',
							multipleFiles: false,
							acceptFileTypes: '.png,.jpg,.jpeg',
							requiredField: true,
						},
						{ fieldLabel: 'Prompt', requiredField: true },
					],
				},
				options: {},
			},
		},
		inpaint('ModelsLab Inpaint', {
			endpoint: 'imageEditing',
			prompt: '={{ $json.Prompt }}',
			initImageSource: 'binary',
			initImageBinaryProperty: 'Photo',
			...guideShapes,
		}),
	);

/** What the simulator's public list offers for `term`: its inpainting models whose ID or name has it. */
export function catalogueMatches(simulatorUrl: string, term: string): string[] {
	return publicModels(simulatorUrl)
		.filter((model) => {
			const category = model.model_category as string | undefined;
			const words = `${String(model.model_id)} ${String(model.model_name)}`.toLowerCase();
			return (
				(category === undefined || INPAINT_CATEGORIES.includes(category)) &&
				words.includes(term.toLowerCase())
			);
		})
		.map((model) => String(model.model_name));
}
