import { formsWorkflow, type InpaintForm } from './maskWorkflows';
import type { Workflow } from './workflows';

/**
 * n8n's "Binary Mode" workflow setting (2.x): `separate` keeps files in `item.binary` (1.x has
 * only this); `combined` keeps them in the item's JSON, a Form Trigger's under the field's label
 * and other nodes' under `_files`.
 */
export type WorkflowBinaryMode = 'separate' | 'combined';

const fileField = (label: string) => ({
	fieldLabel: label,
	fieldType: 'file',
	multipleFiles: false,
	acceptFileTypes: '.png',
	requiredField: true,
});

/** Wait for Result and Download Images: the defaults. */
const common = { endpoint: 'imageEditing', prompt: 'a red apple' };

/** The two forms of a binary-modes workflow: webhook ids carry the Binary Mode, to be unique. */
export function binaryModeForms(binaryMode: WorkflowBinaryMode) {
	return {
		/**
		 * A photo and a mask, two file fields, both read from binary; the photo goes whole and the
		 * result is pasted back by the mask (Keep Original Pixels, set here as the test reads it).
		 */
		pair: {
			webhookId: `e2e-binmodes-pair-${binaryMode}`,
			trigger: 'Photo and Mask Form',
			inpaint: 'Inpaint with the Uploaded Mask',
			fields: [fileField('photo'), fileField('mask')],
			parameters: {
				...common,
				initImageSource: 'binary',
				initImageBinaryProperty: 'photo',
				maskImageSource: 'binary',
				maskImageBinaryProperty: 'mask',
				keepOriginalPixels: true,
			},
		},
		/** A photo larger than the endpoint takes and a drawn mask: full resolution (crop, stitch). */
		large: {
			webhookId: `e2e-binmodes-large-${binaryMode}`,
			trigger: 'Large Photo Form',
			inpaint: 'Inpaint the Large Photo',
			fields: [fileField('photo')],
			parameters: {
				...common,
				initImageSource: 'binary',
				initImageBinaryProperty: 'photo',
				maskImageSource: 'shapes',
				maskShapes: {
					shape: [{ kind: 'ellipse', unit: 'percent', left: 60, top: 55, width: 10, height: 12 }],
				},
			},
		},
	} satisfies Record<string, InpaintForm>;
}

/** Both forms in one workflow; `combined` is set, `separate` is n8n's default (no setting). */
export function binaryModeWorkflow(binaryMode: WorkflowBinaryMode): Workflow {
	const workflow = formsWorkflow(
		`e2eBinModes${binaryMode === 'combined' ? 'Comb' : 'Sepa'}`,
		`e2e: binary data modes, Binary Mode ${binaryMode}`,
		Object.values(binaryModeForms(binaryMode)),
	);
	if (binaryMode === 'separate') return workflow;
	return { ...workflow, settings: { ...workflow.settings, binaryMode } };
}
