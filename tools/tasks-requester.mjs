#!/usr/bin/env node
// The test suite's MCP Tasks requester: the official requester library
// (@modelcontextprotocol/ext-tasks) on the TypeScript SDK's Client, both pinned in
// tools/package.json. scripts/test.sh copies this file into .tools/npm so its imports
// resolve there. It prints one JSON object per line on stdout for the tests to read.
//
// Usage:
//   node requester.mjs (--stdio "CMD ARG..." | --http URL) --gen v1|v2|auto \
//        --tool NAME [--args JSON] [--resume TASKID] [--cancel-after-status [N]] \
//        [--preference allow|prefer|require|forbid] [--ttl MS] \
//        [--detach-after-create] [--listen] [--elicit-response JSON] \
//        [--endpoint-id ID] [--timeout MS] [--header "Name: value"]... [--lenient-result]
//
//   --lenient-result  accept any JSON object as the tool result (ext-tasks'
//                     default V2 codec insists on resultType:"complete", also
//                     inside a completed task's `result`).
//
//   v1   = MCP 2025-11-25 core tasks (initialize handshake, params.task opt-in)
//   v2   = MCP 2026-07-28 + io.modelcontextprotocol/tasks extension
//          (server/discover probe pinned to 2026-07-28, per-request _meta opt-in)
//   auto = SDK versionNegotiation "auto" (server/discover probe, legacy fallback)
//
// Events (field "event"): connected, tool_declaration, task_created, status,
// notification, input_request, input_response, cancel_sent, cancel_acknowledged,
// post_cancel_snapshot, detached, result, outcome, error.
//
// Exit codes: 0 completed / detached / cancelled-as-requested, 2 failed,
//             3 cancelled (not requested), 1 error.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import {
  createTaskSessionFromClient,
  createTaskSessionEndpointId,
  DispatchError,
} from "@modelcontextprotocol/ext-tasks/client";
import { taskId as brandTaskId } from "@modelcontextprotocol/ext-tasks/core";

