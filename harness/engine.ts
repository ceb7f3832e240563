/**
 * Runs our nodes inside n8n's own workflow engine (n8n-core `WorkflowExecute`), with credentials
 * resolved and applied the way n8n's CLI does: defaults filled in from the credential type,
 * `authenticate` called on every authenticated request. Used by the tests and `npm run demo`.
 */
// First: n8n-core must not write its instance config into the real ~/.n8n.
import './user-folder';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentials,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
	IConnections,
} from 'n8n-workflow';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';

import { ModelsLabApi } from '../credentials/ModelsLabApi.credentials';
import { ModelsLabFetch } from '../nodes/ModelsLabFetch/ModelsLabFetch.node';
import { ModelsLabInpaint } from '../nodes/ModelsLabInpaint/ModelsLabInpaint.node';
import { ModelsLabTrigger } from '../nodes/ModelsLabTrigger/ModelsLabTrigger.node';

export const PACKAGE = 'n8n-nodes-modelslab';

const NODE_CLASSES: Record<string, INodeType> = {
	[`${PACKAGE}.modelsLabInpaint`]: new ModelsLabInpaint(),
	[`${PACKAGE}.modelsLabFetch`]: new ModelsLabFetch(),
	[`${PACKAGE}.modelsLabTrigger`]: new ModelsLabTrigger(),
	// The types n8n 2.x registers for an AI Agent's tools (usableAsTool): the same classes run.
	[`${PACKAGE}.modelsLabInpaintTool`]: new ModelsLabInpaint(),
	[`${PACKAGE}.modelsLabFetchTool`]: new ModelsLabFetch(),
};
const CREDENTIAL_TYPES: Record<string, ICredentialType> = { modelsLabApi: new ModelsLabApi() };

export class PackageNodeTypes implements INodeTypes {
	getByName(type: string): INodeType | IVersionedNodeType {
		const node = NODE_CLASSES[type];
		if (!node) throw new Error(`Unknown node type ${type}`);
		return node;
	}
	getByNameAndVersion(type: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}
	getKnownTypes() {
		return {};
	}
}

/** The version n8n gives a node of `type` dropped on the canvas now. */
export function newestVersion(type: string): number {
	const { version, defaultVersion } = NODE_CLASSES[type]?.description ?? {};
	return defaultVersion ?? (Array.isArray(version) ? Math.max(...version) : (version ?? 1));
}

/** Every request an authenticate call produced, so tests can see exactly where the key went. */
export const authenticatedRequests: IHttpRequestOptions[] = [];

export class CredentialsHelper extends ICredentialsHelper {
	constructor(private readonly stored: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		request: IHttpRequestOptions,
	) {
		const { authenticate } = CREDENTIAL_TYPES[typeName];
		if (typeof authenticate !== 'function') throw new Error('expected an authenticate function');
		const authenticated = await authenticate(credentials, request);
		authenticatedRequests.push(authenticated);
		return authenticated;
	}
	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_details: unknown,
		type: string,
	) {
		// As n8n does: stored values over the credential type's defaults.
		const properties = CREDENTIAL_TYPES[type].properties;
		return NodeHelpers.getNodeParameters(
			properties,
			(this.stored[type] ?? {}) as never,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these nodes');
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(type: string) {
		return CREDENTIAL_TYPES[type].properties;
	}
}

export interface RunOptions {
	/** Parameters of the node under test (named "ModelsLab"). */
	parameters: IDataObject;
	/** Items fed into the node. */
	items?: INodeExecutionData[];
	credentials: ICredentialDataDecryptedObject;
	nodeType?: string;
	continueOnFail?: boolean;
	/** The execution's id (default exec-1). */
	executionId?: string;
	/** Where `$execution.resumeUrl` points (n8n's webhook-waiting base URL). */
	webhookWaitingBaseUrl?: string;
	/** Workflow settings over `executionOrder: 'v1'`, e.g. n8n 2.x's `binaryMode: 'combined'`. */
	workflowSettings?: IDataObject;
	/** The node's version; by default the one n8n gives a node added now (its defaultVersion). */
	typeVersion?: number;
}

export interface RunResult {
	/** Undefined when n8n refused to start the run. */
	run?: IRun;
	/** The node's output items (first output). */
	output: INodeExecutionData[];
	/** The error the run stopped with, if any. */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	/** The workflow that ran, e.g. to serve a waiting run's webhook. */
	workflow?: Workflow;
	/** The hints the node added for n8n's output panel. */
	hints?: Array<{ message: string; type?: string; location?: string }>;
}

const NODE_NAME = 'ModelsLab';

/** Builds a two-node workflow (Manual Trigger seeded with `items` → our node) and executes it. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const nodeType = options.nodeType ?? `${PACKAGE}.modelsLabInpaint`;
	const node: INode = {
		id: 'node-under-test',
		name: NODE_NAME,
		type: nodeType,
		typeVersion: options.typeVersion ?? newestVersion(nodeType),
		position: [200, 0],
		parameters: options.parameters as INode['parameters'],
		credentials: { modelsLabApi: { id: 'cred-1', name: 'ModelsLab account' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const start: INode = {
		id: 'start',
		name: 'Start',
		type: 'test.start',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const connections: IConnections = {
		Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] },
	};
	const nodeTypes = new PackageNodeTypes();
	NODE_CLASSES['test.start'] ??= passThroughNode;
	const workflow = new Workflow({
		id: 'wf-test',
		nodes: [start, node],
		connections,
		nodeTypes,
		active: false,
		settings: { executionOrder: 'v1', ...options.workflowSettings },
	});

	const hooks = new ExecutionLifecycleHooks('manual', options.executionId ?? 'exec-1', {
		id: 'wf-test',
		name: 'test',
		nodes: [start, node],
		connections,
		active: false,
		settings: {},
	} as never);
	let finish!: (run: IRun) => void;
	const finished = new Promise<IRun>((resolve) => (finish = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => finish(run));

	const additionalData = {
		credentialsHelper: new CredentialsHelper({ modelsLabApi: options.credentials }),
		hooks,
		executionId: options.executionId ?? 'exec-1',
		variables: {},
		currentNodeExecutionIndex: 0,
		logAiEvent: () => {},
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: options.webhookWaitingBaseUrl ?? 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
	} as unknown as IWorkflowExecuteAdditionalData;

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: start, data: { main: [options.items ?? [{ json: {} }]] }, source: null },
			],
		},
	} as never);
	try {
		await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(
			workflow,
		);
	} catch (error) {
		// n8n refuses to start a workflow whose nodes have issues (an empty required field).
		return { run: undefined, output: [], error: error as RunResult['error'] };
	}
	const run = await finished;
	const nodeRun = run.data.resultData.runData[NODE_NAME]?.[0];
	return {
		run,
		workflow,
		output: nodeRun?.data?.main?.[0] ?? [],
		hints: nodeRun?.hints ?? [],
		error: (nodeRun?.error ?? run.data.resultData.error) as RunResult['error'],
	};
}

/** Stands in for the Manual Trigger: passes the seeded items on. */
const passThroughNode: INodeType = {
	description: {
		displayName: 'Start',
		name: 'start',
		group: ['input'],
		version: 1,
		description: 'Passes items through',
		defaults: { name: 'Start' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute() {
		return [this.getInputData()];
	},
};
