/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {beforeEach, describe, expect, test} from "@odoo/hoot";
import {advanceTime, animationFrame, runAllTimers} from "@odoo/hoot-mock";
import {waitUntil} from "@odoo/hoot-dom";
import {
    getService,
    mountWithCleanup,
    onRpc,
    patchWithCleanup,
} from "@web/../tests/web_test_helpers";
import {assets} from "@web/core/assets";
import {session} from "@web/session";
import {WebClient} from "@web/webclient/webclient";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";
import {
    RETRY_DELAYS,
    normalizeEvent,
} from "@helpdesk_apizee/agent_popin/apizee_agent_service.esm";

defineMailModels();
describe.current.tags("desktop");

const BOOTSTRAP = {
    ok: true,
    serverDomainRoot: "https://cloud.apizee.com/",
    apiKey: "the-api-key",
    userInfos: {userId: 42, nickname: "camille", token: "t0k3n", photoUrl: ""},
};

let loadAgentCalls = [];

function mockScript({fails = false, definesLoadAgent = true} = {}) {
    patchWithCleanup(assets, {
        loadJS(url) {
            expect.step(url);
            if (fails) {
                return Promise.reject(new Error("blocked"));
            }
            if (definesLoadAgent) {
                patchWithCleanup(window, {
                    loadAgent: (...args) => loadAgentCalls.push(args),
                });
            }
            return Promise.resolve();
        },
    });
}

async function start(bootstrap = BOOTSTRAP) {
    patchWithCleanup(session, {apizee_popin: {enabled: true}});
    onRpc("/helpdesk_apizee/agent/bootstrap", () => bootstrap);
    await mountWithCleanup(WebClient);
    const service = getService("apizee_agent");
    // Only the start timer: retry timers and notification timers must not run here.
    await advanceTime(1);
    await waitUntil(() => !["loading"].includes(service.state.status));
    await animationFrame();
    return service;
}

beforeEach(() => {
    loadAgentCalls = [];
});

test("normalises both event shapes", () => {
    expect(normalizeEvent("minimize", 3)).toEqual({type: "minimize", params: 3});
    expect(normalizeEvent({type: "init"})).toEqual({
        type: "init",
        params: {type: "init"},
    });
    expect(normalizeEvent({type: "close", params: {destId: 1}})).toEqual({
        type: "close",
        params: {destId: 1},
    });
    expect(normalizeEvent(undefined).type).toBe(null);
});

test("loads the script once and calls loadAgent with the bootstrap data", async () => {
    mockScript();
    const service = await start();
    expect.verifySteps(["https://cloud.apizee.com/agent/loaderAgent.js"]);
    expect(loadAgentCalls).toHaveLength(1);
    const [server, apiKey, userInfos, callback, useFrame, params] = loadAgentCalls[0];
    expect(server).toBe("https://cloud.apizee.com/");
    expect(apiKey).toBe("the-api-key");
    expect(userInfos).toEqual(BOOTSTRAP.userInfos);
    expect(typeof callback).toBe("function");
    expect(useFrame).toBe(true);
    expect(params.culture).toMatch(/^en/);
    expect(service.state.status).toBe("loaded");
    callback({type: "init"});
    expect(service.state.status).toBe("ready");
});

test("reacts to every event of the seed's list", async () => {
    mockScript();
    const service = await start();
    expect.verifySteps(["https://cloud.apizee.com/agent/loaderAgent.js"]);
    const {state, handleEvent} = service;
    handleEvent("updatePresence", {
        eventType: "p",
        time: "",
        connectedUsersList: ["a", "b"],
        state: "online",
    });
    expect(state.presence).toBe("online");
    expect(state.connectedUsers).toEqual(["a", "b"]);
    handleEvent({type: "createNewIMDiv", destId: 7, nickname: "Guest"});
    expect(state.boxes).toEqual({7: "Guest"});
    handleEvent("minimize", 7);
    expect(state.minimized).toBe(true);
    handleEvent("showNewMessage", {nickname: "Guest", message: "Hi <b>", html: "<b>"});
    await animationFrame();
    expect(".o_notification").toHaveCount(1);
    expect(".o_notification_content").toHaveText("Hi <b>");
    handleEvent("maximize", 7);
    expect(state.minimized).toBe(false);
    handleEvent("showNewMessage", {nickname: "Guest", message: "Visible"});
    await animationFrame();
    expect(".o_notification").toHaveCount(1); // shown by the pop-in itself
    handleEvent("openComBox", {});
    handleEvent("putInFrame");
    handleEvent("sendMessage", {destId: 7, message: "x"});
    handleEvent("close", 7);
    expect(state.boxes).toEqual({});
    handleEvent("somethingNew", {});
    handleEvent(null);
    expect(state.status).toBe("loaded");
});

test("a missing account: one notification, no script, no retry", async () => {
    mockScript();
    const service = await start({ok: false, error: "Your Apizee account is not set"});
    expect.verifySteps([]);
    expect(service.state.status).toBe("unavailable");
    await animationFrame();
    expect(".o_notification").toHaveCount(1);
    expect(".o_notification_content").toHaveText("Your Apizee account is not set");
    await advanceTime(RETRY_DELAYS[0] + 1);
    expect.verifySteps([]);
});

test("a blocked script: unavailable, then a retry after a pause", async () => {
    mockScript({fails: true});
    const service = await start();
    expect.verifySteps(["https://cloud.apizee.com/agent/loaderAgent.js"]);
    expect(service.state.status).toBe("unavailable");
    await animationFrame();
    expect(".o_notification").toHaveCount(1);
    await advanceTime(RETRY_DELAYS[0] + 1);
    await animationFrame();
    expect.verifySteps(["https://cloud.apizee.com/agent/loaderAgent.js"]);
    expect(service.state.status).toBe("unavailable");
    expect(".o_notification").toHaveCount(0); // one notification, not one per try
});

test("loadAgent missing: unavailable", async () => {
    mockScript({definesLoadAgent: false});
    const service = await start();
    expect.verifySteps(["https://cloud.apizee.com/agent/loaderAgent.js"]);
    expect(service.state.status).toBe("unavailable");
    expect(loadAgentCalls).toHaveLength(0);
});

test("started: the systray shows the pop-in's state", async () => {
    mockScript();
    await start();
    expect.verifySteps(["https://cloud.apizee.com/agent/loaderAgent.js"]);
    expect(".o_apizee_systray").toHaveCount(1);
    expect(".o_apizee_systray").toHaveAttribute("data-status", "loaded");
    loadAgentCalls[0][3]({type: "init"});
    await animationFrame();
    expect(".o_apizee_systray").toHaveAttribute("data-status", "ready");
    expect(".o_apizee_systray").toHaveAttribute("title", "Apizee: ready");
});

test("enabled in Preferences without an account: no systray", async () => {
    mockScript();
    patchWithCleanup(session, {apizee_popin: {enabled: false}});
    await mountWithCleanup(WebClient);
    await runAllTimers();
    expect(getService("apizee_agent").state.status).toBe("disabled");
    expect.verifySteps([]);
    expect(".o_apizee_systray").toHaveCount(0);
});

test("disabled: nothing loaded, no systray", async () => {
    mockScript();
    onRpc("/helpdesk_apizee/agent/bootstrap", () => {
        throw new Error("must not be called");
    });
    await mountWithCleanup(WebClient);
    await runAllTimers();
    expect(getService("apizee_agent").state.status).toBe("disabled");
    expect.verifySteps([]);
    expect(".o_apizee_systray").toHaveCount(0);
});
