import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

/** Enterprise endpoints authenticate with the enterprise key (kept here so the credential stands alone). */
const isEnterprisePath = (path: string) => path.includes('/api/v1/enterprise/');

export class ModelsLabApi implements ICredentialType {
	name = 'modelsLabApi';

	displayName = 'ModelsLab API';

	icon: Icon = { light: 'file:modelslab.svg', dark: 'file:modelslab.dark.svg' };

	documentationUrl = 'https://docs.modelslab.com/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Your ModelsLab API key. Used by the v6 and v3 endpoints and for uploading images.',
			hint: 'Create or copy it on your <a href="https://modelslab.com/dashboard/api-keys" target="_blank">ModelsLab dashboard › API Keys</a>.',
		},
		{
			displayName: 'Enterprise API Key',
			name: 'enterpriseApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for the v1 Enterprise endpoints: the API key of your (first) enterprise server. Leave empty if you have no enterprise plan.',
		},
		{
			displayName:
				'Advanced: leave the two addresses below as they are, unless you reach ModelsLab through a proxy or a test server.',
			name: 'serverNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://modelslab.com',
			description:
				'Where the ModelsLab API is reached. Change it only to go through a proxy or to a ModelsLab-compatible test server.',
		},
		{
			displayName: 'Legacy v3 Base URL',
			name: 'legacyBaseUrl',
			type: 'string',
			default: 'https://stablediffusionapi.com',
			description:
				'Where the legacy v3 Stable Diffusion API is reached (the old stablediffusionapi.com host)',
		},
	];

	/**
	 * ModelsLab reads the key from the JSON body (`key`), never from a header. A function rather
	 * than a generic body template, because the key depends on the endpoint: enterprise endpoints
	 * need the enterprise key.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const key = isEnterprisePath(`${requestOptions.baseURL ?? ''}${requestOptions.url}`)
			? credentials.enterpriseApiKey
			: credentials.apiKey;
		const body =
			typeof requestOptions.body === 'object' && requestOptions.body !== null
				? requestOptions.body
				: {};
		return { ...requestOptions, body: { ...body, key: String(key ?? '') } };
	}

	// The wallet balance costs nothing and touches no queue. ModelsLab answers a bad key with
	// HTTP 200 and `status: "error"`, so the body is checked, not just the HTTP code.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl.replace(/\\/+$/, "") }}',
			url: '/api/wallet_balance',
			method: 'POST',
			body: {},
			json: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 'error',
					message: 'ModelsLab rejected the API key. Copy it again from your ModelsLab dashboard.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 'failed',
					message: 'ModelsLab rejected the API key. Copy it again from your ModelsLab dashboard.',
				},
			},
		],
	};
}
