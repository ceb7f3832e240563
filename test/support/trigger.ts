/**
 * Serves the ModelsLab Trigger over real HTTP on loopback the way n8n 2.41's webhook server does:
 * every request runs through n8n-core's WebhookContext with a Workflow rebuilt from the saved static
 * data; a call that returns workflow data starts one execution, for which n8n first builds a second
 * Workflow over the same static data (WorkflowRunner.establishContextForPersistence, which resets
 * its "changed" flag); the static data is saved afterwards only when that flag is set.
 */
import '../../harness/user-folder';

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	IWebhookData,
	IWebhookDescription,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { CredentialsHelper, PACKAGE, PackageNodeTypes } from '../../harness/engine';
import { parseJson, readBody } from '../../harness/http';
import { signedCallbackUrl } from '../../nodes/shared/callbacks/callbackSignature';

/** n8n's default N8N_PAYLOAD_SIZE_MAX is 16 MiB; n8n itself refuses larger bodies. */
const N8N_PAYLOAD_LIMIT = 16 * 1024 * 1024;

export interface Reply {
	status: number;
	body: string;
	json: IDataObject;
}

let triggerCount = 0;

export class TriggerServer {
	/** Items each started execution began with, in order. */
	readonly executions: INodeExecutionData[][] = [];
	/** Every answer sent, for checks that nothing secret ever left. */
	readonly replies: Reply[] = [];
	staticData: IDataObject = {};
	/** How long the save after each started execution waits, in the order they started. */
	saveDelaysMs: number[] = [];
	private server?: Server;
	/** Calls answered but not yet saved (n8n answers ModelsLab before it saves static data). */
	private readonly unsaved = new Set<Promise<void>>();
	private readonly node: INode;
	private readonly nodeTypes = new PackageNodeTypes();
	private readonly workflowId: string;

	constructor(
		parameters: IDataObject,
		private readonly credentials: ICredentialDataDecryptedObject,
		/** Another trigger node of the same saved workflow, as after a restart of n8n. */
		restartOf?: TriggerServer,
	) {
		triggerCount++;
		this.workflowId = restartOf?.workflowId ?? `wf-trigger-${triggerCount}`;
		if (restartOf) this.staticData = structuredClone(restartOf.staticData);
		this.node = {
			id: `trigger-${triggerCount}`,
			name: 'ModelsLab Trigger',
			type: `${PACKAGE}.modelsLabTrigger`,
			typeVersion: 1,
			position: [0, 0],
			webhookId:
				restartOf?.node.webhookId ??
				`3f6c1d2e-0000-4000-8000-${String(triggerCount).padStart(12, '0')}`,
			parameters: parameters as INode['parameters'],
			credentials: { modelsLabApi: { id: 'cred-1', name: 'ModelsLab account' } },
		};
	}

