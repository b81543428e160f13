// Messages the web workbench itself logs in every offline run (connection set-up, gallery
// look-ups that cannot reach the network, sign-in providers, the built-in chat services). They say
// nothing about Steer and would bury the test output. Matched against whole messages, so a
// dropped error takes its stack trace with it.
const NOISE = [
	/^Resolving connection token|^Resolved connection token/,
	/^Creating a socket/,
	/^\[reconnection-grace-time\]/,
	/^Updating additional builtin extensions cache/,
	/^\[Service Worker\]/i,
	/^\[AgentHost/,
	/^\[AccountPolicyGate\]/,
	/^Creation of workbench contribution/,
	/authentication provider/i,
	/getaddrinfo|ENOTFOUND|ECONNREFUSED|net::ERR_|Failed to fetch/,
	/open-vsx\.org|marketplace|gallery|update\.code\.visualstudio\.com|vscode-unpkg/i,
	/telemetry/i,
	/\bcopilot\b|\bchat\b/i
];

export function isWorkbenchNoise(message) {
	return NOISE.some((pattern) => pattern.test(message));
}
