import { ModelsLabSimulator } from '../../simulator';
import { FakeChatModel } from '../support/fake-llm';
import { nodeOutput } from '../support/execution';
import { CREDENTIAL_ID, CREDENTIAL_NAME, N8n } from '../support/n8n';
import type { Major } from '../support/versions';
import { INPAINT_TOOL, type Workflow } from '../support/workflows';

const OPENAI_CREDENTIAL = { id: 'fake-openai-credential', name: 'Scripted chat model' };

/**
 * n8n's own AI Agent with the Inpaint node as its tool. The prompt comes from the model through
 * $fromAI(), as an agent user would set it up; the model is the scripted FakeChatModel.
 */
const agentWorkflow: Workflow = {
	id: 'e2eAgentToolUse1',
	name: 'AI Agent uses ModelsLab Inpaint',
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
				text: 'Paint a red kite into the sky of my photo.',
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
				initImageUrl: 'https://example.com/photo.png',
				maskImageUrl: 'https://example.com/mask.png',
				downloadImages: false,
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
};

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
			await n8n.importWorkflows([agentWorkflow]);
		}, 300_000);
		afterAll(async () => {
			await model.stop();
			await sim.stop();
		});

		test("the agent calls the Inpaint tool with the model's arguments and gets the result back", async () => {
			const execution = await n8n.execute(agentWorkflow.id);

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
	});
}
