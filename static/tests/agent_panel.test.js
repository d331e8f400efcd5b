/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {expect, test} from "@odoo/hoot";
import {animationFrame} from "@odoo/hoot-mock";
import {queryOne} from "@odoo/hoot-dom";
import {getService, mountWithCleanup, onRpc} from "@web/../tests/web_test_helpers";
import {WebClient} from "@web/webclient/webclient";
import {defineMailModels} from "@mail/../tests/mail_test_helpers";

defineMailModels();

const ORIGIN = "https://app.apizee.com";

async function openPanel() {
    onRpc("/helpdesk_apizee/panel/event", async (request) => {
        const {params} = await request.json();
        expect(`${params.res_model}/${params.res_id}`).toBe("helpdesk.ticket/5");
        expect.step(`${params.kind}:${params.data_url || ""}`);
        return {ok: true};
    });
    await mountWithCleanup(WebClient);
    await getService("action").doAction({
        type: "ir.actions.client",
        tag: "helpdesk_apizee.agent_panel",
        name: "Video panel",
        target: "new",
        params: {
            url: `${ORIGIN}/agent/?iK=k&cN=c`,
            allow: "camera",
            origin: ORIGIN,
            res_model: "helpdesk.ticket",
            res_id: 5,
        },
    });
    return queryOne(".o_apizee_agent_frame");
}

function post(data, {origin = ORIGIN, source} = {}) {
    window.dispatchEvent(new MessageEvent("message", {data, origin, source}));
}

test("accepts messages of the app's origin from its iframe only", async () => {
    const frame = await openPanel();
    const source = frame.contentWindow;
    post({type: "joined"}, {origin: "https://evil.example.com", source});
    post({type: "joined"}, {source: window});
    post({type: "teleported"}, {source});
    post("not json", {source});
    post({type: "snapshot", dataUrl: 42}, {source});
    await animationFrame();
    expect.verifySteps([]);
    post({type: "ready"}, {source});
    post({type: "joined"}, {source});
    post(JSON.stringify({type: "left"}), {source});
    post({type: "snapshot", dataUrl: "data:image/png;base64,AAAA"}, {source});
    await animationFrame();
    expect.verifySteps(["joined:", "left:", "snapshot:data:image/png;base64,AAAA"]);
    expect(".o_apizee_agent_frame").toHaveAttribute("data-ready", "1");
    expect(".o_apizee_agent_frame").toHaveAttribute("allow", "camera");
});

test("stops listening once closed", async () => {
    const frame = await openPanel();
    const source = frame.contentWindow;
    await getService("action").doAction({type: "ir.actions.act_window_close"});
    await animationFrame();
    expect(".o_apizee_agent_frame").toHaveCount(0);
    post({type: "joined"}, {source});
    await animationFrame();
    expect.verifySteps([]);
});
