/**
 * Calls a node's `methods.listSearch` function the way n8n's editor does (the REST call behind a
 * resource locator's From List): n8n-core's own LoadOptionsContext for the node with its current
 * parameters, credentials resolved and authenticated as in a run (see engine.ts).
 */
import './user-folder';

import { LoadOptionsContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeListSearchResult,
	INodeParameters,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { CredentialsHelper, PACKAGE, PackageNodeTypes } from './engine';

export interface ListSearchOptions {
	method: string;
	credentials: ICredentialDataDecryptedObject;
	/** The node's parameters as the editor holds them when the list is opened. */
	parameters?: IDataObject;
	filter?: string;
	paginationToken?: string;
	nodeType?: string;
}

export async function runListSearch(options: ListSearchOptions): Promise<INodeListSearchResult> {
	const parameters = (options.parameters ?? {}) as INodeParameters;
	const node: INode = {
		id: 'node-under-test',
		name: 'ModelsLab',
		type: options.nodeType ?? `${PACKAGE}.modelsLabInpaint`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { modelsLabApi: { id: 'cred-1', name: 'ModelsLab account' } },
	};
	const nodeTypes = new PackageNodeTypes();
	const workflow = new Workflow({
		id: 'wf-list',
		nodes: [node],
		connections: {},
		nodeTypes,
		active: false,
		settings: {},
	});
	const additionalData = {
		credentialsHelper: new CredentialsHelper({ modelsLabApi: options.credentials }),
		currentNodeParameters: parameters,
		variables: {},
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters');
	const search = nodeTypes.getByNameAndVersion(node.type, 1).methods?.listSearch?.[options.method];
	if (!search) throw new Error(`${node.type} has no listSearch method ${options.method}`);
	return await search.call(context, options.filter, options.paginationToken);
}
