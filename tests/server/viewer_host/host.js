// A minimal MCP Apps host for the browser test, on the official host side of the bridge
// (AppBridge + PostMessageTransport from @modelcontextprotocol/ext-apps/app-bridge).
//
// The View runs in a sandboxed srcdoc iframe (allow-scripts only: an opaque origin) under the
// CSP given by the test, injected as a <meta> at the top of the document. Its resources/read
// requests go to window.rodinReadResource, which the test exposes and forwards to the real
// rodin-mcp server through the MCP Python client.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

let bridge = null;

function withCsp(html, csp) {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
  return html.replace(/<head>/i, (head) => head + meta);
}

window.startView = async (html, csp, hostContext) => {
  const iframe = document.createElement("iframe");
  iframe.id = "view";
  iframe.setAttribute("sandbox", "allow-scripts");
  document.getElementById("frame").appendChild(iframe);
  bridge = new AppBridge(
    null,
    { name: "rodin-mcp test host", version: "0.0.0" },
    { serverResources: {}, logging: {} },
    { hostContext },
  );
  bridge.onreadresource = (params) => window.rodinReadResource(params.uri);
  bridge.onloggingmessage = (params) => console.log("view log:", JSON.stringify(params));
  const initialized = new Promise((resolve) => {
    bridge.oninitialized = resolve;
  });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.srcdoc = withCsp(html, csp);
  await initialized;
};

window.sendToolCall = async (args, result) => {
  await bridge.sendToolInput({ arguments: args });
  await bridge.sendToolResult(result);
};
