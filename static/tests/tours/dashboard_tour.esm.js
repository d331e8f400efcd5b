/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

const CARD = ".o_kanban_record:contains(Tour team) .o_apizee_dashboard";
const NO_SHOWS = "a:contains(No-shows this week)";

/**
 * The list of a team card's figure says its team and figure as facets of the search,
 * and a reload shows the same list (the address keeps the team).
 *
 * @returns {Object[]} the steps checking the no-shows' list
 */
const noShowList = () => [
    {
        content: "The list is the figure's: its two sessions",
        trigger: ".o_list_view .o_data_row:contains(TOUR-NS1)",
        run() {
            const rows = document.querySelectorAll(".o_list_view .o_data_row");
            if (rows.length !== 2) {
                throw new Error(`${rows.length} sessions listed, not 2`);
            }
        },
    },
    {
        content: "The team is a facet of the search",
        trigger: ".o_searchview_facet:contains(Tour team)",
    },
    {
        content: "... and so is the figure: no show",
        trigger: ".o_searchview_facet:contains(No show)",
    },
    {
        content: "... this week",
        trigger: ".o_searchview_facet:contains(This week)",
    },
    {
        content: "Only this week's no-shows of the team",
        trigger: ".o_list_view:not(:has(.o_data_row:contains(TOUR-OLD)))",
    },
];

registry.category("web_tour.tours").add("helpdesk_apizee_dashboard_tour", {
    steps: () => [
        {
            content: "The team's card counts two no-shows this week",
            trigger: `${CARD} ${NO_SHOWS} .fs-5:contains(2)`,
        },
        {
            content: "Open them",
            trigger: `${CARD} ${NO_SHOWS}`,
            run: "click",
        },
        ...noShowList(),
        {
            content: "Reload the page",
            trigger: ".o_list_view",
            run() {
                window.location.reload();
            },
        },
        {
            content: "After the reload: the same list",
            trigger: ".o_breadcrumb:contains(No-shows this week)",
        },
        ...noShowList(),
    ],
});
