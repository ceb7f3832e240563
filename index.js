// n8n finds the nodes through the "n8n" section of package.json; this entry lets other code
// (tests, scripts, other packages) require the built classes by name.
module.exports = {
	get ModelsLabApi() {
		return require('./dist/credentials/ModelsLabApi.credentials').ModelsLabApi;
	},
	get ModelsLabFetch() {
		return require('./dist/nodes/ModelsLabFetch/ModelsLabFetch.node').ModelsLabFetch;
	},
	get ModelsLabInpaint() {
		return require('./dist/nodes/ModelsLabInpaint/ModelsLabInpaint.node').ModelsLabInpaint;
	},
	get ModelsLabTrigger() {
		return require('./dist/nodes/ModelsLabTrigger/ModelsLabTrigger.node').ModelsLabTrigger;
	},
};
