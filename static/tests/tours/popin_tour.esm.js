/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_apizee_popin_tour", {
    steps: () => [
        {
            content: "Apizee's (stand-in) pop-in is loaded",
            trigger: ".o_apizee_standin_popin",
        },
        {
            content: "loadAgent got the bootstrap data and the user's language",
            trigger: ".o_apizee_standin_popin",
            run: function () {
                const [call] = window.apizeeStandInCalls;
                if (
                    !call.server.endsWith("/") ||
                    call.apiKey !== "standin-api-key" ||
                    call.userInfos.nickname !== "camille" ||
                    !call.params.culture
                ) {
                    throw new Error(
                        `Unexpected loadAgent call: ${JSON.stringify(call)}`
                    );
                }
            },
        },
        {
            content: "The systray shows the pop-in ready, with 2 connected users",
            trigger: ".o_apizee_systray[data-status=ready][data-presence=online]",
        },
        {
            content: "Connected users",
            trigger: ".o_apizee_systray .o_apizee_users:contains(2)",
        },
        {
            content: "A message received while minimised is notified",
            trigger: ".o_notification:contains(Hello from the stand-in)",
        },
        {
            content: "A click on the icon opens its panel",
            trigger: "button.o_apizee_systray",
            run: "click",
        },
        {
            content: "The panel says the pop-in is ready, with the agent's presence",
            trigger:
                ".o_apizee_systray_panel .fw-bold:contains(Apizee: ready) + " +
                ".small:contains(Available):contains(2 connected)",
        },
        {
            content: "The agent's live call, with a link to its ticket",
            trigger:
                ".o_apizee_systray_panel .o_apizee_current_call a[href^='/odoo/helpdesk.ticket/']",
        },
    ],
});

registry.category("web_tour.tours").add("helpdesk_apizee_no_popin_tour", {
    steps: () => [
        {
            content: "The web client is up, without the pop-in",
            trigger: ".o_main_navbar",
            run: function () {
                if (
                    document.querySelector(".o_apizee_systray, .o_apizee_standin_popin")
                ) {
                    throw new Error(
                        "The pop-in started for a user who did not enable it"
                    );
                }
            },
        },
    ],
});