// ------------------------------------------------------------------ CLI
function parseArgs(argv) {
  const o = { headers: {}, preference: undefined, cancelAfter: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--stdio": o.stdio = next(); break;
      case "--http": o.http = next(); break;
      case "--gen": o.gen = next(); break;
      case "--tool": o.tool = next(); break;
      case "--args": o.args = JSON.parse(next()); break;
      case "--resume": o.resume = next(); break;
      case "--cancel-after-status": {
        const peek = argv[i + 1];
        if (peek !== undefined && /^\d+$/.test(peek)) { o.cancelAfter = Number(peek); i++; }
        else o.cancelAfter = 1;
        break;
      }
      case "--preference": o.preference = next(); break;
      case "--ttl": o.ttl = Number(next()); break;
      case "--detach-after-create": o.detach = true; break;
      case "--listen": o.listen = true; break;
      case "--lenient-result": o.lenient = true; break;
      case "--elicit-response": o.elicitResponse = JSON.parse(next()); break;
      case "--endpoint-id": o.endpointId = next(); break;
      case "--timeout": o.timeout = Number(next()); break;
      case "--header": {
        const h = next();
        const c = h.indexOf(":");
        if (c < 1) throw new Error(`bad --header ${h}`);
        o.headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
        break;
      }
      case "-h": case "--help":
        process.stderr.write(`see header of ${process.argv[1]}\n`); process.exit(0);
      default:
        // positional convenience: first positional = transport, second = tool
        if (!o.stdio && !o.http) { if (/^https?:\/\//.test(a)) o.http = a; else o.stdio = a; }
        else if (!o.tool) o.tool = a;
        else throw new Error(`unexpected argument ${a}`);
    }
  }
  if (!o.stdio === !o.http) throw new Error("exactly one of --stdio CMD or --http URL is required");
  o.gen ??= "v2";
  if (!["v1", "v2", "auto"].includes(o.gen)) throw new Error("--gen must be v1, v2 or auto");
  if (!o.tool && !o.resume) throw new Error("--tool NAME is required (or --resume TASKID)");
  return o;
}

// naive shell-ish split honouring '...' and "..."
function splitCommand(s) {
  const out = [];
  let cur = "", q = null, any = false;
  for (const ch of s) {
    if (q) { if (ch === q) q = null; else cur += ch; continue; }
    if (ch === "'" || ch === '"') { q = ch; any = true; continue; }
    if (/\s/.test(ch)) { if (cur || any) out.push(cur); cur = ""; any = false; continue; }
    cur += ch;
  }
  if (cur || any) out.push(cur);
  return out;
}

const emit = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
const errorFields = (e) => ({
  message: e?.message ?? String(e),
  ...(e?.name ? { name: e.name } : {}),
  ...(e?.code !== undefined ? { code: e.code } : {}),
  ...(e?.data !== undefined ? { data: e.data } : {}),
  ...(e?.cause ? { cause: e.cause?.message ?? String(e.cause) } : {}),
});

// ------------------------------------------------------------------ raw V2 channel
// ext-tasks requires `rawDispatch` for 2026-07-28 Tasks servers because the SDK
// Client's 2026 result codec rejects resultType "task" (UnsupportedResultType)
// and strips resultType from complete results, which the ext-tasks V2 schemas
// require. This channel writes JSON-RPC requests straight to the SDK
// transport under a private string-id namespace and claims only the responses
// carrying those ids; everything else still flows to the SDK Client.
class RawChannel {
  #prefix = `taskreq-${process.pid}-${Date.now()}:`;
  #seq = 0;
  #pending = new Map();
  #transport;
  #prevOnMessage;
  #timeoutMs;
  constructor(transport, timeoutMs) {
    this.#transport = transport;
    this.#timeoutMs = timeoutMs;
    this.#prevOnMessage = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (message && typeof message === "object" && !("method" in message) && typeof message.id === "string" && message.id.startsWith(this.#prefix)) {
        const p = this.#pending.get(message.id);
        if (p) {
          if ("error" in message) p.finish({ kind: "error", error: message.error });
          else p.finish({ kind: "result", result: message.result });
        }
        return;
      }
      this.#prevOnMessage?.call(transport, message, extra);
    };
    const prevClose = transport.onclose;
    transport.onclose = () => {
      for (const p of [...this.#pending.values()]) p.finish(undefined, new DispatchError("transport closed"));
      prevClose?.call(transport);
    };
  }
  /** Sends a request with an explicit id (used for subscriptions/listen). */
  sendRaw(message, options) { return this.#transport.send(message, options); }
  nextId() { return `${this.#prefix}${this.#seq++}`; }
  onResponse(id, cb) { this.#pending.set(id, { finish: (r, e) => { this.#pending.delete(id); cb(r, e); } }); }
  dispatch = (request, options = {}) => {
    const id = this.nextId();
    const message = { jsonrpc: "2.0", id, method: request.method, ...(request.params === undefined ? {} : { params: request.params }) };
    return new Promise((resolve, reject) => {
      const ctl = new AbortController();
      const timeoutMs = options.context?.requestTimeoutMs ?? this.#timeoutMs;
      const timer = setTimeout(() => finish(undefined, new DispatchError(`request ${request.method} timed out`)), timeoutMs);
      const onAbort = () => finish(undefined, options.signal.reason ?? new DOMException("aborted", "AbortError"));
      const finish = (response, error) => {
        if (!this.#pending.delete(id)) return;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (response) resolve(response); else { ctl.abort(); reject(error); }
      };
      this.#pending.set(id, { finish });
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#transport
        .send(message, {
          ...(options.context?.headers ? { headers: options.context.headers } : {}),
          requestSignal: ctl.signal,
          onRequestStreamEnd: () => finish(undefined, new DispatchError("response stream ended before a reply")),
        })
        .catch((e) => finish(undefined, e instanceof DispatchError ? e : new DispatchError("send failed", false, { cause: e })));
    });
  };
}

// ------------------------------------------------------------------ main
async function main() {
  const o = parseArgs(process.argv.slice(2));
  const timeoutMs = o.timeout ?? 120000;
  const clientInfo = { name: "taskreq", version: "0.1.0" };
  // Declared on initialize (v1) and in every request's _meta (v2). elicitation
  // lets a server ask for input (v1: elicitation/create request; v2: inputRequests).
  const clientCapabilities = { elicitation: { form: {} } };

  let transport;
  let descriptor;
  if (o.http) {
    transport = new StreamableHTTPClientTransport(new URL(o.http), { requestInit: { headers: o.headers } });
    descriptor = { http: o.http };
  } else {
    const [command, ...args] = splitCommand(o.stdio);
    transport = new StdioClientTransport({ command, args, env: { ...process.env }, stderr: "inherit" });
    descriptor = { stdio: o.stdio };
  }

  const versionNegotiation =
    o.gen === "v1" ? { mode: "legacy" } : o.gen === "v2" ? { mode: { pin: "2026-07-28" } } : { mode: "auto" };
  const client = new Client(clientInfo, { capabilities: clientCapabilities, versionNegotiation });

  // Observe raw task notifications before ext-tasks installs its own fallback
  // (the adapter chains to the previous fallback handler first).
  client.fallbackNotificationHandler = async (n) => {
    if (n.method === "notifications/tasks/status" || n.method === "notifications/tasks" || n.method === "notifications/subscriptions/acknowledged")
      emit("notification", { method: n.method, params: n.params });
  };

  await client.connect(transport, { timeout: timeoutMs });
  const era = client.getProtocolEra();
  const protocolVersion = client.getNegotiatedProtocolVersion();

  let channel;
  const sessionOptions = {
    endpointId: o.endpointId ?? (await createTaskSessionEndpointId("taskreq", descriptor)),
    onError: (e) => emit("error", { where: "background", ...errorFields(e) }),
    onInputRequest: async (request, context) => {
      emit("input_request", { kind: request.kind, params: request.params, scope: context.scope, delivery: context.delivery, taskId: context.taskId, inputId: context.inputId });
      let response;
      if (request.kind === "elicitation") response = o.elicitResponse ?? { action: "decline" };
      else if (request.kind === "roots") response = { roots: [] };
      else throw new Error("sampling is not supported by this requester");
      emit("input_response", { inputId: context.inputId, response });
      return response;
    },
  };
  if (era === "modern") {
    channel = new RawChannel(client.transport, timeoutMs);
    sessionOptions.rawDispatch = channel.dispatch;
    sessionOptions.v2RequestFraming = { protocolVersion, clientInfo, clientCapabilities };
  }
  let session;
  try {
    session = createTaskSessionFromClient(client, sessionOptions);
  } catch (e) {
    emit("error", { where: "session", ...errorFields(e) });
    await client.close();
    return 1;
  }
  const caps = client.getServerCapabilities();
  // Which generation ext-tasks negotiated (mirrors sdk-client-adapter.js clientTaskCapabilities()).
  const ext = caps?.extensions?.["io.modelcontextprotocol/tasks"];
  const generation = era === "modern"
    ? (ext && typeof ext === "object" && !Array.isArray(ext) && Object.keys(ext).length === 0 ? "v2" : "none")
    : (caps?.tasks === undefined ? "none" : "v1");
  emit("connected", { era, protocolVersion, generation, sessionCapabilities: session.capabilities, serverCapabilities: caps });
  if (o.gen !== "auto" && generation !== "none" && generation !== o.gen)
    emit("error", { where: "negotiation", message: `requested ${o.gen} but negotiated ${generation}` });

  let exitCode = 1;
  let execution;
  try {
    if (o.resume) {
      if (generation === "none") throw new Error("server advertises no Tasks support; cannot resume");
      execution = await session.resumeTask(
        { endpointId: session.endpointId, generation, taskId: brandTaskId(o.resume), originalOperation: "tools/call" },
        { requestTimeoutMs: timeoutMs, ...(o.lenient ? { resultCodec: lenientCodec } : {}), ...(Object.keys(o.headers).length ? { headers: o.headers } : {}) },
      );
    } else {
      const taskOpts = {
        preference: o.preference ?? (generation === "v1" ? "prefer" : "allow"),
        ...(o.ttl !== undefined ? { retentionMs: o.ttl } : {}),
      };
      execution = await session.callTool(o.tool, o.args, {
        task: taskOpts,
        requestTimeoutMs: timeoutMs,
        ...(o.lenient ? { resultCodec: lenientCodec } : {}),
        ...(Object.keys(o.headers).length ? { headers: o.headers } : {}),
      });
    }
    if (execution.declaration)
      emit("tool_declaration", { name: execution.declaration.name, taskSupport: execution.declaration.taskSupport ?? null });

    if (execution.kind === "immediate") {
      const outcome = await execution.result();
      exitCode = reportOutcome("immediate", outcome, false);
    } else {
      const taskId = execution.handle.taskId;
      emit("task_created", { taskId, generation, resumed: Boolean(o.resume), reference: execution.serializeReference() });
      if (o.detach) {
        await execution.detach();
        emit("detached", { taskId, reference: execution.serializeReference() });
        exitCode = 0;
      } else {
        if (o.listen && channel) openListen(channel, client, protocolVersion, clientInfo, clientCapabilities, taskId);
        let seen = 0;
        let cancelled = false;
        let lastKey;
        for await (const ev of execution.updates()) {
          if (ev.type === "task") {
            const t = ev.task;
            // A pushed notifications/tasks snapshot and the next tasks/get of the
            // same state differ only in _meta, so ext-tasks yields both; print once.
            const key = JSON.stringify([t.status, t.statusMessage, t.lastUpdatedAt]);
            if (key === lastKey) continue;
            lastKey = key;
            seen++;
            emit("status", {
              taskId: t.taskId, status: t.status,
              ...(t.statusMessage !== undefined ? { statusMessage: t.statusMessage } : {}),
              retentionMs: t.retentionMs,
              ...(t.suggestedPollIntervalMs !== undefined ? { pollIntervalMs: t.suggestedPollIntervalMs } : {}),
              lastUpdatedAt: t.lastUpdatedAt,
              ...(t.raw.inputRequests ? { inputRequests: t.raw.inputRequests } : {}),
            });
            if (o.cancelAfter !== undefined && !cancelled && seen >= o.cancelAfter && !["completed", "failed", "cancelled"].includes(t.status)) {
              cancelled = true;
              emit("cancel_sent", { taskId });
              try {
                await execution.cancel();
                emit("cancel_acknowledged", { taskId });
              } catch (e) {
                emit("error", { where: "cancel", ...errorFields(e) });
              }
            }
          } else {
            exitCode = reportOutcome("task", ev.outcome, o.cancelAfter !== undefined);
          }
        }
        if (cancelled) {
          // Local outcome is "cancelled" as soon as the server acks; show the
          // server's own view afterwards (V2 cancellation is eventually consistent).
          const ctl = session.task(taskId, { requestTimeoutMs: timeoutMs });
          for (let i = 0; i < 10; i++) {
            try {
              const snap = await ctl.snapshot();
              if (["completed", "failed", "cancelled"].includes(snap.status) || i === 9) {
                emit("post_cancel_snapshot", { taskId, status: snap.status, statusMessage: snap.statusMessage });
                break;
              }
            } catch (e) {
              emit("post_cancel_snapshot", { taskId, error: errorFields(e) });
              break;
            }
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      }
    }
  } catch (e) {
    emit("error", { where: o.resume ? "resume" : "call", ...errorFields(e) });
    exitCode = 1;
  } finally {
    closing = true;
    try { await session.close(); } catch {}
    try { await client.close(); } catch {}
  }
  return exitCode;
}

const lenientCodec = {
  parse(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? { success: true, value }
      : { success: false, error: new Error("tool result is not a JSON object") };
  },
};

function reportOutcome(kind, outcome, cancelRequested) {
  if (outcome.status === "completed") {
    emit("result", { kind, status: "completed", result: outcome.result, ...(outcome.task ? { task: { taskId: outcome.task.taskId, status: outcome.task.status, statusMessage: outcome.task.statusMessage } } : {}) });
    return 0;
  }
  if (outcome.status === "failed") {
    emit("outcome", { kind, status: "failed", error: errorFields(outcome.error), ...(outcome.task ? { task: { taskId: outcome.task.taskId, status: outcome.task.status, statusMessage: outcome.task.statusMessage } } : {}) });
    return 2;
  }
  emit("outcome", { kind, status: "cancelled", ...(outcome.task ? { task: { taskId: outcome.task.taskId, status: outcome.task.status } } : {}) });
  return cancelRequested ? 0 : 3;
}

// Optional V2 push channel: subscriptions/listen with notifications.taskIds.
// ext-tasks 0.2.2 never opens one itself; notifications/tasks that arrive are
// routed by the SDK to client.fallbackNotificationHandler, which ext-tasks
// hooks and feeds into the live execution (session.js handleNotification).
let closing = false;
function openListen(channel, client, protocolVersion, clientInfo, clientCapabilities, taskId) {
  const id = channel.nextId();
  channel.onResponse(id, (r, e) => {
    if (!closing) emit("notification", { method: "subscriptions/listen:closed", ...(r ? { response: r } : { error: errorFields(e) }) });
  });
  const message = {
    jsonrpc: "2.0", id, method: "subscriptions/listen",
    params: {
      _meta: {
        "io.modelcontextprotocol/protocolVersion": protocolVersion,
        "io.modelcontextprotocol/clientInfo": clientInfo,
        "io.modelcontextprotocol/clientCapabilities": { ...clientCapabilities, extensions: { "io.modelcontextprotocol/tasks": {} } },
      },
      notifications: { taskIds: [taskId] },
    },
  };
  channel.sendRaw(message, {}).catch((e) => emit("error", { where: "listen", ...errorFields(e) }));
}

main().then(
  (code) => process.exit(code),
  (e) => { emit("error", { where: "fatal", ...errorFields(e) }); process.exit(1); },
);
