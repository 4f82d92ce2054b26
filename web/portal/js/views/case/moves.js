// The words of each status move: its form's title, button and hint, and what is said once
// done. Which moves are offered, and in which order, is the case answer's
// `allowed_transitions` (the server's policy): none is decided here.
export const MOVES = {
  contacted: {
    title: "Mark as contacted",
    button: "Mark as contacted",
    hint: "Logging a contact that reached the reporter does this for you.",
    done: "Case marked as contacted.",
  },
  in_support: {
    title: "Move to in support",
    button: "Move to in support",
    hint: "A support plan is agreed with the reporter.",
    done: "Case moved to in support.",
  },
  filed: {
    title: "File for analysis",
    button: "File case",
    hint: "Nothing more to act on: the report is kept for anonymised statistics. Record any action taken first (for example, informing Campus Security).",
    done: "Case filed for analysis.",
  },
  reopened: {
    title: "Reopen the case",
    button: "Reopen case",
    hint: "The case goes back into the team's queue.",
    done: "Case reopened.",
  },
  closed: {
    title: "Close the case",
    button: "Close case",
    hint: "Record how the case ended.",
    done: "Case closed.",
  },
};