	get baseUrl() {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	/** The production URL n8n shows in the node panel. */
	get productionUrl() {
		return `${this.baseUrl}/webhook/${this.node.webhookId}/callback`;
	}

	/**
	 * The production URL as the Inpaint node sends it for a v6 Image Editing job: the endpoint
	 * named, and both signed with the credential's API key.
	 */
	get signedUrl() {
		return signedCallbackUrl(this.productionUrl, String(this.credentials.apiKey), 'imageEditing');
	}

	/** The production URL as versions before the endpoint was named signed it: still accepted. */
	get signedWithoutEndpoint() {
		return signedCallbackUrl(this.productionUrl, String(this.credentials.apiKey));
	}

	/** The signed URL's query, for posting to it directly. */
	get signedQuery() {
		return new URL(this.signedUrl).search;
	}

	async start() {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
	}

	/** Resolves once every call answered so far has saved its static data. */
	async idle() {
		while (this.unsaved.size > 0) await Promise.allSettled([...this.unsaved]);
	}

	async stop() {
		await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
	}

	/** POSTs `body` (an object as JSON, a string as it is) to the production URL plus `query`. */
	async post(body: unknown, query = '', headers: Record<string, string> = {}): Promise<Reply> {
		const response = await fetch(`${this.productionUrl}${query}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: typeof body === 'string' ? body : JSON.stringify(body),
		});
		return await toReply(response);
	}

	private additionalData(
		req?: IncomingMessage,
		res?: ServerResponse,
	): IWorkflowExecuteAdditionalData {
		return {
			credentialsHelper: new CredentialsHelper({ modelsLabApi: this.credentials }),
			webhookBaseUrl: `${this.baseUrl}/webhook`,
			webhookTestBaseUrl: `${this.baseUrl}/webhook-test`,
			instanceBaseUrl: this.baseUrl,
			restApiUrl: `${this.baseUrl}/rest`,
			variables: {},
			httpRequest: req,
			httpResponse: res,
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	private webhookData(
		workflow: Workflow,
		additionalData: IWorkflowExecuteAdditionalData,
	): IWebhookData {
		const type = this.nodeTypes.getByNameAndVersion(this.node.type, 1) as INodeType;
		const webhookDescription = type.description.webhooks![0] as IWebhookDescription;
		return {
			httpMethod: webhookDescription.httpMethod as IWebhookData['httpMethod'],
			node: this.node.name,
			path: `${this.node.webhookId}/${webhookDescription.path}`,
			webhookDescription,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node.webhookId,
		};
	}

	/**
	 * Like n8n: a Workflow built from the saved JSON; when the call starts an execution, a second
	 * Workflow over the same static data object (as 2.41.1 builds one); then the static data is saved
	 * back only when it changed.
	 */
	private async withWorkflow(
		run: (workflow: Workflow, additionalData: IWorkflowExecuteAdditionalData) => Promise<boolean>,
		req: IncomingMessage,
		res: ServerResponse,
	): Promise<void> {
		const saved = JSON.parse(JSON.stringify(this.staticData)) as IDataObject;
		const workflowOf = () =>
			new Workflow({
				id: this.workflowId,
				nodes: [this.node],
				connections: {},
				nodeTypes: this.nodeTypes,
				active: true,
				staticData: saved,
			});
		const workflow = workflowOf();
		try {
			if (await run(workflow, this.additionalData(req, res))) {
				workflowOf();
				// n8n saves after creating the execution: awaits in between, longer under load.
				const delay = this.saveDelaysMs[this.executions.length - 1] ?? 0;
				await new Promise((resolve) => setTimeout(resolve, delay));
			}
		} finally {
			if (workflow.staticData.__dataChanged === true) {
				this.staticData = JSON.parse(
					JSON.stringify(workflow.staticData, (key, value: unknown) =>
						key === '__dataChanged' ? undefined : value,
					),
				);
			}
		}
	}

	private async handle(req: IncomingMessage, res: ServerResponse) {
		const handled = this.handleCall(req, res);
		this.unsaved.add(handled);
		await handled.finally(() => this.unsaved.delete(handled));
	}

	private async handleCall(req: IncomingMessage, res: ServerResponse) {
		this.recordReplies(res);
		const url = new URL(req.url ?? '/', this.baseUrl);
		if (url.pathname !== `/webhook/${this.node.webhookId}/callback` || req.method !== 'POST') {
			res.writeHead(404).end('{"message":"webhook not registered"}');
			return;
		}
		const raw = await readBody(req);
		if (raw.length > N8N_PAYLOAD_LIMIT) {
			res.writeHead(413).end('{"message":"request entity too large"}');
			return;
		}
		const text = raw.toString('utf8');
		// n8n hands the node parsed JSON; a body it cannot parse reaches the node as text here, so the
		// node's own check is exercised too.
		let body: unknown = {};
		try {
			body = text ? JSON.parse(text) : {};
		} catch {
			body = text;
		}
		Object.assign(req, {
			body,
			rawBody: raw,
			query: Object.fromEntries(url.searchParams),
			params: {},
		});
		await this.withWorkflow(
			async (workflow, additionalData) => {
				const context = new WebhookContext(
					workflow,
					this.node,
					additionalData,
					'webhook',
					this.webhookData(workflow, additionalData),
					[],
					null,
				);
				const type = this.nodeTypes.getByNameAndVersion(this.node.type, 1) as INodeType;
				try {
					const result = await type.webhook!.call(context);
					if (result.noWebhookResponse) return false;
					if (result.workflowData) this.executions.push(result.workflowData[0]);
					res.writeHead(200, { 'content-type': 'application/json' });
					res.end(JSON.stringify(result.webhookResponse ?? { message: 'Workflow was started' }));
					return result.workflowData !== undefined;
				} catch (error) {
					res.writeHead(500, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ message: (error as Error).message }));
					return false;
				}
			},
			req,
			res,
		);
	}

	private recordReplies(res: ServerResponse) {
		const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
		res.end = ((chunk?: unknown) => {
			const body = chunk === undefined ? '' : String(chunk);
			this.replies.push({ status: res.statusCode, body, json: parseJson(body) });
			return end(chunk);
		}) as ServerResponse['end'];
	}
}

async function toReply(response: Response): Promise<Reply> {
	const body = await response.text();
	return { status: response.status, body, json: parseJson(body) };
}
