import { formsWorkflow } from './maskWorkflows';
import type { Workflow } from './workflows';

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

export const fullResolutionWorkflow = (id: string): Workflow =>
	formsWorkflow(
		id,
		'e2e: full resolution, from forms',
		Object.values(fullResolutionForms).map((form: FullResolutionForm) => ({
			...form,
			fields: [form.field],
			parameters: inpaintParameters(form.photo),
		})),
	);
