// Accessibility fixes on widgets Django's admin builds (WCAG 2.1 AA):
// - the date and time inputs of a split date-time field get the label printed before them;
// - the filter icon of a horizontal filter carries its aria-label as an image.
"use strict";

function labelSplitDateTimes() {
    document.querySelectorAll("p.datetime").forEach((paragraph) => {
        let text = "";
        paragraph.childNodes.forEach((node) => {
            if (node.nodeType === Node.TEXT_NODE) {
                text = node.textContent.trim() || text;
            } else if (node.tagName === "INPUT" && text && !node.hasAttribute("aria-label")) {
                node.setAttribute("aria-label", text.replace(/:$/, ""));
            }
        });
    });
}

function labelFilterIcons() {
    document.querySelectorAll(".search-label-icon[aria-label]").forEach((icon) => {
        icon.setAttribute("role", "img");
    });
}

labelSplitDateTimes();
// SelectFilter2 builds the horizontal filters on the window's load event.
window.addEventListener("load", () => {
    labelSplitDateTimes();
    labelFilterIcons();
});
