// Drafts from a text: a field the user unticks is greyed out (its inputs disabled) and comes
// back when ticked again; unticking "Create this draft" greys out the whole draft. Without
// JavaScript the page works the same: the server ignores the inputs of an unticked field.
(function () {
  "use strict";

  function syncDraft(draft) {
    var keepDraft = draft.querySelector("[data-keep-draft]");
    var draftKept = !keepDraft || keepDraft.checked;
    draft.querySelectorAll("[data-field]").forEach(function (row) {
      var keep = row.querySelector("[data-keep]");
      var kept = draftKept && (!keep || keep.checked);
      row.querySelectorAll("input, select, textarea").forEach(function (input) {
        if (input === keep) {
          input.disabled = !draftKept;
        } else {
          input.disabled = !kept;
        }
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-draft]").forEach(function (draft) {
      syncDraft(draft);
      draft.addEventListener("change", function (event) {
        var target = event.target;
        if (target.hasAttribute("data-keep") || target.hasAttribute("data-keep-draft")) {
          syncDraft(draft);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
