import { ModelsLabSimulator } from '../../simulator';
import { linkedPicture, uploadedPicture } from '../support/binary';
import { FakeChatModel } from '../support/fake-llm';
import { nodeOutput } from '../support/execution';
import { CREDENTIAL_ID, CREDENTIAL_NAME, N8n } from '../support/n8n';
import type { Major } from '../support/versions';
import { INPAINT_TOOL, type Workflow } from '../support/workflows';

const OPENAI_CREDENTIAL = { id: 'fake-openai-credential', name: 'Scripted chat model' };

/**
 * n8n's own AI Agent with the Inpaint node as its tool, set up as an agent user would: what the
 * model decides comes in through $fromAI(). The model is the scripted FakeChatModel.
 */
const agentWorkflow = (
	id: string,
	toolParameters: Record<string, unknown>,
	text = 'Paint a red kite into the sky of my photo.',
): Workflow => ({
	id,
	name: `AI Agent uses ModelsLab Inpaint (${id})`,
	nodes: [
		{
			id: 'start',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'agent',
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3,
			position: [300, 0],
			parameters: {
				promptType: 'define',
				text,
				options: {},
			},
		},
		{
			id: 'model',
			name: 'Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			// 1.2: the Chat Completions API (1.3 defaults to the Responses API)
			typeVersion: 1.2,
			position: [200, 250],
			parameters: { model: { __rl: true, mode: 'id', value: 'scripted-model' }, options: {} },
			credentials: { openAiApi: OPENAI_CREDENTIAL },
		},
		{
			id: 'tool',
			name: 'ModelsLab Inpaint',
			type: INPAINT_TOOL,
			typeVersion: 1,
			position: [450, 250],
			parameters: {
				endpoint: 'imageEditing',
				prompt: "={{ $fromAI('prompt', 'What to paint into the masked area', 'string') }}",
				...toolParameters,
			},
			credentials: { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
		},
	],
	connections: {
		Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'Chat Model': {
			ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
		},
		'ModelsLab Inpaint': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	} as unknown as Workflow['connections'],
	settings: { executionOrder: 'v1' },
});

/** The prompt from the model; the photo and mask are fixed links. */
const promptOnly = agentWorkflow('e2eAgentToolUse1', {
	downloadImages: false,
	initImageUrl: 'https://example.com/photo.png',
	maskImageUrl: 'https://example.com/mask.png',
});

/** The prompt and the box to repaint from the model: the node draws the mask itself. */
const fromAI = (key: string, description: string) =>
	`={{ $fromAI('${key}', '${description}', 'number') }}`;
const BOX_WORKFLOW_ID = 'e2eAgentToolBox1';
const boxFromModel = (simulatorUrl: string) =>
	agentWorkflow(BOX_WORKFLOW_ID, {
		downloadImages: false,
		initImageUrl: `${simulatorUrl}/samples/photo-1024x768.png`,
		maskImageSource: 'shapes',
		maskShapes: {
			shape: [
				{
					kind: 'rectangle',
					unit: 'pixels',
					left: fromAI('box_left', 'Left edge of the box to repaint, in pixels'),
					top: fromAI('box_top', 'Top edge of the box to repaint, in pixels'),
					width: fromAI('box_width', 'Width of the box to repaint, in pixels'),
					height: fromAI('box_height', 'Height of the box to repaint, in pixels'),
				},
			],
		},
	});

/**
 * Only a photo link and a sentence: the model gives the link, the words naming what to change and
 * what to paint instead; the node asks ModelsLab for the mask of those words (Mask Source › Describe It).
 * Download Images is left as the tool has it by default (off).
 */
const WORDS_WORKFLOW_ID = 'e2eAgentToolWords';
const fromAIText = (key: string, description: string) =>
	`={{ $fromAI('${key}', '${description}', 'string') }}`;
const wordsFromModel = (photoLink: string) =>
	agentWorkflow(
		WORDS_WORKFLOW_ID,
		{
			initImageUrl: fromAIText('photo_link', 'Link to the photo to edit'),
			maskImageSource: 'describe',
			maskDescription: fromAIText(
				'what_to_change',
				'The thing on the photo to change, in a few words',
			),
		},
		`On ${photoLink}, replace the car with a red bicycle.`,
	);

export function agentSuite(major: Major): void {
	describe(`n8n ${major}.x AI Agent (n8n execute, scripted chat model)`, () => {
		const sim = new ModelsLabSimulator();
		const model = new FakeChatModel({ prompt: 'a red kite in the sky' });
		let n8n: N8n;

		beforeAll(async () => {
			const simulatorUrl = await sim.start();
			const modelUrl = await model.start();
			n8n = await N8n.create(major, 'agent');
			await n8n.importCredential(simulatorUrl);
			await n8n.importCredentials([
				{
					...OPENAI_CREDENTIAL,
					type: 'openAiApi',
					data: { apiKey: 'not-a-real-key', url: modelUrl },
				},
			]);
			await n8n.importWorkflows([
				promptOnly,
				boxFromModel(simulatorUrl),
				wordsFromModel(`${simulatorUrl}/samples/photo-1024x768.png`),
			]);
		}, 300_000);
		afterAll(async () => {
			await model.stop();
			await sim.stop();
		});

		test("the agent calls the Inpaint tool with the model's arguments and gets the result back", async () => {
			const execution = await n8n.execute(promptOnly.id);

			expect(execution.data.resultData.error).toBeUndefined();
			// The tool the agent was offered is our node, described from its own description.
			expect(model.requests[0].tools?.map((tool) => tool.function.name)).toEqual([
				'ModelsLab_Inpaint',
			]);
			const [submit] = sim.requestsTo('/api/v6/image_editing/inpaint');
			expect(submit.body).toMatchObject({ prompt: 'a red kite in the sky', key: 'sim-api-key' });
			// The tool's result went back to the model, whose final answer the agent output.
			expect(model.requests).toHaveLength(2);
			const [answer] = nodeOutput(execution, 'AI Agent');
			expect(String(answer.json.output)).toContain(String(sim.jobs[0].id));
		});

		test("the agent gives the box to repaint; the node draws the mask of the photo's size", async () => {
			model.answerWith({
				prompt: 'a red kite',
				box_left: 100,
				box_top: 50,
				box_width: 300,
				box_height: 200,
			});
			const before = sim.requests.length;
			const execution = await n8n.execute(BOX_WORKFLOW_ID);

			expect(execution.data.resultData.error).toBeUndefined();
			// The model was offered the box as four numbers it must give.
			const offered = model.requests[0].tools?.[0].function.parameters?.properties ?? {};
			expect(Object.keys(offered)).toEqual(
				expect.arrayContaining(['prompt', 'box_left', 'box_top', 'box_width', 'box_height']),
			);
			const uploads = sim.requests
				.slice(before)
				.filter((request) => request.path === '/api/v6/base64_to_url');
			expect(uploads).toHaveLength(1); // the drawn mask; the photo went as its link
			const mask = uploadedPicture(uploads[0]);
			const { gray } = mask;
			expect({ width: mask.width, height: mask.height }).toEqual({ width: 1024, height: 768 });
			// White (repaint) inside the box the model gave, black outside it.
			expect([gray(100, 50), gray(399, 249), gray(250, 150)]).toEqual([255, 255, 255]);
			expect([gray(99, 50), gray(400, 249), gray(250, 250), gray(0, 0)]).toEqual([0, 0, 0, 0]);
			const submit = sim.requestsTo('/api/v6/image_editing/inpaint').at(-1);
			expect(submit?.body).toMatchObject({ prompt: 'a red kite' });
			const [answer] = nodeOutput(execution, 'AI Agent');
			expect(String(answer.json.output)).toContain(String(sim.jobs.at(-1)?.id));
		});

		test('with only a photo link and a sentence, the agent gets the edit: a mask of its words, then the inpaint', async () => {
			const photoLink = `${sim.baseUrl}/samples/photo-1024x768.png`;
			model.answerWith({
				photo_link: photoLink,
				what_to_change: 'the car',
				prompt: 'a red bicycle',
			});
			sim.reset();
			const execution = await n8n.execute(WORDS_WORKFLOW_ID);

			expect(execution.data.resultData.error).toBeUndefined();
			const offered = model.requests[0].tools?.[0].function.parameters?.properties ?? {};
			expect(Object.keys(offered)).toEqual(
				expect.arrayContaining(['photo_link', 'what_to_change', 'prompt']),
			);
			const [maskRequest] = sim.requestsTo('/api/v6/image_editing/mask_creator');
			expect(maskRequest.body).toMatchObject({ init_image: photoLink, specific_object: 'the car' });
			const [submit] = sim.requestsTo('/api/v6/image_editing/inpaint');
			expect(submit.body).toMatchObject({ prompt: 'a red bicycle', init_image: photoLink });
			const maskJob = sim.jobs.find((job) => job.endpoint === 'maskCreator');
			const inpaintJob = sim.jobs.find((job) => job.endpoint === 'imageEditing');
			// As a tool, Download Images is off by default: the result picture is never downloaded.
			const resultPath = new URL(inpaintJob!.outputs[0]).pathname;
			expect(sim.requests.filter((request) => request.path === resultPath)).toEqual([]);
			// The inpaint job's mask is the one the mask job made (sent as it came), the photo's size.
			expect((submit.body as Record<string, unknown>).mask_image).toBe(maskJob!.outputs[0]);
			const mask = await linkedPicture(maskJob!.outputs[0]);
			expect({ width: mask.width, height: mask.height }).toEqual({ width: 1024, height: 768 });
			expect(maskJob && inpaintJob).toBeTruthy();
			// The tool's result, with the result link and both job ids, is in the agent's answer.
			expect(model.requests).toHaveLength(2);
			const [answer] = nodeOutput(execution, 'AI Agent');
			const text = String(answer.json.output);
			expect(text).toContain(inpaintJob!.outputs[0]);
			expect(text).toMatch(new RegExp(`maskRequestId\\W+${maskJob!.id}\\b`));
			expect(text).toMatch(new RegExp(`requestId\\W+${inpaintJob!.id}\\b`));
		});
	});
}
