// How Suite 2 gets the extension into the workbench. For now: the development folder itself,
// loaded through the `extensionDevelopmentPath` payload, as Suite 1 does.
export async function prepareUiExtension({ scratchDir, extensionDir }) {
	return {
		extensionsDir: undefined,
		developmentPayload: (port) => JSON.stringify([["extensionDevelopmentPath", `vscode-remote://127.0.0.1:${port}${extensionDir}`]]),
		scratchDir
	};
}
