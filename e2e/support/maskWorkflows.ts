import { CREDENTIAL_ID, CREDENTIAL_NAME } from './n8n';
import { INPAINT, type Workflow, type WorkflowNode } from './workflows';

const credentials = { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };

/** One form of the masks workflow: its Form Trigger feeds one ModelsLab Inpaint node. */
/** A Form Trigger feeding one Inpaint node, one row of a served workflow. */
export interface InpaintForm {
	/** The form's path is /form/<webhookId>. */
	webhookId: string;
	trigger: string;
	inpaint: string;
	fields: Array<Record<string, unknown>>;
	parameters: Record<string, unknown>;
}

const photoUpload = {
	fieldLabel: 'photo',
	fieldType: 'file',
	multipleFiles: false,
	acceptFileTypes: '.png,.jpg,.jpeg',
	requiredField: true,
};
const uploadedPhoto = { initImageSource: 'binary', initImageBinaryProperty: 'photo' };

/**
 * The masks from words that examples/inpaint-describe-mask.json does not show, each behind its own
 * Form Trigger (form fields in order: field-0, field-1, …), so one active workflow serves them all.
 */
export const maskForms = {
	subject: {
		webhookId: 'e2e-masks-subject-form',
		trigger: 'Subject Form',
		inpaint: 'Repaint the Subject',
		fields: [photoUpload, { fieldLabel: 'paint instead', requiredField: true }],
		parameters: {
			endpoint: 'imageEditing',
			prompt: "={{ $json['paint instead'] }}",
			...uploadedPhoto,
			maskImageSource: 'subject',
		},
	},
	background: {
		webhookId: 'e2e-masks-background-form',
		trigger: 'Background Form',
		inpaint: 'Repaint the Background',
		fields: [photoUpload, { fieldLabel: 'new background', requiredField: true }],
		parameters: {
			endpoint: 'imageEditing',
			prompt: "={{ $json['new background'] }}",
			...uploadedPhoto,
			maskImageSource: 'background',
		},
	},
	objectRemoval: {
		webhookId: 'e2e-masks-removal-form',
		trigger: 'Removal Form',
		inpaint: 'Remove the Object',
		fields: [
			{ fieldLabel: 'photo link', requiredField: true },
			{ fieldLabel: 'what to remove', requiredField: true },
		],
		parameters: {
			endpoint: 'objectRemoval',
			initImageUrl: "={{ $json['photo link'] }}",
			maskImageSource: 'describe',
			maskDescription: "={{ $json['what to remove'] }}",
		},
	},
	maskOnlyShapes: {
		webhookId: 'e2e-masks-shapes-form',
		trigger: 'Shapes Form',
		inpaint: 'Draw the Mask Only',
		fields: [photoUpload],
		parameters: {
			endpoint: 'imageEditing',
			prompt: 'a red kite',
			...uploadedPhoto,
			maskImageSource: 'shapes',
			maskShapes: {
				shape: [{ kind: 'ellipse', unit: 'percent', left: 25, top: 25, width: 50, height: 50 }],
			},
			completion: 'maskOnly',
		},
	},
} satisfies Record<string, InpaintForm>;

/** Form Triggers, each feeding its Inpaint node, as one workflow (a row each). */
export function formsWorkflow(id: string, name: string, forms: InpaintForm[]): Workflow {
	const nodes: WorkflowNode[] = [];
	const connections: Workflow['connections'] = {};
	forms.forEach((form, row) => {
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
					formFields: { values: form.fields },
					options: {},
				},
			},
			{
				id: `${form.webhookId}-inpaint`,
				name: form.inpaint,
				type: INPAINT,
				typeVersion: 1,
				position: [260, row * 200],
				parameters: form.parameters,
				credentials,
			},
		);
		connections[form.trigger] = { main: [[{ node: form.inpaint, type: 'main', index: 0 }]] };
	});
	return { id, name, nodes, connections, settings: { executionOrder: 'v1' } };
}

export const masksWorkflow = (id: string): Workflow =>
	formsWorkflow(id, 'e2e: masks from words, from forms', Object.values(maskForms));
