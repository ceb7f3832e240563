import { CREDENTIAL_ID, CREDENTIAL_NAME } from './n8n';
import { INPAINT, type Workflow, type WorkflowNode } from './workflows';

const credentials = { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };

/** One form of the full-resolution workflow: its Form Trigger feeds one ModelsLab Inpaint node. */
interface FullResolutionForm {
	/** The form's path is /form/<webhookId>. */
	webhookId: string;
	trigger: string;
	inpaint: string;
	field: Record<string, unknown>;
	photo: Record<string, unknown>;
}

/**
 * Output Size › Same as Image (the default), Wait for Result and Download Images (the defaults):
 * v6 Image Editing with a small ellipse mask (Shapes, in percent), so that a photo larger than
 * 1024 px a side is sent as the box around the mask and the result pasted back (suites/fullResolution.ts).
 */
const inpaintParameters = (photo: Record<string, unknown>) => ({
	endpoint: 'imageEditing',
	prompt: 'a red apple',
	...photo,
	maskImageSource: 'shapes',
	maskShapes: {
		shape: [{ kind: 'ellipse', unit: 'percent', left: 60, top: 55, width: 10, height: 12 }],
	},
});

export const fullResolutionForms = {
	link: {
		webhookId: 'e2e-fullres-link-form',
		trigger: 'Photo Link Form',
		inpaint: 'Inpaint the Linked Photo',
		field: { fieldLabel: 'photo link', requiredField: true },
		photo: { initImageUrl: "={{ $json['photo link'] }}" },
	},
	upload: {
		webhookId: 'e2e-fullres-upload-form',
		trigger: 'Photo Upload Form',
		inpaint: 'Inpaint the Uploaded Photo',
		field: {
			fieldLabel: 'photo',
			fieldType: 'file',
			multipleFiles: false,
			acceptFileTypes: '.png,.jpg,.jpeg,.webp',
			requiredField: true,
		},
		photo: { initImageSource: 'binary', initImageBinaryProperty: 'photo' },
	},
} satisfies Record<string, FullResolutionForm>;

export function fullResolutionWorkflow(id: string): Workflow {
	const nodes: WorkflowNode[] = [];
	const connections: Workflow['connections'] = {};
	Object.values(fullResolutionForms).forEach((form: FullResolutionForm, row) => {
		nodes.push(
			{
				id: `${form.webhookId}-trigger`,
				name: form.trigger,
				type: 'n8n-nodes-base.formTrigger',
				typeVersion: 2.2,
				position: [0, row * 200],
				webhookId: form.webhookId,
				parameters: {
					formTitle: form.trigger,
					formFields: { values: [form.field] },
					options: {},
				},
			},
			{
				id: `${form.webhookId}-inpaint`,
				name: form.inpaint,
				type: INPAINT,
				typeVersion: 1,
				position: [260, row * 200],
				parameters: inpaintParameters(form.photo),
				credentials,
			},
		);
		connections[form.trigger] = { main: [[{ node: form.inpaint, type: 'main', index: 0 }]] };
	});
	return {
		id,
		name: 'e2e: full resolution, from forms',
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}
