/**
 * A stand-in for n8n's waiting-webhook route, for the tests and the benchmarks. Serves it (`/webhook-waiting/<execution>/<suffix>`) over real HTTP on
 * loopback, the way n8n does for an execution stored as waiting: 404 for a path no webhook of the
 * waiting node declares, 409 while nothing waits (the run has not reached the wait yet, or was
 * resumed already), otherwise the waiting node's webhook() runs in n8n-core's WebhookContext with
 * the waiting run's data, so `$input.all()` is the waiting node's input. A call that returns
 * workflow data resumes the execution: it is recorded and later calls get 409.
 */
import './user-folder';

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeType,
	IRun,
	IWebhookDescription,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';

import { CredentialsHelper, PackageNodeTypes } from './engine';
import { readBody, parseJson } from './http';

export interface WaitingReply {
	status: number;
	json: IDataObject;
}

export const EXECUTION_ID = 'exec-1';

/** One resume: the waiting node's output, when it came and how long that webhook() call took. */
export interface Resume {
	executionId: string;
	items: INodeExecutionData[];
	at: number;
	webhookMs: number;
}

interface Waiting {
	run: IRun;
	workflow: Workflow;
	nodeName: string;
	credentials: ICredentialDataDecryptedObject;
	resuming: boolean;
}

export class WaitingServer {
	/** The output of each resume (n8n 1.x can resume twice; this records every one). */
	readonly resumes: INodeExecutionData[][] = [];
	/** Every answer sent, in order. */
	readonly replies: WaitingReply[] = [];
	/** webhook() calls that threw (n8n would end the execution with the error). */
	readonly thrown: unknown[] = [];
	private readonly waits = new Map<string, Waiting>();
	private readonly resumeWaiters = new Map<string, (resume: Resume) => void>();
	private server?: Server;
	/** false: like n8n 1.x, a second call is let in while a resume is in progress. */
	atomicResume = true;

	/** The ModelsLab credential webhook() uses (set once the simulator runs). */
	credentials: ICredentialDataDecryptedObject = {};

	get baseUrl() {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
	}

	get webhookWaitingBaseUrl() {
		return `${this.baseUrl}/webhook-waiting`;
	}

	async start() {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
	}

	async stop() {
		const server = this.server;
		if (!server) return;
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	/** The run stopped waiting in `nodeName`: its webhook now takes calls. */
	wait(
		run: IRun,
		workflow: Workflow,
		executionId = EXECUTION_ID,
		credentials = this.credentials,
		nodeName = 'ModelsLab',
	) {
		this.waits.set(executionId, { run, workflow, nodeName, credentials, resuming: false });
	}

	/** Resolves at the first resume of the execution (call it before the callbacks can arrive). */
	resumed(executionId: string): Promise<Resume> {
		return new Promise((resolve) => this.resumeWaiters.set(executionId, resolve));
	}

	/** Forgets every waiting execution and every record. */
	clear() {
		this.waits.clear();
		this.resumeWaiters.clear();
		this.resumes.length = 0;
		this.replies.length = 0;
		this.thrown.length = 0;
	}

	/** POSTs `body` to `url` (a callback URL the node built) and returns the answer. */
	async post(url: string, body: unknown = {}): Promise<WaitingReply> {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		return { status: response.status, json: parseJson(text) };
	}

	private async handle(req: IncomingMessage, res: ServerResponse) {
		this.recordReplies(res);
		const out = addExpressMethods(res);
		const url = new URL(req.url ?? '/', this.baseUrl);
		const [, prefix, executionId, suffix] = url.pathname.split('/');
		const body = parseJson((await readBody(req)).toString('utf8'));
		const waiting = this.waits.get(executionId);
		if (prefix !== 'webhook-waiting' || !executionId) {
			out.status(404).json({ message: 'unknown execution' });
			return;
		}
		if (!waiting || (this.atomicResume && waiting.resuming)) {
			out.status(409).json({ message: 'The execution is not waiting' });
			return;
		}
		const { run, workflow, nodeName, credentials } = waiting;
		const node = workflow.getNode(nodeName)!;
		const type = new PackageNodeTypes().getByNameAndVersion(node.type, 1) as INodeType;
		const description = type.description.webhooks?.find(
			(hook) =>
				hook.restartWebhook === true &&
				hook.httpMethod === req.method &&
				hook.path === (suffix ?? ''),
		) as IWebhookDescription | undefined;
		if (!description) {
			out.status(404).json({ message: 'no waiting webhook with a matching path/method' });
			return;
		}
		Object.assign(req, { body, query: Object.fromEntries(url.searchParams), params: {} });
		const additionalData = {
			credentialsHelper: new CredentialsHelper({ modelsLabApi: credentials }),
			executionId,
			variables: {},
			httpRequest: req,
			httpResponse: res,
			webhookWaitingBaseUrl: this.webhookWaitingBaseUrl,
			formWaitingBaseUrl: `${this.baseUrl}/form-waiting`,
			webhookBaseUrl: `${this.baseUrl}/webhook`,
			webhookTestBaseUrl: `${this.baseUrl}/webhook-test`,
			instanceBaseUrl: this.baseUrl,
			restApiUrl: `${this.baseUrl}/rest`,
		} as unknown as IWorkflowExecuteAdditionalData;
		const context = new WebhookContext(
			workflow,
			node,
			additionalData,
			'webhook',
			{
				httpMethod: 'POST',
				node: nodeName,
				path: description.path,
				webhookDescription: description,
				workflowId: workflow.id,
				workflowExecuteAdditionalData: additionalData,
			},
			[],
			run.data,
		);
		const started = Date.now();
		try {
			const result = await type.webhook!.call(context);
			if (result.workflowData) {
				waiting.resuming = true;
				this.resumes.push(result.workflowData[0]);
				const items = result.workflowData[0];
				const at = Date.now();
				this.resumeWaiters.get(executionId)?.({
					executionId,
					items,
					at,
					webhookMs: at - started,
				});
				this.resumeWaiters.delete(executionId);
			}
			if (!result.noWebhookResponse) out.status(200).json(result.webhookResponse ?? {});
		} catch (error) {
			this.thrown.push(error);
			if (!res.headersSent) out.status(500).json({ message: 'Workflow could not be started!' });
		}
	}

	private recordReplies(res: ServerResponse) {
		const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
		res.end = ((chunk?: unknown) => {
			const text = chunk === undefined ? '' : String(chunk);
			this.replies.push({ status: res.statusCode, json: parseJson(text) });
			return end(chunk);
		}) as ServerResponse['end'];
	}
}

/** What webhook() uses of express's response. */
interface ExpressLike extends ServerResponse {
	status: (code: number) => ExpressLike;
	json: (body: unknown) => ExpressLike;
}

function addExpressMethods(res: ServerResponse): ExpressLike {
	const express = res as ExpressLike;
	express.status = (code: number) => {
		res.statusCode = code;
		return express;
	};
	express.json = (body: unknown) => {
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify(body));
		return express;
	};
	return express;
}
