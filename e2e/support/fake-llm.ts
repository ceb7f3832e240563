import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';

interface ChatMessage {
	role: string;
	content?: string | null;
	tool_call_id?: string;
}

interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: Array<{
		function: { name: string; parameters?: { properties?: Record<string, unknown> } };
	}>;
	stream?: boolean;
}

/**
 * A scripted stand-in for an OpenAI-compatible chat model on loopback, so n8n's real AI Agent can run
 * offline. It does what a model asked to "use the tool" would do: its first answer calls the one tool
 * offered whose name mentions ModelsLab, with the arguments given to the constructor; once the tool's
 * result is in the conversation, it answers with that result as its final text. Every request is kept.
 */
export class FakeChatModel {
	readonly requests: ChatRequest[] = [];
	private server: Server | undefined;

	constructor(private toolArguments: Record<string, unknown>) {}

	/** The arguments of the next tool call; the requests seen so far are forgotten. */
	answerWith(toolArguments: Record<string, unknown>): void {
		this.toolArguments = toolArguments;
		this.requests.length = 0;
	}

	async start(): Promise<string> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		let body = '';
		for await (const chunk of req) body += chunk;
		if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
			res
				.writeHead(404, { 'content-type': 'application/json' })
				.end(JSON.stringify({ error: { message: `no ${req.url}` } }));
			return;
		}
		const request = JSON.parse(body) as ChatRequest;
		this.requests.push(request);
		const message = this.reply(request);
		const completion = {
			id: `chatcmpl-${this.requests.length}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: request.model,
			choices: [{ index: 0, message, finish_reason: message.tool_calls ? 'tool_calls' : 'stop' }],
			usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
		};
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
	}

	private reply(request: ChatRequest) {
		const toolResult = request.messages.find((message) => message.role === 'tool');
		if (toolResult)
			return { role: 'assistant', content: `Done. The tool answered: ${toolResult.content}` };
		const tool = request.tools?.find((candidate) => /modelslab/i.test(candidate.function.name));
		if (!tool) return { role: 'assistant', content: 'I have no ModelsLab tool.' };
		return {
			role: 'assistant',
			content: null,
			tool_calls: [
				{
					id: 'call_modelslab_1',
					type: 'function',
					function: { name: tool.function.name, arguments: JSON.stringify(this.toolArguments) },
				},
			],
		};
	}
}
